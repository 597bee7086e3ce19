//! The library as an engineer uses it: stepping a run, forking it, asking about sockets it does
//! not have, and reading what a failing test prints.

use tcpsim_core::prelude::*;
use tcpsim_core::trace::EventKind;

mod common;
use common::{close, connect, ms, pair};

/// A client and a server 10 ms apart; the server listens and accepts `s`, the client connects `c`.
fn connected() -> (Simulator, HostId, HostId) {
    pair(LinkConfig::default(), TcpConfig::linux(), 3)
}

#[test]
fn a_call_before_the_time_reached_is_refused_not_lost() {
    let (mut sim, c, _) = connected();
    sim.advance_to(ms(500)).unwrap();
    let err = sim.call(ms(100), c, close("c")).unwrap_err();
    assert_eq!(
        err,
        SimError::CallInPast {
            at: ms(100),
            now: ms(500)
        }
    );
    assert!(
        err.to_string().contains("make it t=500ms or later"),
        "{err}"
    );
    // At the time reached it is accepted, and it runs.
    sim.call(ms(500), c, close("c")).unwrap();
    let trace = sim.run_for(Duration::from_secs(1)).unwrap();
    let sock = trace.socket_by_label(c, "c").unwrap();
    assert_eq!(trace.state_at(sock, ms(501)), Some(State::FinWait1));
}

#[test]
fn run_for_counts_from_the_time_reached_and_run_until_names_the_end() {
    let (mut sim, _, _) = connected();
    sim.advance_to(ms(300)).unwrap();
    assert_eq!(sim.now(), ms(300));
    let fork = sim.clone();
    let trace = sim.run_for(Duration::from_secs(2)).unwrap();
    assert_eq!(trace.end, ms(2_300));
    let until = fork.run_until(ms(2_300)).unwrap();
    assert_eq!(until, trace);

    let (mut sim, _, _) = connected();
    sim.advance_to(ms(300)).unwrap();
    let err = sim.clone().run_until(ms(200)).unwrap_err();
    assert_eq!(
        err.error,
        SimError::EndInPast {
            end: ms(200),
            now: ms(300)
        }
    );
    assert_eq!(err.partial.end, ms(300));
    assert!(matches!(
        sim.advance_to(ms(100)),
        Err(SimError::EndInPast { .. })
    ));
}

#[test]
fn next_event_at_tells_what_is_due_next() {
    let (mut sim, _, _) = connected();
    // The listen and accept at 0.
    assert_eq!(sim.next_event_at(), Some(ms(0)));
    sim.advance_to(ms(0)).unwrap();
    // The connect() at 1 ms.
    assert_eq!(sim.next_event_at(), Some(ms(1)));
    sim.advance_to(ms(1)).unwrap();
    // Its SYN arrives 10 ms later (the default link).
    assert_eq!(sim.next_event_at(), Some(ms(11)));
    // After the handshake, the SYN's retransmission check is still queued (a timer is put off
    // lazily: the check finds it cancelled); after it, nothing is due.
    sim.advance_to(ms(100)).unwrap();
    assert_eq!(sim.next_event_at(), Some(ms(1_001)));
    let events = sim.trace().events.len();
    let mut steps = Vec::new();
    while let Some(at) = sim.next_event_at() {
        sim.advance_to(at).unwrap();
        steps.push(at);
        assert!(steps.len() < 10, "{steps:?}");
    }
    // The client's SYN and the server's SYN,ACK each leave one; neither records anything.
    assert_eq!(steps, [ms(1_001), ms(1_011)]);
    assert_eq!(sim.trace().events.len(), events);
}

#[test]
fn a_clone_is_a_fork_that_goes_on_alone() {
    let (mut sim, c, s) = connected();
    sim.advance_to(ms(100)).unwrap();
    let mut fork = sim.clone();
    fork.call(ms(100), c, close("c")).unwrap();
    let base = sim.run_for(Duration::from_secs(1)).unwrap();
    let forked = fork.run_for(Duration::from_secs(1)).unwrap();
    // Up to the fork, both traces agree event for event.
    let before = |t: &Trace| t.events.iter().filter(|e| e.t < ms(100)).count();
    assert_eq!(before(&base), before(&forked));
    assert_eq!(base.events[..before(&base)], forked.events[..before(&base)]);
    let (bc, fc) = (
        base.socket_by_label(c, "c").unwrap(),
        forked.socket_by_label(c, "c").unwrap(),
    );
    assert_eq!(base.final_state(bc), Some(State::Established));
    assert_eq!(forked.final_state(fc), Some(State::FinWait2));
    let fs = forked.socket_by_label(s, "s").unwrap();
    assert_eq!(forked.final_state(fs), Some(State::CloseWait));
}

#[test]
fn queries_on_a_socket_the_run_does_not_have_say_so() {
    let (sim, c, _) = connected();
    let trace = sim.run_for(Duration::from_secs(1)).unwrap();
    let missing = SocketId(trace.sockets.len() as u32);
    assert_eq!(trace.final_state(missing), None);
    assert_eq!(trace.state_at(missing, ms(5)), None);
    // A socket that exists but was not created yet was CLOSED then.
    let sock = trace.socket_by_label(c, "c").unwrap();
    assert_eq!(trace.state_at(sock, ms(0)), Some(State::Closed));
}

#[test]
fn an_orphan_that_gives_up_reports_its_error() {
    // The server's host crashes (no RST), then the client closes: its FIN is never acknowledged,
    // and after tcp_orphan_retries the orphaned FIN-WAIT-1 socket gives up.
    let (mut sim, c, s) = connected();
    sim.call(ms(100), s, Call::Crash).unwrap();
    sim.call(ms(200), c, close("c")).unwrap();
    let trace = sim.run_for(Duration::from_secs(600)).unwrap();
    let sock = trace.socket_by_label(c, "c").unwrap();
    assert_eq!(trace.errors_of(sock), [Errno::ETIMEDOUT]);
    let gave_up = trace
        .events
        .iter()
        .find(|e| matches!(e.kind, EventKind::ConnectionError { socket, .. } if socket == sock))
        .unwrap();
    assert_eq!(trace.state_at(sock, gave_up.t), Some(State::Closed));
    assert!(trace.state_at(sock, ms(300)) == Some(State::FinWait1));
}

#[test]
fn debug_output_is_short_enough_to_read() {
    let (sim, _, _) = connected();
    let shown = format!("{sim:?}");
    assert_eq!(
        shown,
        r#"Simulator { now: t=0s, seed: 3, hosts: ["client", "server"], sockets: 0, calls: 3, events: 0, .. }"#
    );
    assert_eq!(format!("{:?}", Flags::SYN | Flags::ACK), "SYN,ACK");
    assert_eq!(format!("{:?}", Instant::from_micros(3_001)), "t=3.001ms");
    let cfg = SimConfig::default();
    // The whole default configuration fits in a few lines.
    assert!(format!("{cfg:#?}").lines().count() < 20, "{cfg:#?}");
}

#[test]
fn a_failing_property_case_prints_in_a_screenful() {
    use tcpsim_core::strategies::{self, proptest::strategy::*, proptest::test_runner::TestRunner};
    let mut runner = TestRunner::deterministic();
    let case = strategies::pair_scenario()
        .new_tree(&mut runner)
        .unwrap()
        .current();
    let shown = format!("{case:#?}");
    // The configuration is one line unless it differs from its profile; times read as times.
    assert!(shown.contains("tcp: TcpConfig::"), "{shown}");
    assert!(!shown.contains("Instant("), "{shown}");
    assert!(
        shown.lines().count() < 90,
        "{} lines:\n{shown}",
        shown.lines().count()
    );
}

#[test]
fn the_defaults_are_those_the_docs_give() {
    let d = SimConfig::default();
    assert_eq!(d.seed, 1);
    assert_eq!(d.tcp, TcpConfig::linux());
    assert_eq!(
        d.default_link,
        LinkConfig::latency(Duration::from_millis(10))
    );
    assert_eq!(d.max_events, 50_000_000);
    assert_eq!(d.max_duration, Duration::from_secs(30 * 24 * 3600));
    assert_eq!(d.max_sockets, 1_000_000);
}

/// When every ephemeral port is taken, connect() fails with EADDRNOTAVAIL at once, and succeeds
/// again as soon as a connection gives its port back.
#[test]
fn running_out_of_ports_fails_connects_until_a_port_is_free_again() {
    let mut sim = Simulator::new(SimConfig::default());
    let c = sim
        .add_host(HostSpec {
            ephemeral_ports: (40_000, 40_002),
            ..HostSpec::new("client", [10, 0, 0, 1])
        })
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
            backlog: 64,
        },
    )
    .unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            sim.call(ms(10 + i), c, connect(&format!("c{i}"), "10.0.0.2:80"))
                .unwrap(),
        );
    }
    // One connection given up (a reset: no TIME-WAIT), then another connect().
    sim.call(
        ms(100),
        c,
        Call::Abort {
            socket: "c0".into(),
        },
    )
    .unwrap();
    ids.push(sim.call(ms(200), c, connect("c5", "10.0.0.2:80")).unwrap());
    let trace = sim.run_for(Duration::from_secs(1)).unwrap();
    let results: Vec<Option<CallResult>> = ids
        .iter()
        .map(|id| {
            trace.events.iter().find_map(|e| match e.kind {
                EventKind::Return {
                    call_id, result, ..
                } if call_id == *id => Some(result),
                EventKind::Call {
                    call_id,
                    result: Some(r),
                    ..
                } if call_id == *id => Some(r),
                _ => None,
            })
        })
        .collect();
    let no_port = Some(CallResult::Error(Errno::EADDRNOTAVAIL));
    assert_eq!(results[..3], [Some(CallResult::Ok); 3]);
    assert_eq!(results[3..5], [no_port, no_port]);
    assert_eq!(
        results[5],
        Some(CallResult::Ok),
        "the aborted connection's port is free again"
    );
}
