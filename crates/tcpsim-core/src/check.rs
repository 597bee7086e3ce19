//! Trace invariants: checks any trace must pass, whatever the scenario. They are plain functions
//! of a [`Trace`], so other crates' property tests can call them on their own runs.
//!
//! ```
//! # use tcpsim_core::prelude::*;
//! # let trace = Trace::default();
//! let violations = tcpsim_core::check::all(&trace);
//! assert!(violations.is_empty(), "{violations:#?}");
//! ```

use crate::call::Call;
use crate::call::CallResult;
use crate::id::SocketId;
use crate::state::{Cause, State};
use crate::time::Instant;
use crate::trace::{EventKind, Trace};
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddrV4;

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// When the rule was broken.
    pub t: Instant,
    /// The socket it concerns, if one.
    pub socket: Option<SocketId>,
    /// The rule, by name.
    pub rule: &'static str,
    /// What was seen.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.t)?;
        if let Some(s) = self.socket {
            write!(f, "socket {s} ")?;
        }
        write!(f, "[{}] {}", self.rule, self.detail)
    }
}

/// Every check below.
pub fn all(trace: &Trace) -> Vec<Violation> {
    let mut v = time_ordered(trace);
    v.extend(segments_known(trace));
    v.extend(legal_transitions(trace));
    v.extend(in_order_delivery(trace));
    v.extend(complete_before_fin(trace));
    v
}

/// Events never go back in time.
pub fn time_ordered(trace: &Trace) -> Vec<Violation> {
    let mut out = Vec::new();
    for w in trace.events.windows(2) {
        if w[1].t < w[0].t {
            out.push(Violation {
                t: w[1].t,
                socket: w[1].kind.socket(),
                rule: "time-ordered",
                detail: format!("event at {} follows one at {}", w[1].t, w[0].t),
            });
        }
    }
    out
}

/// Every segment event names a segment of [`Trace::segments`], and each segment is sent (or
/// made by a duplication) once, in the order of its id.
pub fn segments_known(trace: &Trace) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut next = 0u64;
    for e in &trace.events {
        // The segments the event names, and the one it puts on the wire, if any.
        let (named, new) = match e.kind {
            EventKind::SegmentSent { id, .. } => ([Some(id), None], Some(id)),
            EventKind::SegmentDuplicated { id, copy } => ([Some(id), Some(copy)], Some(copy)),
            EventKind::SegmentDelivered { id, .. } | EventKind::SegmentDropped { id, .. } => {
                ([Some(id), None], None)
            }
            _ => continue,
        };
        for id in named.into_iter().flatten() {
            if trace.segment(id).is_none() {
                out.push(Violation {
                    t: e.t,
                    socket: e.kind.socket(),
                    rule: "segments-known",
                    detail: format!("segment #{id} is not in the trace's segments"),
                });
            }
        }
        if let Some(id) = new {
            if id.0 != next {
                out.push(Violation {
                    t: e.t,
                    socket: e.kind.socket(),
                    rule: "segments-known",
                    detail: format!("segment #{id} put on the wire where #{next} was next"),
                });
            }
            next = id.0.saturating_add(1);
        }
    }
    if next != trace.segments.len() as u64 {
        out.push(Violation {
            t: trace.end,
            socket: None,
            rule: "segments-known",
            detail: format!(
                "{} segments in the trace, {next} put on the wire",
                trace.segments.len()
            ),
        });
    }
    out
}

/// Whether `cause` is a possible reason for `from -> to`.
pub fn cause_fits(from: State, to: State, cause: Cause) -> bool {
    use State::*;
    match (from, to) {
        (Closed, Listen) => cause == Cause::PassiveOpen,
        (Closed, SynSent) => cause == Cause::ActiveOpen,
        (Listen, SynReceived) => cause == Cause::RcvSyn,
        (SynSent, SynReceived) => cause == Cause::SimultaneousOpen,
        (SynSent, Established) => cause == Cause::RcvSynAck,
        (SynReceived, Established) => cause == Cause::RcvAckOfSyn,
        (SynReceived, Listen) => matches!(cause, Cause::RcvRst | Cause::RcvSynInSynReceived),
        (SynReceived | Established, FinWait1) | (CloseWait, LastAck) => {
            matches!(cause, Cause::Close | Cause::ShutdownWrite)
        }
        (Established | SynReceived, CloseWait) | (FinWait1, Closing) => cause == Cause::RcvFin,
        (FinWait1, FinWait2) | (Closing, TimeWait) => cause == Cause::RcvAckOfFin,
        (FinWait1, TimeWait) => cause == Cause::RcvFinAndAck,
        (FinWait2, TimeWait) => cause == Cause::RcvFin,
        (LastAck, Closed) if cause == Cause::RcvAckOfFin => true,
        (TimeWait, Closed) if matches!(cause, Cause::TimeWaitTimeout | Cause::TimeWaitReuse) => {
            true
        }
        (Listen | SynSent, Closed) if matches!(cause, Cause::Close | Cause::ShutdownWrite) => true,
        (FinWait2, Closed) if cause == Cause::FinWait2Timeout => true,
        (_, Closed) => cause.is_abnormal(),
        _ => false,
    }
}

/// Only arcs of RFC 9293 Figure 5, plus reset and timeout arcs, each with a fitting cause; and
/// every change starts from the state the socket was in. In an observed trace, a connection the
/// capture saw only once open comes from CLOSED by [`Cause::CaptureBegan`], which needs no arc.
pub fn legal_transitions(trace: &Trace) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut current: BTreeMap<SocketId, State> = BTreeMap::new();
    for e in &trace.events {
        if let EventKind::StateChanged {
            socket,
            from,
            to,
            cause,
            ..
        } = e.kind
        {
            let was = current.insert(socket, to).unwrap_or(State::Closed);
            let mut bad = |rule, detail| {
                out.push(Violation {
                    t: e.t,
                    socket: Some(socket),
                    rule,
                    detail,
                })
            };
            if was != from {
                bad(
                    "continuity",
                    format!("change from {from} but the socket was in {was}"),
                );
            }
            // A capture that began mid-connection shows it already open: no arc, by design.
            let seen_open = cause == Cause::CaptureBegan && from == State::Closed;
            if seen_open {
                continue;
            }
            if !State::is_legal_transition(from, to) {
                bad(
                    "figure-5",
                    format!(
                        "{from} -> {to} is not an arc of RFC 9293 Figure 5 or a reset/timeout arc"
                    ),
                );
            } else if !cause_fits(from, to, cause) {
                bad(
                    "cause",
                    format!("{from} -> {to} cannot be caused by {cause:?}"),
                );
            }
        }
    }
    out
}

/// Finds, for each socket, its peer: the socket with the mirrored address pair that was created
/// last before it (address pairs are reused over a run).
fn peers(trace: &Trace) -> BTreeMap<SocketId, SocketId> {
    let mut by_pair: BTreeMap<(SocketAddrV4, SocketAddrV4), Vec<SocketId>> = BTreeMap::new();
    for s in &trace.sockets {
        if let Some(r) = s.remote {
            by_pair.entry((s.local, r)).or_default().push(s.id);
        }
    }
    let mut out = BTreeMap::new();
    for s in &trace.sockets {
        let Some(r) = s.remote else { continue };
        if let Some(cands) = by_pair.get(&(r, s.local)) {
            // The latest candidate created at or before this socket, else the first after it.
            let pick = cands
                .iter()
                .rev()
                .find(|c| trace.sockets[(**c).index()].created <= s.created)
                .or_else(|| cands.first());
            if let Some(p) = pick {
                out.insert(s.id, *p);
            }
        }
    }
    out
}

/// Bytes each socket's application had handed to send() before each event index.
fn written_so_far(trace: &Trace) -> impl FnMut(usize, SocketId) -> u64 + '_ {
    let mut written: BTreeMap<SocketId, u64> = BTreeMap::new();
    let mut upto = 0usize;
    move |index: usize, socket: SocketId| {
        while upto < index.min(trace.events.len()) {
            if let EventKind::Call {
                socket: Some(s),
                call_id,
                result: Some(CallResult::Bytes(n)),
                ..
            } = &trace.events[upto].kind
                && matches!(trace.call(*call_id), Some(Call::Send { .. }))
            {
                *written.entry(*s).or_insert(0) += u64::from(*n);
            }
            upto += 1;
        }
        written.get(&socket).copied().unwrap_or(0)
    }
}

/// Data reaches the receive buffer in order, starting at offset 0, and only bytes the peer's
/// application actually sent.
pub fn in_order_delivery(trace: &Trace) -> Vec<Violation> {
    let peers = peers(trace);
    let mut written = written_so_far(trace);
    let mut next: BTreeMap<SocketId, u64> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, e) in trace.events.iter().enumerate() {
        let EventKind::DataReceived {
            socket,
            offset,
            len,
            ..
        } = e.kind
        else {
            continue;
        };
        let expected = next.entry(socket).or_insert(0);
        if offset != *expected {
            out.push(Violation {
                t: e.t,
                socket: Some(socket),
                rule: "in-order",
                detail: format!("received bytes at offset {offset}, expected {expected}"),
            });
        }
        *expected = offset + u64::from(len);
        let end = *expected;
        if let Some(&p) = peers.get(&socket) {
            let sent = written(i, p);
            if end > sent {
                out.push(Violation {
                    t: e.t,
                    socket: Some(socket),
                    rule: "sent-by-peer",
                    detail: format!(
                        "received up to byte {end}, but the peer's application had sent only {sent}"
                    ),
                });
            }
        }
    }
    out
}

/// When a FIN is accepted, every byte the peer sent before it has been received.
pub fn complete_before_fin(trace: &Trace) -> Vec<Violation> {
    let peers = peers(trace);
    let mut written = written_so_far(trace);
    let mut received: BTreeMap<SocketId, u64> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, e) in trace.events.iter().enumerate() {
        match e.kind {
            EventKind::DataReceived { socket, len, .. } => {
                *received.entry(socket).or_insert(0) += u64::from(len)
            }
            EventKind::StateChanged {
                socket,
                cause: Cause::RcvFin | Cause::RcvFinAndAck,
                ..
            } => {
                let Some(&p) = peers.get(&socket) else {
                    continue;
                };
                let got = received.get(&socket).copied().unwrap_or(0);
                let sent = written(i, p);
                if got != sent {
                    out.push(Violation {
                        t: e.t,
                        socket: Some(socket),
                        rule: "complete-before-fin",
                        detail: format!("FIN accepted after {got} bytes, but the peer sent {sent}"),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::SegmentId;
    use crate::segment::{Flags, Segment, SendReason};
    use crate::seq::SeqNum;
    use crate::trace::TraceEvent;

    #[test]
    fn a_segment_event_must_name_a_kept_segment() {
        let addr = |p| SocketAddrV4::new(std::net::Ipv4Addr::new(10, 0, 0, 1), p);
        let seg = Segment {
            src: addr(1),
            dst: addr(2),
            seq: SeqNum(0),
            ack: SeqNum(0),
            flags: Flags::SYN,
            wnd: 0,
            len: 0,
        };
        let sent = |id| TraceEvent {
            t: Instant::ZERO,
            kind: EventKind::SegmentSent {
                id,
                host: crate::id::HostId(0),
                socket: None,
                reason: SendReason::Syn,
            },
        };
        let mut trace = Trace {
            events: vec![sent(SegmentId(0))],
            ..Trace::default()
        };
        assert_eq!(segments_known(&trace).len(), 2, "unknown, and none kept");
        trace.segments.push(seg);
        assert!(segments_known(&trace).is_empty());
        trace.events.push(sent(SegmentId(2)));
        trace.segments.push(seg);
        trace.segments.push(seg);
        let v = segments_known(&trace);
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].detail.contains("#2 put on the wire where #1 was next"));
    }
}
