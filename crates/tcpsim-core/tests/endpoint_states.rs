//! Per-state tests of the endpoint, in the style of smoltcp's socket tests: a fixture per state,
//! a segment template, and one test per RFC 9293 rule (section in the test's comment).

use tcpsim_core::endpoint::{Endpoint, EndpointEvent, Outputs, TimerKind};
use tcpsim_core::prelude::*;

const L_ISS: u32 = 1_000; // our ISS (forced in the fixtures)
const R_ISS: u32 = 5_000; // the peer's ISS

fn local() -> std::net::SocketAddrV4 {
    "192.168.1.1:80".parse().unwrap()
}
fn remote() -> std::net::SocketAddrV4 {
    "192.168.1.2:49500".parse().unwrap()
}

/// A segment from the peer. Sequence numbers are absolute.
fn seg(flags: Flags, seq: u32, ack: u32, len: u32) -> Segment {
    Segment {
        src: remote(),
        dst: local(),
        seq: SeqNum(seq),
        ack: SeqNum(ack),
        flags,
        wnd: 65_535,
        len,
    }
}
const ACK: Flags = Flags::ACK;
const SYN: Flags = Flags::SYN;
const RST: Flags = Flags::RST;
fn fin_ack() -> Flags {
    Flags::FIN | Flags::ACK
}

/// An endpoint with a clock and the outputs of the last input.
struct T {
    ep: Endpoint,
    now: Instant,
    out: Outputs,
}

impl T {
    fn new(cfg: TcpConfig) -> T {
        let mut ep = Endpoint::new(cfg, local(), 7);
        ep.set_next_iss(SeqNum(L_ISS));
        T {
            ep,
            now: Instant::ZERO,
            out: Outputs::new(),
        }
    }
    /// Delivers `s` at the current time; returns what was sent in answer.
    fn input(&mut self, s: Segment) -> Vec<(Segment, SendReason)> {
        self.out.clear();
        self.ep.on_segment(self.now, &s, &mut self.out);
        self.sent()
    }
    fn sent(&self) -> Vec<(Segment, SendReason)> {
        self.out.segments().map(|(s, r)| (*s, r)).collect()
    }
    fn advance(&mut self, d: Duration) -> Vec<(Segment, SendReason)> {
        self.now += d;
        self.out.clear();
        self.ep.on_timeout(self.now, &mut self.out);
        self.sent()
    }
    /// Fires every timer up to `until`, one deadline at a time; returns all segments sent.
    fn run_timers_until(&mut self, until: Instant) -> Vec<(Instant, Segment, SendReason)> {
        let mut all = Vec::new();
        while let Some(at) = self.ep.poll_at() {
            if at > until {
                break;
            }
            self.now = at;
            self.out.clear();
            self.ep.on_timeout(at, &mut self.out);
            all.extend(self.sent().into_iter().map(|(s, r)| (at, s, r)));
        }
        all
    }
    fn call<R>(&mut self, f: impl FnOnce(&mut Endpoint, Instant, &mut Outputs) -> R) -> R {
        self.out.clear();
        f(&mut self.ep, self.now, &mut self.out)
    }
    fn state(&self) -> State {
        self.ep.state()
    }
    fn errors(&self) -> Vec<Errno> {
        self.out
            .events()
            .filter_map(|e| match e {
                EndpointEvent::Error(e) => Some(*e),
                _ => None,
            })
            .collect()
    }
    fn causes(&self) -> Vec<Cause> {
        self.out
            .events()
            .filter_map(|e| match e {
                EndpointEvent::StateChanged { cause, .. } => Some(*cause),
                _ => None,
            })
            .collect()
    }
}

/// Asserts that exactly one segment was sent, with these flags, seq and ack (ack only if ACK).
#[track_caller]
fn assert_one(sent: &[(Segment, SendReason)], flags: Flags, seq: u32, ack: u32) -> SendReason {
    assert_eq!(sent.len(), 1, "expected one segment, got {sent:#?}");
    let (s, why) = sent[0];
    assert_eq!(s.flags, flags, "flags of {s}");
    assert_eq!(s.seq, SeqNum(seq), "seq of {s}");
    if flags.ack() {
        assert_eq!(s.ack, SeqNum(ack), "ack of {s}");
    }
    assert_eq!((s.src, s.dst), (local(), remote()));
    why
}

// ------------------------------------------------------------------ fixtures

fn linux() -> TcpConfig {
    TcpConfig {
        invalid_ratelimit: None,
        ..TcpConfig::linux()
    }
}

fn socket_closed() -> T {
    T::new(linux())
}

fn socket_listen_with(cfg: TcpConfig) -> T {
    let mut t = T::new(cfg);
    t.call(|ep, _, out| ep.listen(out)).unwrap();
    t
}
fn socket_listen() -> T {
    socket_listen_with(linux())
}

fn socket_syn_received_with(cfg: TcpConfig) -> T {
    let mut t = socket_listen_with(cfg);
    t.input(seg(SYN, R_ISS, 0, 0));
    assert_eq!(t.state(), State::SynReceived);
    t
}
fn socket_syn_received() -> T {
    socket_syn_received_with(linux())
}

fn socket_syn_sent_with(cfg: TcpConfig) -> T {
    let mut t = T::new(cfg);
    t.call(|ep, now, out| ep.connect(now, remote(), out))
        .unwrap();
    t
}
fn socket_syn_sent() -> T {
    socket_syn_sent_with(linux())
}

fn socket_established_with(cfg: TcpConfig) -> T {
    let mut t = socket_syn_received_with(cfg);
    t.now += Duration::from_millis(10);
    t.input(seg(ACK, R_ISS + 1, L_ISS + 1, 0));
    assert_eq!(t.state(), State::Established);
    t
}
fn socket_established() -> T {
    socket_established_with(linux())
}

fn socket_fin_wait_1() -> T {
    let mut t = socket_established();
    t.call(|ep, now, out| ep.close(now, out)).unwrap();
    assert_eq!(t.state(), State::FinWait1);
    t
}

fn socket_fin_wait_2() -> T {
    let mut t = socket_fin_wait_1();
    t.input(seg(ACK, R_ISS + 1, L_ISS + 2, 0));
    assert_eq!(t.state(), State::FinWait2);
    t
}

fn socket_close_wait() -> T {
    let mut t = socket_established();
    t.input(seg(fin_ack(), R_ISS + 1, L_ISS + 1, 0));
    assert_eq!(t.state(), State::CloseWait);
    t
}

fn socket_last_ack() -> T {
    let mut t = socket_close_wait();
    t.call(|ep, now, out| ep.close(now, out)).unwrap();
    assert_eq!(t.state(), State::LastAck);
    t
}

fn socket_closing() -> T {
    let mut t = socket_fin_wait_1();
    // The peer's FIN crosses ours: it does not acknowledge our FIN.
    t.input(seg(fin_ack(), R_ISS + 1, L_ISS + 1, 0));
    assert_eq!(t.state(), State::Closing);
    t
}

fn socket_time_wait() -> T {
    let mut t = socket_fin_wait_2();
    t.input(seg(fin_ack(), R_ISS + 1, L_ISS + 2, 0));
    assert_eq!(t.state(), State::TimeWait);
    t
}

// ------------------------------------------------------------------ CLOSED (3.10.7.1)

#[test]
fn closed_answers_an_ack_with_rst_seq_seg_ack() {
    let mut t = socket_closed();
    let sent = t.input(seg(ACK, 100, 200, 10));
    assert_eq!(assert_one(&sent, RST, 200, 0), SendReason::RstNoSocket);
}

#[test]
fn closed_answers_a_syn_with_rst_ack() {
    let mut t = socket_closed();
    let sent = t.input(seg(SYN, 100, 0, 0));
    // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>; the SYN counts in SEG.LEN.
    assert_one(&sent, RST | ACK, 0, 101);
}

#[test]
fn closed_drops_a_reset() {
    let mut t = socket_closed();
    assert!(t.input(seg(RST, 100, 0, 0)).is_empty());
}

// ------------------------------------------------------------------ LISTEN (3.10.7.2)

#[test]
fn listen_ignores_rst() {
    let mut t = socket_listen();
    assert!(t.input(seg(RST, 100, 0, 0)).is_empty());
    assert_eq!(t.state(), State::Listen);
}

#[test]
fn listen_answers_any_ack_with_rst_and_stays() {
    let mut t = socket_listen();
    let sent = t.input(seg(ACK, 100, 777, 0));
    assert_eq!(assert_one(&sent, RST, 777, 0), SendReason::RstBadAck);
    assert_eq!(t.state(), State::Listen);
}

#[test]
fn listen_answers_syn_with_syn_ack_and_enters_syn_received() {
    let mut t = socket_listen();
    let sent = t.input(seg(SYN, R_ISS, 0, 0));
    // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
    assert_eq!(
        assert_one(&sent, SYN | ACK, L_ISS, R_ISS + 1),
        SendReason::SynAck
    );
    assert_eq!(t.state(), State::SynReceived);
    assert!(t.ep.is_passive());
    assert_eq!(
        (t.ep.snd_una(), t.ep.snd_nxt(), t.ep.rcv_nxt()),
        (SeqNum(L_ISS), SeqNum(L_ISS + 1), SeqNum(R_ISS + 1))
    );
    assert_eq!(t.causes(), [Cause::RcvSyn]);
}

#[test]
fn listen_drops_segments_without_syn_rst_or_ack() {
    let mut t = socket_listen();
    assert!(t.input(seg(Flags::FIN, 1, 0, 0)).is_empty());
    assert_eq!(t.state(), State::Listen);
}

#[test]
fn listen_close_deletes_the_tcb() {
    let mut t = socket_listen();
    t.call(|ep, now, out| ep.close(now, out)).unwrap();
    assert_eq!(t.state(), State::Closed);
    assert!(t.sent().is_empty());
}

// ------------------------------------------------------------------ SYN-SENT (3.10.1, 3.10.7.3)

#[test]
fn connect_sends_syn_and_arms_the_initial_rto() {
    let t = socket_syn_sent();
    assert_eq!(assert_one(&t.sent(), SYN, L_ISS, 0), SendReason::Syn);
    assert_eq!(t.state(), State::SynSent);
    // RFC 6298 (2.1): initial RTO 1 s.
    assert_eq!(
        t.ep.timer(TimerKind::Retransmit),
        Some(Instant::from_secs(1))
    );
}

#[test]
fn syn_sent_answers_an_unacceptable_ack_with_rst() {
    let mut t = socket_syn_sent();
    // SEG.ACK =< ISS
    let sent = t.input(seg(SYN | ACK, R_ISS, L_ISS, 0));
    assert_eq!(assert_one(&sent, RST, L_ISS, 0), SendReason::RstBadAck);
    assert_eq!(t.state(), State::SynSent);
    // SEG.ACK > SND.NXT
    let sent = t.input(seg(ACK, R_ISS, L_ISS + 5, 0));
    assert_one(&sent, RST, L_ISS + 5, 0);
}

#[test]
fn syn_sent_drops_a_reset_with_an_unacceptable_ack() {
    let mut t = socket_syn_sent();
    assert!(t.input(seg(RST | ACK, 0, L_ISS + 7, 0)).is_empty());
    assert_eq!(t.state(), State::SynSent);
}

#[test]
fn syn_sent_reset_with_acceptable_ack_refuses_the_connection() {
    let mut t = socket_syn_sent();
    assert!(t.input(seg(RST | ACK, 0, L_ISS + 1, 0)).is_empty());
    assert_eq!(t.state(), State::Closed);
    assert_eq!(t.errors(), [Errno::ECONNREFUSED]);
}

#[test]
fn syn_sent_drops_a_reset_without_ack() {
    let mut t = socket_syn_sent();
    assert!(t.input(seg(RST, 0, 0, 0)).is_empty());
    assert_eq!(t.state(), State::SynSent);
}

#[test]
fn syn_sent_syn_ack_establishes_and_acks() {
    let mut t = socket_syn_sent();
    t.now += Duration::from_millis(40);
    let sent = t.input(seg(SYN | ACK, R_ISS, L_ISS + 1, 0));
    assert_one(&sent, ACK, L_ISS + 1, R_ISS + 1);
    assert_eq!(t.state(), State::Established);
    assert_eq!(t.ep.timer(TimerKind::Retransmit), None);
    // The SYN's round trip is the first RTT sample (RFC 6298 2.2).
    assert_eq!(t.ep.srtt(), Some(Duration::from_millis(40)));
}

#[test]
fn syn_sent_plain_syn_is_a_simultaneous_open() {
    let mut t = socket_syn_sent();
    let sent = t.input(seg(SYN, R_ISS, 0, 0));
    // <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>
    assert_one(&sent, SYN | ACK, L_ISS, R_ISS + 1);
    assert_eq!(t.state(), State::SynReceived);
    assert!(!t.ep.is_passive(), "entered from an active OPEN (MUST-11)");
    assert_eq!(t.causes(), [Cause::SimultaneousOpen]);
}

#[test]
fn syn_sent_close_deletes_the_tcb_without_rst() {
    let mut t = socket_syn_sent();
    t.call(|ep, now, out| ep.close(now, out)).unwrap();
    assert_eq!(t.state(), State::Closed);
    assert!(t.sent().is_empty());
}

#[test]
fn syn_retransmissions_double_and_give_up_after_127s_on_linux() {
    let mut t = socket_syn_sent();
    let sent = t.run_timers_until(Instant::from_secs(200));
    let times: Vec<u64> = sent
        .iter()
        .map(|(at, ..)| at.as_micros() / 1_000_000)
        .collect();
    // tcp_syn_retries = 6: retransmissions at 1, 3, 7, 15, 31, 63 s.
    assert_eq!(times, [1, 3, 7, 15, 31, 63]);
    assert!(
        sent.iter().all(|(_, s, r)| s.flags == SYN
            && s.seq == SeqNum(L_ISS)
            && *r == SendReason::Retransmit)
    );
    assert_eq!(t.state(), State::Closed);
    assert_eq!(t.now, Instant::from_secs(127));
    assert_eq!(t.errors(), [Errno::ETIMEDOUT]);
}

// ------------------------------------------------------------------ SYN-RECEIVED (3.10.7.4)

#[test]
fn syn_received_ack_of_syn_establishes() {
    let mut t = socket_syn_received();
    assert!(t.input(seg(ACK, R_ISS + 1, L_ISS + 1, 0)).is_empty());
    assert_eq!(t.state(), State::Established);
    assert_eq!(t.causes(), [Cause::RcvAckOfSyn]);
}

#[test]
fn syn_received_bad_ack_gets_rst() {
    let mut t = socket_syn_received();
    let sent = t.input(seg(ACK, R_ISS + 1, L_ISS + 9, 0));
    assert_eq!(assert_one(&sent, RST, L_ISS + 9, 0), SendReason::RstBadAck);
    assert_eq!(t.state(), State::SynReceived);
}

#[test]
fn syn_received_reset_returns_a_passive_open_to_listen() {
    let mut t = socket_syn_received();
    t.input(seg(RST, R_ISS + 1, 0, 0));
    assert_eq!(t.state(), State::Listen);
    assert_eq!(t.ep.timer(TimerKind::Retransmit), None);
}

#[test]
fn syn_received_reset_refuses_an_active_open() {
    let mut t = socket_syn_sent();
    t.input(seg(SYN, R_ISS, 0, 0));
    t.input(seg(RST, R_ISS + 1, 0, 0));
    assert_eq!(t.state(), State::Closed);
    assert_eq!(t.errors(), [Errno::ECONNREFUSED]);
}

#[test]
fn syn_received_answers_a_retransmitted_syn_with_the_syn_ack() {
    let mut t = socket_syn_received();
    let sent = t.input(seg(SYN, R_ISS, 0, 0));
    assert_one(&sent, SYN | ACK, L_ISS, R_ISS + 1);
    assert_eq!(t.state(), State::SynReceived);
}

#[test]
fn simultaneous_open_completes_on_the_peers_syn_ack() {
    let mut t = socket_syn_sent();
    t.input(seg(SYN, R_ISS, 0, 0));
    // RFC 9293 Figure 8: the peer's SYN,ACK acknowledges our SYN.
    t.input(seg(SYN | ACK, R_ISS, L_ISS + 1, 0));
    assert_eq!(t.state(), State::Established);
}

#[test]
fn syn_received_close_sends_fin() {
    let mut t = socket_syn_received();
    t.call(|ep, now, out| ep.close(now, out)).unwrap();
    assert_eq!(t.state(), State::FinWait1);
    assert_one(&t.sent(), fin_ack(), L_ISS + 1, R_ISS + 1);
}

#[test]
fn syn_ack_retransmissions_give_up_after_63s_on_linux() {
    let mut t = socket_syn_received();
    let sent = t.run_timers_until(Instant::from_secs(100));
    assert_eq!(sent.len(), 5, "tcp_synack_retries = 5");
    assert!(sent.iter().all(|(_, s, _)| s.flags == SYN | ACK));
    assert_eq!(t.state(), State::Closed);
    assert_eq!(t.now, Instant::from_secs(63));
}

// ------------------------------------------------------------------ ESTABLISHED

#[test]
fn established_accepts_in_order_data_and_acks_it() {
    let mut t = socket_established();
    let sent = t.input(seg(ACK | Flags::PSH, R_ISS + 1, L_ISS + 1, 100));
    assert_one(&sent, ACK, L_ISS + 1, R_ISS + 101);
    assert_eq!(
        sent[0].0.wnd,
        65_535 - 100,
        "the window shrinks by the unread bytes"
    );
    assert_eq!(t.ep.recv_queue(), 100);
    assert_eq!(
        t.call(|ep, _, out| ep.recv(60, out)),
        Ok(Received::Bytes(60))
    );
    assert_eq!(t.ep.recv_queue(), 40);
}

#[test]
fn established_answers_out_of_window_data_with_an_ack() {
    // 3.10.7.4 first: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop.
    let mut t = socket_established();
    let sent = t.input(seg(ACK, R_ISS + 1 + 70_000, L_ISS + 1, 10));
    assert_eq!(
        assert_one(&sent, ACK, L_ISS + 1, R_ISS + 1),
        SendReason::DupAck
    );
    assert_eq!(t.ep.recv_queue(), 0);
}

#[test]
fn established_does_not_deliver_out_of_order_data() {
    let mut t = socket_established();
    let sent = t.input(seg(ACK, R_ISS + 101, L_ISS + 1, 100));
    assert_one(&sent, ACK, L_ISS + 1, R_ISS + 1);
    assert_eq!(t.ep.recv_queue(), 0);
    assert_eq!(t.ep.rcv_nxt(), SeqNum(R_ISS + 1));
}

#[test]
fn established_acks_an_old_duplicate() {
    let mut t = socket_established();
    t.input(seg(ACK, R_ISS + 1, L_ISS + 1, 100));
    let sent = t.input(seg(ACK, R_ISS + 1, L_ISS + 1, 100));
    assert_one(&sent, ACK, L_ISS + 1, R_ISS + 101);
    assert_eq!(t.ep.recv_queue(), 100, "not delivered twice");
}

#[test]
fn established_trims_a_partly_old_segment() {
    let mut t = socket_established();
    t.input(seg(ACK, R_ISS + 1, L_ISS + 1, 100));
    let sent = t.input(seg(ACK, R_ISS + 51, L_ISS + 1, 100));
    assert_one(&sent, ACK, L_ISS + 1, R_ISS + 151);
    assert_eq!(t.ep.bytes_received(), 150);
}

#[test]
fn established_reset_at_rcv_nxt_resets_the_connection() {
    let mut t = socket_established();
    assert!(t.input(seg(RST, R_ISS + 1, 0, 0)).is_empty());
    assert_eq!(t.state(), State::Closed);
    assert_eq!(t.errors(), [Errno::ECONNRESET]);
    assert_eq!(
        t.call(|ep, now, out| ep.send(now, 1, out)),
        Err(Errno::ECONNRESET)
    );
    assert_eq!(
        t.call(|ep, now, out| ep.send(now, 1, out)),
        Err(Errno::EPIPE)
    );
}

#[test]
fn established_in_window_reset_not_at_rcv_nxt_gets_a_challenge_ack() {
    // RFC 5961 3.2
    let mut t = socket_established();
    let sent = t.input(seg(RST, R_ISS + 10, 0, 0));
    assert_eq!(
        assert_one(&sent, ACK, L_ISS + 1, R_ISS + 1),
        SendReason::ChallengeAck
    );
    assert_eq!(t.state(), State::Established);
}

#[test]
fn established_drops_an_out_of_window_reset_silently() {
    let mut t = socket_established();
    assert!(t.input(seg(RST, R_ISS + 100_000, 0, 0)).is_empty());
    assert_eq!(t.state(), State::Established);
}

#[test]
fn established_syn_gets_a_challenge_ack() {
    // RFC 5961 4.2: any SYN in a synchronized state.
    let mut t = socket_established();
    let sent = t.input(seg(SYN, R_ISS + 1, 0, 0));
    assert_eq!(
        assert_one(&sent, ACK, L_ISS + 1, R_ISS + 1),
        SendReason::ChallengeAck
    );
    assert_eq!(t.state(), State::Established);
}

#[test]
fn established_syn_without_rfc5961_resets() {
    let mut t = socket_established_with(TcpConfig {
        rfc5961: false,
        ..linux()
    });
    let sent = t.input(seg(SYN, R_ISS + 1, 0, 0));
    assert_eq!(sent[0].0.flags, RST | ACK);
    assert_eq!(t.state(), State::Closed);
}

#[test]
fn established_ack_of_unsent_data_gets_an_ack_and_is_dropped() {
    let mut t = socket_established();
    let sent = t.input(seg(ACK, R_ISS + 1, L_ISS + 500, 20));
    assert_one(&sent, ACK, L_ISS + 1, R_ISS + 1);
    assert_eq!(
        t.ep.recv_queue(),
        0,
        "the segment is dropped, data included"
    );
}

#[test]
fn established_drops_a_segment_without_ack() {
    let mut t = socket_established();
    assert!(t.input(seg(Flags::PSH, R_ISS + 1, 0, 10)).is_empty());
    assert_eq!(t.ep.recv_queue(), 0);
}

#[test]
fn established_fin_moves_to_close_wait_and_is_acked() {
    let mut t = socket_established();
    let sent = t.input(seg(fin_ack(), R_ISS + 1, L_ISS + 1, 0));
    assert_one(&sent, ACK, L_ISS + 1, R_ISS + 2);
    assert_eq!(t.state(), State::CloseWait);
    assert_eq!(t.call(|ep, _, out| ep.recv(10, out)), Ok(Received::Eof));
}

#[test]
fn established_fin_after_missing_data_is_not_processed() {
    let mut t = socket_established();
    t.input(seg(fin_ack(), R_ISS + 11, L_ISS + 1, 5));
    assert_eq!(t.state(), State::Established);
}

#[test]
fn established_close_sends_fin() {
    let mut t = socket_established();
    t.call(|ep, now, out| ep.close(now, out)).unwrap();
    assert_eq!(
        assert_one(&t.sent(), fin_ack(), L_ISS + 1, R_ISS + 1),
        SendReason::Fin
    );
    assert_eq!(t.state(), State::FinWait1);
}

#[test]
fn close_with_unread_data_sends_rst_instead_of_fin() {
    // RFC 9293 3.6.1 SHLD-3, RFC 2525 2.17, Linux __tcp_close.
    let mut t = socket_established();
    t.input(seg(ACK, R_ISS + 1, L_ISS + 1, 100));
    t.call(|ep, now, out| ep.close(now, out)).unwrap();
    let why = assert_one(&t.sent(), RST | ACK, L_ISS + 1, R_ISS + 101);
    assert_eq!(why, SendReason::RstUnreadData);
    assert_eq!(t.state(), State::Closed);
    assert_eq!(t.causes(), [Cause::CloseWithUnreadData]);
}

#[test]
fn close_with_linger_zero_aborts_without_time_wait() {
    let mut t = socket_established_with(TcpConfig {
        linger_zero: true,
        ..linux()
    });
    t.call(|ep, now, out| ep.close(now, out)).unwrap();
    assert_eq!(
        assert_one(&t.sent(), RST | ACK, L_ISS + 1, R_ISS + 1),
        SendReason::RstLingerZero
    );
    assert_eq!(t.state(), State::Closed);
}

#[test]
fn abort_sends_rst_at_snd_nxt() {
    // 3.10.5: <SEQ=SND.NXT><CTL=RST>; the RFC profile sends no ACK with it.
    let mut t = socket_established_with(TcpConfig::rfc9293());
    t.call(|ep, _, out| ep.abort(out)).unwrap();
    assert_one(&t.sent(), RST, L_ISS + 1, 0);
    assert_eq!(t.state(), State::Closed);
}

#[test]
fn send_segments_by_mss_and_piggybacks_nothing_else() {
    let mut t = socket_established();
    assert_eq!(t.call(|ep, now, out| ep.send(now, 3_000, out)), Ok(3_000));
    let lens: Vec<u32> = t.sent().iter().map(|(s, _)| s.len).collect();
    assert_eq!(lens, [1460, 1460, 80]);
    assert_eq!(t.sent()[2].0.flags, ACK | Flags::PSH);
    assert_eq!(t.ep.snd_nxt(), SeqNum(L_ISS + 1 + 3_000));
}

#[test]
fn send_stops_at_the_peers_window_and_probes_a_zero_window() {
    let mut t = socket_established();
    // The peer's window shrinks to 1000, then to zero.
    t.input(Segment {
        wnd: 1_000,
        ..seg(ACK, R_ISS + 1, L_ISS + 1, 0)
    });
    t.call(|ep, now, out| ep.send(now, 3_000, out)).unwrap();
    assert_eq!(t.sent().iter().map(|(s, _)| s.len).sum::<u32>(), 1_000);
    t.input(Segment {
        wnd: 0,
        ..seg(ACK, R_ISS + 1, L_ISS + 1_001, 0)
    });
    assert!(t.ep.timer(TimerKind::Persist).is_some());
    let sent = t.run_timers_until(t.now + Duration::from_secs(1));
    assert_eq!(sent[0].2, SendReason::ZeroWindowProbe);
    // The window opens: data flows again.
    let sent = t.input(Segment {
        wnd: 65_535,
        ..seg(ACK, R_ISS + 1, L_ISS + 1_001, 0)
    });
    assert_eq!(sent.iter().map(|(s, _)| s.len).sum::<u32>(), 2_000);
}

#[test]
fn zero_receive_window_still_processes_acks() {
    let mut t = socket_established_with(TcpConfig {
        rcv_buf: 100,
        ..linux()
    });
    t.call(|ep, now, out| ep.send(now, 10, out)).unwrap();
    t.input(seg(ACK, R_ISS + 1, L_ISS + 1, 100)); // fills the window
    assert_eq!(t.ep.rcv_wnd(), 0);
    // More data (unacceptable with RCV.WND = 0) but acknowledging our 10 bytes.
    let sent = t.input(seg(ACK, R_ISS + 101, L_ISS + 11, 50));
    assert_one(&sent, ACK, L_ISS + 11, R_ISS + 101);
    assert_eq!(t.ep.snd_una(), SeqNum(L_ISS + 11));
    assert_eq!(t.ep.recv_queue(), 100);
}

#[test]
fn reading_reopens_the_window_with_an_update() {
    let mut t = socket_established_with(TcpConfig {
        rcv_buf: 4_000,
        ..linux()
    });
    t.input(seg(ACK, R_ISS + 1, L_ISS + 1, 1_460));
    t.input(seg(ACK, R_ISS + 1_461, L_ISS + 1, 1_460));
    assert_eq!(t.ep.rcv_wnd(), 1_080);
    t.call(|ep, _, out| ep.recv(10_000, out)).unwrap();
    assert_eq!(
        assert_one(&t.sent(), ACK, L_ISS + 1, R_ISS + 2_921),
        SendReason::WindowUpdate
    );
    assert_eq!(t.sent()[0].0.wnd, 4_000);
}

#[test]
fn data_retransmission_backs_off_and_karn_skips_the_sample() {
    let mut t = socket_established();
    let rto = t.ep.rto();
    t.call(|ep, now, out| ep.send(now, 100, out)).unwrap();
    let start = t.now;
    let sent = t.run_timers_until(start + rto + rto.saturating_mul(2));
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert_eq!(sent[0].0, start + rto);
    assert_eq!(
        sent[1].0,
        start + rto + rto.saturating_mul(2),
        "RFC 6298 5.5: the RTO doubles"
    );
    assert!(sent.iter().all(|(_, s, r)| s.seq == SeqNum(L_ISS + 1)
        && s.len == 100
        && *r == SendReason::Retransmit));
    let srtt = t.ep.srtt();
    t.now += Duration::from_millis(5);
    t.input(seg(ACK, R_ISS + 1, L_ISS + 101, 0));
    assert_eq!(
        t.ep.srtt(),
        srtt,
        "Karn: no RTT sample from a retransmitted segment"
    );
    assert_eq!(t.ep.timer(TimerKind::Retransmit), None);
}

#[test]
fn data_retransmissions_give_up_with_etimedout() {
    let mut t = socket_established();
    t.call(|ep, now, out| ep.send(now, 100, out)).unwrap();
    t.run_timers_until(Instant::from_secs(2_000));
    assert_eq!(t.state(), State::Closed);
    assert_eq!(t.errors(), [Errno::ETIMEDOUT]);
    // tcp_retries2 = 15: gives up after at least 924.6 s (the documented lower bound).
    assert!(t.now >= Instant::from_millis(924_600), "{}", t.now);
}

#[test]
fn user_timeout_aborts_unacknowledged_data() {
    let mut t = socket_established();
    t.call(|ep, now, out| ep.set_option(now, SockOpt::UserTimeout(Duration::from_secs(30)), out))
        .unwrap();
    let start = t.now;
    t.call(|ep, now, out| ep.send(now, 100, out)).unwrap();
    t.run_timers_until(start + Duration::from_secs(40));
    assert_eq!(t.state(), State::Closed);
    assert_eq!(t.now, start + Duration::from_secs(30));
    assert_eq!(t.causes(), [Cause::UserTimeout]);
}

#[test]
fn keepalive_probes_an_idle_peer_and_gives_up_after_9_probes() {
    let mut t = socket_established();
    let start = t.now;
    t.call(|ep, now, out| ep.set_option(now, SockOpt::Keepalive(true), out))
        .unwrap();
    let sent = t.run_timers_until(start + Duration::from_secs(8_000));
    let probes: Vec<_> = sent
        .iter()
        .filter(|(_, _, r)| *r == SendReason::KeepaliveProbe)
        .collect();
    assert_eq!(probes.len(), 9);
    assert_eq!(probes[0].0, start + Duration::from_secs(7_200));
    // SEQ = SND.NXT - 1, no data (SHLD-12).
    assert_eq!((probes[0].1.seq, probes[0].1.len), (SeqNum(L_ISS), 0));
    assert_eq!(sent.last().unwrap().2, SendReason::RstKeepalive);
    assert_eq!(
        sent.last().unwrap().0,
        start + Duration::from_secs(7_200 + 9 * 75)
    );
    assert_eq!(t.state(), State::Closed);
}

#[test]
fn an_answered_keepalive_probe_resets_the_count() {
    let mut t = socket_established();
    let start = t.now;
    t.call(|ep, now, out| ep.set_option(now, SockOpt::Keepalive(true), out))
        .unwrap();
    t.run_timers_until(start + Duration::from_secs(7_200));
    t.input(seg(ACK, R_ISS + 1, L_ISS + 1, 0)); // the peer answers
    assert_eq!(
        t.ep.timer(TimerKind::Keepalive),
        Some(t.now + Duration::from_secs(7_200))
    );
}

// ------------------------------------------------------------------ FIN-WAIT-1

#[test]
fn fin_wait_1_ack_of_fin_moves_to_fin_wait_2_and_arms_fin_timeout() {
    let t = socket_fin_wait_2();
    // An orphan (close() was called): Linux tcp_fin_timeout, 60 s.
    assert_eq!(
        t.ep.timer(TimerKind::FinWait2),
        Some(t.now + Duration::from_secs(60))
    );
}

#[test]
fn fin_wait_1_crossing_fin_moves_to_closing() {
    let t = socket_closing();
    assert_one(&t.sent(), ACK, L_ISS + 2, R_ISS + 2);
}

#[test]
fn fin_wait_1_fin_with_ack_of_our_fin_goes_straight_to_time_wait() {
    // Figure 5, Note 2.
    let mut t = socket_fin_wait_1();
    let sent = t.input(seg(fin_ack(), R_ISS + 1, L_ISS + 2, 0));
    assert_one(&sent, ACK, L_ISS + 2, R_ISS + 2);
    assert_eq!(t.state(), State::TimeWait);
    assert_eq!(t.causes(), [Cause::RcvFinAndAck]);
}

#[test]
fn fin_wait_data_after_close_gets_rst() {
    // 3.6.1 SHLD-3; Linux: "RFC 1122 says we MUST send a reset".
    let mut t = socket_fin_wait_2();
    let sent = t.input(seg(ACK, R_ISS + 1, L_ISS + 2, 50));
    assert_eq!(
        assert_one(&sent, RST, L_ISS + 2, 0),
        SendReason::RstDataAfterClose
    );
    assert_eq!(t.state(), State::Closed);
}

#[test]
fn fin_wait_data_after_shutdown_write_is_still_read() {
    let mut t = socket_established();
    t.call(|ep, now, out| ep.shutdown(now, ShutdownHow::Write, out))
        .unwrap();
    t.input(seg(ACK, R_ISS + 1, L_ISS + 2, 0));
    assert_eq!(t.state(), State::FinWait2);
    assert_eq!(
        t.ep.timer(TimerKind::FinWait2),
        None,
        "not orphaned: no tcp_fin_timeout"
    );
    t.input(seg(ACK, R_ISS + 1, L_ISS + 2, 50));
    assert_eq!(t.ep.recv_queue(), 50);
}

// ------------------------------------------------------------------ FIN-WAIT-2

#[test]
fn fin_wait_2_fin_enters_time_wait_for_60s_on_linux() {
    let t = socket_time_wait();
    assert_one(&t.sent(), ACK, L_ISS + 2, R_ISS + 2);
    assert_eq!(
        t.ep.timer(TimerKind::TimeWait),
        Some(t.now + Duration::from_secs(60))
    );
    assert_eq!(t.ep.timer(TimerKind::FinWait2), None);
}

#[test]
fn orphaned_fin_wait_2_is_dropped_silently_after_tcp_fin_timeout() {
    let mut t = socket_fin_wait_2();
    let start = t.now;
    let sent = t.run_timers_until(start + Duration::from_secs(61));
    assert!(sent.is_empty());
    assert_eq!(t.state(), State::Closed);
    assert_eq!(t.now, start + Duration::from_secs(60));
    assert_eq!(t.causes(), [Cause::FinWait2Timeout]);
}

#[test]
fn the_rfc_profile_waits_in_fin_wait_2_forever() {
    let mut t = socket_established_with(TcpConfig::rfc9293());
    t.call(|ep, now, out| ep.close(now, out)).unwrap();
    t.input(seg(ACK, R_ISS + 1, L_ISS + 2, 0));
    assert_eq!(t.state(), State::FinWait2);
    assert_eq!(t.ep.poll_at(), None);
}

// ------------------------------------------------------------------ CLOSE-WAIT

#[test]
fn close_wait_can_still_send_and_close_sends_fin() {
    let mut t = socket_close_wait();
    assert_eq!(t.call(|ep, now, out| ep.send(now, 10, out)), Ok(10));
    t.call(|ep, now, out| ep.close(now, out)).unwrap();
    assert_eq!(t.state(), State::LastAck);
    assert_eq!(t.sent()[0].0.flags, fin_ack());
    assert_eq!(t.sent()[0].0.seq, SeqNum(L_ISS + 11), "FIN after the data");
}

#[test]
fn close_wait_reset_reports_epipe() {
    // Linux tcp_reset(): EPIPE in CLOSE_WAIT.
    let mut t = socket_close_wait();
    t.input(seg(RST, R_ISS + 2, 0, 0));
    assert_eq!(t.state(), State::Closed);
    assert_eq!(t.errors(), [Errno::EPIPE]);
}

#[test]
fn close_wait_has_no_timer_of_its_own() {
    // The leaked close: nothing ever moves a CLOSE-WAIT socket but the application.
    let t = socket_close_wait();
    assert_eq!(t.ep.poll_at(), None);
}

// ------------------------------------------------------------------ CLOSING, LAST-ACK

#[test]
fn closing_ack_of_fin_enters_time_wait() {
    let mut t = socket_closing();
    t.input(seg(ACK, R_ISS + 2, L_ISS + 2, 0));
    assert_eq!(t.state(), State::TimeWait);
}

#[test]
fn last_ack_ack_of_fin_closes() {
    let mut t = socket_last_ack();
    assert!(t.input(seg(ACK, R_ISS + 2, L_ISS + 2, 0)).is_empty());
    assert_eq!(t.state(), State::Closed);
    assert_eq!(t.causes(), [Cause::RcvAckOfFin]);
}

#[test]
fn last_ack_reset_closes_without_error() {
    let mut t = socket_last_ack();
    t.input(seg(RST, R_ISS + 2, 0, 0));
    assert_eq!(t.state(), State::Closed);
    assert!(t.errors().is_empty(), "the application already closed");
}

#[test]
fn last_ack_retransmits_its_fin() {
    let mut t = socket_last_ack();
    let sent = t.advance(Duration::from_secs(1));
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].0.flags, sent[0].1),
        (fin_ack(), SendReason::Retransmit)
    );
}

// ------------------------------------------------------------------ TIME-WAIT

#[test]
fn time_wait_lets_a_new_syn_above_rcv_nxt_take_the_pair_over() {
    let t = socket_time_wait();
    // RCV.NXT is R_ISS + 2 (after the peer's FIN).
    let syn = |seq| seg(SYN, seq, 0, 0);
    assert!(t.ep.syn_may_reuse(&syn(R_ISS + 100_000)));
    // At or below RCV.NXT it may be an old duplicate: TIME-WAIT answers it instead.
    assert!(!t.ep.syn_may_reuse(&syn(R_ISS + 2)));
    assert!(!t.ep.syn_may_reuse(&syn(R_ISS)));
    assert!(
        !t.ep
            .syn_may_reuse(&seg(SYN | ACK, R_ISS + 100_000, L_ISS + 2, 0))
    );
    // Only TIME-WAIT hands its pair over.
    let est = socket_established();
    assert!(!est.ep.syn_may_reuse(&syn(R_ISS + 100_000)));
}

#[test]
fn time_wait_acks_a_retransmitted_fin_and_restarts_the_timer() {
    let mut t = socket_time_wait();
    t.now += Duration::from_secs(30);
    let sent = t.input(seg(fin_ack(), R_ISS + 1, L_ISS + 2, 0));
    assert_one(&sent, ACK, L_ISS + 2, R_ISS + 2);
    assert_eq!(
        t.ep.timer(TimerKind::TimeWait),
        Some(t.now + Duration::from_secs(60))
    );
}

#[test]
fn time_wait_ends_after_2msl_in_the_rfc_profile() {
    let mut t = socket_established_with(TcpConfig::rfc9293());
    t.call(|ep, now, out| ep.close(now, out)).unwrap();
    t.input(seg(ACK, R_ISS + 1, L_ISS + 2, 0));
    t.input(seg(fin_ack(), R_ISS + 1, L_ISS + 2, 0));
    assert_eq!(t.state(), State::TimeWait);
    let entered = t.now;
    t.run_timers_until(entered + Duration::from_mins(5));
    assert_eq!(t.state(), State::Closed);
    assert_eq!(
        t.now,
        entered + Duration::from_mins(4),
        "2 x MSL, MSL = 2 min"
    );
}

#[test]
fn time_wait_is_assassinated_by_an_exact_rst_unless_rfc1337() {
    let mut t = socket_time_wait();
    t.input(seg(RST, R_ISS + 2, 0, 0));
    assert_eq!(t.state(), State::Closed);

    let mut cfg = linux();
    cfg.rfc1337 = true;
    let mut t = socket_established_with(cfg);
    t.call(|ep, now, out| ep.close(now, out)).unwrap();
    t.input(seg(ACK, R_ISS + 1, L_ISS + 2, 0));
    t.input(seg(fin_ack(), R_ISS + 1, L_ISS + 2, 0));
    t.input(seg(RST, R_ISS + 2, 0, 0));
    assert_eq!(t.state(), State::TimeWait);
}

// ------------------------------------------------------------------ calls in the wrong state

#[test]
fn calls_that_make_no_sense_return_errors() {
    let mut t = socket_closed();
    assert_eq!(
        t.call(|ep, now, out| ep.send(now, 1, out)),
        Err(Errno::ENOTCONN)
    );
    assert_eq!(t.call(|ep, _, out| ep.recv(1, out)), Err(Errno::ENOTCONN));
    assert_eq!(t.call(|ep, _, out| ep.abort(out)), Err(Errno::ENOTCONN));
    let mut t = socket_fin_wait_1();
    assert_eq!(
        t.call(|ep, now, out| ep.send(now, 1, out)),
        Err(Errno::EPIPE)
    );
    assert_eq!(
        t.call(|ep, now, out| ep.close(now, out)),
        Err(Errno::EBADF),
        "already closed"
    );
    let mut t = socket_established();
    assert_eq!(
        t.call(|ep, now, out| ep.connect(now, remote(), out)),
        Err(Errno::EISCONN)
    );
}

#[test]
fn linux_rate_limits_acks_to_out_of_window_segments() {
    let mut t = socket_established_with(TcpConfig::linux());
    let far = seg(ACK, R_ISS + 100_000, L_ISS + 1, 10);
    assert_eq!(t.input(far).len(), 1);
    t.now += Duration::from_millis(100);
    assert!(t.input(far).is_empty(), "tcp_invalid_ratelimit: 500 ms");
    t.now += Duration::from_millis(400);
    assert_eq!(t.input(far).len(), 1);
}

#[test]
fn setsockopt_on_one_socket_leaves_the_sockets_that_shared_its_parameters() {
    // A listener's children share its parameters until one of them is given its own.
    let shared = std::sync::Arc::new(TcpConfig::linux());
    let mut a = Endpoint::new(shared.clone(), local(), 1);
    let b = Endpoint::new(shared.clone(), local(), 2);
    let mut out = Outputs::new();
    a.set_option(Instant::ZERO, SockOpt::LingerZero(true), &mut out)
        .unwrap();
    assert!(a.config().linger_zero);
    assert!(!b.config().linger_zero);
    assert!(!shared.linger_zero);
}
