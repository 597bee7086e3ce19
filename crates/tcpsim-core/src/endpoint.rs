//! One TCP endpoint (a TCB): RFC 9293 section 3.10 event processing, sans-I/O.
//!
//! Read first: RFC 9293 sections 3.3.2 (states), 3.4 (sequence numbers), 3.10 (event processing),
//! RFC 5961 (challenge ACKs), RFC 6298 (RTO). The project's TCP reference
//! (`shared/tcp-reference.md` in its repository) lists the rules and the Linux behaviour this
//! module reproduces; each rule below cites its section.
//!
//! # Shape
//! Inputs are the user calls (`connect`, `listen`, `send`, `recv`, `close`, `shutdown`, `abort`),
//! [`Endpoint::on_segment`] and [`Endpoint::on_timeout`]. Every input takes the current time and
//! an [`Outputs`] buffer that receives, in order, the segments to transmit and the events
//! (state changes, timers, errors, data accounting). Nothing is sent as a side effect and no
//! clock is read. [`Endpoint::poll_at`] is the earliest armed timer.
//!
//! # What is left out, and why
//! - Congestion control (cwnd, slow start, fast retransmit): the lessons are about connection
//!   life cycles. Sending is limited by the peer's window only; after an RTO the sender goes back
//!   to SND.UNA and resends from there (go-back-N, like turmoil), one segment per timeout.
//! - Out-of-order queueing: data that does not start at RCV.NXT is dropped and answered with a
//!   duplicate ACK; the sender's retransmission fills the gap. Delivery stays an in-order prefix.
//! - Options (MSS, window scaling, SACK, timestamps/PAWS), URG, delayed ACKs (every segment that
//!   needs an ACK gets one at once), Nagle (TCP_NODELAY behaviour), TCP Fast Open, precedence
//!   and security (RFC 9293 3.10.7.4 third check).

use crate::config::{TcpConfig, retransmission_budget};
use crate::errno::Errno;
use crate::segment::{Flags, Segment, SendReason};
use crate::seq::SeqNum;
use crate::state::{Cause, State};
use crate::time::{Duration, Instant};
use serde::{Deserialize, Serialize};
use std::net::SocketAddrV4;
use std::sync::Arc;

/// The most bytes one direction of a connection may carry in a run. Keeps stream offsets inside
/// one turn of the 32-bit sequence space, so offsets and sequence numbers map one to one.
pub const MAX_STREAM_BYTES: u64 = 1 << 30;

/// The timers an endpoint can arm (RFC 9293 3.8, 3.10.8; Linux tcp_timer.c).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// RFC 6298 retransmission timer (also covers SYN and SYN,ACK).
    Retransmit,
    /// Zero-window probe (persist) timer.
    Persist,
    /// Keep-alive idle and probe timer.
    Keepalive,
    /// Linux: the orphaned FIN-WAIT-2 timeout (`tcp_fin_timeout`).
    FinWait2,
    /// TIME-WAIT (2 MSL).
    TimeWait,
    /// USER TIMEOUT / TCP_USER_TIMEOUT.
    UserTimeout,
}

impl TimerKind {
    /// Every timer, in the order of its kinds.
    pub const ALL: [TimerKind; 6] = [
        TimerKind::UserTimeout,
        TimerKind::Retransmit,
        TimerKind::Persist,
        TimerKind::Keepalive,
        TimerKind::FinWait2,
        TimerKind::TimeWait,
    ];

    /// Its name as the trace and the views write it: `TIME-WAIT`.
    pub const fn name(self) -> &'static str {
        match self {
            TimerKind::Retransmit => "RTO",
            TimerKind::Persist => "persist",
            TimerKind::Keepalive => "keepalive",
            TimerKind::FinWait2 => "FIN-WAIT-2",
            TimerKind::TimeWait => "TIME-WAIT",
            TimerKind::UserTimeout => "user timeout",
        }
    }
}

/// What happened to a timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum TimerAction {
    /// Set to a deadline.
    Armed {
        /// When it will fire.
        deadline: Instant,
    },
    /// Its deadline came.
    Fired,
    /// Turned off before its deadline.
    Cancelled,
}

/// Something an endpoint reports besides segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndpointEvent {
    /// The connection's state changed.
    StateChanged {
        /// The state left.
        from: State,
        /// The state entered.
        to: State,
        /// Why, with its RFC section.
        cause: Cause,
    },
    /// A timer was armed, fired or cancelled.
    Timer {
        /// Which timer.
        timer: TimerKind,
        /// What happened to it.
        action: TimerAction,
    },
    /// An error raised on the connection (reset, timeout); the application sees it on its next call.
    Error(Errno),
    /// In-order data entered the receive buffer: stream bytes `[offset, offset + len)`.
    DataReceived {
        /// Where in the stream the bytes start.
        offset: u64,
        /// How many bytes.
        len: u32,
    },
    /// SND.UNA advanced: the peer has acknowledged `total` bytes of our stream.
    DataAcked {
        /// Bytes acknowledged so far.
        total: u64,
    },
}

/// One output of an endpoint, in the order it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// A segment to put on the wire, and why it is sent.
    Segment(Segment, SendReason),
    /// Something to report.
    Event(EndpointEvent),
}

/// The buffer an endpoint writes its outputs to. Reuse one across calls to avoid allocation.
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    /// The outputs, in order.
    pub items: Vec<Output>,
}

impl Outputs {
    /// An empty buffer.
    pub fn new() -> Self {
        Outputs::default()
    }
    fn segment(&mut self, seg: Segment, why: SendReason) {
        self.items.push(Output::Segment(seg, why));
    }
    fn event(&mut self, ev: EndpointEvent) {
        self.items.push(Output::Event(ev));
    }
    /// The segments only, for tests.
    pub fn segments(&self) -> impl Iterator<Item = (&Segment, SendReason)> {
        self.items.iter().filter_map(|o| match o {
            Output::Segment(s, why) => Some((s, *why)),
            Output::Event(_) => None,
        })
    }
    /// The events only, for tests.
    pub fn events(&self) -> impl Iterator<Item = &EndpointEvent> {
        self.items.iter().filter_map(|o| match o {
            Output::Event(e) => Some(e),
            Output::Segment(..) => None,
        })
    }
    /// Empties the buffer, keeping its room.
    pub fn clear(&mut self) {
        self.items.clear();
    }
}

/// What `recv` returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Received {
    /// This many bytes were read.
    Bytes(u64),
    /// End of stream: the peer's FIN was read (recv returned 0).
    Eof,
}

/// Which side of a connection shutdown() closes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShutdownHow {
    /// SHUT_RD: no more reading.
    Read,
    /// SHUT_WR: no more writing; a FIN follows the data.
    Write,
    /// SHUT_RDWR: both.
    Both,
}

/// A socket option the application can set (setsockopt).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "option", content = "value")]
pub enum SockOpt {
    /// SO_LINGER on with a zero timeout (`true`), or off.
    LingerZero(bool),
    /// SO_KEEPALIVE.
    Keepalive(bool),
    /// TCP_KEEPIDLE.
    KeepIdle(Duration),
    /// TCP_KEEPINTVL.
    KeepIntvl(Duration),
    /// TCP_KEEPCNT.
    KeepCnt(u32),
    /// TCP_USER_TIMEOUT; zero turns it off.
    UserTimeout(Duration),
}

/// Every timer's deadline, in one table indexed by kind (as quinn-proto keeps its timers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Timers([Option<Instant>; TimerKind::ALL.len()]);

impl Timers {
    fn slot(&mut self, k: TimerKind) -> &mut Option<Instant> {
        &mut self.0[k as usize]
    }
    fn get(&self, k: TimerKind) -> Option<Instant> {
        self.0[k as usize]
    }
    fn earliest(&self) -> Option<Instant> {
        self.0.iter().flatten().min().copied()
    }
}

/// A deterministic initial sequence number in the manner of RFC 6528 / RFC 9293 3.4.1:
/// a keyed hash of the address pair plus a clock that ticks every 4 microseconds.
pub fn initial_sequence_number(
    secret: u64,
    local: SocketAddrV4,
    remote: SocketAddrV4,
    now: Instant,
) -> SeqNum {
    let mut h = secret ^ 0x9e37_79b9_7f4a_7c15;
    for word in [
        u64::from(u32::from(*local.ip())),
        u64::from(local.port()),
        u64::from(u32::from(*remote.ip())),
        u64::from(remote.port()),
    ] {
        h = splitmix64(h ^ word);
    }
    SeqNum((h as u32).wrapping_add((now.as_micros() / 4) as u32))
}

/// SplitMix64 (Steele, Lea, Flood 2014): a fixed, well-known 64-bit mixing function.
pub const fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// One TCP connection endpoint.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// Shared by the sockets made with the same parameters (a host's, a listener's children)
    /// until setsockopt() gives one its own: 160 bytes that 20 000 sockets need not copy.
    cfg: Arc<TcpConfig>,
    state: State,
    local: SocketAddrV4,
    remote: Option<SocketAddrV4>,
    isn_secret: u64,
    /// Overrides the next ISS (Linux: a SYN that reuses a TIME-WAIT pair gets tw_snd_nxt + 65537).
    iss_override: Option<SeqNum>,

    // Send sequence space (RFC 9293 3.3.1).
    iss: SeqNum,
    snd_una: SeqNum,
    snd_nxt: SeqNum,
    snd_wnd: u32,
    snd_wl1: SeqNum,
    snd_wl2: SeqNum,
    max_snd_wnd: u32,
    /// Next sequence number to transmit; below SND.NXT while going back after an RTO.
    snd_ptr: SeqNum,
    // Receive sequence space.
    irs: SeqNum,
    rcv_nxt: SeqNum,

    /// Bytes the application has handed to send().
    app_written: u64,
    /// close() or shutdown(SHUT_WR) asked for a FIN after the data.
    fin_queued: bool,
    /// Bytes in the receive buffer not yet read by the application.
    unread: u64,
    /// In-order bytes received so far (the stream offset of RCV.NXT, FIN excluded).
    rcv_total: u64,
    /// The peer's FIN has been received.
    peer_fin: bool,

    /// SYN-RECEIVED was entered from LISTEN (RFC 9293 3.5, MUST-11).
    passive: bool,
    /// The application called close(): the socket is orphaned (Linux SOCK_DEAD).
    orphan: bool,
    /// The application can no longer read (close() or shutdown(SHUT_RD)).
    rd_shutdown: bool,
    /// The application can no longer write (close() or shutdown(SHUT_WR)).
    wr_shutdown: bool,
    /// The connection once reached a synchronized state or tried to (for ENOTCONN vs EPIPE).
    was_connected: bool,
    /// An error raised on the connection, reported by the next call.
    error: Option<Errno>,
    /// After the error has been reported once, writes fail with EPIPE.
    error_reported: bool,

    // RFC 6298 state, in microseconds.
    srtt: Option<u64>,
    rttvar: u64,
    rto: Duration,
    /// Sequence number whose acknowledgement completes the running RTT measurement, and when it was sent.
    rtt_probe: Option<(SeqNum, Instant)>,
    /// When the oldest unacknowledged segment was first sent (Linux retrans_stamp).
    first_unacked_sent: Option<Instant>,
    retransmissions: u32,
    syn_retransmitted: bool,
    persist_backoff: u32,

    keepalive_probes_out: u32,
    last_rcv: Instant,
    last_oow_ack: Option<Instant>,
    timers: Timers,
}

impl Endpoint {
    /// A new endpoint in CLOSED. `isn_secret` keys its initial sequence numbers.
    /// The parameters may be shared with other endpoints (`Arc<TcpConfig>`); a `TcpConfig`
    /// does too.
    pub fn new(cfg: impl Into<Arc<TcpConfig>>, local: SocketAddrV4, isn_secret: u64) -> Endpoint {
        let cfg = cfg.into();
        let rto = cfg.rto_initial;
        Endpoint {
            cfg,
            state: State::Closed,
            local,
            remote: None,
            isn_secret,
            iss_override: None,
            iss: SeqNum(0),
            snd_una: SeqNum(0),
            snd_nxt: SeqNum(0),
            snd_wnd: 0,
            snd_wl1: SeqNum(0),
            snd_wl2: SeqNum(0),
            max_snd_wnd: 0,
            snd_ptr: SeqNum(0),
            irs: SeqNum(0),
            rcv_nxt: SeqNum(0),
            app_written: 0,
            fin_queued: false,
            unread: 0,
            rcv_total: 0,
            peer_fin: false,
            passive: false,
            orphan: false,
            rd_shutdown: false,
            wr_shutdown: false,
            was_connected: false,
            error: None,
            error_reported: false,
            srtt: None,
            rttvar: 0,
            rto,
            rtt_probe: None,
            first_unacked_sent: None,
            retransmissions: 0,
            syn_retransmitted: false,
            persist_backoff: 0,
            keepalive_probes_out: 0,
            last_rcv: Instant::ZERO,
            last_oow_ack: None,
            timers: Timers::default(),
        }
    }

    // ---------------------------------------------------------------- getters

    /// The RFC 9293 state.
    pub fn state(&self) -> State {
        self.state
    }
    /// The local address.
    pub fn local(&self) -> SocketAddrV4 {
        self.local
    }
    /// The peer's address, once known.
    pub fn remote(&self) -> Option<SocketAddrV4> {
        self.remote
    }
    /// The TCP parameters.
    pub fn config(&self) -> &TcpConfig {
        &self.cfg
    }
    /// The parameters, to share with another endpoint.
    pub fn shared_config(&self) -> Arc<TcpConfig> {
        Arc::clone(&self.cfg)
    }
    /// Mutable access to the parameters (setsockopt). Takes effect from the next event; other
    /// endpoints that shared them keep theirs.
    pub fn config_mut(&mut self) -> &mut TcpConfig {
        Arc::make_mut(&mut self.cfg)
    }
    /// ISS, the initial send sequence number.
    pub fn iss(&self) -> SeqNum {
        self.iss
    }
    /// IRS, the peer's initial sequence number.
    pub fn irs(&self) -> SeqNum {
        self.irs
    }
    /// SND.UNA: the oldest unacknowledged sequence number.
    pub fn snd_una(&self) -> SeqNum {
        self.snd_una
    }
    /// SND.NXT: the next sequence number to send.
    pub fn snd_nxt(&self) -> SeqNum {
        self.snd_nxt
    }
    /// SND.WND: the peer's receive window.
    pub fn snd_wnd(&self) -> u32 {
        self.snd_wnd
    }
    /// RCV.NXT: the next sequence number expected.
    pub fn rcv_nxt(&self) -> SeqNum {
        self.rcv_nxt
    }
    /// RCV.WND: the free space of the receive buffer.
    pub fn rcv_wnd(&self) -> u32 {
        u64::from(self.cfg.rcv_buf).saturating_sub(self.unread) as u32
    }
    /// Unread bytes in the receive buffer (ss Recv-Q).
    pub fn recv_queue(&self) -> u64 {
        self.unread
    }
    /// Bytes written by the application and not yet acknowledged (ss Send-Q).
    pub fn send_queue(&self) -> u64 {
        self.app_written - self.acked_bytes()
    }
    /// Bytes the application has written so far.
    pub fn bytes_written(&self) -> u64 {
        self.app_written
    }
    /// In-order bytes received so far.
    pub fn bytes_received(&self) -> u64 {
        self.rcv_total
    }
    /// The application called close(): nobody holds the socket (Linux SOCK_DEAD).
    pub fn is_orphan(&self) -> bool {
        self.orphan
    }
    /// SYN-RECEIVED was (or would be) entered from LISTEN.
    pub fn is_passive(&self) -> bool {
        self.passive
    }
    /// The peer's FIN has arrived.
    pub fn peer_fin_received(&self) -> bool {
        self.peer_fin
    }
    /// An error raised on the connection and not yet reported to the application.
    pub fn pending_error(&self) -> Option<Errno> {
        self.error
    }
    /// The current retransmission timeout.
    pub fn rto(&self) -> Duration {
        self.rto
    }
    /// The smoothed RTT, once measured.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt.map(Duration::from_micros)
    }
    /// When `timer` fires, if armed.
    pub fn timer(&self, timer: TimerKind) -> Option<Instant> {
        self.timers.get(timer)
    }
    /// The earliest instant at which [`Endpoint::on_timeout`] has work to do.
    pub fn poll_at(&self) -> Option<Instant> {
        self.timers.earliest()
    }

    // ---------------------------------------------------------------- small helpers

    fn set_state(&mut self, to: State, cause: Cause, out: &mut Outputs) {
        let from = self.state;
        if from == to {
            return;
        }
        self.state = to;
        out.event(EndpointEvent::StateChanged { from, to, cause });
        if to.is_synchronized() || to == State::SynSent || to == State::SynReceived {
            self.was_connected = true;
        }
        match to {
            State::Closed | State::Listen => self.cancel_all_timers(out),
            // 3.10.7.4 eighth: "start the time-wait timer, turn off the other timers";
            // `enter_time_wait` arms it.
            State::TimeWait => self.cancel_all_timers(out),
            _ => {}
        }
    }

    fn enter_time_wait(&mut self, now: Instant, cause: Cause, out: &mut Outputs) {
        self.set_state(State::TimeWait, cause, out);
        self.restart_time_wait(now, out);
    }

    /// (Re)starts the TIME-WAIT timeout (2 MSL, or Linux's fixed length): on entering
    /// TIME-WAIT, and when a retransmitted FIN arrives in it (3.10.7.4 eighth).
    fn restart_time_wait(&mut self, now: Instant, out: &mut Outputs) {
        self.arm(TimerKind::TimeWait, now + self.cfg.time_wait, out);
    }

    /// `<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>`: the answer to a SYN, first sent or again.
    fn send_syn_ack(&mut self, reason: SendReason, out: &mut Outputs) {
        let synack = self.segment(self.iss, Flags::SYN | Flags::ACK, 0);
        out.segment(synack, reason);
    }

    /// A new connection's send sequence space (3.3.1, 3.4.1): ISS chosen, SND.UNA = ISS,
    /// SND.NXT = ISS + 1 for the SYN about to be sent.
    fn choose_iss(&mut self, now: Instant) {
        self.iss = self.pick_iss(now);
        self.snd_una = self.iss;
        self.snd_nxt = self.iss + 1;
        self.snd_ptr = self.snd_nxt;
        self.last_rcv = now;
    }

    /// Our SYN (or SYN,ACK) is out: time it for the RTT (RFC 6298), enter `state`, and arm the
    /// retransmission and user timeouts.
    fn await_ack_of_syn(&mut self, now: Instant, state: State, cause: Cause, out: &mut Outputs) {
        self.rtt_probe = Some((self.snd_nxt, now));
        self.first_unacked_sent = Some(now);
        self.set_state(state, cause, out);
        self.arm_retransmit(now, out);
        self.arm_user_timeout(out);
    }

    /// The peer's window from `seg` (3.10.7.4): SND.WND = SEG.WND, SND.WL1 = SEG.SEQ,
    /// SND.WL2 = `wl2` (SEG.ACK, or ISS before anything of ours was acknowledged).
    fn take_window(&mut self, seg: &Segment, wl2: SeqNum) {
        self.snd_wnd = u32::from(seg.wnd);
        self.max_snd_wnd = self.max_snd_wnd.max(self.snd_wnd);
        self.snd_wl1 = seg.seq;
        self.snd_wl2 = wl2;
    }

    fn arm(&mut self, timer: TimerKind, deadline: Instant, out: &mut Outputs) {
        let slot = self.timers.slot(timer);
        if *slot != Some(deadline) {
            *slot = Some(deadline);
            out.event(EndpointEvent::Timer {
                timer,
                action: TimerAction::Armed { deadline },
            });
        }
    }

    fn cancel(&mut self, timer: TimerKind, out: &mut Outputs) {
        let slot = self.timers.slot(timer);
        if slot.take().is_some() {
            out.event(EndpointEvent::Timer {
                timer,
                action: TimerAction::Cancelled,
            });
        }
    }

    fn cancel_all_timers(&mut self, out: &mut Outputs) {
        for k in TimerKind::ALL {
            self.cancel(k, out);
        }
    }

    fn raise(&mut self, errno: Errno, out: &mut Outputs) {
        // An orphaned socket has no application to hand the error to, but the trace still
        // shows why its connection ended (an orphan giving up in FIN-WAIT-1 is ETIMEDOUT).
        if !self.orphan {
            self.error = Some(errno);
            self.error_reported = false;
        }
        out.event(EndpointEvent::Error(errno));
    }

    /// Go to CLOSED, flushing all queues (used by every reset and timeout arc).
    fn drop_connection(&mut self, cause: Cause, errno: Option<Errno>, out: &mut Outputs) {
        if let Some(e) = errno {
            self.raise(e, out);
        }
        self.fin_queued = false;
        self.first_unacked_sent = None;
        self.rtt_probe = None;
        self.set_state(State::Closed, cause, out);
    }

    fn remote_or_unspecified(&self) -> SocketAddrV4 {
        self.remote.unwrap_or(SocketAddrV4::new(0.into(), 0))
    }

    fn window_field(&self) -> u16 {
        self.rcv_wnd().min(65_535) as u16
    }

    /// Builds a segment from this endpoint with ACK=RCV.NXT when the ACK flag is set.
    fn segment(&self, seq: SeqNum, flags: Flags, len: u32) -> Segment {
        Segment {
            src: self.local,
            dst: self.remote_or_unspecified(),
            seq,
            ack: if flags.ack() { self.rcv_nxt } else { SeqNum(0) },
            flags,
            wnd: self.window_field(),
            len,
        }
    }

    /// `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`.
    fn send_ack(&mut self, why: SendReason, out: &mut Outputs) {
        let seg = self.segment(self.snd_nxt, Flags::ACK, 0);
        out.segment(seg, why);
    }

    /// An ACK in answer to an unacceptable segment or a challenge (RFC 5961), rate-limited as
    /// Linux's `tcp_invalid_ratelimit` when the profile says so.
    fn send_rate_limited_ack(&mut self, now: Instant, why: SendReason, out: &mut Outputs) {
        if let (Some(limit), Some(last)) = (self.cfg.invalid_ratelimit, self.last_oow_ack)
            && now.saturating_since(last) < limit
        {
            return;
        }
        self.last_oow_ack = Some(now);
        self.send_ack(why, out);
    }

    /// A reset we originate (ABORT and friends): `<SEQ=SND.NXT><CTL=RST>`, plus ACK=RCV.NXT in
    /// the Linux profile (tcp_send_active_reset).
    fn send_active_reset(&mut self, why: SendReason, out: &mut Outputs) {
        let flags = if self.cfg.rst_carries_ack {
            Flags::RST | Flags::ACK
        } else {
            Flags::RST
        };
        let mut seg = self.segment(self.snd_nxt, flags, 0);
        seg.wnd = 0;
        out.segment(seg, why);
    }

    /// RFC 9293 3.5.2 reply to `seg`, which we do not accept.
    fn send_reset_reply(&mut self, seg: &Segment, why: SendReason, out: &mut Outputs) {
        if let Some(rst) = seg.reset_reply() {
            out.segment(rst, why);
        }
    }

    fn pick_iss(&mut self, now: Instant) -> SeqNum {
        self.iss_override.take().unwrap_or_else(|| {
            initial_sequence_number(
                self.isn_secret,
                self.local,
                self.remote_or_unspecified(),
                now,
            )
        })
    }

    /// Forces the ISS of the next connection (Linux TIME-WAIT reuse: tw_snd_nxt + 65537).
    pub fn set_next_iss(&mut self, iss: SeqNum) {
        self.iss_override = Some(iss);
    }

    /// Stream offset of the first data byte: ISS + 1.
    fn data_start(&self) -> SeqNum {
        self.iss + 1
    }
    fn fin_seq(&self) -> SeqNum {
        self.data_start() + self.app_written as u32
    }
    fn fin_sent(&self) -> bool {
        self.fin_queued && self.snd_nxt == self.fin_seq() + 1
    }
    fn fin_acked(&self) -> bool {
        self.fin_sent() && self.snd_una == self.snd_nxt
    }
    /// Data bytes acknowledged by the peer.
    fn acked_bytes(&self) -> u64 {
        if !self.was_connected || self.snd_una == self.iss {
            return 0;
        }
        u64::from(self.snd_una.since(self.data_start())).min(self.app_written)
    }
    fn outstanding(&self) -> bool {
        self.snd_una != self.snd_nxt
    }
    fn can_send_data(&self) -> bool {
        matches!(
            self.state,
            State::Established
                | State::CloseWait
                | State::FinWait1
                | State::Closing
                | State::LastAck
        )
    }

    // ---------------------------------------------------------------- user calls (3.10.1-3.10.5)

    /// Passive OPEN (listen()): CLOSED -> LISTEN (3.10.1).
    pub fn listen(&mut self, out: &mut Outputs) -> Result<(), Errno> {
        match self.state {
            State::Closed if !self.was_connected => {
                self.passive = true;
                self.set_state(State::Listen, Cause::PassiveOpen, out);
                Ok(())
            }
            State::Listen => Ok(()),
            _ => Err(Errno::EISCONN),
        }
    }

    /// Active OPEN (connect()): send `<SEQ=ISS><CTL=SYN>`, go to SYN-SENT (3.10.1).
    pub fn connect(
        &mut self,
        now: Instant,
        remote: SocketAddrV4,
        out: &mut Outputs,
    ) -> Result<(), Errno> {
        match self.state {
            // "LISTEN, active with a remote socket: send SYN, go to SYN-SENT" is not offered:
            // the sockets API has no way to turn a listening socket into a client.
            State::Closed if !self.was_connected => {}
            State::Closed | State::Listen => return Err(Errno::EINVAL),
            State::SynSent | State::SynReceived => return Err(Errno::EISCONN),
            _ => return Err(Errno::EISCONN),
        }
        self.remote = Some(remote);
        self.passive = false;
        self.choose_iss(now);
        let syn = self.segment(self.iss, Flags::SYN, 0);
        out.segment(syn, SendReason::Syn);
        self.await_ack_of_syn(now, State::SynSent, Cause::ActiveOpen, out);
        Ok(())
    }

    /// SEND (3.10.2): queue `bytes` for sending; returns how many were accepted.
    pub fn send(&mut self, now: Instant, bytes: u64, out: &mut Outputs) -> Result<u64, Errno> {
        if let Some(e) = self.take_error() {
            return Err(e);
        }
        if self.wr_shutdown {
            return Err(Errno::EPIPE);
        }
        match self.state {
            State::Closed => {
                return Err(if self.was_connected {
                    Errno::EPIPE
                } else {
                    Errno::ENOTCONN
                });
            }
            State::Listen => return Err(Errno::ENOTCONN),
            // Queued until ESTABLISHED.
            State::SynSent | State::SynReceived | State::Established | State::CloseWait => {}
            // "error: connection closing"
            State::FinWait1
            | State::FinWait2
            | State::Closing
            | State::LastAck
            | State::TimeWait => {
                return Err(Errno::EPIPE);
            }
        }
        let room = u64::from(self.cfg.snd_buf).saturating_sub(self.send_queue());
        let stream_room = MAX_STREAM_BYTES - self.app_written;
        if stream_room == 0 {
            return Err(Errno::ENOBUFS);
        }
        let n = bytes.min(room).min(stream_room);
        if n == 0 {
            return Err(Errno::EAGAIN);
        }
        self.app_written += n;
        self.transmit(now, out);
        Ok(n)
    }

    /// RECEIVE (3.10.3): read up to `max` bytes from the receive buffer.
    pub fn recv(&mut self, max: u64, out: &mut Outputs) -> Result<Received, Errno> {
        if self.unread > 0 && !self.rd_shutdown {
            let n = self.unread.min(max);
            let before = self.rcv_wnd();
            self.unread -= n;
            // Window update (3.8.6.2.2): tell the peer when the window reopens by a full segment
            // from below one segment, so a sender stalled on a small window resumes.
            let after = self.rcv_wnd();
            if self.state.is_synchronized()
                && before < self.cfg.mss.min(self.cfg.rcv_buf / 2).max(1)
                && after >= self.cfg.mss.min(self.cfg.rcv_buf / 2).max(1)
                && !self.peer_fin
            {
                self.send_ack(SendReason::WindowUpdate, out);
            }
            return Ok(Received::Bytes(n));
        }
        if let Some(e) = self.take_error() {
            return Err(e);
        }
        if self.peer_fin || self.rd_shutdown {
            return Ok(Received::Eof);
        }
        match self.state {
            State::Closed if self.was_connected => Ok(Received::Eof),
            State::Closed | State::Listen => Err(Errno::ENOTCONN),
            _ => Err(Errno::EAGAIN),
        }
    }

    /// Reports the pending connection error once, as the next call would (SO_ERROR).
    pub fn take_error(&mut self) -> Option<Errno> {
        match self.error {
            Some(e) if !self.error_reported => {
                self.error_reported = true;
                Some(e)
            }
            _ => None,
        }
    }

    /// close() (3.10.4, Linux `__tcp_close`): the application gives up the socket.
    pub fn close(&mut self, now: Instant, out: &mut Outputs) -> Result<(), Errno> {
        if self.orphan {
            return Err(Errno::EBADF);
        }
        self.orphan = true;
        self.rd_shutdown = true;
        self.wr_shutdown = true;
        self.error = None;
        match self.state {
            State::Closed => {}
            // Delete the TCB; pending receives get "error: closing".
            State::Listen => self.set_state(State::Closed, Cause::Close, out),
            // Delete the TCB. No RST (3.10.4, Linux [PD]).
            State::SynSent => self.drop_connection(Cause::Close, None, out),
            // Unread data: RST instead of FIN (3.6.1 SHLD-3, RFC 2525 2.17).
            _ if self.unread > 0 => {
                self.unread = 0;
                self.send_active_reset(SendReason::RstUnreadData, out);
                self.drop_connection(Cause::CloseWithUnreadData, None, out);
            }
            // SO_LINGER 0: ABORT (Linux tcp_disconnect).
            _ if self.cfg.linger_zero => {
                if matches!(
                    self.state,
                    State::SynReceived
                        | State::Established
                        | State::CloseWait
                        | State::FinWait1
                        | State::FinWait2
                ) {
                    self.send_active_reset(SendReason::RstLingerZero, out);
                }
                self.drop_connection(Cause::LingerZero, None, out);
            }
            State::SynReceived | State::Established | State::CloseWait => {
                self.close_state(now, Cause::Close, out)
            }
            // The FIN is already on its way (shutdown(SHUT_WR) earlier); the socket is orphaned.
            State::FinWait2 => self.arm_fin_wait_2(now, out),
            State::FinWait1 | State::Closing | State::LastAck | State::TimeWait => {}
        }
        Ok(())
    }

    /// shutdown() (Linux `tcp_shutdown`): SHUT_WR sends FIN from ESTABLISHED, SYN-RECEIVED and
    /// CLOSE-WAIT; SHUT_RD changes nothing on the wire, it only stops reads.
    pub fn shutdown(
        &mut self,
        now: Instant,
        how: ShutdownHow,
        out: &mut Outputs,
    ) -> Result<(), Errno> {
        if matches!(self.state, State::Closed | State::Listen) {
            return Err(Errno::ENOTCONN);
        }
        if matches!(how, ShutdownHow::Read | ShutdownHow::Both) {
            self.rd_shutdown = true;
        }
        if matches!(how, ShutdownHow::Write | ShutdownHow::Both) && !self.wr_shutdown {
            self.wr_shutdown = true;
            match self.state {
                State::SynSent => self.drop_connection(Cause::ShutdownWrite, None, out),
                State::SynReceived | State::Established | State::CloseWait => {
                    self.close_state(now, Cause::ShutdownWrite, out)
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Linux `tcp_close_state()` for the states that send a FIN: ESTABLISHED and SYN-RECEIVED
    /// go to FIN-WAIT-1, CLOSE-WAIT to LAST-ACK; the FIN follows any queued data (3.10.4).
    fn close_state(&mut self, now: Instant, cause: Cause, out: &mut Outputs) {
        let to = if self.state == State::CloseWait {
            State::LastAck
        } else {
            State::FinWait1
        };
        self.fin_queued = true;
        self.set_state(to, cause, out);
        self.transmit(now, out);
    }

    /// ABORT (3.10.5): RST where the state calls for one, flush, CLOSED.
    pub fn abort(&mut self, out: &mut Outputs) -> Result<(), Errno> {
        match self.state {
            State::Closed => return Err(Errno::ENOTCONN),
            State::Listen | State::SynSent => {}
            State::SynReceived
            | State::Established
            | State::FinWait1
            | State::FinWait2
            | State::CloseWait => self.send_active_reset(SendReason::RstAbort, out),
            // "ok", no RST.
            State::Closing | State::LastAck | State::TimeWait => {}
        }
        self.unread = 0;
        self.drop_connection(Cause::Abort, None, out);
        Ok(())
    }

    /// setsockopt(): changes a parameter and re-arms the timers it affects.
    pub fn set_option(
        &mut self,
        now: Instant,
        opt: SockOpt,
        out: &mut Outputs,
    ) -> Result<(), Errno> {
        match opt {
            SockOpt::LingerZero(on) => self.config_mut().linger_zero = on,
            SockOpt::Keepalive(on) => self.config_mut().keepalive.enabled = on,
            SockOpt::KeepIdle(d) | SockOpt::KeepIntvl(d) if d.is_zero() => {
                return Err(Errno::EINVAL);
            }
            SockOpt::KeepIdle(d) => self.config_mut().keepalive.idle = d,
            SockOpt::KeepIntvl(d) => self.config_mut().keepalive.interval = d,
            SockOpt::KeepCnt(0) => return Err(Errno::EINVAL),
            SockOpt::KeepCnt(n) => self.config_mut().keepalive.probes = n.min(127),
            SockOpt::UserTimeout(d) => {
                self.config_mut().user_timeout = if d.is_zero() { None } else { Some(d) };
                if self.cfg.user_timeout.is_none() {
                    self.cancel(TimerKind::UserTimeout, out);
                } else {
                    self.arm_user_timeout(out);
                }
            }
        }
        if matches!(
            opt,
            SockOpt::Keepalive(_)
                | SockOpt::KeepIdle(_)
                | SockOpt::KeepIntvl(_)
                | SockOpt::KeepCnt(_)
        ) {
            self.arm_keepalive(now, out);
        }
        Ok(())
    }

    /// Whether `seg`, arriving for this connection, is a new connection's SYN that may take its
    /// address pair over (for a listener that wants it): in TIME-WAIT, a SYN above RCV.NXT
    /// (Linux tcp_timewait_state_process, RFC 9293 3.6.1 MAY-2; without timestamps, the
    /// sequence number is all there is to tell an old duplicate from a new connection).
    pub fn syn_may_reuse(&self, seg: &Segment) -> bool {
        self.state == State::TimeWait
            && seg.flags.syn()
            && !seg.flags.ack()
            && !seg.flags.rst()
            && seg.seq.after(self.rcv_nxt)
    }

    /// A SYN reuses this connection's address pair while it is in TIME-WAIT (Linux
    /// tcp_timewait_state_process, RFC 9293 3.6.1 MAY-2): TIME-WAIT ends at once. Returns the
    /// ISS the new connection should use, tw_snd_nxt + 65537.
    pub fn end_time_wait_for_reuse(&mut self, out: &mut Outputs) -> SeqNum {
        self.set_state(State::Closed, Cause::TimeWaitReuse, out);
        self.snd_nxt + 65_537
    }

    /// The listening socket that owned this un-accepted connection closed (Linux
    /// inet_csk_listen_stop -> tcp_disconnect): RST if established, then CLOSED.
    pub fn listener_closed(&mut self, out: &mut Outputs) {
        if matches!(
            self.state,
            State::SynReceived | State::Established | State::CloseWait
        ) {
            self.send_active_reset(SendReason::RstListenerClosed, out);
        }
        self.orphan = true;
        self.drop_connection(Cause::ListenerClosed, None, out);
    }

    /// The host crashed: the TCB vanishes without a segment.
    pub fn vanish(&mut self, out: &mut Outputs) {
        self.orphan = true;
        self.drop_connection(Cause::HostCrash, None, out);
    }

    // ---------------------------------------------------------------- sending

    /// Sends what the window allows: new data, then the FIN (3.10.2, 3.10.4).
    fn transmit(&mut self, now: Instant, out: &mut Outputs) {
        self.transmit_limited(now, u32::MAX, out);
    }

    /// Sends at most `max_segments` segments from `snd_ptr`. Returns how many were sent.
    fn transmit_limited(&mut self, now: Instant, max_segments: u32, out: &mut Outputs) -> u32 {
        if !self.can_send_data() {
            return 0;
        }
        let mut sent = 0;
        while sent < max_segments {
            let fin_seq = self.fin_seq();
            // Offset of the next byte to (re)send.
            let ptr_off = u64::from(self.snd_ptr.since(self.data_start()));
            if self.fin_queued && self.snd_ptr == fin_seq + 1 {
                break; // everything, FIN included, is out
            }
            let data_left = self.app_written.saturating_sub(ptr_off);
            // Usable window (3.8.6.2.1): SND.UNA + SND.WND - ptr.
            let in_flight = self.snd_ptr.since(self.snd_una);
            let usable = self.snd_wnd.saturating_sub(in_flight);
            let retransmitting = self.snd_ptr.before(self.snd_nxt);
            // Go-back-N after an RTO resends even beyond a window that shrank meanwhile.
            let allowance = if retransmitting { self.cfg.mss } else { usable };
            let n = data_left
                .min(u64::from(self.cfg.mss))
                .min(u64::from(allowance)) as u32;
            let fin_here = self.fin_queued && u64::from(n) == data_left;
            if n == 0 && !fin_here {
                break;
            }
            let mut flags = Flags::ACK;
            if n > 0 && u64::from(n) == data_left {
                flags = flags | Flags::PSH;
            }
            if fin_here {
                flags = flags | Flags::FIN;
            }
            let seg = self.segment(self.snd_ptr, flags, n);
            let why = if retransmitting {
                SendReason::Retransmit
            } else if n > 0 {
                SendReason::Data
            } else {
                SendReason::Fin
            };
            out.segment(seg, why);
            let end = self.snd_ptr + seg.seg_len();
            if !retransmitting && self.rtt_probe.is_none() {
                self.rtt_probe = Some((end, now));
            }
            if self.first_unacked_sent.is_none() {
                self.first_unacked_sent = Some(now);
            }
            self.snd_ptr = end;
            if self.snd_ptr.after(self.snd_nxt) {
                self.snd_nxt = self.snd_ptr;
            }
            sent += 1;
        }
        if self.outstanding() {
            if self.timers.get(TimerKind::Retransmit).is_none() {
                self.arm_retransmit(now, out);
            }
            self.arm_user_timeout(out);
            self.cancel(TimerKind::Persist, out);
        } else if self.snd_wnd == 0
            && self.app_written > u64::from(self.snd_ptr.since(self.data_start()))
        {
            // Zero window with data waiting: probe (3.8.6.1).
            if self.timers.get(TimerKind::Persist).is_none() {
                let at = now + self.persist_interval();
                self.arm(TimerKind::Persist, at, out);
            }
        }
        self.arm_keepalive(now, out);
        sent
    }

    fn persist_interval(&self) -> Duration {
        let base = self.rto.max(self.cfg.rto_min);
        base.saturating_mul(1 << self.persist_backoff.min(16))
            .min(self.cfg.rto_max)
    }

    fn arm_retransmit(&mut self, now: Instant, out: &mut Outputs) {
        self.arm(TimerKind::Retransmit, now + self.rto, out);
    }

    fn arm_user_timeout(&mut self, out: &mut Outputs) {
        if let (Some(ut), Some(first)) = (self.cfg.user_timeout, self.first_unacked_sent) {
            self.arm(TimerKind::UserTimeout, first + ut, out);
        }
    }

    /// Linux `tcp_fin_time()`: `tcp_fin_timeout`, but at least 3.5 RTO; only for orphans.
    fn arm_fin_wait_2(&mut self, now: Instant, out: &mut Outputs) {
        if self.state != State::FinWait2 || !self.orphan {
            return;
        }
        if let Some(fin_timeout) = self.cfg.fin_timeout {
            let floor = Duration::from_micros(self.rto.as_micros() * 7 / 2);
            self.arm(TimerKind::FinWait2, now + fin_timeout.max(floor), out);
        }
    }

    /// Keep-alive is armed while the connection is synchronized, idle and not closing for good.
    fn arm_keepalive(&mut self, now: Instant, out: &mut Outputs) {
        let eligible = self.cfg.keepalive.enabled
            && matches!(
                self.state,
                State::Established | State::CloseWait | State::FinWait1 | State::FinWait2
            )
            && !self.outstanding();
        if !eligible {
            self.cancel(TimerKind::Keepalive, out);
            return;
        }
        let at = if self.keepalive_probes_out == 0 {
            self.last_rcv + self.cfg.keepalive.idle
        } else {
            // Probes are already out: keep their cadence.
            match self.timers.get(TimerKind::Keepalive) {
                Some(t) => t,
                None => now + self.cfg.keepalive.interval,
            }
        };
        self.arm(TimerKind::Keepalive, at, out);
    }

    // ---------------------------------------------------------------- RTT (RFC 6298)

    fn rtt_sample(&mut self, r: Duration) {
        let r = r.as_micros();
        match self.srtt {
            None => {
                // (2.2)
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(srtt) => {
                // (2.3) alpha = 1/8, beta = 1/4
                let diff = srtt.abs_diff(r);
                self.rttvar = self.rttvar.saturating_mul(3).saturating_add(diff) / 4;
                self.srtt = Some(srtt.saturating_mul(7).saturating_add(r) / 8);
            }
        }
        self.update_rto();
    }

    fn update_rto(&mut self) {
        if let Some(srtt) = self.srtt {
            // RTO = SRTT + max(G, 4 RTTVAR), G = 1 ms; (2.4) and (2.5) bounds.
            let rto = Duration::from_micros(
                srtt.saturating_add(self.rttvar.saturating_mul(4).max(1_000)),
            );
            self.rto = rto.max(self.cfg.rto_min).min(self.cfg.rto_max);
        }
    }

    // ---------------------------------------------------------------- SEGMENT ARRIVES (3.10.7)

    /// Processes a segment addressed to this endpoint.
    pub fn on_segment(&mut self, now: Instant, seg: &Segment, out: &mut Outputs) {
        match self.state {
            State::Closed => self.on_segment_closed(seg, out),
            State::Listen => self.on_segment_listen(now, seg, out),
            State::SynSent => self.on_segment_syn_sent(now, seg, out),
            _ => self.on_segment_synchronized(now, seg, out),
        }
    }

    /// 3.10.7.1 CLOSED: drop data; a RST is dropped; anything else gets a RST.
    fn on_segment_closed(&mut self, seg: &Segment, out: &mut Outputs) {
        self.send_reset_reply(seg, SendReason::RstNoSocket, out);
    }

    /// 3.10.7.2 LISTEN.
    fn on_segment_listen(&mut self, now: Instant, seg: &Segment, out: &mut Outputs) {
        // First: an incoming RST is ignored.
        if seg.flags.rst() {
            return;
        }
        // Second: any ACK is bad in LISTEN: <SEQ=SEG.ACK><CTL=RST>.
        if seg.flags.ack() {
            self.send_reset_reply(seg, SendReason::RstBadAck, out);
            return;
        }
        // Third: a SYN. RCV.NXT = SEG.SEQ+1, IRS = SEG.SEQ, send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
        if seg.flags.syn() {
            self.remote = Some(seg.src);
            self.passive = true;
            self.irs = seg.seq;
            self.rcv_nxt = seg.seq + 1;
            self.choose_iss(now);
            self.take_window(seg, self.iss);
            self.send_syn_ack(SendReason::SynAck, out);
            self.await_ack_of_syn(now, State::SynReceived, Cause::RcvSyn, out);
        }
        // Fourth: anything else is dropped.
    }

    /// 3.10.7.3 SYN-SENT.
    fn on_segment_syn_sent(&mut self, now: Instant, seg: &Segment, out: &mut Outputs) {
        // First: the ACK. Unacceptable if SEG.ACK =< ISS or SEG.ACK > SND.NXT.
        let mut ack_ok = false;
        if seg.flags.ack() {
            if seg.ack.before_eq(self.iss) || seg.ack.after(self.snd_nxt) {
                if !seg.flags.rst() {
                    self.send_reset_reply(seg, SendReason::RstBadAck, out);
                }
                return;
            }
            ack_ok = self.snd_una.before(seg.ack) && seg.ack.before_eq(self.snd_nxt);
        }
        // Second: RST. With an acceptable ACK: "connection reset" (refused), CLOSED.
        if seg.flags.rst() {
            if ack_ok {
                self.last_rcv = now;
                self.drop_connection(Cause::RcvRst, Some(Errno::ECONNREFUSED), out);
            }
            return;
        }
        // Fourth: SYN.
        if !seg.flags.syn() {
            return; // Fifth: neither SYN nor RST: drop.
        }
        self.last_rcv = now;
        self.irs = seg.seq;
        self.rcv_nxt = seg.seq + 1;
        if ack_ok {
            self.snd_una = seg.ack;
            self.snd_ptr = self.snd_nxt;
            self.ack_timing(now);
        }
        self.take_window(seg, seg.ack);
        if self.snd_una.after(self.iss) {
            // Our SYN is acknowledged: ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
            self.cancel(TimerKind::Retransmit, out);
            self.cancel(TimerKind::UserTimeout, out);
            self.set_state(State::Established, Cause::RcvSynAck, out);
            self.send_ack(SendReason::Ack, out);
            self.transmit(now, out);
        } else {
            // Simultaneous open: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
            self.passive = false;
            self.send_syn_ack(SendReason::SynAck, out);
            self.set_state(State::SynReceived, Cause::SimultaneousOpen, out);
        }
    }

    /// Completes RTT measurement and Karn bookkeeping when SND.UNA advances.
    fn ack_timing(&mut self, now: Instant) {
        if let Some((probe, sent_at)) = self.rtt_probe
            && probe.before_eq(self.snd_una)
        {
            // Karn (RFC 6298 3): the probe is cleared on any retransmission, so this sample is clean.
            self.rtt_sample(now.saturating_since(sent_at));
            self.rtt_probe = None;
        }
        self.retransmissions = 0;
        self.first_unacked_sent = if self.outstanding() { Some(now) } else { None };
        if self.syn_retransmitted && self.srtt.is_none() {
            // RFC 6298 (5.7): the SYN timed out, so start data with RTO >= 3 s.
            self.rto = self.rto.max(self.cfg.rto_syn_fallback);
        } else {
            self.update_rto();
        }
        self.syn_retransmitted = false;
    }

    /// RFC 9293 Table 6: is the segment's sequence acceptable?
    fn acceptable(&self, seg: &Segment) -> bool {
        let len = seg.seg_len();
        let wnd = self.rcv_wnd();
        match (len, wnd) {
            (0, 0) => seg.seq == self.rcv_nxt,
            (0, _) => seg.seq.in_window(self.rcv_nxt, wnd),
            // Linux also accepts a bare FIN at RCV.NXT with a zero window [PD].
            (_, 0) => seg.seq == self.rcv_nxt && seg.len == 0 && seg.flags.fin(),
            (_, _) => {
                seg.seq.in_window(self.rcv_nxt, wnd)
                    || (seg.seq + (len - 1)).in_window(self.rcv_nxt, wnd)
            }
        }
    }

    /// 3.10.7.4: SYN-RECEIVED and the synchronized states.
    fn on_segment_synchronized(&mut self, now: Instant, seg: &Segment, out: &mut Outputs) {
        let mut seg = *seg;

        // Linux tcp_check_req: a retransmitted SYN in SYN-RECEIVED (our SYN,ACK was lost) is
        // answered by retransmitting the SYN,ACK rather than a bare ACK.
        if self.state == State::SynReceived
            && seg.flags.syn()
            && !seg.flags.ack()
            && !seg.flags.rst()
            && seg.seq == self.irs
        {
            self.send_syn_ack(SendReason::SynAck, out);
            return;
        }
        // Simultaneous open (RFC 9293 Figure 8; Linux tcp_validate_incoming): the peer's SYN,ACK
        // reaches us in SYN-RECEIVED. Its SYN is old (we have it), its ACK is new: drop the SYN.
        if self.state == State::SynReceived
            && seg.flags.syn()
            && seg.flags.ack()
            && !seg.flags.rst()
            && seg.seq + 1 == self.rcv_nxt
            && seg.ack == self.snd_nxt
        {
            seg.flags = seg.flags.without(Flags::SYN);
            seg.seq = self.rcv_nxt;
        }

        // First: sequence number check (Table 6).
        let mut refused_data = false;
        if !self.acceptable(&seg) {
            // With a zero window, ACK and RST still count (3.10.7.4): process the segment as
            // if it carried no data; the data itself is not accepted.
            let zero_window_control = self.rcv_wnd() == 0 && seg.seq == self.rcv_nxt;
            if !zero_window_control {
                if seg.flags.rst() {
                    return; // an unacceptable RST is dropped silently
                }
                // A retransmitted FIN in TIME-WAIT: ACK it and restart 2 MSL (3.10.7.4 eighth,
                // Linux tcp_timewait_state_process).
                if self.state == State::TimeWait && seg.flags.fin() {
                    self.send_ack(SendReason::DupAck, out);
                    self.restart_time_wait(now, out);
                    return;
                }
                self.send_rate_limited_ack(now, SendReason::DupAck, out);
                return;
            }
            refused_data = seg.len > 0 || seg.flags.fin();
            seg.len = 0;
            seg.flags = seg.flags.without(Flags::FIN);
        }
        self.last_rcv = now;
        self.keepalive_probes_out = 0;

        // Second: RST (RFC 5961 3.2).
        if seg.flags.rst() {
            if self.cfg.rfc5961 && seg.seq != self.rcv_nxt {
                self.send_rate_limited_ack(now, SendReason::ChallengeAck, out);
                return;
            }
            self.on_reset(out);
            return;
        }

        // Fourth: SYN.
        if seg.flags.syn() {
            if self.state == State::SynReceived && self.passive {
                // "If the connection was initiated with a passive OPEN, return to LISTEN."
                self.snd_una = SeqNum(0);
                self.snd_nxt = SeqNum(0);
                self.fin_queued = false;
                self.set_state(State::Listen, Cause::RcvSynInSynReceived, out);
                return;
            }
            if self.cfg.rfc5961 {
                // RFC 5961 4.2: challenge ACK for any SYN, drop it.
                self.send_rate_limited_ack(now, SendReason::ChallengeAck, out);
            } else {
                // RFC 793: an in-window SYN is an error: RST, flush, CLOSED.
                self.send_active_reset(SendReason::RstAbort, out);
                self.drop_connection(Cause::RcvRst, Some(Errno::ECONNRESET), out);
            }
            return;
        }

        // Fifth: ACK. Without ACK, drop.
        if !seg.flags.ack() {
            return;
        }
        if !self.on_ack(now, &seg, out) {
            return;
        }

        // Seventh: segment text. Data refused for a zero window is still answered with an ACK.
        let mut need_ack = refused_data;
        let mut fin_in_order = seg.flags.fin();
        if seg.len > 0 {
            match self.state {
                State::Established | State::FinWait1 | State::FinWait2 => {
                    match self.accept_text(&seg, out) {
                        TextOutcome::Accepted { complete } => {
                            need_ack = true;
                            fin_in_order &= complete;
                        }
                        TextOutcome::OutOfOrder => {
                            need_ack = true;
                            fin_in_order = false;
                        }
                        TextOutcome::ResetAfterClose => return,
                    }
                }
                // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: the peer already sent its FIN; ignore.
                _ => {}
            }
        }

        // Eighth: FIN, processed only once everything before it has arrived.
        if fin_in_order && seg.seq + seg.len == self.rcv_nxt {
            self.rcv_nxt = self.rcv_nxt + 1;
            self.peer_fin = true;
            need_ack = true;
            match self.state {
                State::SynReceived | State::Established => {
                    self.set_state(State::CloseWait, Cause::RcvFin, out);
                }
                State::FinWait1 => {
                    if self.fin_acked() {
                        // Figure 5 Note 2: FIN and the ACK of our FIN together.
                        self.enter_time_wait(now, Cause::RcvFinAndAck, out);
                    } else {
                        self.set_state(State::Closing, Cause::RcvFin, out);
                    }
                }
                State::FinWait2 => self.enter_time_wait(now, Cause::RcvFin, out),
                State::TimeWait => self.restart_time_wait(now, out),
                _ => {}
            }
        }

        if need_ack {
            // Piggyback on data if there is any to send; otherwise a bare ACK.
            let sent = self.transmit_limited(now, u32::MAX, out);
            if sent == 0 {
                self.send_ack(SendReason::Ack, out);
            }
        } else {
            self.transmit(now, out);
        }
        self.arm_keepalive(now, out);
    }

    /// 3.10.7.4 second check: a reset that passed the sequence and RFC 5961 checks.
    fn on_reset(&mut self, out: &mut Outputs) {
        match self.state {
            State::SynReceived if self.passive => {
                // Back to LISTEN (Note 1); the retransmission queue is flushed.
                self.fin_queued = false;
                self.first_unacked_sent = None;
                self.set_state(State::Listen, Cause::RcvRst, out);
            }
            State::SynReceived => {
                self.drop_connection(Cause::RcvRst, Some(Errno::ECONNREFUSED), out)
            }
            State::Established | State::FinWait1 | State::FinWait2 => {
                self.drop_connection(Cause::RcvRst, Some(Errno::ECONNRESET), out)
            }
            // Linux tcp_reset(): EPIPE in CLOSE_WAIT.
            State::CloseWait => self.drop_connection(Cause::RcvRst, Some(Errno::EPIPE), out),
            State::TimeWait if self.cfg.rfc1337 => {} // RFC 1337: ignore RSTs in TIME-WAIT
            State::Closing | State::LastAck | State::TimeWait => {
                self.drop_connection(Cause::RcvRst, None, out)
            }
            State::Closed | State::Listen | State::SynSent => {}
        }
    }

    /// 3.10.7.4 fifth check. Returns whether processing continues.
    fn on_ack(&mut self, now: Instant, seg: &Segment, out: &mut Outputs) -> bool {
        if self.state == State::SynReceived {
            if self.snd_una.before(seg.ack) && seg.ack.before_eq(self.snd_nxt) {
                // ESTABLISHED; SND.WND = SEG.WND, SND.WL1 = SEG.SEQ, SND.WL2 = SEG.ACK.
                self.snd_una = seg.ack;
                self.snd_ptr = self.snd_ptr.max_seq(self.snd_una);
                self.take_window(seg, seg.ack);
                self.ack_timing(now);
                self.cancel(TimerKind::Retransmit, out);
                self.cancel(TimerKind::UserTimeout, out);
                self.set_state(State::Established, Cause::RcvAckOfSyn, out);
                // A close() queued in SYN-RECEIVED already moved us to FIN-WAIT-1 (Linux), so
                // nothing else is pending here.
            } else {
                // <SEQ=SEG.ACK><CTL=RST>
                self.send_reset_reply(seg, SendReason::RstBadAck, out);
                return false;
            }
        }

        // RFC 5961 5.2: acceptable if SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT.
        let oldest = self.snd_una - self.max_snd_wnd.max(1);
        if seg.ack.after(self.snd_nxt) || seg.ack.before(oldest) {
            self.send_rate_limited_ack(now, SendReason::DupAck, out);
            return false;
        }

        if self.snd_una.before(seg.ack) {
            // New data (or our FIN) acknowledged.
            let acked_before = self.acked_bytes();
            self.snd_una = seg.ack;
            self.snd_ptr = self.snd_ptr.max_seq(self.snd_una);
            self.ack_timing(now);
            if self.acked_bytes() != acked_before {
                out.event(EndpointEvent::DataAcked {
                    total: self.acked_bytes(),
                });
            }
            if self.outstanding() {
                // RFC 6298 (5.3): restart the timer.
                self.arm_retransmit(now, out);
                self.arm_user_timeout(out);
            } else {
                // (5.2): all acknowledged: turn the timer off.
                self.cancel(TimerKind::Retransmit, out);
                self.cancel(TimerKind::UserTimeout, out);
            }
        }
        // Window update (3.10.7.4): SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK.
        if self.snd_una.before_eq(seg.ack)
            && (self.snd_wl1.before(seg.seq)
                || (self.snd_wl1 == seg.seq && self.snd_wl2.before_eq(seg.ack)))
        {
            let opened = self.snd_wnd == 0 && seg.wnd > 0;
            self.take_window(seg, seg.ack);
            if opened {
                self.persist_backoff = 0;
                self.cancel(TimerKind::Persist, out);
            }
        }

        match self.state {
            State::FinWait1 if self.fin_acked() => {
                // With a FIN in order in the same segment, Note 2 takes us straight to TIME-WAIT
                // in the FIN step; otherwise FIN-WAIT-2.
                let fin_now = seg.flags.fin() && seg.seq + seg.len == self.rcv_nxt;
                if !fin_now {
                    self.set_state(State::FinWait2, Cause::RcvAckOfFin, out);
                    self.arm_fin_wait_2(now, out);
                }
            }
            State::Closing if self.fin_acked() => {
                self.enter_time_wait(now, Cause::RcvAckOfFin, out);
                return false;
            }
            State::LastAck if self.fin_acked() => {
                self.set_state(State::Closed, Cause::RcvAckOfFin, out);
                return false;
            }
            State::TimeWait => {
                // Only a retransmitted FIN can arrive; handled in the FIN step.
            }
            _ => {}
        }
        true
    }

    /// 3.10.7.4 seventh check for ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2.
    fn accept_text(&mut self, seg: &Segment, out: &mut Outputs) -> TextOutcome {
        if seg.seq.after(self.rcv_nxt) {
            // Out of order: not queued (see module docs); the duplicate ACK asks for the gap.
            return TextOutcome::OutOfOrder;
        }
        let skip = self.rcv_nxt.since(seg.seq);
        let new = seg.len.saturating_sub(skip);
        if new == 0 {
            return TextOutcome::Accepted { complete: true };
        }
        // Data after close (3.6.1 SHLD-3; Linux tcp_rcv_state_process, "RFC 1122 says we MUST
        // send a reset"): the application can no longer read it.
        if self.rd_shutdown && matches!(self.state, State::FinWait1 | State::FinWait2) {
            self.send_reset_reply(seg, SendReason::RstDataAfterClose, out);
            self.drop_connection(Cause::DataAfterClose, None, out);
            return TextOutcome::ResetAfterClose;
        }
        let take = new.min(self.rcv_wnd());
        let offset = self.rcv_total;
        self.rcv_nxt = self.rcv_nxt + take;
        self.unread += u64::from(take);
        self.rcv_total += u64::from(take);
        if take > 0 {
            out.event(EndpointEvent::DataReceived { offset, len: take });
        }
        TextOutcome::Accepted {
            complete: take == new,
        }
    }

    // ---------------------------------------------------------------- TIMEOUTS (3.10.8)

    /// Fires every timer due at `now`, in a fixed order.
    pub fn on_timeout(&mut self, now: Instant, out: &mut Outputs) {
        for timer in TimerKind::ALL {
            match self.timers.get(timer) {
                Some(at) if at <= now => {}
                _ => continue,
            }
            *self.timers.slot(timer) = None;
            out.event(EndpointEvent::Timer {
                timer,
                action: TimerAction::Fired,
            });
            match timer {
                TimerKind::UserTimeout => {
                    // "flush all queues, signal 'connection aborted due to user timeout', CLOSED".
                    self.drop_connection(Cause::UserTimeout, Some(Errno::ETIMEDOUT), out);
                }
                TimerKind::Retransmit => self.on_retransmit_timeout(now, out),
                TimerKind::Persist => self.on_persist_timeout(now, out),
                TimerKind::Keepalive => self.on_keepalive_timeout(now, out),
                TimerKind::FinWait2 => {
                    // Linux: the orphaned FIN-WAIT-2 socket is dropped silently.
                    self.drop_connection(Cause::FinWait2Timeout, None, out);
                }
                TimerKind::TimeWait => self.set_state(State::Closed, Cause::TimeWaitTimeout, out),
            }
            if self.state == State::Closed {
                return;
            }
        }
    }

    /// RETRANSMISSION TIMEOUT: give up past the profile's budget, otherwise resend the head of
    /// the queue, double the RTO (RFC 6298 5.5) and restart the timer (5.6).
    fn on_retransmit_timeout(&mut self, now: Instant, out: &mut Outputs) {
        if !self.outstanding() {
            return;
        }
        // Our SYN is still unacknowledged (SYN-SENT, SYN-RECEIVED, or a close() in SYN-RECEIVED).
        let syn_unacked = self.snd_una == self.iss;
        let (retries, base) = match self.state {
            State::SynSent => (self.cfg.syn_retries, self.cfg.rto_initial),
            _ if syn_unacked => (self.cfg.synack_retries, self.cfg.rto_initial),
            _ if self.orphan => (self.cfg.orphan_retries, self.cfg.rto_min),
            _ => (self.cfg.retries2, self.cfg.rto_min),
        };
        let budget = retransmission_budget(retries, base, self.cfg.rto_max);
        let first = self.first_unacked_sent.unwrap_or(now);
        if now.saturating_since(first) >= budget {
            self.drop_connection(Cause::RetransmitTimeout, Some(Errno::ETIMEDOUT), out);
            return;
        }
        self.retransmissions += 1;
        self.rto = self.rto.saturating_mul(2).min(self.cfg.rto_max);
        self.rtt_probe = None; // Karn
        match self.state {
            State::SynSent => {
                self.syn_retransmitted = true;
                let syn = self.segment(self.iss, Flags::SYN, 0);
                out.segment(syn, SendReason::Retransmit);
            }
            _ if syn_unacked => {
                self.syn_retransmitted = true;
                self.send_syn_ack(SendReason::Retransmit, out);
            }
            _ => {
                // Go back to SND.UNA and resend one segment.
                self.snd_ptr = self.snd_una;
                self.transmit_limited(now, 1, out);
            }
        }
        self.arm_retransmit(now, out);
    }

    /// Zero-window probe (Linux tcp_write_wakeup): SEQ=SND.UNA-1, no data, elicits an ACK that
    /// carries the current window.
    fn on_persist_timeout(&mut self, now: Instant, out: &mut Outputs) {
        if self.snd_wnd > 0 || !self.can_send_data() {
            self.transmit(now, out);
            return;
        }
        let probe = self.segment(self.snd_una - 1, Flags::ACK, 0);
        out.segment(probe, SendReason::ZeroWindowProbe);
        self.persist_backoff = self.persist_backoff.saturating_add(1);
        let at = now + self.persist_interval();
        self.arm(TimerKind::Persist, at, out);
    }

    /// Keep-alive (3.8.4; Linux tcp_keepalive_timer): after `idle` without receiving anything,
    /// probe every `interval`; after `probes` unanswered probes, RST and ETIMEDOUT.
    fn on_keepalive_timeout(&mut self, now: Instant, out: &mut Outputs) {
        if !self.cfg.keepalive.enabled || self.outstanding() {
            self.arm_keepalive(now, out);
            return;
        }
        let idle = now.saturating_since(self.last_rcv);
        if self.keepalive_probes_out == 0 && idle < self.cfg.keepalive.idle {
            self.arm_keepalive(now, out);
            return;
        }
        if self.keepalive_probes_out >= self.cfg.keepalive.probes {
            self.send_active_reset(SendReason::RstKeepalive, out);
            self.drop_connection(Cause::KeepaliveTimeout, Some(Errno::ETIMEDOUT), out);
            return;
        }
        // SEQ = SND.NXT - 1, zero length (SHLD-12).
        let probe = self.segment(self.snd_nxt - 1, Flags::ACK, 0);
        out.segment(probe, SendReason::KeepaliveProbe);
        self.keepalive_probes_out += 1;
        self.arm(TimerKind::Keepalive, now + self.cfg.keepalive.interval, out);
    }
}

enum TextOutcome {
    /// In-order data was taken; `complete` is false when the window cut it short.
    Accepted {
        complete: bool,
    },
    OutOfOrder,
    ResetAfterClose,
}

trait MaxSeq {
    fn max_seq(self, other: SeqNum) -> SeqNum;
}
impl MaxSeq for SeqNum {
    fn max_seq(self, other: SeqNum) -> SeqNum {
        if other.after(self) { other } else { self }
    }
}
