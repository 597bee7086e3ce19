//! Simulated time. The core never reads a clock: every instant is handed in by the caller.
//!
//! Both types count whole microseconds in a `u64`, so arithmetic is exact and identical on every
//! platform (native and `wasm32`). All operations saturate instead of overflowing.

use core::fmt;
use core::ops::{Add, AddAssign, Sub};
use serde::{Deserialize, Serialize};

/// A point in simulated time, in microseconds since the start of the run.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Instant(u64);

/// A span of simulated time, in microseconds.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Duration(u64);

impl Instant {
    /// The start of every run.
    pub const ZERO: Instant = Instant(0);
    /// The latest representable instant; used as "never".
    pub const MAX: Instant = Instant(u64::MAX);

    /// An instant this many microseconds after the start.
    pub const fn from_micros(us: u64) -> Self {
        Instant(us)
    }
    /// An instant this many milliseconds after the start.
    pub const fn from_millis(ms: u64) -> Self {
        Instant(ms.saturating_mul(1_000))
    }
    /// An instant this many seconds after the start.
    pub const fn from_secs(s: u64) -> Self {
        Instant(s.saturating_mul(1_000_000))
    }
    /// Microseconds since the start.
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    /// Time elapsed since `earlier`, or zero if `earlier` is later.
    pub const fn saturating_since(self, earlier: Instant) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }
}

impl Duration {
    /// No time.
    pub const ZERO: Duration = Duration(0);
    /// The longest span; used as "forever".
    pub const MAX: Duration = Duration(u64::MAX);

    /// This many microseconds.
    pub const fn from_micros(us: u64) -> Self {
        Duration(us)
    }
    /// This many milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        Duration(ms.saturating_mul(1_000))
    }
    /// This many seconds.
    pub const fn from_secs(s: u64) -> Self {
        Duration(s.saturating_mul(1_000_000))
    }
    /// This many minutes.
    pub const fn from_mins(m: u64) -> Self {
        Duration(m.saturating_mul(60_000_000))
    }
    /// In whole microseconds.
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    /// In whole milliseconds (rounded down).
    pub const fn as_millis(self) -> u64 {
        self.0 / 1_000
    }
    /// Whether it is no time.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
    /// `k` times as long, saturating.
    pub const fn saturating_mul(self, k: u64) -> Duration {
        Duration(self.0.saturating_mul(k))
    }
    /// The difference, or zero.
    pub const fn saturating_sub(self, other: Duration) -> Duration {
        Duration(self.0.saturating_sub(other.0))
    }
    /// The shorter.
    pub fn min(self, other: Duration) -> Duration {
        Duration(self.0.min(other.0))
    }
    /// The longer.
    pub fn max(self, other: Duration) -> Duration {
        Duration(self.0.max(other.0))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant(self.0.saturating_add(d.0))
    }
}
impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}
impl Add for Duration {
    type Output = Duration;
    fn add(self, d: Duration) -> Duration {
        Duration(self.0.saturating_add(d.0))
    }
}
impl Sub for Instant {
    type Output = Duration;
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_since(earlier)
    }
}

/// Writes `us` microseconds in the largest unit that keeps it short and exact where possible:
/// `0s`, `150ms`, `1.5s`, `2min`, `1h`, `2h5min`.
fn fmt_micros(us: u64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    const MS: u64 = 1_000;
    const S: u64 = 1_000_000;
    const MIN: u64 = 60 * S;
    const H: u64 = 60 * MIN;
    if us == 0 {
        return f.write_str("0s");
    }
    if us.is_multiple_of(H) {
        return write!(f, "{}h", us / H);
    }
    if us >= H && us.is_multiple_of(MIN) {
        return write!(f, "{}h{}min", us / H, (us % H) / MIN);
    }
    if us.is_multiple_of(MIN) {
        return write!(f, "{}min", us / MIN);
    }
    if us >= MIN && us.is_multiple_of(S) {
        return write!(f, "{}min{}s", us / MIN, (us % MIN) / S);
    }
    if us.is_multiple_of(S) {
        return write!(f, "{}s", us / S);
    }
    if us >= S {
        // Seconds with up to six decimals, trailing zeros trimmed.
        let frac = format!("{:06}", us % S);
        return write!(f, "{}.{}s", us / S, frac.trim_end_matches('0'));
    }
    if us.is_multiple_of(MS) {
        return write!(f, "{}ms", us / MS);
    }
    if us >= MS {
        let frac = format!("{:03}", us % MS);
        return write!(f, "{}.{}ms", us / MS, frac.trim_end_matches('0'));
    }
    write!(f, "{us}us")
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_micros(self.0, f)
    }
}

impl fmt::Display for Instant {
    /// An instant prints as the time since the start of the run, e.g. `t=1.2s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("t=")?;
        fmt_micros(self.0, f)
    }
}

// Debug as Display: a failing test prints `t=3.001ms`, not `Instant(3001)`.
impl fmt::Debug for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_in_the_largest_exact_unit() {
        let cases = [
            (Duration::ZERO, "0s"),
            (Duration::from_micros(7), "7us"),
            (Duration::from_micros(1_500), "1.5ms"),
            (Duration::from_millis(150), "150ms"),
            (Duration::from_millis(1_500), "1.5s"),
            (Duration::from_secs(60), "1min"),
            (Duration::from_secs(90), "1min30s"),
            (Duration::from_secs(1_050), "17min30s"),
            (Duration::from_secs(7_200), "2h"),
            (Duration::from_secs(7_500), "2h5min"),
        ];
        for (d, want) in cases {
            assert_eq!(d.to_string(), want, "{d:?}");
        }
        assert_eq!(Instant::from_millis(200).to_string(), "t=200ms");
        // Debug reads the same, so that failing tests print times a person can read.
        assert_eq!(format!("{:?}", Instant::from_micros(3_001)), "t=3.001ms");
        assert_eq!(
            format!("{:?}", Some(Duration::from_secs(90))),
            "Some(1min30s)"
        );
    }

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(Instant::MAX + Duration::from_secs(1), Instant::MAX);
        assert_eq!(Instant::ZERO - Instant::from_secs(1), Duration::ZERO);
        assert_eq!(Duration::MAX.saturating_mul(2), Duration::MAX);
    }
}
