//! TCP sequence numbers: 32-bit values compared modulo 2^32 (RFC 9293 section 3.4).
//!
//! `SeqNum` deliberately does not implement `PartialOrd`: "less than" on a circle is not
//! transitive, so comparisons are explicit methods named after Linux's `before()`/`after()`.

use core::fmt;
use core::ops::{Add, Sub};
use serde::{Deserialize, Serialize};

/// A sequence or acknowledgement number.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SeqNum(pub u32);

impl SeqNum {
    /// `self < other` modulo 2^32.
    pub const fn before(self, other: SeqNum) -> bool {
        (self.0.wrapping_sub(other.0) as i32) < 0
    }
    /// `self > other` modulo 2^32.
    pub const fn after(self, other: SeqNum) -> bool {
        other.before(self)
    }
    /// `self =< other` modulo 2^32 (RFC 9293 writes `=<`).
    pub const fn before_eq(self, other: SeqNum) -> bool {
        !self.after(other)
    }
    /// `self >= other` modulo 2^32.
    pub const fn after_eq(self, other: SeqNum) -> bool {
        !self.before(other)
    }
    /// `low =< self < low + len`, the window test of RFC 9293 Table 6.
    pub const fn in_window(self, low: SeqNum, len: u32) -> bool {
        self.0.wrapping_sub(low.0) < len
    }
    /// The distance from `earlier` to `self`, assuming `earlier =< self`.
    pub const fn since(self, earlier: SeqNum) -> u32 {
        self.0.wrapping_sub(earlier.0)
    }
}

impl Add<u32> for SeqNum {
    type Output = SeqNum;
    fn add(self, n: u32) -> SeqNum {
        SeqNum(self.0.wrapping_add(n))
    }
}

impl Sub<u32> for SeqNum {
    type Output = SeqNum;
    fn sub(self, n: u32) -> SeqNum {
        SeqNum(self.0.wrapping_sub(n))
    }
}

impl fmt::Display for SeqNum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_wrap_around_zero() {
        let a = SeqNum(u32::MAX - 1);
        let b = a + 4; // wraps to 2
        assert_eq!(b, SeqNum(2));
        assert!(a.before(b) && b.after(a));
        assert!(a.before_eq(a) && a.after_eq(a));
        assert!(!a.before(a));
        assert_eq!(b.since(a), 4);
        assert!(SeqNum(1).in_window(a, 10));
        assert!(!SeqNum(9).in_window(a, 10));
    }
}
