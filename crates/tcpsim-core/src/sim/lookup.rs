//! Lookup-only hash tables: a host's sockets by name and its connections by address pair.

use crate::endpoint::splitmix64;
use crate::id::SocketId;
use crate::seq::SeqNum;
use rustc_hash::FxBuildHasher;
use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hash};
use std::net::SocketAddrV4;

/// A (local, remote) address pair packed into one integer, so that looking a connection up
/// hashes and compares integers, not addresses field by field.
pub(super) type PairKey = u128;

/// Hashes an address pair with SplitMix64's finalizer: a fixed function, no random seed. Not
/// FxHash, whose multiply only carries bits upwards: the pairs of one host differ mostly in a
/// port that sits in the middle of the key, and under FxHash they fell into a few buckets
/// (the production-scale leak ran at half speed).
#[derive(Clone, Default)]
pub(super) struct PairHasher(u64);

impl std::hash::Hasher for PairHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = splitmix64(self.0 ^ u64::from(*b));
        }
    }
    fn write_u128(&mut self, k: u128) {
        self.0 = splitmix64(self.0 ^ (k as u64) ^ splitmix64((k >> 64) as u64));
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(super) fn pair_key(local: SocketAddrV4, remote: SocketAddrV4) -> PairKey {
    let addr = |a: SocketAddrV4| (u128::from(u32::from(*a.ip())) << 16) | u128::from(a.port());
    (addr(local) << 48) | addr(remote)
}

/// One direction of one connection: the sender's address, the receiver's and the sender's ISS
/// (which tells a connection from an earlier one between the same two ports), in one integer.
pub(super) fn stream_key(from: SocketAddrV4, to: SocketAddrV4, iss: SeqNum) -> PairKey {
    // The pair takes the low 96 bits.
    pair_key(from, to) | (u128::from(iss.0) << 96)
}

/// A hash table of sockets that offers lookups only: no iteration, so no hash order can reach a
/// trace or a message, and a `Debug` that lists the keys sorted (hash order even differs
/// between 64-bit hosts and wasm32). Its hashers are fixed functions with no random seed.
pub(super) struct Lookup<K, S>(HashMap<K, SocketId, S>);

impl<K: Clone, S: Clone> Clone for Lookup<K, S> {
    fn clone(&self) -> Self {
        Lookup(self.0.clone())
    }
}

impl<K, S: Default> Default for Lookup<K, S> {
    fn default() -> Self {
        Lookup(HashMap::default())
    }
}

impl<K: Ord + fmt::Debug, S> fmt::Debug for Lookup<K, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sorted: BTreeMap<&K, &SocketId> = self.0.iter().collect();
        f.debug_map().entries(sorted).finish()
    }
}

impl<K: Hash + Eq, S: BuildHasher> Lookup<K, S> {
    pub(super) fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&SocketId>
    where
        K: Borrow<Q>,
    {
        self.0.get(key)
    }
    pub(super) fn contains_key<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.0.contains_key(key)
    }
    pub(super) fn insert(&mut self, key: K, id: SocketId) {
        self.0.insert(key, id);
    }
    pub(super) fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
    {
        self.0.remove(key);
    }
    pub(super) fn clear(&mut self) {
        self.0.clear();
    }
}

/// The application's socket names on one host, looked up by every call (FxHash: strings hash
/// well under it).
pub(super) type SocketNames = Lookup<String, FxBuildHasher>;

/// A host's connections by address pair, for every connection not in CLOSED: looked up by every
/// segment that arrives. Hashed because a host may hold tens of thousands of connections (a leak
/// at production scale), where a search tree took a dozen cache misses a segment.
/// Also: the sockets whose applications sent real bytes, by [`stream_key`].
pub(super) type ConnTable = Lookup<PairKey, BuildHasherDefault<PairHasher>>;
#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::net::Ipv4Addr;

    #[test]
    fn connections_of_one_host_spread_over_the_table() {
        // A client's connections to one server differ only in the local port. Their hashes must
        // still differ in the low bits that pick a bucket (under FxHash they shared a few
        // buckets, and every arriving segment walked a long probe sequence).
        use std::hash::BuildHasher;
        let hasher = BuildHasherDefault::<PairHasher>::default();
        let server = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 80);
        let buckets: BTreeSet<u64> = (0..10_000u16)
            .map(|i| {
                let client = SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 32768 + i);
                hasher.hash_one(pair_key(client, server)) & 0x3fff
            })
            .collect();
        // 10 000 keys thrown at random into 16 384 buckets fill about 7 900 of them.
        assert!(buckets.len() > 7_000, "{} buckets of 16384", buckets.len());
    }

    #[test]
    fn socket_names_print_in_name_order_whatever_the_insertion_order() {
        let names = ["conn-9", "a", "listener", "conn-10", "b"];
        let mut forward = SocketNames::default();
        let mut backward = SocketNames::default();
        for (i, n) in names.iter().enumerate() {
            forward.insert(n.to_string(), SocketId(i as u32));
        }
        for (i, n) in names.iter().enumerate().rev() {
            backward.insert(n.to_string(), SocketId(i as u32));
        }
        let shown = format!("{forward:?}");
        assert_eq!(shown, format!("{backward:?}"));
        assert_eq!(
            shown,
            r#"{"a": socket 1, "b": socket 4, "conn-10": socket 3, "conn-9": socket 0, "listener": socket 2}"#
        );
    }
}
