//! The simulator: hosts with sockets, the applications' calls, the network, one event queue.
//!
//! The event queue is ordered by (time, sequence number), the sequence number being the order
//! entries were pushed, so ties break the same way on every run and platform. Collections that
//! are iterated are `BTreeMap`s or `Vec`s; nothing depends on hash order or on `usize`.
//!
//! The application is modelled as calls at given times ([`Call`]). connect() and accept() block
//! until they complete (their result is a later [`EventKind::Return`]); every other call returns
//! at once. Not calling close() is simply the absence of a call: that is how a leak is written.
//!
//! Left out: IP fragmentation, ICMP, routing beyond "the host that has the address", IPv6.

use crate::config::TcpConfig;
use crate::endpoint::{
    Endpoint, EndpointEvent, Output, Outputs, ShutdownHow, SockOpt, TimerAction, splitmix64,
};
use crate::errno::Errno;
use crate::net::{
    ExpiredAction, FaultAction, FaultRule, HostIndex, LinkConfig, Middlebox, Verdict,
};
use crate::rng::{Ppm, SimRng};
use crate::segment::{Segment, SendReason};
use crate::state::State;
use crate::time::{Duration, Instant};
use crate::trace::{
    CallId, CallResult, DropReason, EventKind, HostInfo, Netstat, NetstatRow, SegmentId, SocketId,
    SocketInfo, TimerChange, Trace, TraceEvent,
};
use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hash};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

/// A host, numbered from 0 in the order hosts were added.
pub type HostId = HostIndex;

/// A (local, remote) address pair packed into one integer, so that looking a connection up
/// hashes and compares integers, not addresses field by field.
type PairKey = u128;

/// Hashes an address pair with SplitMix64's finalizer: a fixed function, no random seed. Not
/// FxHash, whose multiply only carries bits upwards: the pairs of one host differ mostly in a
/// port that sits in the middle of the key, and under FxHash they fell into a few buckets
/// (the production-scale leak ran at half speed).
#[derive(Default)]
struct PairHasher(u64);

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

fn pair_key(local: SocketAddrV4, remote: SocketAddrV4) -> PairKey {
    let addr = |a: SocketAddrV4| (u128::from(u32::from(*a.ip())) << 16) | u128::from(a.port());
    (addr(local) << 48) | addr(remote)
}

/// Limits and defaults of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Seeds the network's random stream and every host's ISN secret.
    pub seed: u64,
    /// TCP parameters of hosts that do not set their own.
    pub tcp: TcpConfig,
    /// The link used between hosts that have no link of their own.
    pub default_link: LinkConfig,
    /// The run stops with [`SimError::EventLimit`] after this many queue events.
    pub max_events: u64,
    /// The longest run allowed.
    pub max_duration: Duration,
    /// The most sockets a run may create (across hosts).
    pub max_sockets: u32,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            tcp: TcpConfig::linux(),
            default_link: LinkConfig::default(),
            max_events: 50_000_000,
            max_duration: Duration::from_secs(30 * 24 * 3600),
            max_sockets: 1_000_000,
        }
    }
}

/// A host to add.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostSpec {
    pub name: String,
    pub addr: Ipv4Addr,
    /// Descriptor limit (`ulimit -n`): sockets the application may hold open at once.
    pub fd_limit: u32,
    /// TCP parameters (sysctls) of this host; the run's default when `None`.
    pub tcp: Option<TcpConfig>,
    /// Ephemeral port range (`ip_local_port_range`), inclusive.
    pub ephemeral_ports: (u16, u16),
}

impl HostSpec {
    pub fn new(name: &str, addr: [u8; 4]) -> HostSpec {
        HostSpec {
            name: name.to_string(),
            addr: Ipv4Addr::from(addr),
            fd_limit: 1024,
            tcp: None,
            ephemeral_ports: (32_768, 60_999),
        }
    }
    pub fn fd_limit(mut self, n: u32) -> HostSpec {
        self.fd_limit = n;
        self
    }
    pub fn tcp(mut self, cfg: TcpConfig) -> HostSpec {
        self.tcp = Some(cfg);
        self
    }
}

/// An application call (or a host event) at a given time. Sockets are named by the application
/// (`socket`); naming a new socket with a name in use re-binds the name, as assigning a variable
/// does: the old socket lives on, unreachable, which is exactly how a leak looks in code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "call")]
pub enum Call {
    /// socket(), bind(port), listen(backlog).
    Listen {
        socket: String,
        port: u16,
        backlog: u32,
    },
    /// socket(), optionally bind(local_port), connect(remote). Blocks until established or failed.
    Connect {
        socket: String,
        remote: SocketAddrV4,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        local_port: Option<u16>,
    },
    /// accept() on `listener`, naming the new connection `socket`. Blocks until one arrives.
    Accept { listener: String, socket: String },
    /// send() of `bytes` bytes (non-blocking: may accept fewer).
    Send { socket: String, bytes: u64 },
    /// recv() of up to `max` bytes (non-blocking).
    Recv { socket: String, max: u64 },
    /// close().
    Close { socket: String },
    /// shutdown(how).
    Shutdown { socket: String, how: ShutdownHow },
    /// Abort: a reset where the state calls for one, then the descriptor is closed
    /// (close() with SO_LINGER 0, or RFC 9293 ABORT).
    Abort { socket: String },
    /// setsockopt().
    SetOption { socket: String, option: SockOpt },
    /// The host crashes: its connections vanish without a segment and it stops answering.
    Crash,
    /// The host comes back up with no sockets (it answers old connections with RST).
    Restart,
}

impl Call {
    /// The socket name the call acts on, if any.
    pub fn socket(&self) -> Option<&str> {
        match self {
            Call::Listen { socket, .. }
            | Call::Connect { socket, .. }
            | Call::Send { socket, .. }
            | Call::Recv { socket, .. }
            | Call::Close { socket }
            | Call::Shutdown { socket, .. }
            | Call::Abort { socket }
            | Call::SetOption { socket, .. } => Some(socket),
            Call::Accept { listener, .. } => Some(listener),
            Call::Crash | Call::Restart => None,
        }
    }

    /// The same call with every socket name passed through `f` (a repeat's template filled in
    /// for one repetition).
    pub fn map_names(&self, mut f: impl FnMut(&str) -> String) -> Call {
        match self {
            Call::Listen {
                socket,
                port,
                backlog,
            } => Call::Listen {
                socket: f(socket),
                port: *port,
                backlog: *backlog,
            },
            Call::Connect {
                socket,
                remote,
                local_port,
            } => Call::Connect {
                socket: f(socket),
                remote: *remote,
                local_port: *local_port,
            },
            Call::Accept { listener, socket } => Call::Accept {
                listener: f(listener),
                socket: f(socket),
            },
            Call::Send { socket, bytes } => Call::Send {
                socket: f(socket),
                bytes: *bytes,
            },
            Call::Recv { socket, max } => Call::Recv {
                socket: f(socket),
                max: *max,
            },
            Call::Close { socket } => Call::Close { socket: f(socket) },
            Call::Shutdown { socket, how } => Call::Shutdown {
                socket: f(socket),
                how: *how,
            },
            Call::Abort { socket } => Call::Abort { socket: f(socket) },
            Call::SetOption { socket, option } => Call::SetOption {
                socket: f(socket),
                option: *option,
            },
            Call::Crash => Call::Crash,
            Call::Restart => Call::Restart,
        }
    }

    /// The name of the system call.
    pub fn name(&self) -> &'static str {
        match self {
            Call::Listen { .. } => "listen",
            Call::Connect { .. } => "connect",
            Call::Accept { .. } => "accept",
            Call::Send { .. } => "send",
            Call::Recv { .. } => "recv",
            Call::Close { .. } => "close",
            Call::Shutdown { .. } => "shutdown",
            Call::Abort { .. } => "abort",
            Call::SetOption { .. } => "setsockopt",
            Call::Crash => "crash",
            Call::Restart => "restart",
        }
    }
}

/// An error in setting up or running a simulation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    DuplicateHostName(String),
    DuplicateAddress(Ipv4Addr),
    UnknownHost(HostId),
    InvalidConfig(String),
    /// A call was scheduled after the longest allowed run.
    CallTooLate {
        at: Instant,
        max: Duration,
    },
    /// The run is longer than [`SimConfig::max_duration`].
    DurationLimit {
        asked: Duration,
        max: Duration,
    },
    /// The run took more queue events than [`SimConfig::max_events`].
    EventLimit {
        limit: u64,
        at: Instant,
    },
    /// The run created more sockets than [`SimConfig::max_sockets`].
    SocketLimit {
        limit: u32,
        at: Instant,
    },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::DuplicateHostName(n) => {
                write!(f, "two hosts are named `{n}`: give each host its own name")
            }
            SimError::DuplicateAddress(a) => write!(
                f,
                "two hosts have the address {a}: give each host its own address"
            ),
            SimError::UnknownHost(h) => write!(f, "there is no host number {h}"),
            SimError::InvalidConfig(m) => f.write_str(m),
            SimError::CallTooLate { at, max } => {
                write!(f, "a call at {at} is after the longest allowed run ({max})")
            }
            SimError::DurationLimit { asked, max } => {
                write!(
                    f,
                    "a run of {asked} is longer than the limit of {max}: shorten the run"
                )
            }
            SimError::EventLimit { limit, at } => write!(
                f,
                "the run was stopped at {at} after {limit} events, the limit: shorten the run, \
                 use fewer connections, or raise the event limit"
            ),
            SimError::SocketLimit { limit, at } => write!(
                f,
                "the run was stopped at {at}: it created more than {limit} sockets, the limit; use fewer connections"
            ),
        }
    }
}
impl std::error::Error for SimError {}

/// A run that stopped on an error, with the trace up to that point.
#[derive(Clone, Debug)]
pub struct RunError {
    pub error: SimError,
    pub partial: Box<Trace>,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}
impl std::error::Error for RunError {}

/// A run driven in slices; see [`Simulator::sliced`].
pub struct SlicedRun {
    sim: Simulator,
    end: Instant,
    calls: u64,
}

impl SlicedRun {
    /// Processes at most `budget` events. `Ok(true)` when the run has reached its end.
    pub fn step(&mut self, budget: u64) -> Result<bool, SimError> {
        self.sim.advance_at_most(self.end, budget)
    }

    /// The application calls the run makes in all, known before it starts: the setup's calls
    /// and every repetition of its repeated ones (a caller can tell a big run from a small one
    /// before working on it).
    pub fn calls_expected(&self) -> u64 {
        self.calls
    }

    /// The simulated time reached, and the end of the run.
    pub fn progress(&self) -> (Instant, Instant) {
        (self.sim.now, self.end)
    }

    /// Events recorded so far.
    pub fn events(&self) -> usize {
        self.sim.trace.events.len()
    }

    /// The trace, once [`SlicedRun::step`] has returned `Ok(true)`; with the error and the
    /// partial trace when a step failed (`result` is that step's error).
    pub fn finish(mut self, result: Result<(), SimError>) -> Result<Trace, RunError> {
        match result {
            Ok(()) => {
                self.sim.trace.end = self.end;
                Ok(self.sim.trace)
            }
            Err(error) => {
                self.sim.trace.end = self.sim.now;
                Err(RunError {
                    error,
                    partial: Box::new(self.sim.trace),
                })
            }
        }
    }
}

#[derive(Debug)]
struct Host {
    addr: Ipv4Addr,
    fd_limit: u32,
    cfg: Arc<TcpConfig>,
    ephemeral: (u16, u16),
    next_port: u16,
    isn_secret: u64,
    boots: u64,
    up: bool,
    fds: u32,
    /// (local, remote) -> socket, for every connection not in CLOSED.
    conns: ConnTable,
    listeners: BTreeMap<u16, SocketId>,
    /// Socket names, looked up by every call.
    labels: SocketNames,
}

#[derive(Debug)]
struct Listener {
    backlog: u32,
    queue: VecDeque<SocketId>,
    waiting: VecDeque<(CallId, String)>,
}

/// A hash table of sockets that offers lookups only: no iteration, so no hash order can reach a
/// trace or a message, and a `Debug` that lists the keys sorted (hash order even differs
/// between 64-bit hosts and wasm32). Its hashers are fixed functions with no random seed.
struct Lookup<K, S>(HashMap<K, SocketId, S>);

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
    fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&SocketId>
    where
        K: Borrow<Q>,
    {
        self.0.get(key)
    }
    fn contains_key<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.0.contains_key(key)
    }
    fn insert(&mut self, key: K, id: SocketId) {
        self.0.insert(key, id);
    }
    fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
    {
        self.0.remove(key);
    }
    fn clear(&mut self) {
        self.0.clear();
    }
}

/// The application's socket names on one host, looked up by every call (FxHash: strings hash
/// well under it).
type SocketNames = Lookup<String, FxBuildHasher>;

/// A host's connections by address pair, for every connection not in CLOSED: looked up by every
/// segment that arrives. Hashed because a host may hold tens of thousands of connections (a leak
/// at production scale), where a search tree took a dozen cache misses a segment.
type ConnTable = Lookup<PairKey, BuildHasherDefault<PairHasher>>;

#[derive(Debug)]
struct Sock {
    host: HostId,
    ep: Endpoint,
    fd_open: bool,
    released: bool,
    listener: Option<Listener>,
    parent: Option<SocketId>,
    accepted: bool,
    pending_connect: Option<CallId>,
    wake: Option<Instant>,
}

#[derive(Debug)]
enum Queued {
    Deliver {
        id: SegmentId,
        to: HostId,
        seg: Segment,
    },
    Wake {
        socket: SocketId,
    },
    /// The head of a link's FIFO of deliveries (see [`EventQueue`]).
    LinkHead {
        link: u32,
    },
    Call {
        id: CallId,
    },
    /// The next call of the setup's merge (see [`EventQueue::merge`]).
    Merged,
}

/// A queue key: 24 bytes, so that the heap moves little. The payload waits in a slab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    at: Instant,
    seq: u64,
    slot: u32,
}
/// A radix heap: a priority queue for keys that rarely go below the last key settled, as the
/// simulator's (time, push order) keys do. Pushes are O(1); taking the smallest moves each entry
/// at most once per bit of the key range. Keys are unique, so the order is total and
/// deterministic. Keys below the settled one (the consequences of a call taken before the heap's
/// smallest entry) wait in a small binary heap, all of them smaller than anything in the buckets.
#[derive(Debug)]
struct RadixHeap {
    /// The settled key: every key in the buckets is at least this.
    last: u128,
    /// Bucket 0 holds keys equal to `last`; bucket `b` keys whose highest bit differing from
    /// `last` is bit `b - 1`.
    buckets: Vec<Vec<Entry>>,
    /// Bit `b - 1` set when bucket `b` (1 to 128) is not empty.
    nonempty: u128,
    /// Keys pushed below `last`, with their slots.
    low: BinaryHeap<Reverse<(u128, u32)>>,
}

impl Default for RadixHeap {
    fn default() -> RadixHeap {
        RadixHeap {
            last: 0,
            buckets: (0..129).map(|_| Vec::new()).collect(),
            nonempty: 0,
            low: BinaryHeap::new(),
        }
    }
}

impl RadixHeap {
    fn key(e: &Entry) -> u128 {
        (u128::from(e.at.as_micros()) << 64) | u128::from(e.seq)
    }

    fn entry(key: u128, slot: u32) -> Entry {
        Entry {
            at: Instant::from_micros((key >> 64) as u64),
            seq: key as u64,
            slot,
        }
    }

    fn bucket_of(&self, key: u128) -> usize {
        if key <= self.last {
            0
        } else {
            128 - (key ^ self.last).leading_zeros() as usize
        }
    }

    fn push(&mut self, e: Entry) {
        let key = Self::key(&e);
        if key < self.last {
            self.low.push(Reverse((key, e.slot)));
            return;
        }
        let b = self.bucket_of(key);
        self.buckets[b].push(e);
        if b > 0 {
            self.nonempty |= 1 << (b - 1);
        }
    }

    /// Brings the smallest key of the buckets into bucket 0; false when they are empty.
    fn settle(&mut self) -> bool {
        if !self.buckets[0].is_empty() {
            return true;
        }
        if self.nonempty == 0 {
            return false;
        }
        let b = self.nonempty.trailing_zeros() as usize + 1;
        self.nonempty &= !(1 << (b - 1));
        let mut moving = std::mem::take(&mut self.buckets[b]);
        self.last = moving.iter().map(Self::key).min().unwrap_or(self.last);
        for e in moving.drain(..) {
            // Every entry goes to a lower bucket than `b`.
            let nb = self.bucket_of(Self::key(&e));
            self.buckets[nb].push(e);
            if nb > 0 {
                self.nonempty |= 1 << (nb - 1);
            }
        }
        self.buckets[b] = moving; // keeps its allocation
        true
    }

    fn peek(&mut self) -> Option<Entry> {
        if let Some(Reverse((key, slot))) = self.low.peek() {
            return Some(Self::entry(*key, *slot));
        }
        if self.settle() {
            self.buckets[0].last().copied()
        } else {
            None
        }
    }

    fn pop(&mut self) -> Option<Entry> {
        if let Some(Reverse((key, slot))) = self.low.pop() {
            return Some(Self::entry(key, slot));
        }
        if self.settle() {
            self.buckets[0].pop()
        } else {
            None
        }
    }
}

/// The event queue: entries come out ordered by (time, push order), whatever structure holds
/// them. Three structures share that one order, to keep the heap small:
/// - calls, known before the run, wait in a vector sorted once;
/// - deliveries on one link are nearly always in time order, so each link has a FIFO and only
///   its head sits in the heap, keyed by the head's own (time, sequence number); a delivery that
///   would overtake the tail of its FIFO (jitter, reordering) goes into the heap directly;
/// - everything else (wake-ups, out-of-order deliveries) is in the heap, a radix heap.
#[derive(Debug, Default)]
struct EventQueue {
    heap: RadixHeap,
    slots: Vec<Option<Queued>>,
    free: Vec<u32>,
    next_seq: u64,
    /// Per link: pending deliveries in (time, seq) order, and whether its head is in the heap.
    links: Vec<VecDeque<(Instant, u64, Queued)>>,
    /// Calls, sorted by (time, seq) descending when `calls_sorted`, so the next is last.
    calls: Vec<(Instant, u64, Queued)>,
    calls_sorted: bool,
    /// A setup's calls, made as the run reaches them. They were all scheduled before the run,
    /// so at the same time they go before anything else.
    merge: Option<Box<crate::wire::CallMerge>>,
}

/// What a heap slot holds: an event, or "the head of link N".
#[derive(Debug)]
enum Slot {
    Event(Queued),
    LinkHead(u32),
}

impl EventQueue {
    fn seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    fn heap_push(&mut self, at: Instant, seq: u64, slot: Slot) {
        let what = match slot {
            Slot::Event(q) => q,
            Slot::LinkHead(link) => Queued::LinkHead { link },
        };
        let slot = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(what);
                i
            }
            None => {
                self.slots.push(Some(what));
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(Entry { at, seq, slot });
    }

    fn push(&mut self, at: Instant, what: Queued) {
        let seq = self.seq();
        if matches!(what, Queued::Call { .. }) {
            self.calls.push((at, seq, what));
            self.calls_sorted = false;
        } else {
            self.heap_push(at, seq, Slot::Event(what));
        }
    }

    /// A delivery on link number `link`.
    fn push_delivery(&mut self, link: u32, at: Instant, what: Queued) {
        let seq = self.seq();
        let l = link as usize;
        if self.links.len() <= l {
            self.links.resize_with(l + 1, VecDeque::new);
        }
        let fifo = &mut self.links[l];
        match fifo.back() {
            Some((tail, ..)) if at < *tail => self.heap_push(at, seq, Slot::Event(what)),
            _ => {
                let was_empty = fifo.is_empty();
                fifo.push_back((at, seq, what));
                if was_empty {
                    self.heap_push(at, seq, Slot::LinkHead(link));
                }
            }
        }
    }

    fn next_call_key(&mut self) -> Option<(Instant, u64)> {
        if !self.calls_sorted {
            self.calls
                .sort_unstable_by_key(|c| std::cmp::Reverse((c.0, c.1)));
            self.calls_sorted = true;
        }
        self.calls.last().map(|(at, seq, _)| (*at, *seq))
    }

    fn peek_time(&mut self) -> Option<Instant> {
        let heap = self.heap.peek().map(|e| e.at);
        let call = self.next_call_key().map(|k| k.0);
        let merged = self.merge.as_ref().and_then(|m| m.peek());
        [heap, call, merged].into_iter().flatten().min()
    }

    fn pop(&mut self) -> Option<(Instant, Queued)> {
        if let Some(m) = self.merge.as_ref().and_then(|m| m.peek())
            && self.next_call_key().is_none_or(|c| m <= c.0)
            && self.heap.peek().is_none_or(|e| m <= e.at)
        {
            return Some((m, Queued::Merged));
        }
        let call = self.next_call_key();
        let heap = self.heap.peek().map(|e| (e.at, e.seq));
        let take_call = match (call, heap) {
            (Some(c), Some(h)) => c < h,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if take_call {
            return self.calls.pop().map(|(at, _, what)| (at, what));
        }
        let e = self.heap.pop()?;
        let what = self.slots[e.slot as usize].take()?;
        self.free.push(e.slot);
        match what {
            Queued::LinkHead { link } => {
                let fifo = &mut self.links[link as usize];
                let (at, _, what) = fifo.pop_front()?;
                if let Some((next_at, next_seq, _)) = fifo.front() {
                    let (next_at, next_seq) = (*next_at, *next_seq);
                    self.heap_push(next_at, next_seq, Slot::LinkHead(link));
                }
                Some((at, what))
            }
            what => Some((e.at, what)),
        }
    }
}

/// The simulator. Build it (hosts, links, faults, calls), then [`Simulator::run`] it.
pub struct Simulator {
    cfg: SimConfig,
    hosts: Vec<Host>,
    by_addr: BTreeMap<Ipv4Addr, HostId>,
    links: BTreeMap<(HostId, HostId), LinkConfig>,
    faults: Vec<FaultRule>,
    fault_hits: Vec<u32>,
    middleboxes: Vec<Middlebox>,
    /// Per middlebox: flow (lower address first) -> last time seen.
    flows: Vec<BTreeMap<(SocketAddrV4, SocketAddrV4), Instant>>,
    socks: Vec<Sock>,
    queue: EventQueue,
    rng: SimRng,
    now: Instant,
    out: Outputs,
    trace: Trace,
    limit_hit: Option<SimError>,
}

impl Simulator {
    pub fn new(cfg: SimConfig) -> Simulator {
        let rng = SimRng::new(cfg.seed);
        let trace = Trace {
            seed: cfg.seed,
            ..Trace::default()
        };
        Simulator {
            cfg,
            hosts: Vec::new(),
            by_addr: BTreeMap::new(),
            links: BTreeMap::new(),
            faults: Vec::new(),
            fault_hits: Vec::new(),
            middleboxes: Vec::new(),
            flows: Vec::new(),
            socks: Vec::new(),
            queue: EventQueue::default(),
            rng,
            now: Instant::ZERO,
            out: Outputs::new(),
            trace,
            limit_hit: None,
        }
    }

    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }

    /// Adds a host. Names and addresses must be unique.
    pub fn add_host(&mut self, spec: HostSpec) -> Result<HostId, SimError> {
        if self.trace.hosts.iter().any(|h| h.name == spec.name) {
            return Err(SimError::DuplicateHostName(spec.name));
        }
        if self.by_addr.contains_key(&spec.addr) {
            return Err(SimError::DuplicateAddress(spec.addr));
        }
        let cfg = spec.tcp.clone().unwrap_or_else(|| self.cfg.tcp.clone());
        cfg.validate()
            .map_err(|m| SimError::InvalidConfig(format!("host `{}`: {m}", spec.name)))?;
        let (lo, hi) = spec.ephemeral_ports;
        if lo == 0 || lo > hi {
            return Err(SimError::InvalidConfig(format!(
                "host `{}`: ephemeral port range {lo}-{hi} is empty; use e.g. 32768-60999",
                spec.name
            )));
        }
        let id = self.hosts.len() as HostId;
        let mix = splitmix64(self.cfg.seed ^ splitmix64(u64::from(id) + 1));
        let span = u64::from(hi - lo) + 1;
        self.hosts.push(Host {
            addr: spec.addr,
            fd_limit: spec.fd_limit,
            cfg: Arc::new(cfg.clone()),
            ephemeral: (lo, hi),
            next_port: lo + (mix % span) as u16,
            isn_secret: splitmix64(mix),
            boots: 0,
            up: true,
            fds: 0,
            conns: ConnTable::default(),
            listeners: BTreeMap::new(),
            labels: SocketNames::default(),
        });
        self.by_addr.insert(spec.addr, id);
        self.trace.hosts.push(HostInfo {
            name: spec.name,
            addr: spec.addr,
            fd_limit: spec.fd_limit,
            profile: cfg.profile,
        });
        Ok(id)
    }

    fn check_host(&self, h: HostId) -> Result<(), SimError> {
        if (h as usize) < self.hosts.len() {
            Ok(())
        } else {
            Err(SimError::UnknownHost(h))
        }
    }

    /// Sets the link from `from` to `to`.
    pub fn set_link(&mut self, from: HostId, to: HostId, link: LinkConfig) -> Result<(), SimError> {
        self.check_host(from)?;
        self.check_host(to)?;
        link.validate().map_err(SimError::InvalidConfig)?;
        self.links.insert((from, to), link);
        Ok(())
    }

    /// Sets the same link both ways.
    pub fn set_link_both(
        &mut self,
        a: HostId,
        b: HostId,
        link: LinkConfig,
    ) -> Result<(), SimError> {
        self.set_link(a, b, link.clone())?;
        self.set_link(b, a, link)
    }

    pub fn add_fault(&mut self, rule: FaultRule) -> Result<u32, SimError> {
        for h in [rule.filter.from, rule.filter.to].into_iter().flatten() {
            self.check_host(h)?;
        }
        if rule.first == 0 {
            return Err(SimError::InvalidConfig(
                "fault occurrences count from 1".into(),
            ));
        }
        self.faults.push(rule);
        self.fault_hits.push(0);
        Ok(self.faults.len() as u32 - 1)
    }

    pub fn add_middlebox(&mut self, mb: Middlebox) -> Result<(), SimError> {
        self.check_host(mb.between.0)?;
        self.check_host(mb.between.1)?;
        self.middleboxes.push(mb);
        self.flows.push(BTreeMap::new());
        Ok(())
    }

    /// Schedules an application call (or host event) on `host` at `at`.
    pub fn call(&mut self, at: Instant, host: HostId, call: Call) -> Result<CallId, SimError> {
        self.check_call(at, host)?;
        let id = self.trace.calls.len() as CallId;
        self.trace
            .calls
            .push(crate::trace::ScheduledCall { at, host, call });
        self.push(at, Queued::Call { id });
        Ok(id)
    }

    /// What [`Simulator::call`] would refuse for a call at `at` on `host`.
    pub(crate) fn check_call(&self, at: Instant, host: HostId) -> Result<(), SimError> {
        self.check_host(host)?;
        if at.saturating_since(Instant::ZERO) > self.cfg.max_duration {
            return Err(SimError::CallTooLate {
                at,
                max: self.cfg.max_duration,
            });
        }
        Ok(())
    }

    /// Hands the simulator a setup's calls, which it makes as the run reaches them.
    pub(crate) fn set_calls(&mut self, merge: crate::wire::CallMerge) {
        let n = merge.expected().min(1 << 22) as usize;
        self.trace.calls.reserve(n);
        self.queue.merge = Some(Box::new(merge));
    }

    /// Schedules an event. Nothing is scheduled before now: a deadline or a call in the past
    /// is due now, so simulated time never goes back.
    fn push(&mut self, at: Instant, what: Queued) {
        self.queue.push(at.max(self.now), what);
    }

    fn record(&mut self, kind: EventKind) {
        self.trace.events.push(TraceEvent { t: self.now, kind });
    }

    /// Runs for `duration` of simulated time. The trace always ends at `duration`, also when
    /// nothing happens after some point. May follow [`Simulator::advance`].
    pub fn run(self, duration: Duration) -> Result<Trace, RunError> {
        let mut run = self.sliced(duration)?;
        let result = run.step(u64::MAX).map(|_| ());
        run.finish(result)
    }

    /// Starts a run for `duration` that the caller drives in slices of at most a given number
    /// of events ([`SlicedRun::step`]), for a thread that must do other work in between (a
    /// browser tab that keeps painting). The trace is the one [`Simulator::run`] gives: slicing
    /// only decides where the work pauses, never what happens.
    pub fn sliced(mut self, duration: Duration) -> Result<SlicedRun, RunError> {
        if duration > self.cfg.max_duration {
            let error = SimError::DurationLimit {
                asked: duration,
                max: self.cfg.max_duration,
            };
            return Err(RunError {
                error,
                partial: Box::new(self.trace),
            });
        }
        let end = Instant::ZERO + duration;
        // A connection's calls record eight to ten events each (the bundled scenarios: 8.6 on
        // average); growing the vector by doubling would copy it a dozen times on a large run,
        // and one doubling too many at the end copies all of it once more.
        let calls =
            self.trace.calls.len() as u64 + self.queue.merge.as_ref().map_or(0, |m| m.expected());
        let expected = calls.saturating_mul(10).min(1 << 24) as usize;
        self.trace
            .events
            .reserve(expected.saturating_sub(self.trace.events.len()));
        // The segments likewise: about one and a half a call (the production-scale leak: 1.6).
        let segments = calls.saturating_mul(2).min(1 << 22) as usize;
        self.trace
            .segments
            .reserve(segments.saturating_sub(self.trace.segments.len()));
        // Likewise the sockets (a socket is about 400 bytes: growing by doubling would copy
        // eight megabytes on the production-scale leak), up to 65 536 of them: the estimate
        // counts a passive open for every connect(), and beyond that the vector grows as usual.
        let sockets = self
            .queue
            .merge
            .as_ref()
            .map_or(0, |m| m.expected_sockets());
        let sockets = sockets.min(u64::from(self.cfg.max_sockets)).min(1 << 16) as usize;
        self.socks.reserve(sockets.saturating_sub(self.socks.len()));
        self.trace
            .sockets
            .reserve(sockets.saturating_sub(self.trace.sockets.len()));
        Ok(SlicedRun {
            sim: self,
            end,
            calls,
        })
    }

    /// Processes every event up to and including `until`, leaving the simulator to go on.
    pub fn advance(&mut self, until: Instant) -> Result<(), SimError> {
        self.advance_at_most(until, u64::MAX).map(|_| ())
    }

    /// Like [`Simulator::advance`], but stops after `budget` events; returns whether `until`
    /// was reached.
    fn advance_at_most(&mut self, until: Instant, budget: u64) -> Result<bool, SimError> {
        let mut left = budget;
        while self.queue.peek_time().is_some_and(|at| at <= until) {
            if left == 0 {
                return Ok(false);
            }
            left -= 1;
            let Some((at, what)) = self.queue.pop() else {
                break;
            };
            self.now = at;
            self.trace.stats.queue_events += 1;
            if self.trace.stats.queue_events > self.cfg.max_events {
                return Err(SimError::EventLimit {
                    limit: self.cfg.max_events,
                    at: self.now,
                });
            }
            self.dispatch(at, what);
            if let Some(e) = self.limit_hit.take() {
                return Err(e);
            }
        }
        self.now = self.now.max(until);
        Ok(true)
    }

    /// Runs until `until` and returns the live netstat then, leaving the simulator to go on.
    pub fn run_until(&mut self, until: Instant) -> Result<Netstat, SimError> {
        self.advance(until)?;
        Ok(self.netstat())
    }

    /// The simulated time reached so far.
    pub fn now(&self) -> Instant {
        self.now
    }

    fn dispatch(&mut self, at: Instant, what: Queued) {
        match what {
            Queued::Deliver { id, to, seg } => self.deliver(id, to, seg),
            Queued::Wake { socket } => self.wake(socket, at),
            Queued::Call { id } => self.run_call(id),
            Queued::Merged => {
                if let Some((at, host, call)) = self.queue.merge.as_mut().and_then(|m| m.next()) {
                    let id = self.trace.calls.len() as CallId;
                    let c = crate::trace::ScheduledCall { at, host, call };
                    self.trace.calls.push(c);
                    self.run_call(id);
                }
            }
            Queued::LinkHead { .. } => {} // resolved inside the queue
        }
    }

    /// The sockets of every host now, from the live endpoints (compare [`Trace::netstat_at`]).
    pub fn netstat(&self) -> Netstat {
        let mut rows = Vec::new();
        for (id, s) in self.socks.iter().enumerate() {
            let state = s.ep.state();
            if s.released
                || state == State::Closed
                || (state == State::Listen && s.parent.is_some())
            {
                continue;
            }
            let (recv_q, send_q) = match &s.listener {
                Some(l) => (l.queue.len() as u64, u64::from(l.backlog)),
                None => (s.ep.recv_queue(), s.ep.send_queue()),
            };
            rows.push(NetstatRow {
                host: s.host,
                socket: id as SocketId,
                label: self.trace.sockets[id].label.clone(),
                state,
                local: s.ep.local(),
                remote: s.ep.remote(),
                recv_q,
                send_q,
            });
        }
        Netstat { at: self.now, rows }
    }

    /// The trace so far (after [`Simulator::run_until`]).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    // ------------------------------------------------------------ sockets

    fn new_socket(
        &mut self,
        host: HostId,
        ep: Endpoint,
        label: Option<String>,
        parent: Option<SocketId>,
    ) -> Option<SocketId> {
        if self.socks.len() as u64 >= u64::from(self.cfg.max_sockets) {
            self.limit_hit = Some(SimError::SocketLimit {
                limit: self.cfg.max_sockets,
                at: self.now,
            });
            return None;
        }
        let id = self.socks.len() as SocketId;
        self.trace.sockets.push(SocketInfo {
            id,
            host,
            label,
            local: ep.local(),
            remote: ep.remote(),
            parent,
            created: self.now,
        });
        self.socks.push(Sock {
            host,
            ep,
            fd_open: false,
            released: false,
            listener: None,
            parent,
            accepted: false,
            pending_connect: None,
            wake: None,
        });
        Some(id)
    }

    /// Runs `f` on a socket's endpoint and processes everything it output.
    fn drive<R>(
        &mut self,
        socket: SocketId,
        f: impl FnOnce(&mut Endpoint, Instant, &mut Outputs) -> R,
    ) -> R {
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        let now = self.now;
        let r = f(&mut self.socks[socket as usize].ep, now, &mut out);
        self.flush(socket, &mut out);
        self.out = out;
        r
    }

    fn flush(&mut self, socket: SocketId, out: &mut Outputs) {
        let host = self.socks[socket as usize].host;
        for item in out.items.drain(..) {
            match item {
                Output::Segment(seg, why) => self.transmit(host, Some(socket), seg, why),
                Output::Event(ev) => self.endpoint_event(host, socket, ev),
            }
        }
        self.maybe_release(socket);
        self.schedule_wake(socket);
    }

    fn endpoint_event(&mut self, host: HostId, socket: SocketId, ev: EndpointEvent) {
        match ev {
            EndpointEvent::StateChanged { from, to, cause } => {
                self.record(EventKind::StateChanged {
                    host,
                    socket,
                    from,
                    to,
                    cause,
                });
                self.after_state_change(socket, from, to);
            }
            EndpointEvent::Timer { timer, action } => {
                let (change, deadline) = match action {
                    TimerAction::Armed { deadline } => (TimerChange::Armed, Some(deadline)),
                    TimerAction::Fired => (TimerChange::Fired, None),
                    TimerAction::Cancelled => (TimerChange::Cancelled, None),
                };
                self.record(EventKind::Timer {
                    host,
                    socket,
                    timer,
                    change,
                    deadline,
                });
            }
            EndpointEvent::Error(errno) => {
                self.record(EventKind::ConnectionError {
                    host,
                    socket,
                    errno,
                });
                if let Some(call_id) = self.socks[socket as usize].pending_connect.take() {
                    // The blocking connect() returns the error, which is then consumed.
                    let _ = self.socks[socket as usize].ep.take_error();
                    self.record(EventKind::Return {
                        host,
                        call_id,
                        socket: Some(socket),
                        result: CallResult::Error(errno),
                    });
                }
            }
            EndpointEvent::DataReceived { offset, len } => {
                self.record(EventKind::DataReceived {
                    host,
                    socket,
                    offset,
                    len,
                });
            }
            EndpointEvent::DataAcked { total } => self.record(EventKind::DataAcked {
                host,
                socket,
                total,
            }),
        }
    }

    fn after_state_change(&mut self, socket: SocketId, from: State, to: State) {
        let host = self.socks[socket as usize].host;
        if to == State::Established && matches!(from, State::SynSent | State::SynReceived) {
            if let Some(call_id) = self.socks[socket as usize].pending_connect.take() {
                self.record(EventKind::Return {
                    host,
                    call_id,
                    socket: Some(socket),
                    result: CallResult::Ok,
                });
            }
            let s = &self.socks[socket as usize];
            if let (Some(parent), false) = (s.parent, s.accepted) {
                self.enqueue_child(parent, socket);
            }
        }
        // A connection ends, or a passively opened one falls back to LISTEN (RST or SYN in
        // SYN-RECEIVED): its address pair is free again.
        let abandoned = from == State::SynReceived && to == State::Listen;
        if to == State::Closed || (abandoned && self.socks[socket as usize].parent.is_some()) {
            let s = &mut self.socks[socket as usize];
            if let Some(remote) = s.ep.remote() {
                let key = pair_key(s.ep.local(), remote);
                let h = &mut self.hosts[host as usize];
                if h.conns.get(&key) == Some(&socket) {
                    h.conns.remove(&key);
                }
            }
            let s = &mut self.socks[socket as usize];
            if let (Some(parent), false) = (s.parent, s.accepted) {
                // A connection that never reached the application: nobody holds it.
                s.fd_open = false;
                if let Some(l) = self.socks[parent as usize].listener.as_mut() {
                    l.queue.retain(|c| *c != socket);
                }
            }
            let s = &mut self.socks[socket as usize];
            if s.listener.is_some() {
                let port = s.ep.local().port();
                let h = &mut self.hosts[host as usize];
                if h.listeners.get(&port) == Some(&socket) {
                    h.listeners.remove(&port);
                }
            }
        }
    }

    fn enqueue_child(&mut self, parent: SocketId, child: SocketId) {
        let Some(l) = self.socks[parent as usize].listener.as_mut() else {
            return;
        };
        l.queue.push_back(child);
        let host = self.socks[parent as usize].host;
        // A blocked accept() takes it at once, if a descriptor is free.
        let waiting = self.socks[parent as usize]
            .listener
            .as_ref()
            .and_then(|l| l.waiting.front().cloned());
        if let Some((call_id, label)) = waiting {
            if self.hosts[host as usize].fds >= self.hosts[host as usize].fd_limit {
                return;
            }
            if let Some(l) = self.socks[parent as usize].listener.as_mut() {
                l.waiting.pop_front();
            }
            if let Some(child) = self.take_from_queue(parent, label) {
                self.record(EventKind::Return {
                    host,
                    call_id,
                    socket: Some(parent),
                    result: CallResult::Accepted(child),
                });
            }
        }
    }

    /// Pops the oldest established connection of a listener and hands it to the application.
    fn take_from_queue(&mut self, parent: SocketId, label: String) -> Option<SocketId> {
        let child = self.socks[parent as usize]
            .listener
            .as_mut()?
            .queue
            .pop_front()?;
        let host = self.socks[child as usize].host;
        let c = &mut self.socks[child as usize];
        c.accepted = true;
        c.fd_open = true;
        self.hosts[host as usize].fds += 1;
        self.hosts[host as usize]
            .labels
            .insert(label.clone(), child);
        self.trace.sockets[child as usize].label = Some(label);
        Some(child)
    }

    fn maybe_release(&mut self, socket: SocketId) {
        let s = &mut self.socks[socket as usize];
        let gone = s.ep.state() == State::Closed
            || (s.parent.is_some() && !s.accepted && s.ep.state() == State::Listen);
        if !s.fd_open && gone && !s.released {
            s.released = true;
            s.wake = None;
            let host = s.host;
            self.record(EventKind::SocketReleased { host, socket });
        }
    }

    fn schedule_wake(&mut self, socket: SocketId) {
        let s = &mut self.socks[socket as usize];
        if s.released {
            return;
        }
        // Only a deadline earlier than the pending wake-up needs a new queue entry: a later one
        // (the RTO pushed back by an ACK) is rescheduled when the pending wake-up finds nothing due.
        if let Some(at) = s.ep.poll_at()
            && s.wake.is_none_or(|w| at < w)
        {
            s.wake = Some(at);
            self.push(at, Queued::Wake { socket });
        }
    }

    fn wake(&mut self, socket: SocketId, at: Instant) {
        let s = &mut self.socks[socket as usize];
        if s.released || s.wake != Some(at) {
            return; // superseded
        }
        s.wake = None;
        self.drive(socket, |ep, now, out| ep.on_timeout(now, out));
    }

    // ------------------------------------------------------------ network

    fn link(&self, from: HostId, to: HostId) -> &LinkConfig {
        self.links
            .get(&(from, to))
            .unwrap_or(&self.cfg.default_link)
    }

    /// Puts a segment on the wire and decides its fate.
    fn transmit(
        &mut self,
        from: HostId,
        socket: Option<SocketId>,
        seg: Segment,
        reason: SendReason,
    ) {
        let id = self.put_on_wire(from, socket, seg, reason);
        let Some(&to) = self.by_addr.get(seg.dst.ip()) else {
            self.drop_segment(id, DropReason::NoRoute);
            return;
        };
        match self.verdict(from, to, &seg) {
            (Verdict::Drop(why), _) => self.drop_segment(id, why),
            (Verdict::Deliver { delay }, dup_delay) => {
                let link = from * self.hosts.len() as u32 + to;
                self.queue
                    .push_delivery(link, self.now + delay, Queued::Deliver { id, to, seg });
                if let Some(d) = dup_delay {
                    let copy = self.new_segment(seg);
                    self.record(EventKind::SegmentDuplicated { id, copy });
                    self.queue.push_delivery(
                        link,
                        self.now + d,
                        Queued::Deliver { id: copy, to, seg },
                    );
                }
            }
        }
    }

    /// Numbers a segment put on the wire and keeps it in the trace.
    fn new_segment(&mut self, seg: Segment) -> SegmentId {
        let id = self.trace.segments.len() as SegmentId;
        self.trace.segments.push(seg);
        id
    }

    /// A host (or a middlebox in its name) sends a segment: numbered, kept and recorded.
    fn put_on_wire(
        &mut self,
        host: HostId,
        socket: Option<SocketId>,
        seg: Segment,
        reason: SendReason,
    ) -> SegmentId {
        let id = self.new_segment(seg);
        self.trace.stats.segments_sent += 1;
        self.record(EventKind::SegmentSent {
            id,
            host,
            socket,
            reason,
        });
        id
    }

    fn drop_segment(&mut self, id: SegmentId, reason: DropReason) {
        self.trace.stats.segments_dropped += 1;
        self.record(EventKind::SegmentDropped { id, reason });
    }

    /// The link's random draws (always the same number, in the same order), then middleboxes,
    /// then fault rules.
    fn verdict(&mut self, from: HostId, to: HostId, seg: &Segment) -> (Verdict, Option<Duration>) {
        let link = self.link(from, to).clone();
        let lost = self.rng.chance(Ppm::from_probability(link.loss));
        let jitter = Duration::from_micros(self.rng.up_to(link.jitter.as_micros()));
        let reordered = self.rng.chance(Ppm::from_probability(link.reorder));
        let duplicated = self.rng.chance(Ppm::from_probability(link.duplicate));
        let dup_jitter = Duration::from_micros(self.rng.up_to(link.jitter.as_micros()));
        let mut delay = link.latency + jitter;
        if reordered {
            delay = delay + link.reorder_delay;
        }

        if !self.middleboxes.is_empty() && self.middlebox_drops(from, to, seg, link.latency) {
            return (Verdict::Drop(DropReason::MiddleboxExpired), None);
        }
        if !self.faults.is_empty() {
            match self.fault_verdict(from, to, seg) {
                Some((rule, FaultAction::Drop)) => {
                    return (Verdict::Drop(DropReason::Fault { rule }), None);
                }
                Some((_, FaultAction::Delay(d))) => delay = delay + d,
                None => {}
            }
        }
        if lost {
            return (Verdict::Drop(DropReason::Loss), None);
        }
        let dup = duplicated.then(|| link.latency + dup_jitter);
        (Verdict::Deliver { delay }, dup)
    }

    /// Whether a middlebox on the path drops the segment (an idle-timeout box that has forgotten
    /// the flow; it may answer with a reset). Out of line, as are fault rules: most runs have
    /// neither, and every segment passes through [`Simulator::verdict`].
    #[inline(never)]
    fn middlebox_drops(
        &mut self,
        from: HostId,
        to: HostId,
        seg: &Segment,
        latency: Duration,
    ) -> bool {
        for i in 0..self.middleboxes.len() {
            if !self.middleboxes[i].on_path(from, to) {
                continue;
            }
            let key = if seg.src < seg.dst {
                (seg.src, seg.dst)
            } else {
                (seg.dst, seg.src)
            };
            let mb = self.middleboxes[i].clone();
            let flows = &mut self.flows[i];
            let live = flows
                .get(&key)
                .is_some_and(|last| self.now.saturating_since(*last) <= mb.idle_timeout);
            if live || (seg.flags.syn() && !seg.flags.ack()) {
                // A SYN starts (or restarts) a flow; traffic on a live flow refreshes it.
                flows.insert(key, self.now);
            } else {
                flows.remove(&key);
                if mb.on_expired == ExpiredAction::Reset
                    && let Some(mut rst) = seg.reset_reply()
                {
                    // The box answers the sender in the receiver's name.
                    rst.wnd = 0;
                    let back = self.link(to, from).latency;
                    let rid = self.put_on_wire(to, None, rst, SendReason::RstNoSocket);
                    self.push(
                        self.now + back.min(latency),
                        Queued::Deliver {
                            id: rid,
                            to: from,
                            seg: rst,
                        },
                    );
                }
                return true;
            }
        }
        false
    }

    /// The first fault rule that applies to the segment, counting a hit on every rule it matches.
    #[inline(never)]
    fn fault_verdict(
        &mut self,
        from: HostId,
        to: HostId,
        seg: &Segment,
    ) -> Option<(u32, FaultAction)> {
        let mut verdict = None;
        for i in 0..self.faults.len() {
            if self.faults[i].filter.matches(from, to, seg, self.now) {
                self.fault_hits[i] = self.fault_hits[i].saturating_add(1);
                if verdict.is_none() && self.faults[i].applies(self.fault_hits[i]) {
                    verdict = Some((i as u32, self.faults[i].action));
                }
            }
        }
        verdict
    }

    fn deliver(&mut self, id: SegmentId, to: HostId, seg: Segment) {
        if !self.hosts[to as usize].up {
            self.drop_segment(id, DropReason::HostDown);
            return;
        }
        let key = pair_key(seg.dst, seg.src);
        let h = &self.hosts[to as usize];
        let conn = h.conns.get(&key).copied();
        let listener = h
            .listeners
            .get(&seg.dst.port())
            .copied()
            .filter(|_| *seg.dst.ip() == h.addr);
        let is_syn = seg.flags.syn() && !seg.flags.ack() && !seg.flags.rst();

        if let Some(sid) = conn {
            let ep = &self.socks[sid as usize].ep;
            // Linux: a SYN above RCV.NXT may reuse a pair in TIME-WAIT if a listener wants it.
            let reuse = ep.state() == State::TimeWait
                && is_syn
                && seg.seq.after(ep.rcv_nxt())
                && listener.is_some();
            self.delivered(EventKind::SegmentDelivered {
                id,
                host: to,
                socket: Some(sid),
            });
            if !reuse {
                self.drive(sid, |ep, now, out| ep.on_segment(now, &seg, out));
                return;
            }
            let iss = self.drive(sid, |ep, _, out| ep.end_time_wait_for_reuse(out));
            if let Some(lid) = listener {
                self.spawn_child(lid, to, seg, Some(iss));
            }
            return;
        }
        if let Some(lid) = listener {
            if is_syn {
                let full = self.socks[lid as usize]
                    .listener
                    .as_ref()
                    .is_some_and(|l| l.queue.len() as u64 > u64::from(l.backlog));
                if full {
                    self.drop_segment(id, DropReason::ListenOverflow);
                    return;
                }
                self.delivered(EventKind::SegmentDelivered {
                    id,
                    host: to,
                    socket: Some(lid),
                });
                self.spawn_child(lid, to, seg, None);
            } else {
                self.delivered(EventKind::SegmentDelivered {
                    id,
                    host: to,
                    socket: Some(lid),
                });
                self.drive(lid, |ep, now, out| ep.on_segment(now, &seg, out));
            }
            return;
        }
        // No socket: 3.10.7.1.
        self.delivered(EventKind::SegmentDelivered {
            id,
            host: to,
            socket: None,
        });
        if let Some(rst) = seg.reset_reply() {
            self.transmit(to, None, rst, SendReason::RstNoSocket);
        }
    }

    fn delivered(&mut self, ev: EventKind) {
        self.trace.stats.segments_delivered += 1;
        self.record(ev);
    }

    /// A SYN for a listener: a new connection in LISTEN takes it (LISTEN -> SYN-RECEIVED).
    fn spawn_child(
        &mut self,
        listener: SocketId,
        host: HostId,
        syn: Segment,
        iss: Option<crate::seq::SeqNum>,
    ) {
        let cfg = self.socks[listener as usize].ep.shared_config();
        let secret = self.hosts[host as usize].isn_secret;
        let mut ep = Endpoint::new(cfg, syn.dst, secret);
        if let Some(iss) = iss {
            ep.set_next_iss(iss);
        }
        let Some(child) = self.new_socket(host, ep, None, Some(listener)) else {
            return;
        };
        self.trace.sockets[child as usize].remote = Some(syn.src);
        self.hosts[host as usize]
            .conns
            .insert(pair_key(syn.dst, syn.src), child);
        self.drive(child, |ep, now, out| {
            let _ = ep.listen(out);
            ep.on_segment(now, &syn, out);
        });
    }

    // ------------------------------------------------------------ calls

    fn lookup(&self, host: HostId, label: &str) -> Option<SocketId> {
        self.hosts[host as usize].labels.get(label).copied()
    }

    fn run_call(&mut self, call_id: CallId) {
        let host = self.trace.calls[call_id as usize].host;
        // Take the call out of the table while it runs (no copy), and put it back after.
        let call = std::mem::replace(&mut self.trace.calls[call_id as usize].call, Call::Crash);
        let named = |sim: &Simulator| call.socket().and_then(|l| sim.lookup(host, l));
        let socket = named(self);
        let idx = self.trace.events.len();
        self.record(EventKind::Call {
            host,
            call_id,
            socket,
            result: None,
        });
        let result = if self.hosts[host as usize].up || matches!(call, Call::Restart) {
            self.perform(host, call_id, &call)
        } else {
            // The host is down: its applications are not running.
            Some(CallResult::Error(Errno::EBADF))
        };
        // Calls that create a socket name it in the trace.
        let now_named = if socket.is_none() { named(self) } else { None };
        if let EventKind::Call {
            result: r, socket, ..
        } = &mut self.trace.events[idx].kind
        {
            *r = result;
            if socket.is_none() {
                *socket = now_named;
            }
        }
        self.trace.calls[call_id as usize].call = call;
    }

    fn fd_available(&self, host: HostId) -> bool {
        let h = &self.hosts[host as usize];
        h.fds < h.fd_limit
    }

    /// Performs a call; `None` means it blocks and returns later.
    fn perform(&mut self, host: HostId, call_id: CallId, call: &Call) -> Option<CallResult> {
        let err = |e| Some(CallResult::Error(e));
        match *call {
            Call::Listen { .. }
            | Call::Shutdown { .. }
            | Call::SetOption { .. }
            | Call::Abort { .. }
            | Call::Crash
            | Call::Restart => self.perform_rare(host, call),
            Call::Connect {
                ref socket,
                remote,
                local_port,
            } => {
                if !self.fd_available(host) {
                    return err(Errno::EMFILE);
                }
                let port = match local_port {
                    Some(0) => return err(Errno::EINVAL),
                    Some(p) => {
                        let h = &self.hosts[host as usize];
                        let local = SocketAddrV4::new(h.addr, p);
                        if h.conns.contains_key(&pair_key(local, remote))
                            || h.listeners.contains_key(&p)
                        {
                            return err(Errno::EADDRINUSE);
                        }
                        p
                    }
                    None => match self.ephemeral_port(host, remote) {
                        Some(p) => p,
                        None => return err(Errno::EADDRNOTAVAIL),
                    },
                };
                let h = &self.hosts[host as usize];
                let local = SocketAddrV4::new(h.addr, port);
                let ep = Endpoint::new(Arc::clone(&h.cfg), local, h.isn_secret);
                let id = self.new_socket(host, ep, Some(socket.clone()), None)?;
                self.trace.sockets[id as usize].remote = Some(remote);
                let h = &mut self.hosts[host as usize];
                h.fds += 1;
                h.labels.insert(socket.clone(), id);
                h.conns.insert(pair_key(local, remote), id);
                let s = &mut self.socks[id as usize];
                s.fd_open = true;
                s.pending_connect = Some(call_id);
                // Name the socket in the Call event before the SYN appears.
                if let Some(TraceEvent {
                    kind: EventKind::Call { socket, .. },
                    ..
                }) = self.trace.events.last_mut()
                {
                    *socket = Some(id);
                }
                match self.drive(id, |ep, now, out| ep.connect(now, remote, out)) {
                    Ok(()) => None,
                    Err(e) => {
                        self.socks[id as usize].pending_connect = None;
                        err(e)
                    }
                }
            }
            Call::Accept {
                ref listener,
                ref socket,
            } => {
                let Some(lid) = self.lookup(host, listener) else {
                    return err(Errno::EBADF);
                };
                if self.socks[lid as usize].ep.state() != State::Listen {
                    return err(Errno::EINVAL);
                }
                let Some(l) = self.socks[lid as usize].listener.as_mut() else {
                    return err(Errno::EINVAL);
                };
                if l.queue.is_empty() {
                    l.waiting.push_back((call_id, socket.clone()));
                    return None;
                }
                if !self.fd_available(host) {
                    return err(Errno::EMFILE);
                }
                self.take_from_queue(lid, socket.clone())
                    .map(CallResult::Accepted)
            }
            Call::Send { ref socket, bytes } => {
                let Some(id) = self.lookup(host, socket) else {
                    return err(Errno::EBADF);
                };
                Some(
                    match self.drive(id, |ep, now, out| ep.send(now, bytes, out)) {
                        Ok(n) => CallResult::bytes(n),
                        Err(e) => CallResult::Error(e),
                    },
                )
            }
            Call::Recv { ref socket, max } => {
                let Some(id) = self.lookup(host, socket) else {
                    return err(Errno::EBADF);
                };
                Some(CallResult::from_recv(
                    self.drive(id, |ep, _, out| ep.recv(max, out)),
                ))
            }
            Call::Close { ref socket } => {
                let Some(id) = self.lookup(host, socket) else {
                    return err(Errno::EBADF);
                };
                self.close_fd(host, id, socket, false);
                Some(CallResult::Ok)
            }
        }
    }

    /// The calls a run makes a few times at most, kept out of [`Simulator::perform`] so that
    /// the code every connection runs stays small (in the page, the browser's optimizing
    /// compiler takes time in proportion to a function's size, while the run waits in slower
    /// baseline code).
    #[inline(never)]
    fn perform_rare(&mut self, host: HostId, call: &Call) -> Option<CallResult> {
        let err = |e| Some(CallResult::Error(e));
        match *call {
            Call::Listen {
                ref socket,
                port,
                backlog,
            } => {
                if !self.fd_available(host) {
                    return err(Errno::EMFILE);
                }
                if port == 0 || self.hosts[host as usize].listeners.contains_key(&port) {
                    return err(if port == 0 {
                        Errno::EINVAL
                    } else {
                        Errno::EADDRINUSE
                    });
                }
                let h = &self.hosts[host as usize];
                let local = SocketAddrV4::new(h.addr, port);
                let ep = Endpoint::new(Arc::clone(&h.cfg), local, h.isn_secret);
                let id = self.new_socket(host, ep, Some(socket.clone()), None)?;
                let s = &mut self.socks[id as usize];
                s.fd_open = true;
                s.listener = Some(Listener {
                    backlog,
                    queue: VecDeque::new(),
                    waiting: VecDeque::new(),
                });
                let h = &mut self.hosts[host as usize];
                h.fds += 1;
                h.listeners.insert(port, id);
                h.labels.insert(socket.clone(), id);
                self.drive(id, |ep, _, out| ep.listen(out))
                    .err()
                    .map(CallResult::Error)
                    .or(Some(CallResult::Ok))
            }
            Call::Shutdown { ref socket, how } => {
                let Some(id) = self.lookup(host, socket) else {
                    return err(Errno::EBADF);
                };
                Some(
                    match self.drive(id, |ep, now, out| ep.shutdown(now, how, out)) {
                        Ok(()) => CallResult::Ok,
                        Err(e) => CallResult::Error(e),
                    },
                )
            }
            Call::SetOption { ref socket, option } => {
                let Some(id) = self.lookup(host, socket) else {
                    return err(Errno::EBADF);
                };
                Some(
                    match self.drive(id, |ep, now, out| ep.set_option(now, option, out)) {
                        Ok(()) => CallResult::Ok,
                        Err(e) => CallResult::Error(e),
                    },
                )
            }
            Call::Abort { ref socket } => {
                let Some(id) = self.lookup(host, socket) else {
                    return err(Errno::EBADF);
                };
                self.close_fd(host, id, socket, true);
                Some(CallResult::Ok)
            }
            Call::Crash => {
                self.crash(host);
                Some(CallResult::Ok)
            }
            Call::Restart => {
                let h = &mut self.hosts[host as usize];
                if !h.up {
                    h.up = true;
                    h.boots += 1;
                    h.isn_secret = splitmix64(h.isn_secret ^ h.boots);
                    self.record(EventKind::HostUp { host });
                }
                Some(CallResult::Ok)
            }
            Call::Connect { .. }
            | Call::Accept { .. }
            | Call::Send { .. }
            | Call::Recv { .. }
            | Call::Close { .. } => None,
        }
    }

    /// close() or abort(): the descriptor goes; the TCB may linger (orphaned).
    fn close_fd(&mut self, host: HostId, id: SocketId, label: &str, abort: bool) {
        // A blocked connect() or accept() on this socket returns EBADF.
        if let Some(call_id) = self.socks[id as usize].pending_connect.take() {
            self.record(EventKind::Return {
                host,
                call_id,
                socket: Some(id),
                result: CallResult::Error(Errno::EBADF),
            });
        }
        if let Some(l) = self.socks[id as usize].listener.as_mut() {
            let waiting: Vec<_> = l.waiting.drain(..).collect();
            let queued: Vec<_> = l.queue.drain(..).collect();
            for (call_id, _) in waiting {
                self.record(EventKind::Return {
                    host,
                    call_id,
                    socket: Some(id),
                    result: CallResult::Error(Errno::EBADF),
                });
            }
            for child in queued {
                self.drive(child, |ep, _, out| ep.listener_closed(out));
            }
        }
        let s = &mut self.socks[id as usize];
        if s.fd_open {
            s.fd_open = false;
            self.hosts[host as usize].fds -= 1;
        }
        let h = &mut self.hosts[host as usize];
        if h.labels.get(label) == Some(&id) {
            h.labels.remove(label);
        }
        if abort {
            self.drive(id, |ep, _, out| {
                let _ = ep.abort(out);
            });
        } else {
            self.drive(id, |ep, now, out| {
                let _ = ep.close(now, out);
            });
        }
    }

    fn crash(&mut self, host: HostId) {
        if !self.hosts[host as usize].up {
            return;
        }
        for id in 0..self.socks.len() as SocketId {
            let s = &mut self.socks[id as usize];
            if s.host != host || s.released {
                continue;
            }
            s.fd_open = false;
            s.pending_connect = None;
            if let Some(l) = s.listener.as_mut() {
                l.queue.clear();
                l.waiting.clear();
            }
            self.drive(id, |ep, _, out| ep.vanish(out));
            self.maybe_release(id);
        }
        let h = &mut self.hosts[host as usize];
        h.up = false;
        h.fds = 0;
        h.conns.clear();
        h.listeners.clear();
        h.labels.clear();
        self.record(EventKind::HostDown { host });
    }

    /// Linux-like ephemeral port choice: the next port in the range whose pair with `remote`
    /// is free (a port may serve several destinations), starting after the last one used.
    fn ephemeral_port(&mut self, host: HostId, remote: SocketAddrV4) -> Option<u16> {
        let h = &mut self.hosts[host as usize];
        let (lo, hi) = h.ephemeral;
        let span = u32::from(hi - lo) + 1;
        for _ in 0..span {
            let port = h.next_port;
            h.next_port = if port >= hi { lo } else { port + 1 };
            let local = SocketAddrV4::new(h.addr, port);
            if !h.conns.contains_key(&pair_key(local, remote)) && !h.listeners.contains_key(&port) {
                return Some(port);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

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
            forward.insert(n.to_string(), i as SocketId);
        }
        for (i, n) in names.iter().enumerate().rev() {
            backward.insert(n.to_string(), i as SocketId);
        }
        let shown = format!("{forward:?}");
        assert_eq!(shown, format!("{backward:?}"));
        assert_eq!(
            shown,
            r#"{"a": 1, "b": 4, "conn-10": 3, "conn-9": 0, "listener": 2}"#
        );
    }

    #[derive(Clone, Debug)]
    enum Op {
        /// Push at the last key taken plus this many microseconds.
        Later(u64),
        /// Push at this time, whatever was taken before (a call added from outside).
        Anywhere(u64),
        Pop,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u64..5_000_000).prop_map(Op::Later),
            1 => (0u64..5_000_000).prop_map(Op::Anywhere),
            4 => Just(Op::Pop),
        ]
    }

    proptest! {
        /// The radix heap takes keys out in (time, sequence) order, as an ordered set does,
        /// also when a key below the last one taken is pushed.
        #[test]
        fn the_radix_heap_pops_in_key_order(ops in proptest::collection::vec(op(), 1..400)) {
            let mut heap = RadixHeap::default();
            let mut model: BTreeSet<(u64, u64)> = BTreeSet::new();
            let mut seq = 0u64;
            let mut last_time = 0u64;
            for op in ops {
                let at = match op {
                    Op::Later(d) => Some(last_time + d),
                    Op::Anywhere(t) => Some(t),
                    Op::Pop => None,
                };
                match at {
                    Some(t) => {
                        seq += 1;
                        heap.push(Entry { at: Instant::from_micros(t), seq, slot: 0 });
                        model.insert((t, seq));
                    }
                    None => {
                        let got = heap.pop().map(|e| (e.at.as_micros(), e.seq));
                        let want = model.pop_first();
                        prop_assert_eq!(got, want);
                        if let Some((t, _)) = got {
                            last_time = t;
                        }
                    }
                }
                let peeked = heap.peek().map(|e| (e.at.as_micros(), e.seq));
                prop_assert_eq!(peeked, model.first().copied());
            }
            while let Some(want) = model.pop_first() {
                prop_assert_eq!(heap.pop().map(|e| (e.at.as_micros(), e.seq)), Some(want));
            }
            prop_assert!(heap.pop().is_none());
        }
    }
}
