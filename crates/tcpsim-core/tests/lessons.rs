//! The lessons, as tests on the trace of a full simulation: handshake, four-way close,
//! simultaneous open and close, TIME-WAIT, the leaked close, and the failures around them.
//! The four main lessons are also golden files (insta) of the text dump, so every change in
//! behaviour shows up in review.

use tcpsim_core::call::CallResult;
use tcpsim_core::check;
use tcpsim_core::net::DropReason;
use tcpsim_core::net::{ExpiredAction, Middlebox};
use tcpsim_core::prelude::*;
use tcpsim_core::trace::EventKind;

mod common;

const SERVER: &str = "10.0.0.2:80";

struct Lab {
    sim: Simulator,
    c: HostId,
    s: HostId,
}

fn ms(n: u64) -> Instant {
    Instant::from_millis(n)
}
fn secs(n: u64) -> Instant {
    Instant::from_secs(n)
}

fn lab_with(cfg: TcpConfig) -> Lab {
    let (mut sim, c, s) = common::hosts(SimConfig {
        seed: 7,
        tcp: cfg,
        ..SimConfig::default()
    });
    sim.set_link_both(c, s, LinkConfig::latency(Duration::from_millis(10)))
        .unwrap();
    Lab { sim, c, s }
}

fn lab() -> Lab {
    lab_with(TcpConfig::linux())
}

impl Lab {
    fn client(&mut self, at: Instant, call: Call) -> &mut Self {
        self.sim.call(at, self.c, call).unwrap();
        self
    }
    fn server(&mut self, at: Instant, call: Call) -> &mut Self {
        self.sim.call(at, self.s, call).unwrap();
        self
    }
    /// The server listens on port 80 and accepts one connection as `s`; the client connects as `c`.
    fn connected(mut self) -> Self {
        self.server(
            ms(0),
            Call::Listen {
                socket: "l".into(),
                port: 80,
                backlog: 128,
            },
        )
        .server(
            ms(0),
            Call::Accept {
                listener: "l".into(),
                socket: "s".into(),
            },
        )
        .client(ms(1), connect("c"));
        self
    }
    fn run(self, secs: u64) -> (Trace, HostId, HostId) {
        let (c, s) = (self.c, self.s);
        let trace = self.sim.run_for(Duration::from_secs(secs)).unwrap();
        let violations = check::all(&trace);
        assert!(violations.is_empty(), "{violations:#?}");
        (trace, c, s)
    }
}

fn connect(name: &str) -> Call {
    Call::Connect {
        socket: name.into(),
        remote: SERVER.parse().unwrap(),
        local_port: None,
    }
}
fn close(name: &str) -> Call {
    Call::Close {
        socket: name.into(),
    }
}

/// (time, host name, flags) of every segment sent.
fn wire(trace: &Trace) -> Vec<(Instant, String, String)> {
    trace
        .segments_sent()
        .map(|(t, h, s, _)| (t, trace.hosts[h.index()].name.clone(), s.flags.to_string()))
        .collect()
}

fn returns(trace: &Trace) -> Vec<(Instant, CallResult)> {
    trace
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Return { result, .. } => Some((e.t, result)),
            _ => None,
        })
        .collect()
}

#[test]
fn lesson_handshake() {
    let (trace, c, s) = lab().connected().run(1);
    let (client, server) = (
        trace.socket_by_label(c, "c").unwrap(),
        trace.socket_by_label(s, "s").unwrap(),
    );
    assert_eq!(
        trace.states_of(client),
        [State::SynSent, State::Established]
    );
    // The accepted connection is born from the listener: LISTEN -> SYN-RECEIVED -> ESTABLISHED.
    assert_eq!(
        trace.states_of(server),
        [State::Listen, State::SynReceived, State::Established]
    );
    let w = wire(&trace);
    assert_eq!(
        w,
        [
            (ms(1), "client".into(), "SYN".into()),
            (ms(11), "server".into(), "SYN,ACK".into()),
            (ms(21), "client".into(), "ACK".into()),
        ]
    );
    // connect() returns after one round trip; accept() after one and a half.
    assert_eq!(
        returns(&trace),
        [
            (ms(21), CallResult::Ok),
            (ms(31), CallResult::Accepted(server))
        ]
    );
    // The SYN,ACK acknowledges the SYN: ack = client ISS + 1.
    let segs: Vec<_> = trace.segments_sent().map(|(_, _, s, _)| *s).collect();
    assert_eq!(segs[1].ack, segs[0].seq + 1);
    assert_eq!(segs[2].ack, segs[1].seq + 1);
    insta::assert_snapshot!("handshake", trace.to_text(true));
}

#[test]
fn lesson_four_way_close_client_first() {
    let mut l = lab().connected();
    l.client(ms(100), close("c")).server(ms(200), close("s"));
    let (trace, c, s) = l.run(120);
    let (client, server) = (
        trace.socket_by_label(c, "c").unwrap(),
        trace.socket_by_label(s, "s").unwrap(),
    );
    assert_eq!(
        trace.states_of(client),
        [
            State::SynSent,
            State::Established,
            State::FinWait1,
            State::FinWait2,
            State::TimeWait,
            State::Closed
        ]
    );
    assert_eq!(
        trace.states_of(server),
        [
            State::Listen,
            State::SynReceived,
            State::Established,
            State::CloseWait,
            State::LastAck,
            State::Closed
        ]
    );
    // TIME-WAIT on the active closer only, for Linux's fixed 60 s.
    let tw: Vec<_> = trace
        .transitions_of(client)
        .filter(|(_, _, to, _)| *to == State::TimeWait)
        .collect();
    let closed = trace.transitions_of(client).last().unwrap();
    assert_eq!(tw[0].0, ms(210));
    assert_eq!(closed.0, ms(210) + Duration::from_secs(60));
    assert!(!trace.states_of(server).contains(&State::TimeWait));
    insta::assert_snapshot!("four_way_close", trace.to_text(true));
}

#[test]
fn four_way_close_time_wait_is_2msl_in_the_rfc_profile() {
    let mut l = lab_with(TcpConfig::rfc9293()).connected();
    l.client(ms(100), close("c")).server(ms(200), close("s"));
    let (trace, c, _) = l.run(600);
    let client = trace.socket_by_label(c, "c").unwrap();
    let tw = trace
        .transitions_of(client)
        .find(|(_, _, to, _)| *to == State::TimeWait)
        .unwrap();
    let closed = trace.transitions_of(client).last().unwrap();
    assert_eq!(
        (closed.2, closed.0 - tw.0),
        (State::Closed, Duration::from_mins(4))
    );
}

#[test]
fn time_wait_lands_on_whoever_closes_first() {
    // Closing from the server side puts TIME-WAIT on the server, not the client.
    let mut l = lab().connected();
    l.server(ms(100), close("s")).client(ms(200), close("c"));
    let (trace, c, s) = l.run(120);
    let (client, server) = (
        trace.socket_by_label(c, "c").unwrap(),
        trace.socket_by_label(s, "s").unwrap(),
    );
    assert!(trace.states_of(server).contains(&State::TimeWait));
    assert!(!trace.states_of(client).contains(&State::TimeWait));
    let ns = trace.netstat_at(secs(30));
    assert_eq!(ns.counts(Some(s)).get(&State::TimeWait), Some(&1));
    assert_eq!(ns.counts(Some(c)).get(&State::TimeWait), None);
}

#[test]
fn lesson_simultaneous_close() {
    let mut l = lab().connected();
    l.client(ms(100), close("c")).server(ms(100), close("s"));
    let (trace, c, s) = l.run(120);
    for sock in [
        trace.socket_by_label(c, "c").unwrap(),
        trace.socket_by_label(s, "s").unwrap(),
    ] {
        let states = trace.states_of(sock);
        assert_eq!(
            states[states.len() - 4..],
            [
                State::FinWait1,
                State::Closing,
                State::TimeWait,
                State::Closed
            ],
            "both ends go through CLOSING"
        );
    }
    // Two FINs cross, then two ACKs cross. The client's FIN went out first, so it arrives
    // first and the server's ACK is the first answer.
    let w: Vec<_> = wire(&trace).into_iter().skip(3).collect();
    assert_eq!(
        w,
        [
            (ms(100), "client".into(), "FIN,ACK".into()),
            (ms(100), "server".into(), "FIN,ACK".into()),
            (ms(110), "server".into(), "ACK".into()),
            (ms(110), "client".into(), "ACK".into()),
        ]
    );
    insta::assert_snapshot!("simultaneous_close", trace.to_text(true));
}

#[test]
fn lesson_simultaneous_open() {
    let mut l = lab();
    let (a, b) = ("10.0.0.1:7000", "10.0.0.2:7000");
    l.client(
        ms(0),
        Call::Connect {
            socket: "a".into(),
            remote: b.parse().unwrap(),
            local_port: Some(7000),
        },
    );
    l.server(
        ms(0),
        Call::Connect {
            socket: "b".into(),
            remote: a.parse().unwrap(),
            local_port: Some(7000),
        },
    );
    let (trace, c, s) = l.run(1);
    for (h, name) in [(c, "a"), (s, "b")] {
        let sock = trace.socket_by_label(h, name).unwrap();
        assert_eq!(
            trace.states_of(sock),
            [State::SynSent, State::SynReceived, State::Established]
        );
    }
    let flags: Vec<String> = wire(&trace).into_iter().map(|(_, _, f)| f).collect();
    assert_eq!(flags, ["SYN", "SYN", "SYN,ACK", "SYN,ACK"]);
    assert_eq!(
        returns(&trace),
        [(ms(20), CallResult::Ok), (ms(20), CallResult::Ok)]
    );
}

#[test]
fn lesson_leaked_close() {
    // The server closes an idle connection; the client's application never calls close().
    let mut l = lab().connected();
    l.server(secs(5), close("s"));
    let (trace, c, s) = l.run(600);
    let (client, server) = (
        trace.socket_by_label(c, "c").unwrap(),
        trace.socket_by_label(s, "s").unwrap(),
    );
    // CLOSE-WAIT on the leaking side for as long as the run lasts.
    assert_eq!(trace.final_state(client), Some(State::CloseWait));
    assert_eq!(trace.state_at(client, secs(599)), Some(State::CloseWait));
    // FIN-WAIT-2 on the peer, until Linux's tcp_fin_timeout (60 s) drops it silently.
    let t: Vec<_> = trace.transitions_of(server).collect();
    let fw2 = t.iter().find(|x| x.2 == State::FinWait2).unwrap();
    let gone = t.last().unwrap();
    assert_eq!((gone.2, gone.3), (State::Closed, Cause::FinWait2Timeout));
    assert_eq!(gone.0 - fw2.0, Duration::from_secs(60));
    assert_eq!(
        trace.segments_sent().count(),
        5,
        "SYN, SYN-ACK, ACK, FIN, ACK: nothing after"
    );
    // netstat at one minute: CLOSE_WAIT on the client, FIN_WAIT2 on the server.
    let ns = trace.netstat_at(secs(60));
    assert_eq!(ns.counts(Some(c)).get(&State::CloseWait), Some(&1));
    assert_eq!(ns.counts(Some(s)).get(&State::FinWait2), Some(&1));
    let later = trace.netstat_at(secs(120)).counts(Some(s));
    assert_eq!(later.get(&State::FinWait2), None);
    assert_eq!(
        later.get(&State::Listen),
        Some(&1),
        "only the listener is left"
    );
    insta::assert_snapshot!("leaked_close", trace.to_text(true));
}

#[test]
fn leaked_close_late_close_gets_rst() {
    let mut l = lab().connected();
    l.server(secs(5), close("s")).client(secs(300), close("c"));
    let (trace, c, _) = l.run(400);
    let client = trace.socket_by_label(c, "c").unwrap();
    let last: Vec<_> = trace
        .segments_sent()
        .skip(5)
        .map(|(t, h, s, r)| (t, h, s.flags, r))
        .collect();
    assert_eq!(
        last,
        [
            (secs(300), c, Flags::FIN | Flags::ACK, SendReason::Fin),
            // The server's TCB is long gone: its host answers with a reset (3.10.7.1).
            // The server's TCB is long gone. Its listener on port 80 takes the segment and, as
            // LISTEN does with any ACK (3.10.7.2), answers <SEQ=SEG.ACK><CTL=RST>.
            (
                secs(300) + Duration::from_millis(10),
                HostId(1),
                Flags::RST,
                SendReason::RstBadAck
            ),
        ]
    );
    let end = trace.transitions_of(client).last().unwrap();
    assert_eq!(
        (end.1, end.2, end.3),
        (State::LastAck, State::Closed, Cause::RcvRst)
    );
}

#[test]
fn leaked_close_write_on_the_stale_connection_is_reset() {
    // A pooled connection the server already dropped: the request draws a RST, the next call fails.
    let mut l = lab().connected();
    l.server(secs(5), close("s"))
        .client(
            secs(100),
            Call::Send {
                socket: "c".into(),
                bytes: 100,
                data: None,
            },
        )
        .client(
            secs(101),
            Call::Recv {
                socket: "c".into(),
                max: 100,
            },
        );
    let (trace, c, _) = l.run(200);
    let client = trace.socket_by_label(c, "c").unwrap();
    assert_eq!(
        trace.errors_of(client),
        [Errno::EPIPE],
        "reset in CLOSE-WAIT: EPIPE (Linux tcp_reset)"
    );
    let recv = trace.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Call {
            call_id, result, ..
        } if matches!(trace.call(*call_id), Some(Call::Recv { .. })) => *result,
        _ => None,
    });
    assert_eq!(recv, Some(CallResult::Error(Errno::EPIPE)));
}

#[test]
fn connect_to_a_closed_port_is_refused() {
    let mut l = lab();
    l.client(ms(0), connect("c"));
    let (trace, c, _) = l.run(1);
    assert_eq!(
        returns(&trace),
        [(ms(20), CallResult::Error(Errno::ECONNREFUSED))]
    );
    let client = trace.socket_by_label(c, "c").unwrap();
    assert_eq!(trace.final_state(client), Some(State::Closed));
    let flags: Vec<String> = wire(&trace).into_iter().map(|(_, _, f)| f).collect();
    assert_eq!(flags, ["SYN", "RST,ACK"]);
}

#[test]
fn connect_to_a_silent_peer_times_out_after_127s() {
    let mut l = lab();
    l.sim
        .add_fault(FaultRule::all(
            SegmentFilter {
                to: Some(HostId(1)),
                ..Default::default()
            },
            FaultAction::Drop,
        ))
        .unwrap();
    l.client(ms(0), connect("c"));
    let (trace, _, _) = l.run(300);
    assert_eq!(
        returns(&trace),
        [(secs(127), CallResult::Error(Errno::ETIMEDOUT))]
    );
    assert_eq!(
        trace.segments_sent().count(),
        7,
        "SYN and 6 retransmissions"
    );
    assert!(trace.events.iter().all(|e| !matches!(
        e.kind,
        EventKind::SegmentDropped {
            reason: DropReason::Loss,
            ..
        }
    )));
}

#[test]
fn a_lost_fin_is_retransmitted() {
    let mut l = lab().connected();
    let rule = SegmentFilter {
        from: Some(HostId(0)),
        flags: Flags::FIN,
        ..Default::default()
    };
    l.sim
        .add_fault(FaultRule::nth(rule, 1, FaultAction::Drop))
        .unwrap();
    l.client(ms(100), close("c")).server(secs(2), close("s"));
    let (trace, c, s) = l.run(120);
    let fins: Vec<_> = trace
        .segments_sent()
        .filter(|(_, h, s, _)| *h == c && s.flags.fin())
        .map(|(t, _, _, r)| (t, r))
        .collect();
    assert_eq!(fins.len(), 2);
    assert_eq!(fins[1].1, SendReason::Retransmit);
    // The RTO after one 20 ms RTT sample is the 200 ms minimum.
    assert_eq!(fins[1].0 - fins[0].0, Duration::from_millis(200));
    assert_eq!(
        trace.final_state(trace.socket_by_label(s, "s").unwrap()),
        Some(State::Closed)
    );
}

#[test]
fn descriptor_limit_gives_emfile() {
    let mut sim = Simulator::new(SimConfig::default());
    let c = sim
        .add_host(HostSpec::new("client", [10, 0, 0, 1]).fd_limit(3))
        .unwrap();
    let s = sim
        .add_host(HostSpec::new("server", [10, 0, 0, 2]))
        .unwrap();
    sim.call(
        ms(0),
        s,
        Call::Listen {
            socket: "l".into(),
            port: 80,
            backlog: 128,
        },
    )
    .unwrap();
    for i in 0..4 {
        sim.call(ms(10 * i), c, connect(&format!("c{i}"))).unwrap();
    }
    let trace = sim.run_for(Duration::from_secs(1)).unwrap();
    let results: Vec<_> = trace
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Call {
                call_id, result, ..
            } if matches!(trace.call(*call_id), Some(Call::Connect { .. })) => Some(*result),
            _ => None,
        })
        .collect();
    assert_eq!(
        results,
        [None, None, None, Some(CallResult::Error(Errno::EMFILE))]
    );
}

#[test]
fn keepalive_detects_a_dead_peer() {
    let mut l = lab().connected();
    for opt in [
        SockOpt::Keepalive(true),
        SockOpt::KeepIdle(Duration::from_secs(60)),
        SockOpt::KeepIntvl(Duration::from_secs(10)),
        SockOpt::KeepCnt(3),
    ] {
        l.client(
            ms(50),
            Call::SetOption {
                socket: "c".into(),
                option: opt,
            },
        );
    }
    l.server(secs(1), Call::Crash);
    let (trace, c, _) = l.run(300);
    let client = trace.socket_by_label(c, "c").unwrap();
    assert_eq!(trace.errors_of(client), [Errno::ETIMEDOUT]);
    let probes: Vec<Instant> = trace
        .segments_sent()
        .filter(|(_, h, _, r)| *h == c && *r == SendReason::KeepaliveProbe)
        .map(|(t, ..)| t)
        .collect();
    // Idle since the last segment at 21 ms: probes at +60 s, +70 s, +80 s, reset at +90 s.
    let base = ms(21);
    assert_eq!(
        probes,
        [
            base + Duration::from_secs(60),
            base + Duration::from_secs(70),
            base + Duration::from_secs(80)
        ]
    );
    let end = trace.transitions_of(client).last().unwrap();
    assert_eq!(
        (end.0, end.3),
        (base + Duration::from_secs(90), Cause::KeepaliveTimeout)
    );
}

#[test]
fn close_with_unread_data_resets_the_peer() {
    let mut l = lab().connected();
    l.client(
        ms(100),
        Call::Send {
            socket: "c".into(),
            bytes: 500,
            data: None,
        },
    )
    .server(ms(200), close("s"));
    let (trace, c, s) = l.run(5);
    let server = trace.socket_by_label(s, "s").unwrap();
    let client = trace.socket_by_label(c, "c").unwrap();
    assert_eq!(
        trace.transitions_of(server).last().unwrap().3,
        Cause::CloseWithUnreadData
    );
    assert_eq!(trace.errors_of(client), [Errno::ECONNRESET]);
}

#[test]
fn linger_zero_skips_time_wait() {
    let mut l = lab().connected();
    l.client(
        ms(100),
        Call::SetOption {
            socket: "c".into(),
            option: SockOpt::LingerZero(true),
        },
    )
    .client(ms(100), close("c"));
    let (trace, c, s) = l.run(5);
    let client = trace.socket_by_label(c, "c").unwrap();
    assert_eq!(trace.states_of(client).last(), Some(&State::Closed));
    assert!(!trace.states_of(client).contains(&State::TimeWait));
    assert_eq!(
        trace.errors_of(trace.socket_by_label(s, "s").unwrap()),
        [Errno::ECONNRESET]
    );
}

#[test]
fn a_new_syn_reuses_a_pair_in_time_wait() {
    // The server closes first (TIME-WAIT on the server), then the client reconnects from the
    // same port: Linux accepts the SYN and ends TIME-WAIT (tcp_timewait_state_process).
    let mut l = lab().connected();
    l.server(ms(100), close("s")).client(ms(200), close("c"));
    l.server(
        secs(5),
        Call::Accept {
            listener: "l".into(),
            socket: "s2".into(),
        },
    );
    let (mut trace, c, s) = l.run(1);
    let port = trace.sockets[(trace.socket_by_label(c, "c").unwrap()).index()]
        .local
        .port();
    // Second run, same scenario plus a reconnect from the same port.
    let mut l = lab().connected();
    l.server(ms(100), close("s")).client(ms(200), close("c"));
    l.server(
        secs(5),
        Call::Accept {
            listener: "l".into(),
            socket: "s2".into(),
        },
    );
    l.client(
        secs(10),
        Call::Connect {
            socket: "c2".into(),
            remote: SERVER.parse().unwrap(),
            local_port: Some(port),
        },
    );
    (trace, _, _) = l.run(20);
    let old = trace.socket_by_label(s, "s").unwrap();
    let end = trace.transitions_of(old).last().unwrap();
    assert_eq!(
        (end.0, end.1, end.3),
        (
            secs(10) + Duration::from_millis(10),
            State::TimeWait,
            Cause::TimeWaitReuse
        )
    );
    let new = trace.socket_by_label(s, "s2").unwrap();
    assert_eq!(trace.final_state(new), Some(State::Established));
}

#[test]
fn an_idle_timeout_middlebox_resets_a_stale_connection() {
    let mut l = lab().connected();
    l.sim
        .add_middlebox(Middlebox {
            between: (HostId(0), HostId(1)),
            idle_timeout: Duration::from_secs(350),
            on_expired: ExpiredAction::Reset,
        })
        .unwrap();
    l.client(
        secs(400),
        Call::Send {
            socket: "c".into(),
            bytes: 10,
            data: None,
        },
    );
    let (trace, c, s) = l.run(500);
    let client = trace.socket_by_label(c, "c").unwrap();
    assert_eq!(trace.errors_of(client), [Errno::ECONNRESET]);
    // The server never heard a thing: it still believes the connection is up.
    assert_eq!(
        trace.final_state(trace.socket_by_label(s, "s").unwrap()),
        Some(State::Established)
    );
}

#[test]
fn netstat_from_the_trace_matches_the_live_sockets() {
    let mut l = lab();
    l.server(
        ms(0),
        Call::Listen {
            socket: "l".into(),
            port: 80,
            backlog: 16,
        },
    );
    for i in 0..6u64 {
        l.server(
            ms(0),
            Call::Accept {
                listener: "l".into(),
                socket: format!("s{i}"),
            },
        );
        l.client(ms(100 * i + 1), connect(&format!("c{i}")));
        l.client(
            ms(100 * i + 50),
            Call::Send {
                socket: format!("c{i}"),
                bytes: 700 * i,
                data: None,
            },
        );
    }
    l.server(ms(1_000), close("s0"))
        .server(ms(1_000), close("s1"))
        .client(ms(1_500), close("c1"));
    l.server(
        ms(1_200),
        Call::Recv {
            socket: "s3".into(),
            max: 1000,
        },
    );
    let Lab { mut sim, c, s } = l;
    for t in [ms(5), ms(120), ms(1_010), ms(1_600), secs(40), secs(90)] {
        sim.advance_to(t).unwrap();
        let live = sim.netstat();
        let from_trace = sim.trace().netstat_at(t);
        assert_eq!(live.rows, from_trace.rows, "at {t}");
    }
    sim.advance_to(secs(90)).unwrap();
    let end = sim.netstat();
    let counts = end.counts(Some(c));
    assert_eq!(counts.get(&State::CloseWait), Some(&1), "c0 never closed");
    assert_eq!(counts.get(&State::Established), Some(&4));
    assert_eq!(end.counts(Some(s)).get(&State::Listen), Some(&1));
    insta::assert_snapshot!("netstat_server", end.render_ss(s));
}

/// Memory is bounded by what the run's record holds, not by counts: a keep-alive storm (the
/// idle connections probe each other every second) stops at its memory limit, having counted
/// what it held; and a run whose calls alone would be over it is refused before it starts.
#[test]
fn runs_are_bounded_in_memory() {
    let storm = |max_memory: u64| {
        let (mut sim, c, s) = common::hosts(SimConfig {
            max_memory,
            tcp: TcpConfig {
                keepalive: Keepalive {
                    enabled: true,
                    idle: Duration::from_secs(1),
                    interval: Duration::from_secs(1),
                    probes: 9,
                },
                ..TcpConfig::linux()
            },
            ..SimConfig::default()
        });
        let listen = Call::Listen {
            socket: "l".into(),
            port: 80,
            backlog: 1000,
        };
        sim.call(ms(0), s, listen).unwrap();
        for i in 0..100 {
            sim.call(ms(1), c, connect(&format!("c{i}"))).unwrap();
        }
        sim
    };
    let limit = 4 << 20;
    let err = storm(limit)
        .run_for(Duration::from_secs(24 * 3600))
        .unwrap_err();
    let SimError::MemoryLimit { limit: said, at } = err.error else {
        panic!("{:?}", err.error)
    };
    assert_eq!(said, limit);
    // Stopped within a check's worth of events of the limit, well before the day ended.
    assert!(at < secs(24 * 3600), "{at}");
    let held = (err.partial.events.capacity() * std::mem::size_of::<TraceEvent>()
        + err.partial.segments.capacity() * std::mem::size_of::<Segment>()) as u64;
    assert!(held > limit / 2 && held < 2 * limit, "{held} bytes held");
    assert!(err.to_string().contains("4 MiB"), "{err}");

    // 100 101 calls (a listen, 100 connects and 100 000 more) need at least 128 bytes each:
    // refused before any work.
    let mut sim = storm(1 << 20);
    let c = HostId(0);
    for i in 0..100_000 {
        sim.call(ms(2), c, connect(&format!("d{i}"))).unwrap();
    }
    let err = sim.run_for(Duration::from_secs(1)).unwrap_err();
    assert!(
        matches!(err.error, SimError::MemoryEstimate { calls: 100_101, limit, .. } if limit == 1 << 20),
        "{:?}",
        err.error
    );
    assert_eq!(err.partial.stats.queue_events, 0);
}

#[test]
fn runs_are_bounded() {
    let mut sim = Simulator::new(SimConfig {
        max_events: 50,
        ..SimConfig::default()
    });
    let c = sim
        .add_host(HostSpec::new("client", [10, 0, 0, 1]))
        .unwrap();
    sim.add_host(HostSpec::new("server", [10, 0, 0, 2]))
        .unwrap();
    for i in 0..100 {
        sim.call(ms(i), c, connect(&format!("c{i}"))).unwrap();
    }
    let err = sim.run_for(Duration::from_secs(10)).unwrap_err();
    assert!(matches!(err.error, SimError::EventLimit { limit: 50, .. }));
    assert!(err.to_string().contains("limit"), "{err}");
    assert!(!err.partial.events.is_empty());

    let sim = Simulator::new(SimConfig {
        max_duration: Duration::from_secs(60),
        ..SimConfig::default()
    });
    let err = sim.run_for(Duration::from_secs(61)).unwrap_err();
    assert!(err.to_string().contains("shorten the run"), "{err}");
}

#[test]
fn bad_setup_is_an_error_value() {
    let mut sim = Simulator::new(SimConfig::default());
    sim.add_host(HostSpec::new("a", [10, 0, 0, 1])).unwrap();
    assert_eq!(
        sim.add_host(HostSpec::new("a", [10, 0, 0, 2])),
        Err(SimError::DuplicateHostName("a".into()))
    );
    assert!(matches!(
        sim.add_host(HostSpec::new("b", [10, 0, 0, 1])),
        Err(SimError::DuplicateAddress(_))
    ));
    let bad = LinkConfig {
        loss: 1.5,
        ..LinkConfig::default()
    };
    assert!(
        sim.set_link(HostId(0), HostId(0), bad)
            .unwrap_err()
            .to_string()
            .contains("loss probability 1.5")
    );
    assert_eq!(
        sim.call(ms(0), HostId(9), Call::Crash),
        Err(SimError::UnknownHost(HostId(9)))
    );
}
