//! A capture as a [`Trace`]: the same type a run produces, so that every view (the terminal
//! ladder, SVG, Mermaid, PlantUML, charts, JSON Lines, netstat) draws a capture as it draws a
//! run. The trace says it was observed ([`Trace::observed`]): segments, windows and options are
//! as the wire showed them, at real times; states are the capture reader's inference; the
//! endpoints' own times are estimated from the handshake (see [`Observed`]).
//!
//! Each connection's sockets are labelled by their roles, `client` and `server`: no
//! application named them. IPv6 connections are left out (the trace's addresses are IPv4) and
//! counted. Calls, timers
//! and reads are not on the wire, so they are not in the trace either.

use crate::capture::{self, Capture, CaptureError, Connection, Dir, Seen, Side};
use std::collections::BTreeMap;
use std::io::Read;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use tcpsim_core::config::Profile;
use tcpsim_core::errno::Errno;
use tcpsim_core::id::{HostId, SegmentId, SocketId};
use tcpsim_core::segment::{Flags, Segment, SendReason};
use tcpsim_core::seq::SeqNum;
use tcpsim_core::state::{Cause, State};
use tcpsim_core::time::Instant;
use tcpsim_core::trace::{
    EventKind, HostInfo, Observed, ObservedConnection, RunStats, SocketInfo, Trace, TraceEvent,
};

/// The most packets a capture's trace holds by default: about 120 bytes each, so half a
/// gigabyte at most. `tcpsim diagnose` reads any capture; a trace is for looking at.
pub const MAX_TRACE_PACKETS: u64 = 4_000_000;

/// Why a capture gave no trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceError {
    /// The capture could not be read.
    Capture(CaptureError),
    /// It holds more TCP packets of IPv4 connections than the limit.
    TooManyPackets {
        /// The limit.
        limit: u64,
    },
    /// It holds no TCP connection over IPv4 (how many over IPv6 were left out).
    NoConnection {
        /// IPv6 connections.
        ipv6: u64,
    },
}

/// A capture's trace, with what the capture reader made of it.
#[derive(Clone, Debug)]
pub struct CaptureTrace {
    /// The trace.
    pub trace: Trace,
    /// The capture, read: connections with their stories, what was skipped.
    pub capture: Capture,
    /// The connections left out of the trace because they are IPv6.
    pub ipv6_left_out: u64,
}

/// One segment kept for the trace, with its connection.
struct Kept {
    conn: u32,
    seen: Seen,
}

/// Reads a capture into a trace named `source`, keeping at most `max_packets` TCP packets.
pub fn read_trace(
    input: impl Read + Send,
    source: &str,
    max_packets: u64,
) -> Result<CaptureTrace, TraceError> {
    let mut kept: Vec<Kept> = Vec::new();
    let mut over = false;
    let capture = capture::read_packets(input, true, |i, seen| {
        if !matches!(seen.src, SocketAddr::V4(_)) || over {
            return;
        }
        if kept.len() as u64 >= max_packets {
            over = true;
            return;
        }
        kept.push(Kept {
            conn: i as u32,
            seen: *seen,
        });
    })
    .map_err(TraceError::Capture)?;
    if over {
        return Err(TraceError::TooManyPackets { limit: max_packets });
    }
    let ipv6 = capture
        .connections
        .iter()
        .filter(|c| matches!(c.client.addr, Some(SocketAddr::V6(_))))
        .count() as u64;
    if kept.is_empty() {
        return Err(TraceError::NoConnection { ipv6 });
    }
    let trace = build(&capture, &kept, source, None);
    Ok(CaptureTrace {
        trace,
        capture,
        ipv6_left_out: ipv6,
    })
}

fn v4(a: Option<SocketAddr>) -> Option<SocketAddrV4> {
    match a {
        Some(SocketAddr::V4(a)) => Some(a),
        _ => None,
    }
}

/// What the builder keeps per endpoint of a connection.
#[derive(Clone, Copy, Default)]
struct End {
    host: HostId,
    socket: Option<SocketId>,
    /// Half the round trip between it and the capture point, µs.
    delay: u64,
    /// The end of the highest sequence number it sent, its last ACK and window.
    snd_nxt: Option<u32>,
    last_ack: Option<u32>,
    last_wnd: u16,
    /// Its SYN's and FIN's sequence numbers, once sent (for telling a retransmission).
    syn: Option<u32>,
    fin: Option<u32>,
}

/// Whether sequence number `a` is before `b` (mod 2^32).
fn before(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// A capture read a slice at a time, as a page reads one (showing its progress and painting
/// between slices), keeping its TCP segments so that any one connection can then be drawn.
pub struct Sliced<'a> {
    reading: Option<capture::Reading<'a>>,
    capture: Option<Result<Capture, CaptureError>>,
    kept: Vec<Kept>,
    max_packets: u64,
    /// Connections some of whose segments came after `max_packets` and were not kept.
    cut: std::collections::BTreeSet<u32>,
}

impl<'a> Sliced<'a> {
    /// Starts reading `input`, keeping at most `max_packets` segments for drawing (the report
    /// covers the whole capture).
    pub fn new(input: impl Read + Send + 'a, max_packets: u64) -> Result<Sliced<'a>, CaptureError> {
        Ok(Sliced {
            reading: Some(capture::Reading::new(input, true)?),
            capture: None,
            kept: Vec::new(),
            max_packets,
            cut: Default::default(),
        })
    }

    /// Reads up to `blocks` more blocks; whether the capture is read.
    pub fn step(&mut self, blocks: usize) -> bool {
        let Some(reading) = self.reading.as_mut() else {
            return true;
        };
        let (kept, cut, max) = (&mut self.kept, &mut self.cut, self.max_packets);
        let done = reading.step(blocks, &mut |i, seen| {
            if kept.len() as u64 >= max {
                cut.insert(i as u32);
            } else {
                kept.push(Kept {
                    conn: i as u32,
                    seen: *seen,
                });
            }
        });
        if done && let Some(r) = self.reading.take() {
            self.capture = Some(r.finish());
        }
        done
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.reading.as_ref().map_or(0, |r| r.bytes_read())
    }

    /// The capture, once read (or why it could not be).
    pub fn capture(&self) -> Option<&Result<Capture, CaptureError>> {
        self.capture.as_ref()
    }

    /// Connection `number` (from 1, as the report lists them) as an observed trace named
    /// `source`.
    pub fn trace_of(&self, number: usize, source: &str) -> Result<Trace, TraceError> {
        let Some(Ok(capture)) = &self.capture else {
            return Err(TraceError::NoConnection { ipv6: 0 });
        };
        let Some(i) = number
            .checked_sub(1)
            .filter(|i| *i < capture.connections.len())
        else {
            return Err(TraceError::NoConnection { ipv6: 0 });
        };
        if self.cut.contains(&(i as u32)) {
            return Err(TraceError::TooManyPackets {
                limit: self.max_packets,
            });
        }
        if v4(capture.connections[i].client.addr).is_none() {
            return Err(TraceError::NoConnection { ipv6: 1 });
        }
        let kept: Vec<&Kept> = self.kept.iter().filter(|k| k.conn as usize == i).collect();
        Ok(build(capture, kept, source, Some(i)))
    }
}

/// The trace of `kept`'s segments: of every connection, or only of connection `only` (an
/// index in `capture.connections`).
fn build<'k>(
    capture: &Capture,
    kept: impl IntoIterator<Item = &'k Kept>,
    source: &str,
    only: Option<usize>,
) -> Trace {
    let mut trace = Trace::default();
    let mut host_of: BTreeMap<Ipv4Addr, HostId> = BTreeMap::new();
    let mut host = |trace: &mut Trace, ip: Ipv4Addr| -> HostId {
        *host_of.entry(ip).or_insert_with(|| {
            trace.hosts.push(HostInfo {
                name: ip.to_string(),
                addr: ip,
                // Not on the wire: the views show no limit.
                fd_limit: u32::MAX,
                profile: Profile::Linux,
            });
            HostId(trace.hosts.len() as u32 - 1)
        })
    };
    // (time, order) → event: sorted at the end, since an endpoint's estimated times run ahead
    // of or behind the capture's by its delay.
    let mut events: Vec<(u64, u64, EventKind)> = Vec::new();
    let mut order = 0u64;
    // Per connection: its two ends (client, server), or `None` for one left out.
    let mut ends: Vec<Option<[End; 2]>> = Vec::with_capacity(capture.connections.len());
    let mut observed = Observed {
        source: source.to_string(),
        start_unix_us: capture.start_unix_us,
        ..Observed::default()
    };
    for (number, c) in capture.connections.iter().enumerate() {
        if only.is_some_and(|o| o != number) {
            ends.push(None);
            continue;
        }
        let (Some(ca), Some(sa)) = (v4(c.client.addr), v4(c.server.addr)) else {
            ends.push(None);
            continue;
        };
        let (dc, ds) = c.delays.unwrap_or((0, 0));
        let mut pair = [End::default(); 2];
        for (k, (side, me, peer, delay)) in [(&c.client, ca, sa, dc), (&c.server, sa, ca, ds)]
            .into_iter()
            .enumerate()
        {
            pair[k].host = host(&mut trace, *me.ip());
            pair[k].delay = delay;
            if side.states.is_empty() {
                continue;
            }
            let id = SocketId(trace.sockets.len() as u32);
            let created = side
                .states
                .first()
                .zip(side.how.first())
                .map_or(0, |((t, _), (_, dir))| shift(*t, *dir, delay));
            trace.sockets.push(SocketInfo {
                id,
                host: pair[k].host,
                // No application named it: its role names it, which the views show beside
                // its host (both ends of a loopback capture are on one host).
                label: Some(if k == 0 { "client" } else { "server" }.to_string()),
                local: me,
                remote: Some(peer),
                parent: None,
                created: Instant::from_micros(created),
            });
            pair[k].socket = Some(id);
            state_events(&mut events, &mut order, side, pair[k].host, id, delay);
        }
        if let Some(client) = pair[0].socket {
            observed.connections.push(ObservedConnection {
                number: number as u32 + 1,
                client,
                server: pair[1].socket,
                client_delay_us: dc,
                server_delay_us: ds,
                handshake_seen: c.delays.is_some(),
            });
        }
        ends.push(Some(pair));
    }
    let mut push = |events: &mut Vec<(u64, u64, EventKind)>, t: u64, kind: EventKind| {
        events.push((t, order, kind));
        order += 1;
    };
    for k in kept {
        let Some(Some(pair)) = ends.get_mut(k.conn as usize) else {
            continue;
        };
        let c = &capture.connections[k.conn as usize];
        let s = &k.seen;
        let from_client = Some(s.src) == c.client.addr;
        let (me, peer, me_side, peer_side) = if from_client {
            let [a, b] = pair;
            (a, b, &c.client, &c.server)
        } else {
            let [a, b] = pair;
            (b, a, &c.server, &c.client)
        };
        let (Some(src), Some(dst)) = (v4(Some(s.src)), v4(Some(s.dst))) else {
            continue;
        };
        let mut flags = Flags::NONE;
        for (on, f) in [
            (s.syn, Flags::SYN),
            (s.fin, Flags::FIN),
            (s.rst, Flags::RST),
            (s.psh, Flags::PSH),
            (s.ack, Flags::ACK),
        ] {
            if on {
                flags = flags | f;
            }
        }
        let seg = Segment {
            src,
            dst,
            seq: SeqNum(s.seq),
            ack: SeqNum(if s.ack { s.ack_no } else { 0 }),
            flags,
            wnd: s.wnd,
            len: s.len,
        };
        let id = SegmentId(trace.segments.len() as u64);
        trace.segments.push(seg);
        if !s.options.is_empty() {
            observed.options.push((id, s.options));
        }
        let sender = me.socket.filter(|_| !gone(me_side, s.t_us));
        let receiver = peer.socket.filter(|_| !gone(peer_side, s.t_us));
        let reason = reason(s, me, peer.last_wnd, sender.is_some(), me_side, s.t_us);
        let sent = s.t_us.saturating_sub(me.delay);
        let arrived = s.t_us + peer.delay;
        push(
            &mut events,
            sent,
            EventKind::SegmentSent {
                id,
                host: me.host,
                socket: sender,
                reason,
            },
        );
        push(
            &mut events,
            arrived,
            EventKind::SegmentDelivered {
                id,
                host: peer.host,
                socket: receiver,
            },
        );
        // A reset reaching an application's connection: its next call fails.
        if let (true, Some(r)) = (s.rst, receiver) {
            let errno = match state_before(peer_side, s.t_us) {
                Some(State::SynSent) => Some(Errno::ECONNREFUSED),
                Some(
                    State::Established
                    | State::CloseWait
                    | State::FinWait1
                    | State::FinWait2
                    | State::Closing
                    | State::LastAck
                    | State::SynReceived,
                ) => Some(Errno::ECONNRESET),
                _ => None,
            };
            if let Some(errno) = errno {
                push(
                    &mut events,
                    arrived,
                    EventKind::ConnectionError {
                        host: peer.host,
                        socket: r,
                        errno,
                    },
                );
            }
        }
        trace.stats.segments_sent += 1;
        trace.stats.segments_delivered += 1;
    }
    events.sort_by_key(|(t, o, _)| (*t, *o));
    renumber(&mut trace, &mut events, &mut observed);
    trace.end = Instant::from_micros(events.last().map_or(0, |(t, ..)| *t));
    trace.events = events
        .into_iter()
        .map(|(t, _, kind)| TraceEvent {
            t: Instant::from_micros(t),
            kind,
        })
        .collect();
    trace.stats = RunStats {
        queue_events: 0,
        ..trace.stats
    };
    trace.observed = Some(Box::new(observed));
    trace
}

/// Numbers the segments in the order they were sent, as a run numbers them: the capture's
/// order differs where an endpoint's estimated send time comes before a segment seen earlier.
fn renumber(trace: &mut Trace, events: &mut [(u64, u64, EventKind)], observed: &mut Observed) {
    let mut new_id = vec![SegmentId(0); trace.segments.len()];
    let mut segments = Vec::with_capacity(trace.segments.len());
    for (_, _, kind) in events.iter() {
        if let EventKind::SegmentSent { id, .. } = kind {
            new_id[id.0 as usize] = SegmentId(segments.len() as u64);
            segments.push(trace.segments[id.0 as usize]);
        }
    }
    for (_, _, kind) in events.iter_mut() {
        if let EventKind::SegmentSent { id, .. } | EventKind::SegmentDelivered { id, .. } = kind {
            *id = new_id[id.0 as usize];
        }
    }
    trace.segments = segments;
    for (id, _) in &mut observed.options {
        *id = new_id[id.0 as usize];
    }
    observed.options.sort_by_key(|(id, _)| *id);
}

/// A state change's time at its endpoint: a segment it sent left `delay` before the capture
/// saw it, one it received arrived `delay` after.
fn shift(t: u64, dir: Dir, delay: u64) -> u64 {
    match dir {
        Dir::Sent => t.saturating_sub(delay),
        Dir::Received => t + delay,
        Dir::Inferred => t,
    }
}

fn state_events(
    events: &mut Vec<(u64, u64, EventKind)>,
    order: &mut u64,
    side: &Side,
    host: HostId,
    socket: SocketId,
    delay: u64,
) {
    let mut from = State::Closed;
    let mut last = 0u64;
    for ((t, to), (cause, dir)) in side.states.iter().zip(&side.how) {
        // Never before the change it follows, whatever the estimate says.
        let at = shift(*t, *dir, delay).max(last);
        last = at;
        events.push((
            at,
            *order,
            EventKind::StateChanged {
                host,
                socket,
                from,
                to: *to,
                cause: *cause,
            },
        ));
        *order += 1;
        from = *to;
    }
}

/// The side's state just before capture time `t` (its changes at `t` not yet made).
fn state_before(side: &Side, t: u64) -> Option<State> {
    side.states
        .iter()
        .take_while(|(at, _)| *at < t)
        .last()
        .map(|(_, s)| *s)
}

/// Whether the side's socket was gone when the capture saw a segment at `t`: it had closed
/// before, or a timer had dropped it by then.
fn gone(side: &Side, t: u64) -> bool {
    side.states
        .iter()
        .zip(&side.how)
        .any(|((at, s), (cause, _))| {
            *s == State::Closed && (*at < t || (*at == t && *cause == Cause::FinWait2Timeout))
        })
}

/// Why the sender sent the segment, as far as the wire tells: by its flags, and by where its
/// sequence number stands against what it sent before.
fn reason(
    s: &Seen,
    me: &mut End,
    peer_wnd: u16,
    has_socket: bool,
    side: &Side,
    t: u64,
) -> SendReason {
    let seg_len = s.len + u32::from(s.syn) + u32::from(s.fin);
    let end = s.seq.wrapping_add(seg_len);
    let old = me.snd_nxt.is_some_and(|nxt| before(s.seq, nxt));
    let reason = if s.rst {
        if !has_socket {
            SendReason::RstNoSocket
        } else {
            // The cause the capture reader gave its own CLOSED, when the reset brought it.
            let cause = side
                .states
                .iter()
                .zip(&side.how)
                .find(|((at, st), _)| *at == t && *st == State::Closed)
                .map(|(_, (c, _))| *c);
            match cause {
                Some(Cause::CloseWithUnreadData) => SendReason::RstUnreadData,
                Some(Cause::DataAfterClose) => SendReason::RstDataAfterClose,
                _ => SendReason::RstSeen,
            }
        }
    } else if s.syn {
        if me.syn == Some(s.seq) {
            SendReason::Retransmit
        } else if s.ack {
            SendReason::SynAck
        } else {
            SendReason::Syn
        }
    } else if s.fin && me.fin.is_some() && old {
        SendReason::Retransmit
    } else if s.fin {
        SendReason::Fin
    } else if me.snd_nxt.is_some_and(|nxt| s.seq == nxt.wrapping_sub(1)) && s.len <= 1 {
        // One before what it sent next: a probe that asks for an ACK.
        if peer_wnd == 0 {
            SendReason::ZeroWindowProbe
        } else {
            SendReason::KeepaliveProbe
        }
    } else if s.len > 0 && old && !before(me.snd_nxt.unwrap_or(end), end) {
        SendReason::Retransmit
    } else if s.len > 0 {
        SendReason::Data
    } else if me.last_ack == Some(s.ack_no) && s.wnd > me.last_wnd {
        SendReason::WindowUpdate
    } else {
        SendReason::Ack
    };
    if s.syn {
        me.syn = Some(s.seq);
    }
    if s.fin {
        me.fin = Some(s.seq.wrapping_add(s.len));
    }
    if !s.rst && me.snd_nxt.is_none_or(|nxt| before(nxt, end)) {
        me.snd_nxt = Some(end);
    }
    if s.ack {
        me.last_ack = Some(s.ack_no);
    }
    me.last_wnd = s.wnd;
    reason
}

impl Connection {
    /// The delays its trace's times were estimated with: half the round trips between the
    /// client and the capture point and between the capture point and the server, µs.
    pub fn delays_us(&self) -> Option<(u64, u64)> {
        self.delays
    }
}
