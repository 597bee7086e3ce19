//! The trace: everything a run did, in order. Every view (ladder, SVG, Mermaid, pcap, charts,
//! the web animation, netstat) is a function of a [`Trace`] and nothing else.
//!
//! Events are ordered by time, then by the order the simulator processed them, which is itself
//! fixed by the event queue's (time, sequence number) order. Segment events name their segment
//! by id; the segments themselves are in [`Trace::segments`], stored once however many events
//! (sent, duplicated, delivered, dropped) speak of them. An event is 40 bytes: a large run's
//! memory is mostly its trace, and first touches of that memory cost time (PERFORMANCE.md).

use crate::call::Call;
use crate::call::{CallResult, NotMade, ScheduledCall};
use crate::config::Profile;
use crate::endpoint::TimerKind;
use crate::errno::Errno;
use crate::id::{CallId, HostId, SegmentId, SocketId};
use crate::net::DropReason;
use crate::payload::{Payload, stream_bytes};
use crate::segment::{Segment, SendReason};
use crate::seq::SeqNum;
use crate::state::{Cause, State};
use crate::time::Instant;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddrV4};

/// A host of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostInfo {
    /// Its name.
    pub name: String,
    /// Its address.
    pub addr: Ipv4Addr,
    /// Its descriptor limit.
    pub fd_limit: u32,
    /// Whose defaults its TCP follows.
    pub profile: Profile,
}

/// A socket of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocketInfo {
    /// Its number.
    pub id: SocketId,
    /// The host it lives on.
    pub host: HostId,
    /// The application's name for it; an accepted connection gets its name at accept().
    pub label: Option<String>,
    /// Its local address.
    pub local: SocketAddrV4,
    /// Its peer's address, for a connection.
    pub remote: Option<SocketAddrV4>,
    /// The listening socket a passively opened connection came from.
    pub parent: Option<SocketId>,
    /// When it was created.
    pub created: Instant,
}

/// Real bytes an application moved: what a send() with data took, or what a recv() read of a
/// stream that carried some. Kept in [`Trace::data`], in the order
/// the calls were made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// The call that moved them.
    pub call: CallId,
    /// The socket.
    pub socket: SocketId,
    /// Where in the socket's stream (sent for a send(), received for a recv()) they start.
    pub offset: u64,
    /// The sequence number of the first byte.
    pub seq: SeqNum,
    /// The bytes. Where the peer sent some bytes without content, a recv() reads
    /// [`filler`](crate::payload::filler).
    pub data: Payload,
}

/// The bytes of each segment of a trace, for an exporter that writes them (a capture).
#[derive(Clone, Debug, Default)]
pub struct SegmentBytes<'t> {
    /// What each socket's send()s put in its stream.
    sent: BTreeMap<SocketId, Vec<(SeqNum, &'t Payload)>>,
}

impl<'t> SegmentBytes<'t> {
    /// Collects what `trace`'s send() calls gave.
    pub fn new(trace: &'t Trace) -> SegmentBytes<'t> {
        let mut sent: BTreeMap<SocketId, Vec<(SeqNum, &'t Payload)>> = BTreeMap::new();
        for t in &trace.data {
            if let Some(Call::Send { .. }) = trace.call(t.call) {
                sent.entry(t.socket).or_default().push((t.seq, &t.data));
            }
        }
        SegmentBytes { sent }
    }

    /// The payload of `seg`, sent by `socket` (the segment's [`SegmentSent`] event says which).
    ///
    /// [`SegmentSent`]: EventKind::SegmentSent
    pub fn of(&self, socket: Option<SocketId>, seg: &Segment) -> Vec<u8> {
        // A SYN occupies the first sequence number; data follow it.
        let start = seg.seq + u32::from(seg.flags.syn());
        let chunks = socket.and_then(|s| self.sent.get(&s));
        stream_bytes(start, seg.len, chunks.into_iter().flatten().copied())
    }
}

/// What happened to a timer, for the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerChange {
    /// Set to a deadline (again, when it moves).
    Armed,
    /// Its deadline came.
    Fired,
    /// Turned off before its deadline.
    Cancelled,
}

/// One event of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceEvent {
    /// Microseconds since the start of the run.
    pub t: Instant,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum EventKind {
    /// A host put segment `id` ([`Trace::segment`]) on the wire. `socket` is `None` for a
    /// reset sent by a host with no matching socket.
    SegmentSent {
        /// The segment.
        id: SegmentId,
        /// The host it happened on.
        host: HostId,
        /// The socket involved, if any.
        socket: Option<SocketId>,
        /// Why it was sent.
        reason: SendReason,
    },
    /// Segment `id` reached its destination host; `socket` is the one that processed it, if any.
    SegmentDelivered {
        /// The segment.
        id: SegmentId,
        /// The host it happened on.
        host: HostId,
        /// The socket involved, if any.
        socket: Option<SocketId>,
    },
    /// Segment `id` was lost on the way.
    SegmentDropped {
        /// The segment.
        id: SegmentId,
        /// Why it was lost.
        reason: DropReason,
    },
    /// The network duplicated segment `id`; the copy travels as `copy` (the same segment).
    SegmentDuplicated {
        /// The segment.
        id: SegmentId,
        /// The copy.
        copy: SegmentId,
    },
    /// A socket's state changed.
    StateChanged {
        /// The host it happened on.
        host: HostId,
        /// The socket.
        socket: SocketId,
        /// The state left.
        from: State,
        /// The state entered.
        to: State,
        /// Why, with its RFC section.
        cause: Cause,
    },
    /// A timer of a socket was armed, fired or cancelled.
    Timer {
        /// The host it happened on.
        host: HostId,
        /// The socket.
        socket: SocketId,
        /// Which timer.
        timer: TimerKind,
        /// What happened to it.
        change: TimerChange,
        /// Its new deadline, when armed.
        deadline: Option<Instant>,
    },
    /// An error was raised on the connection (reset, timeout); the application sees it next call.
    ConnectionError {
        /// The host it happened on.
        host: HostId,
        /// The socket.
        socket: SocketId,
        /// The error.
        errno: Errno,
    },
    /// In-order data entered the receive buffer: stream bytes `[offset, offset + len)`.
    DataReceived {
        /// The host it happened on.
        host: HostId,
        /// The socket.
        socket: SocketId,
        /// Where in the stream the bytes start.
        offset: u64,
        /// How many bytes.
        len: u32,
    },
    /// The peer has acknowledged `total` bytes of this socket's stream.
    DataAcked {
        /// The host it happened on.
        host: HostId,
        /// The socket.
        socket: SocketId,
        /// Bytes acknowledged so far.
        total: u64,
    },
    /// The application made call `call_id` (see [`Trace::calls`]). `result` is `None` while a
    /// blocking call (connect, accept) waits; its [`EventKind::Return`] follows.
    Call {
        /// The host it happened on.
        host: HostId,
        /// The call (see [`Trace::calls`]).
        call_id: CallId,
        /// The socket involved, if any.
        socket: Option<SocketId>,
        /// What it returned, or `None` while it blocks.
        result: Option<CallResult>,
    },
    /// A blocking call returned.
    Return {
        /// The host it happened on.
        host: HostId,
        /// The call (see [`Trace::calls`]).
        call_id: CallId,
        /// The socket involved, if any.
        socket: Option<SocketId>,
        /// What it returned.
        result: CallResult,
    },
    /// A reacting call was never made: its event did not come (recorded when the run ends).
    CallNotMade {
        /// The host it happened on.
        host: HostId,
        /// The call (see [`Trace::calls`]).
        call_id: CallId,
        /// The socket it watched, if its name ever denoted one.
        socket: Option<SocketId>,
        /// Why it was never made.
        why: NotMade,
    },
    /// The socket is gone: the application closed it and the TCB was deleted.
    SocketReleased {
        /// The host it happened on.
        host: HostId,
        /// The socket.
        socket: SocketId,
    },
    /// The host crashed: its sockets vanished without a segment.
    HostDown {
        /// The host it happened on.
        host: HostId,
    },
    /// The host came back up, with no sockets.
    HostUp {
        /// The host it happened on.
        host: HostId,
    },
}

impl EventKind {
    /// The socket the event is about, if any.
    pub fn socket(&self) -> Option<SocketId> {
        match self {
            EventKind::SegmentSent { socket, .. }
            | EventKind::SegmentDelivered { socket, .. }
            | EventKind::Call { socket, .. }
            | EventKind::Return { socket, .. }
            | EventKind::CallNotMade { socket, .. } => *socket,
            EventKind::StateChanged { socket, .. }
            | EventKind::Timer { socket, .. }
            | EventKind::ConnectionError { socket, .. }
            | EventKind::DataReceived { socket, .. }
            | EventKind::DataAcked { socket, .. }
            | EventKind::SocketReleased { socket, .. } => Some(*socket),
            EventKind::SegmentDropped { .. }
            | EventKind::SegmentDuplicated { .. }
            | EventKind::HostDown { .. }
            | EventKind::HostUp { .. } => None,
        }
    }
}

/// Counters of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunStats {
    /// Segments put on the wire (a duplicate's copy not counted).
    pub segments_sent: u64,
    /// Segments that reached their destination host.
    pub segments_delivered: u64,
    /// Segments lost on the way.
    pub segments_dropped: u64,
    /// Entries taken off the simulator's event queue.
    pub queue_events: u64,
}

/// Everything a run did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// The run's seed.
    pub seed: u64,
    /// The hosts, by [`HostId`].
    pub hosts: Vec<HostInfo>,
    /// The sockets, by [`SocketId`].
    pub sockets: Vec<SocketInfo>,
    /// The applications' script: every call, by [`CallId`]. `Call` events refer to it.
    pub calls: Vec<ScheduledCall>,
    /// Every segment put on the wire, by [`SegmentId`] (a duplicate's copy has an id and an
    /// entry of its own). Segment events refer to it.
    pub segments: Vec<Segment>,
    /// What happened, in order.
    pub events: Vec<TraceEvent>,
    /// The simulated time the run stopped at.
    pub end: Instant,
    /// Counters of the run.
    pub stats: RunStats,
    /// The real bytes applications moved, where they gave some: each send() with data and each
    /// recv() that read from a stream carrying some, in the order the calls were made. Empty
    /// when no application gave bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<Transfer>,
    /// Set when the trace was read from a capture, not simulated: what the wire showed, with
    /// states inferred from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Box<Observed>>,
}

/// What makes a trace observed: where it came from, and what of it is estimated.
///
/// A capture sees each segment once, where it was taken. The endpoints' own times are
/// estimated from the handshake: a segment is sent `delay` before the capture saw it and
/// arrives `delay` after, each side's delay half the round trip between it and the capture
/// point. States are inferred from the segments, as a middlebox tracker infers them; calls,
/// timers and the bytes applications read are not on the wire and not in the trace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    /// The capture's name, as the user gave it.
    pub source: String,
    /// When the capture's first packet was taken: microseconds since the Unix epoch. The
    /// trace's times count from it.
    pub start_unix_us: u64,
    /// Each connection, with the delays its times were estimated with.
    pub connections: Vec<ObservedConnection>,
    /// The options of the segments that carried any, by segment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<(SegmentId, TcpOptions)>,
}

/// One connection of an observed trace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedConnection {
    /// Its number in the capture, from 1, as `tcpsim diagnose` lists it.
    pub number: u32,
    /// The side that opened it (sent the first SYN, else the one with the higher port).
    pub client: SocketId,
    /// The other side; `None` when it had no socket (a refused SYN).
    pub server: Option<SocketId>,
    /// Half the round trip between the client and the capture point, µs (0 when the handshake
    /// was not seen).
    pub client_delay_us: u64,
    /// Half the round trip between the capture point and the server, µs.
    pub server_delay_us: u64,
    /// Whether the handshake was seen (else the delays are zero, not measured).
    pub handshake_seen: bool,
}

/// TCP options as a capture shows them (the simulator models none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpOptions {
    /// Maximum segment size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mss: Option<u16>,
    /// Window scale shift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wscale: Option<u8>,
    /// SACK permitted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sack_permitted: bool,
    /// Timestamps: TSval, TSecr.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamps: Option<(u32, u32)>,
}

impl TcpOptions {
    /// Whether no option is set.
    pub fn is_empty(&self) -> bool {
        *self == TcpOptions::default()
    }
}

impl std::fmt::Display for TcpOptions {
    /// `mss=1460 ws=7 sack ts=123/0`, as Wireshark's info column abbreviates them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Each option with a space before it but the first: written straight to `f` (the
        // page's first module draws these).
        let mut sep = "";
        let mut next = || std::mem::replace(&mut sep, " ");
        if let Some(m) = self.mss {
            write!(f, "{}mss={m}", next())?;
        }
        if let Some(w) = self.wscale {
            write!(f, "{}ws={w}", next())?;
        }
        if self.sack_permitted {
            write!(f, "{}sack", next())?;
        }
        if let Some((v, e)) = self.timestamps {
            write!(f, "{}ts={v}/{e}", next())?;
        }
        Ok(())
    }
}

impl Trace {
    /// The options segment `id` carried, in an observed trace.
    pub fn options_of(&self, id: SegmentId) -> Option<&TcpOptions> {
        let o = self.observed.as_ref()?;
        o.options
            .binary_search_by_key(&id, |(s, _)| *s)
            .ok()
            .map(|i| &o.options[i].1)
    }

    /// The host with this name.
    pub fn host_by_name(&self, name: &str) -> Option<HostId> {
        self.hosts
            .iter()
            .position(|h| h.name == name)
            .map(|i| HostId(i as u32))
    }

    /// The latest socket that carried `label` on `host`.
    pub fn socket_by_label(&self, host: HostId, label: &str) -> Option<SocketId> {
        self.sockets
            .iter()
            .rev()
            .find(|s| s.host == host && s.label.as_deref() == Some(label))
            .map(|s| s.id)
    }

    /// The socket with this number.
    pub fn socket(&self, id: SocketId) -> Option<&SocketInfo> {
        self.sockets.get(id.index())
    }

    /// The connection a view shows when none is chosen: the first socket with a peer address
    /// that was opened by connect(), else the first with a peer address.
    pub fn first_connection(&self) -> Option<SocketId> {
        self.sockets
            .iter()
            .find(|s| s.remote.is_some() && s.parent.is_none())
            .or_else(|| self.sockets.iter().find(|s| s.remote.is_some()))
            .map(|s| s.id)
    }

    /// The socket at the other end of `socket`'s connection, if it is in the trace (of several
    /// with those addresses, the one created nearest in time).
    pub fn peer_of(&self, socket: SocketId) -> Option<SocketId> {
        let me = self.socket(socket)?;
        let remote = me.remote?;
        self.sockets
            .iter()
            .filter(|s| s.local == remote && s.remote == Some(me.local))
            .min_by_key(|s| s.created.as_micros().abs_diff(me.created.as_micros()))
            .map(|s| s.id)
    }

    /// The call with this id. Every `Call` and `Return` event's id is in the table.
    pub fn call(&self, id: CallId) -> Option<&Call> {
        self.calls.get(id.index()).map(|c| &c.call)
    }

    /// The segment with this id. Every segment event's ids are in the table.
    pub fn segment(&self, id: SegmentId) -> Option<&Segment> {
        usize::try_from(id.0)
            .ok()
            .and_then(|i| self.segments.get(i))
    }

    /// The states a socket entered, in order.
    pub fn states_of(&self, socket: SocketId) -> Vec<State> {
        self.transitions_of(socket)
            .map(|(_, _, to, _)| to)
            .collect()
    }

    /// `(t, from, to, cause)` of each state change of a socket.
    pub fn transitions_of(
        &self,
        socket: SocketId,
    ) -> impl Iterator<Item = (Instant, State, State, Cause)> + '_ {
        self.events.iter().filter_map(move |e| match e.kind {
            EventKind::StateChanged {
                socket: s,
                from,
                to,
                cause,
                ..
            } if s == socket => Some((e.t, from, to, cause)),
            _ => None,
        })
    }

    /// The state of a socket at time `t` (after all events at `t`; CLOSED before it was
    /// created); `None` for a socket the run does not have.
    pub fn state_at(&self, socket: SocketId, t: Instant) -> Option<State> {
        self.socket(socket)?;
        Some(
            self.transitions_of(socket)
                .take_while(|(at, ..)| *at <= t)
                .last()
                .map_or(State::Closed, |(_, _, to, _)| to),
        )
    }

    /// The state of a socket when the run ended; `None` for a socket the run does not have.
    pub fn final_state(&self, socket: SocketId) -> Option<State> {
        self.state_at(socket, Instant::MAX)
    }

    /// Errors raised on a socket's connection.
    pub fn errors_of(&self, socket: SocketId) -> Vec<Errno> {
        self.events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::ConnectionError {
                    socket: s, errno, ..
                } if s == socket => Some(errno),
                _ => None,
            })
            .collect()
    }

    /// Every segment put on the wire, with when and why.
    pub fn segments_sent(
        &self,
    ) -> impl Iterator<Item = (Instant, HostId, &Segment, SendReason)> + '_ {
        self.events.iter().filter_map(|e| match e.kind {
            EventKind::SegmentSent {
                id, host, reason, ..
            } => Some((e.t, host, self.segment(id)?, reason)),
            _ => None,
        })
    }

    /// The sockets and their queues at time `t`, as `ss -tan` would show them, computed from the
    /// events alone. CLOSED sockets are not listed (the kernel does not list them either).
    pub fn netstat_at(&self, t: Instant) -> Netstat {
        #[derive(Default, Clone)]
        struct Row {
            state: Option<State>,
            received: u64,
            read: u64,
            written: u64,
            acked: u64,
            backlog: u32,
            released: bool,
            accepted: bool,
        }
        // Indexed by socket id: sockets are numbered from 0 in creation order.
        let n = self.sockets.len();
        let mut rows: Vec<Row> = vec![Row::default(); n];
        // Connections established and waiting in their listener's accept queue.
        let mut queued: Vec<bool> = vec![false; n];
        for e in self.events.iter().take_while(|e| e.t <= t) {
            match &e.kind {
                EventKind::StateChanged { socket, to, .. } => {
                    let Some(r) = rows.get_mut((*socket).index()) else {
                        continue;
                    };
                    r.state = Some(*to);
                    let accepted = r.accepted;
                    let info = &self.sockets[(*socket).index()];
                    if info.parent.is_some() && !accepted {
                        if *to == State::Established {
                            queued[(*socket).index()] = true;
                        } else if *to == State::Closed || *to == State::Listen {
                            queued[(*socket).index()] = false;
                        }
                    }
                }
                EventKind::DataReceived { socket, len, .. } => {
                    if let Some(r) = rows.get_mut((*socket).index()) {
                        r.received += u64::from(*len);
                    }
                }
                EventKind::DataAcked { socket, total, .. } => {
                    if let Some(r) = rows.get_mut((*socket).index()) {
                        r.acked = *total;
                    }
                }
                EventKind::Call {
                    socket: Some(socket),
                    call_id,
                    result: Some(result),
                    ..
                } => {
                    let Some(r) = rows.get_mut((*socket).index()) else {
                        continue;
                    };
                    let Some(call) = self.call(*call_id) else {
                        continue;
                    };
                    match (call, result) {
                        (Call::Send { .. }, CallResult::Bytes(n)) => r.written += u64::from(*n),
                        (Call::Recv { .. }, CallResult::Bytes(n)) => r.read += u64::from(*n),
                        (Call::Listen { backlog, .. }, CallResult::Ok) => r.backlog = *backlog,
                        _ => {}
                    }
                }
                EventKind::Return {
                    result: CallResult::Accepted(child),
                    ..
                } => {
                    if let Some(r) = rows.get_mut((*child).index()) {
                        r.accepted = true;
                        queued[(*child).index()] = false;
                    }
                }
                EventKind::SocketReleased { socket, .. } => {
                    if let Some(r) = rows.get_mut((*socket).index()) {
                        r.released = true;
                    }
                }
                _ => {}
            }
        }
        // Connections waiting in each listener's accept queue.
        let mut waiting: Vec<u64> = vec![0; n];
        for (id, q) in queued.iter().enumerate() {
            if *q
                && let Some(p) = self.sockets[id].parent
                && let Some(w) = waiting.get_mut(p.index())
            {
                *w += 1;
            }
        }
        let mut out = Netstat {
            at: t,
            rows: Vec::new(),
        };
        for (i, row) in rows.iter().enumerate() {
            let info = &self.sockets[i];
            let Some(state) = row.state else { continue };
            if row.released || !netstat_lists(state, info.parent.is_some()) {
                continue;
            }
            let (recv_q, send_q) = if state == State::Listen {
                (waiting[i], u64::from(row.backlog))
            } else {
                (
                    row.received - row.read.min(row.received),
                    row.written - row.acked.min(row.written),
                )
            };
            out.rows.push(NetstatRow {
                host: info.host,
                socket: SocketId(i as u32),
                label: info.label.clone(),
                state,
                local: info.local,
                remote: info.remote,
                recv_q,
                send_q,
            });
        }
        out
    }
}

/// Whether `netstat` lists a socket in `state`: not in CLOSED (the kernel has freed it), nor a
/// passively opened one (`child`) back in LISTEN, which is a handshake that was abandoned, not
/// a listening socket. Shared by [`Trace::netstat_at`] and the charts' counts.
pub fn netstat_lists(state: State, child: bool) -> bool {
    state != State::Closed && !(state == State::Listen && child)
}

/// One line of `ss -tan`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetstatRow {
    /// The host it is on.
    pub host: HostId,
    /// The socket.
    pub socket: SocketId,
    /// The application's name for it.
    pub label: Option<String>,
    /// Its state then.
    pub state: State,
    /// Its local address.
    pub local: SocketAddrV4,
    /// Its peer's address, for a connection.
    pub remote: Option<SocketAddrV4>,
    /// Unread bytes; for a listener, connections waiting in the accept queue.
    pub recv_q: u64,
    /// Unacknowledged bytes; for a listener, the backlog.
    pub send_q: u64,
}

/// The sockets of every host at one moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Netstat {
    /// The moment.
    pub at: Instant,
    /// One row a socket, as `ss -tan` lists them.
    pub rows: Vec<NetstatRow>,
}

impl Netstat {
    /// Sockets per state on `host` (all hosts when `None`), like
    /// `netstat -n | awk '/^tcp/ {++S[$NF]} END {for(a in S) print a, S[a]}'`.
    pub fn counts(&self, host: Option<HostId>) -> BTreeMap<State, u64> {
        let mut counts = BTreeMap::new();
        for r in self
            .rows
            .iter()
            .filter(|r| host.is_none_or(|h| h == r.host))
        {
            *counts.entry(r.state).or_insert(0) += 1;
        }
        counts
    }

    /// The table of one host in `ss -tan` layout.
    pub fn render_ss(&self, host: HostId) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<11}{:>7} {:>7} {:<22}{:<22}",
            "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port"
        );
        for r in self.rows.iter().filter(|r| r.host == host) {
            let peer = r
                .remote
                .map_or_else(|| "0.0.0.0:*".to_string(), |a| a.to_string());
            let _ = writeln!(
                s,
                "{:<11}{:>7} {:>7} {:<22}{:<22}",
                r.state.ss_name(),
                r.recv_q,
                r.send_q,
                r.local,
                peer
            );
        }
        s
    }
}

impl Trace {
    fn socket_name(&self, id: SocketId) -> String {
        let s = &self.sockets[id.index()];
        let host = &self.hosts[s.host.index()].name;
        match &s.label {
            Some(l) => format!("{host}/{l}"),
            None => format!("{host}/#{id}"),
        }
    }

    /// One line per event, for reading and for golden files. Timer arm/cancel events are left
    /// out when `timers` is false.
    pub fn to_text(&self, timers: bool) -> String {
        let mut s = String::new();
        let moved: BTreeMap<CallId, &Payload> =
            self.data.iter().map(|t| (t.call, &t.data)).collect();
        for e in &self.events {
            let line = match &e.kind {
                EventKind::SegmentSent {
                    id, host, reason, ..
                } => {
                    let Some(seg) = self.segment(*id) else {
                        continue;
                    };
                    format!(
                        "{} sends #{id} [{}] seq={} ack={} len={} win={} ({})",
                        self.hosts[(*host).index()].name,
                        seg.flags,
                        seg.seq,
                        seg.ack,
                        seg.len,
                        seg.wnd,
                        serde_json::to_string(reason)
                            .unwrap_or_default()
                            .trim_matches('"')
                    )
                }
                EventKind::SegmentDelivered {
                    id, host, socket, ..
                } => match socket {
                    Some(sock) => format!("#{id} arrives at {}", self.socket_name(*sock)),
                    None => format!(
                        "#{id} arrives at {} (no socket)",
                        self.hosts[(*host).index()].name
                    ),
                },
                EventKind::SegmentDropped { id, reason, .. } => {
                    format!("#{id} dropped: {reason:?}")
                }
                EventKind::SegmentDuplicated { id, copy, .. } => {
                    format!("#{id} duplicated as #{copy}")
                }
                EventKind::StateChanged {
                    socket,
                    from,
                    to,
                    cause,
                    ..
                } => {
                    format!(
                        "{}: {from} -> {to} ({})",
                        self.socket_name(*socket),
                        cause.describe()
                    )
                }
                EventKind::Timer {
                    socket,
                    timer,
                    change,
                    deadline,
                    ..
                } => {
                    if !timers && *change != TimerChange::Fired {
                        continue;
                    }
                    match deadline {
                        Some(d) => format!(
                            "{}: {} timer {change:?} until {d}",
                            self.socket_name(*socket),
                            timer.name()
                        ),
                        None => format!(
                            "{}: {} timer {change:?}",
                            self.socket_name(*socket),
                            timer.name()
                        ),
                    }
                }
                EventKind::ConnectionError { socket, errno, .. } => {
                    format!("{}: error {errno}", self.socket_name(*socket))
                }
                EventKind::DataReceived {
                    socket,
                    offset,
                    len,
                    ..
                } => {
                    format!(
                        "{}: received bytes {offset}..{}",
                        self.socket_name(*socket),
                        offset + u64::from(*len)
                    )
                }
                EventKind::DataAcked { socket, total, .. } => {
                    format!("{}: {total} bytes acknowledged", self.socket_name(*socket))
                }
                EventKind::Call {
                    host,
                    call_id,
                    result,
                    ..
                } => {
                    let Some(call) = self.call(*call_id) else {
                        continue;
                    };
                    let r = result.map_or("(blocks)".to_string(), |r| format!("= {r}"));
                    format!(
                        "{} calls {} {}",
                        self.hosts[(*host).index()].name,
                        call.name(),
                        r
                    ) + &call.socket().map_or(String::new(), |l| format!(" on {l}"))
                        + &moved
                            .get(call_id)
                            .map_or(String::new(), |d| format!(": \"{}\"", d.preview(64)))
                }
                EventKind::Return { host, result, .. } => format!(
                    "{}: call returns {result}",
                    self.hosts[(*host).index()].name
                ),
                EventKind::CallNotMade {
                    host, call_id, why, ..
                } => {
                    let Some(c) = self.calls.get(call_id.index()) else {
                        continue;
                    };
                    let on = c.on.map_or(String::new(), |r| r.event.to_string());
                    format!(
                        "{} never calls {}{}: waited for {on}, {}",
                        self.hosts[(*host).index()].name,
                        c.call.name(),
                        c.call
                            .socket()
                            .map_or(String::new(), |l| format!(" on {l}")),
                        why.describe()
                    )
                }
                EventKind::SocketReleased { socket, .. } => {
                    format!("{}: released", self.socket_name(*socket))
                }
                EventKind::HostDown { host } => {
                    format!("{} goes down", self.hosts[(*host).index()].name)
                }
                EventKind::HostUp { host } => {
                    format!("{} comes back up", self.hosts[(*host).index()].name)
                }
            };
            let _ = writeln!(s, "{:>14}  {line}", e.t.to_string());
        }
        s
    }
}
