//! The network path: links, middleboxes and fault rules decide each segment's fate, then it is
//! delivered to a connection, a listener, or answered with a reset.

use super::Simulator;
use super::lookup::pair_key;
use super::queue::Queued;
use crate::endpoint::Endpoint;
use crate::id::{HostId, SegmentId, SocketId};
use crate::net::{DropReason, FaultAction, LinkConfig, MiddleboxVerdict, Verdict};
use crate::rng::Ppm;
use crate::segment::{Segment, SendReason};
use crate::time::Duration;
use crate::trace::EventKind;

impl Simulator {
    pub(super) fn link(&self, from: HostId, to: HostId) -> &LinkConfig {
        self.links
            .get(&(from, to))
            .unwrap_or(&self.cfg.default_link)
    }

    /// Puts a segment on the wire and decides its fate.
    pub(super) fn transmit(
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
                let link = from.0 * self.hosts.len() as u32 + to.0;
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
    pub(super) fn new_segment(&mut self, seg: Segment) -> SegmentId {
        let id = SegmentId(self.trace.segments.len() as u64);
        self.trace.segments.push(seg);
        id
    }

    /// A host (or a middlebox in its name) sends a segment: numbered, kept and recorded.
    pub(super) fn put_on_wire(
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

    pub(super) fn drop_segment(&mut self, id: SegmentId, reason: DropReason) {
        self.trace.stats.segments_dropped += 1;
        self.record(EventKind::SegmentDropped { id, reason });
    }

    /// The link's random draws (always the same number, in the same order), then middleboxes,
    /// then fault rules.
    pub(super) fn verdict(
        &mut self,
        from: HostId,
        to: HostId,
        seg: &Segment,
    ) -> (Verdict, Option<Duration>) {
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
    pub(super) fn middlebox_drops(
        &mut self,
        from: HostId,
        to: HostId,
        seg: &Segment,
        latency: Duration,
    ) -> bool {
        let now = self.now;
        for i in 0..self.middleboxes.len() {
            if !self.middleboxes[i].rule.on_path(from, to) {
                continue;
            }
            match self.middleboxes[i].judge(seg, now) {
                MiddleboxVerdict::Pass => {}
                MiddleboxVerdict::Drop => return true,
                MiddleboxVerdict::DropAndReset(rst) => {
                    // The box answers the sender in the receiver's name.
                    let back = self.link(to, from).latency;
                    let rid = self.put_on_wire(to, None, rst, SendReason::RstNoSocket);
                    self.push(
                        now + back.min(latency),
                        Queued::Deliver {
                            id: rid,
                            to: from,
                            seg: rst,
                        },
                    );
                    return true;
                }
            }
        }
        false
    }

    /// The first fault rule that applies to the segment, counting a hit on every rule it matches.
    #[inline(never)]
    pub(super) fn fault_verdict(
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

    pub(super) fn deliver(&mut self, id: SegmentId, to: HostId, seg: Segment) {
        if !self.hosts[to.index()].up {
            self.drop_segment(id, DropReason::HostDown);
            return;
        }
        let key = pair_key(seg.dst, seg.src);
        let h = &self.hosts[to.index()];
        let conn = h.conns.get(&key).copied();
        let listener = h
            .listeners
            .get(&seg.dst.port())
            .copied()
            .filter(|_| *seg.dst.ip() == h.addr);
        let is_syn = seg.flags.syn() && !seg.flags.ack() && !seg.flags.rst();

        if let Some(sid) = conn {
            let ep = &self.socks[sid.index()].ep;
            // The endpoint decides whether the SYN may take its pair over; a listener must want it.
            let reuse = listener.is_some() && ep.syn_may_reuse(&seg);
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
                let full = self.socks[lid.index()]
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

    pub(super) fn delivered(&mut self, ev: EventKind) {
        self.trace.stats.segments_delivered += 1;
        self.record(ev);
    }

    /// A SYN for a listener: a new connection in LISTEN takes it (LISTEN -> SYN-RECEIVED).
    pub(super) fn spawn_child(
        &mut self,
        listener: SocketId,
        host: HostId,
        syn: Segment,
        iss: Option<crate::seq::SeqNum>,
    ) {
        let cfg = self.socks[listener.index()].ep.shared_config();
        let secret = self.hosts[host.index()].isn_secret;
        let mut ep = Endpoint::new(cfg, syn.dst, secret);
        if let Some(iss) = iss {
            ep.set_next_iss(iss);
        }
        let Some(child) = self.new_socket(host, ep, None, Some(listener)) else {
            return;
        };
        self.trace.sockets[child.index()].remote = Some(syn.src);
        self.hosts[host.index()]
            .conns
            .insert(pair_key(syn.dst, syn.src), child);
        self.drive(child, |ep, now, out| {
            let _ = ep.listen(out);
            ep.on_segment(now, &syn, out);
        });
    }

    // ------------------------------------------------------------ calls
}
