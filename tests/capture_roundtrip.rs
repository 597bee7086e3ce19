//! Every bundled scenario's capture (`tcpsim pcap`), read back by the capture reader: each
//! connection's two endpoints end in the states the simulator's trace has them in, except
//! where the wire cannot show it (a timer dropping a socket: TIME-WAIT's end, an orphan's
//! `tcp_fin_timeout`, keep-alive giving up without a reply).

use std::net::SocketAddr;
use tcpsim::core::state::State;
use tcpsim::evidence::capture;
use tcpsim::scenario::Scenario;

/// The states a socket may show on the wire when the trace has `truth` at the end.
fn seen_as(truth: State, inferred: State, story: capture::Story) -> bool {
    truth == inferred
        // A middlebox's RST carries the peer's address: the wire cannot tell them apart
        // (the load balancer's idle timeout: the server never learns of it).
        || (story == capture::Story::IdleReset && inferred == State::Closed)
        || matches!(
            (truth, inferred),
            // A timer closed it, which sends nothing.
            (State::Closed, State::TimeWait | State::FinWait2 | State::Established | State::FinWait1 | State::SynSent | State::LastAck | State::Closing)
        )
}

/// The bundled scenarios but the production-scale one, in name order.
fn bundled() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter(|p| !p.to_string_lossy().contains("production"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_bundled_capture_gives_back_the_states_of_its_trace() {
    let files = bundled();
    let (mut endpoints, mut exact) = (0, 0);
    let mut misses = std::collections::BTreeMap::new();
    for path in files {
        let name = path.display().to_string();
        let s = Scenario::parse(&name, &std::fs::read_to_string(&path).unwrap()).unwrap();
        let trace = s.run().unwrap();
        let bytes = tcpsim::render::pcap::pcap(&trace);
        let cap = capture::read(&bytes[..]).unwrap();
        assert!(cap.stopped.is_none(), "{name}: {:?}", cap.stopped);
        assert_eq!(cap.skipped.unreadable, 0, "{name}");
        for c in &cap.connections {
            for side in [&c.client, &c.server] {
                let addr = side.addr.unwrap();
                let peer = if std::ptr::eq(side, &c.client) {
                    c.server.addr.unwrap()
                } else {
                    c.client.addr.unwrap()
                };
                // The trace's socket with these two ends (the last one, if reused).
                let sock = trace.sockets.iter().rev().find(|x| {
                    SocketAddr::V4(x.local) == addr && x.remote.map(SocketAddr::V4) == Some(peer)
                });
                // A refused connection's server had no socket: no state is inferred for it.
                let Some(inferred) = side.state() else {
                    assert_eq!(c.story, capture::Story::Refused, "{name}: {addr}");
                    assert!(sock.is_none(), "{name}: {addr} has a socket in the trace");
                    continue;
                };
                let Some(sock) = sock else {
                    // A SYN to a port with no listener: no socket on that side.
                    assert!(
                        matches!(
                            c.story,
                            capture::Story::Refused | capture::Story::NeverAnswered
                        ),
                        "{name}: no socket for {addr} ({:?})",
                        c.story
                    );
                    continue;
                };
                let truth = trace.final_state(sock.id).unwrap_or(State::Closed);
                endpoints += 1;
                if truth == inferred {
                    exact += 1;
                } else {
                    *misses.entry((name.clone(), truth, inferred)).or_insert(0) += 1;
                }
                assert!(
                    seen_as(truth, inferred, c.story),
                    "{name}: {addr} ends {truth} in the trace, inferred {inferred} ({:?})",
                    side.states
                );
            }
        }
    }
    // The others were all closed by a timer the wire does not show (checked above): 1 024
    // orphans of the client leak dropped by tcp_fin_timeout, TIME-WAITs ended, a SYN-SENT
    // given up, and the load balancer's forged RST.
    assert!(endpoints >= 2000, "{endpoints}");
    assert!(exact >= 1000, "{exact} of {endpoints} exact: {misses:?}");
    eprintln!("{exact} of {endpoints} endpoints inferred exactly; the others: {misses:?}");
}

/// A captured connection written back as a scenario (`tcpsim scenario-from`) reads, runs, and
/// ends where the capture left it: its expectations pass in the simulator.
#[test]
fn captured_incidents_replay_as_scenarios_that_pass_their_own_check() {
    for lesson in [
        "leaked-close",
        "four-way-close",
        "leaked-close-late-rst",
        "close-with-unread-data",
        "connect-refused",
        "half-close",
    ] {
        let path = format!("scenarios/{lesson}.toml");
        let s = Scenario::parse(&path, &std::fs::read_to_string(&path).unwrap()).unwrap();
        let bytes = tcpsim::render::pcap::pcap(&s.run().unwrap());
        let cap = capture::read(&bytes[..]).unwrap();
        let text = tcpsim::evidence::replay::scenario_from("x.pcap", 1, &cap.connections[0])
            .unwrap_or_else(|e| panic!("{lesson}: {e:?}"));
        let replay = Scenario::parse("replay.toml", &text)
            .unwrap_or_else(|e| panic!("{lesson}: {e}\n{text}"));
        let trace = replay.run().unwrap();
        let failures = replay.check(&trace);
        assert!(
            failures.is_empty(),
            "{lesson}: {}\n{text}",
            failures
                .iter()
                .map(|f| f.render(tcpsim::render::i18n::Lang::En))
                .collect::<Vec<_>>()
                .join("\n")
        );
        assert!(!replay.expectations.is_empty(), "{lesson}");
        // Every call it writes is made: none waits for an event that never comes.
        assert!(
            tcpsim::scenario::never_made(&trace).is_empty(),
            "{lesson}: {:?}\n{text}",
            tcpsim::scenario::never_made(&trace)
        );
    }
}

/// Every bundled scenario's capture, read as an observed trace: the same segments in the
/// order they were sent (flags, numbers, windows, lengths), the same states at the end as the
/// capture reader infers, the core's invariants held, and every view drawn from it.
#[test]
fn every_bundled_capture_reads_back_as_a_trace_every_view_draws() {
    use tcpsim::evidence::observed::{MAX_TRACE_PACKETS, read_trace};
    use tcpsim::render::{jsonl, ladder, layout, netstat, plot, sequence, svg};
    let files = bundled();
    let mut drawn = 0;
    for path in files {
        let name = path.display().to_string();
        let s = Scenario::parse(&name, &std::fs::read_to_string(&path).unwrap()).unwrap();
        let run = s.run().unwrap();
        let bytes = tcpsim::render::pcap::pcap(&run);
        let got = read_trace(&bytes[..], &name, MAX_TRACE_PACKETS).unwrap();
        let t = &got.trace;
        // The segments, as sent in the run (the capture holds what was sent).
        let sent: Vec<_> = run.segments_sent().map(|(_, _, seg, _)| *seg).collect();
        let mut seen: Vec<_> = t.segments_sent().map(|(_, _, seg, _)| *seg).collect();
        let mut want = sent.clone();
        let key = |s: &tcpsim::core::segment::Segment| (s.src, s.dst, s.seq.0, s.ack.0, s.len);
        seen.sort_by_key(key);
        want.sort_by_key(key);
        assert_eq!(seen, want, "{name}");
        assert!(t.observed.is_some(), "{name}");
        // Its binary form (how it crosses the page's modules) gives it back; cut short, an
        // error, never a panic.
        let wire = t.encode_observed().unwrap();
        assert_eq!(
            tcpsim::core::trace::Trace::decode_observed(&wire).as_ref(),
            Ok(t),
            "{name}"
        );
        for cut in [1, 5, wire.len() / 3, wire.len() / 2, wire.len() - 1] {
            assert!(tcpsim::core::trace::Trace::decode_observed(&wire[..cut]).is_err());
        }
        // A simulated trace has no such form.
        assert_eq!(run.encode_observed(), None);
        // One that names a host it does not have is refused, not drawn (the fuzzer's find:
        // the ladder indexed the hosts with it).
        let mut bad = t.clone();
        bad.sockets[0].host = tcpsim::core::id::HostId(91);
        let e = tcpsim::core::trace::Trace::decode_observed(&bad.encode_observed().unwrap())
            .unwrap_err();
        assert_eq!(e.expected, "sockets on the trace's own hosts", "{name}");
        // Each socket ends where the capture reader left its side.
        for c in &got.capture.connections {
            for (side, other) in [(&c.client, &c.server), (&c.server, &c.client)] {
                let Some(last) = side.state() else { continue };
                let (std::net::SocketAddr::V4(addr), std::net::SocketAddr::V4(peer)) =
                    (side.addr.unwrap(), other.addr.unwrap())
                else {
                    continue;
                };
                let sock = t
                    .sockets
                    .iter()
                    .rev()
                    .find(|x| x.local == addr && x.remote == Some(peer))
                    .unwrap();
                assert_eq!(t.final_state(sock.id), Some(last), "{name}: {addr}");
            }
        }
        // The core's invariants.
        let broken = tcpsim::core::check::all(t);
        assert!(broken.is_empty(), "{name}: {broken:?}");
        // Every view draws it.
        for sock in t.sockets.iter().filter(|s| s.remote.is_some()).take(3) {
            let l = layout::layout(t, Some(sock.id)).unwrap();
            assert!(!l.arrows.is_empty(), "{name}");
            let text = ladder::render(
                t,
                &ladder::LadderOptions {
                    socket: Some(sock.id),
                    ..Default::default()
                },
            );
            assert!(text.contains(&sock.local.to_string()), "{name}");
            assert!(svg::ladder_svg(&l, &svg::SvgOptions::default()).starts_with("<svg"));
            assert!(sequence::mermaid(&l, None).starts_with("sequenceDiagram"));
            assert!(sequence::plantuml(&l, None).contains("@startuml"));
            drawn += 1;
        }
        let lines: Vec<_> = jsonl::lines(t).collect();
        assert!(
            lines.iter().all(|l| l.contains("\"observed\":true")),
            "{name}"
        );
        let _ = netstat::render_in(t, t.end, 10, tcpsim::render::i18n::Lang::Zh);
        let series = plot::state_series(t, tcpsim::core::id::HostId(0));
        assert!(
            plot::states_svg(
                &series,
                None,
                "x",
                (800, 450),
                tcpsim::render::i18n::Lang::En
            )
            .is_ok()
        );
    }
    assert!(drawn >= 30, "{drawn}");
}
