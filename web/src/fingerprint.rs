//! FNV-1a (64 bits): the fingerprint by which the page tells a bundled scenario's text from an
//! edited one without carrying the text. Shared with `build.rs`, which takes the fingerprints.

pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
