//! The simulated network: per-direction links, fault rules and an idle-timeout middlebox.
//!
//! Fault rules are pure functions of a segment, where it travels and when: the simulator counts
//! matches and asks [`FaultRule::applies`] whether this occurrence is hit. Random behaviour (loss,
//! duplication, jitter, reordering) draws from the run's one seeded stream in a fixed order.

use crate::config::{ConfigError, decimal};
use crate::id::HostId;
use crate::segment::{Flags, Segment};
use crate::time::{Duration, Instant};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddrV4;

/// The behaviour of the path from one host to another. `Debug` writes one line with what is
/// set: `LinkConfig(latency 12ms, loss 0.1)`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkConfig {
    /// One-way delay.
    pub latency: Duration,
    /// Extra delay, uniform in `[0, jitter]`, drawn per segment.
    pub jitter: Duration,
    /// Probability that a segment is lost.
    pub loss: f64,
    /// Probability that a segment is delivered twice.
    pub duplicate: f64,
    /// Probability that a segment is held back by `reorder_delay`, letting later ones pass it.
    pub reorder: f64,
    /// How long a reordered segment is held back.
    pub reorder_delay: Duration,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig::latency(Duration::from_millis(10))
    }
}

impl LinkConfig {
    /// A perfect link with a fixed one-way delay.
    pub fn latency(latency: Duration) -> LinkConfig {
        LinkConfig {
            latency,
            jitter: Duration::ZERO,
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_delay: Duration::ZERO,
        }
    }

    /// Checks the probabilities are within 0 to 1; the error says which is not.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, p) in [
            ("loss", self.loss),
            ("duplicate", self.duplicate),
            ("reorder", self.reorder),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(ConfigError::Probability { name, value: p });
            }
        }
        Ok(())
    }
}

/// Why a segment never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "why")]
pub enum DropReason {
    /// Random loss on the link.
    Loss,
    /// A fault rule.
    Fault {
        /// The rule's index, in the order rules were added.
        rule: u32,
    },
    /// The destination host is down.
    HostDown,
    /// No host has the destination address.
    NoRoute,
    /// The listener's accept queue was full (backlog): the SYN is dropped, as Linux does.
    ListenOverflow,
    /// An idle-timeout middlebox had forgotten the connection.
    MiddleboxExpired,
}

/// Writes `name(a, b, ...)` on one line, however `{:#?}` asks, with only the parts given.
fn one_line(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    parts: &[(&str, Option<String>)],
) -> fmt::Result {
    let shown: Vec<String> = parts
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
        .collect();
    write!(f, "{name}({})", shown.join(", "))
}

impl fmt::Debug for LinkConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = |p: f64| (p != 0.0).then(|| decimal(p));
        let d = |d: Duration| (!d.is_zero()).then(|| d.to_string());
        one_line(
            f,
            "LinkConfig",
            &[
                ("latency", Some(self.latency.to_string())),
                ("jitter", d(self.jitter)),
                ("loss", p(self.loss)),
                ("duplicate", p(self.duplicate)),
                ("reorder", p(self.reorder)),
                ("by", d(self.reorder_delay)),
            ],
        )
    }
}

impl fmt::Debug for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The occurrences hit, as a range: `matches 2..=3`, or `matches 2..` for every one on.
        let last = self.count.map_or(String::new(), |c| {
            format!("={}", self.first.saturating_add(c.saturating_sub(1)))
        });
        write!(
            f,
            "FaultRule({:?}, matches {}..{last}: {:?})",
            self.filter, self.first, self.action
        )
    }
}

impl fmt::Debug for SegmentFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |x: Flags| (x != Flags::NONE).then(|| x.to_string());
        one_line(
            f,
            "SegmentFilter",
            &[
                ("from", self.from.map(|h| h.to_string())),
                ("to", self.to.map(|h| h.to_string())),
                ("flags", set(self.flags)),
                ("not", set(self.not_flags)),
                ("with data", self.with_data.map(|d| d.to_string())),
                ("after", self.after.map(|t| t.to_string())),
                ("before", self.before.map(|t| t.to_string())),
            ],
        )
    }
}

/// Which segments a fault rule matches. `Debug` writes one line with what is set:
/// `SegmentFilter(from host 1, flags FIN)`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentFilter {
    /// Sent by this host (any when `None`).
    pub from: Option<HostId>,
    /// Addressed to this host (any when `None`).
    pub to: Option<HostId>,
    /// Flags that must all be set.
    pub flags: Flags,
    /// Flags that must all be clear.
    pub not_flags: Flags,
    /// `Some(true)`: only segments with data; `Some(false)`: only segments without.
    pub with_data: Option<bool>,
    /// Only segments sent at or after this time.
    pub after: Option<Instant>,
    /// Only segments sent before this time.
    pub before: Option<Instant>,
}

impl SegmentFilter {
    /// Whether a segment from `from` to `to`, sent at `now`, matches.
    pub fn matches(&self, from: HostId, to: HostId, seg: &Segment, now: Instant) -> bool {
        self.from.is_none_or(|h| h == from)
            && self.to.is_none_or(|h| h == to)
            && seg.flags.contains(self.flags)
            && !seg.flags.intersects(self.not_flags)
            && self.with_data.is_none_or(|d| d == (seg.len > 0))
            && self.after.is_none_or(|t| now >= t)
            && self.before.is_none_or(|t| now < t)
    }
}

/// What a fault rule does to a segment it hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultAction {
    /// Lose the segment.
    Drop,
    /// Deliver this much later than the link would.
    Delay(Duration),
}

/// Drop or delay the `first`-th matching segment and the `count - 1` after it (1-based), or
/// every one from `first` on when `count` is `None`. `Debug` writes one line.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// Which segments count.
    pub filter: SegmentFilter,
    /// The first matching segment hit (1-based).
    pub first: u32,
    /// How many are hit from `first` on; every one when `None`.
    pub count: Option<u32>,
    /// What is done to them.
    pub action: FaultAction,
}

impl FaultRule {
    /// The `nth` matching segment only (1-based).
    pub fn nth(filter: SegmentFilter, nth: u32, action: FaultAction) -> FaultRule {
        FaultRule {
            filter,
            first: nth,
            count: Some(1),
            action,
        }
    }
    /// Every matching segment.
    pub fn all(filter: SegmentFilter, action: FaultAction) -> FaultRule {
        FaultRule {
            filter,
            first: 1,
            count: None,
            action,
        }
    }
    /// Whether the `occurrence`-th (1-based) matching segment is hit.
    pub fn applies(&self, occurrence: u32) -> bool {
        occurrence >= self.first
            && self
                .count
                .is_none_or(|c| u64::from(occurrence) < u64::from(self.first) + u64::from(c))
    }
}

/// What an idle-timeout middlebox does with a segment of a flow it has forgotten.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiredAction {
    /// Drop it silently (most firewalls and NATs).
    Drop,
    /// Drop it and answer the sender with a reset (some load balancers).
    Reset,
}

/// A stateful box on the path between two hosts (a load balancer, NAT or firewall) that forgets
/// a connection after `idle_timeout` without traffic. Flows are learnt from SYNs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Middlebox {
    /// The two hosts it sits between (either direction).
    pub between: (HostId, HostId),
    /// How long a connection may be idle before the box forgets it.
    pub idle_timeout: Duration,
    /// What it does with a segment of a forgotten connection.
    pub on_expired: ExpiredAction,
}

impl Middlebox {
    /// Whether a segment from `from` to `to` passes through it.
    pub fn on_path(&self, from: HostId, to: HostId) -> bool {
        self.between == (from, to) || self.between == (to, from)
    }
}

/// What a middlebox did with a segment on its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MiddleboxVerdict {
    Pass,
    /// Dropped: the flow was forgotten.
    Drop,
    /// Dropped, and this reset goes back to the sender in the receiver's name.
    DropAndReset(Segment),
}

/// A middlebox with the flows it remembers: flow (lower address first) -> last time seen.
#[derive(Clone, Debug)]
pub(crate) struct MiddleboxState {
    pub(crate) rule: Middlebox,
    flows: BTreeMap<(SocketAddrV4, SocketAddrV4), Instant>,
}

impl MiddleboxState {
    pub(crate) fn new(rule: Middlebox) -> MiddleboxState {
        MiddleboxState {
            rule,
            flows: BTreeMap::new(),
        }
    }

    /// The box sees `seg` at `now` (the caller has checked it is on the path): a SYN starts (or
    /// restarts) a flow, traffic on a live flow refreshes it, anything else is dropped.
    pub(crate) fn judge(&mut self, seg: &Segment, now: Instant) -> MiddleboxVerdict {
        let key = if seg.src < seg.dst {
            (seg.src, seg.dst)
        } else {
            (seg.dst, seg.src)
        };
        let live = self
            .flows
            .get(&key)
            .is_some_and(|last| now.saturating_since(*last) <= self.rule.idle_timeout);
        if live || (seg.flags.syn() && !seg.flags.ack()) {
            self.flows.insert(key, now);
            return MiddleboxVerdict::Pass;
        }
        self.flows.remove(&key);
        match (self.rule.on_expired, seg.reset_reply()) {
            (ExpiredAction::Reset, Some(mut rst)) => {
                rst.wnd = 0;
                MiddleboxVerdict::DropAndReset(rst)
            }
            _ => MiddleboxVerdict::Drop,
        }
    }
}

/// The verdict for one segment, decided by the simulator from the link, middleboxes and faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Deliver { delay: Duration },
    Drop(DropReason),
}

#[cfg(test)]
mod tests {

    #[test]
    fn numbers_in_messages_are_written_without_float_formatting() {
        for (v, want) in [
            (1.5, "1.5"),
            (-0.25, "-0.25"),
            (2.0, "2"),
            (0.000_000_4, "0"),
            (1.000_001, "1.000001"),
            (1e12, "1000000000000"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(crate::config::decimal(v), want, "{v}");
        }
    }

    use super::*;
    use crate::seq::SeqNum;

    fn fin() -> Segment {
        Segment {
            src: "10.0.0.2:80".parse().unwrap(),
            dst: "10.0.0.1:40000".parse().unwrap(),
            seq: SeqNum(1),
            ack: SeqNum(1),
            flags: Flags::FIN | Flags::ACK,
            wnd: 1000,
            len: 0,
        }
    }

    #[test]
    fn filter_matches_direction_flags_and_time() {
        let server_fin = SegmentFilter {
            from: Some(HostId(1)),
            flags: Flags::FIN,
            ..Default::default()
        };
        assert!(server_fin.matches(HostId(1), HostId(0), &fin(), Instant::ZERO));
        assert!(!server_fin.matches(HostId(0), HostId(1), &fin(), Instant::ZERO));
        let no_ack = SegmentFilter {
            not_flags: Flags::ACK,
            ..Default::default()
        };
        assert!(!no_ack.matches(HostId(1), HostId(0), &fin(), Instant::ZERO));
        let late = SegmentFilter {
            after: Some(Instant::from_secs(5)),
            ..Default::default()
        };
        assert!(!late.matches(HostId(1), HostId(0), &fin(), Instant::from_secs(4)));
        assert!(late.matches(HostId(1), HostId(0), &fin(), Instant::from_secs(5)));
    }

    #[test]
    fn a_middlebox_forgets_an_idle_flow_and_answers_its_next_segment() {
        let rule = |on_expired| Middlebox {
            between: (HostId(0), HostId(1)),
            idle_timeout: Duration::from_secs(60),
            on_expired,
        };
        let syn = Segment {
            flags: Flags::SYN,
            src: fin().dst,
            dst: fin().src,
            ..fin()
        };
        let t = Instant::from_secs;
        let mut lb = MiddleboxState::new(rule(ExpiredAction::Reset));
        // Traffic on a flow no SYN started is dropped.
        assert!(matches!(
            lb.judge(&fin(), t(0)),
            MiddleboxVerdict::DropAndReset(_)
        ));
        assert_eq!(lb.judge(&syn, t(0)), MiddleboxVerdict::Pass);
        // Either direction refreshes the flow, up to the idle timeout inclusive.
        assert_eq!(lb.judge(&fin(), t(60)), MiddleboxVerdict::Pass);
        assert_eq!(lb.judge(&fin(), t(120)), MiddleboxVerdict::Pass);
        match lb.judge(&fin(), t(181)) {
            MiddleboxVerdict::DropAndReset(rst) => {
                assert!(rst.flags.rst());
                assert_eq!((rst.src, rst.dst, rst.wnd), (fin().dst, fin().src, 0));
            }
            other => panic!("expected a reset, got {other:?}"),
        }
        // Forgotten: the next segment is dropped too; a SYN starts the flow again.
        assert!(matches!(
            lb.judge(&fin(), t(182)),
            MiddleboxVerdict::DropAndReset(_)
        ));
        assert_eq!(lb.judge(&syn, t(183)), MiddleboxVerdict::Pass);
        let mut fw = MiddleboxState::new(rule(ExpiredAction::Drop));
        assert_eq!(fw.judge(&syn, t(0)), MiddleboxVerdict::Pass);
        assert_eq!(fw.judge(&fin(), t(61)), MiddleboxVerdict::Drop);
    }

    #[test]
    fn occurrences_are_one_based() {
        let second = FaultRule::nth(SegmentFilter::default(), 2, FaultAction::Drop);
        assert_eq!(
            (1..5).map(|n| second.applies(n)).collect::<Vec<_>>(),
            [false, true, false, false]
        );
        let from_third = FaultRule {
            first: 3,
            count: None,
            ..second.clone()
        };
        assert!(!from_third.applies(2) && from_third.applies(3) && from_third.applies(u32::MAX));
    }
}
