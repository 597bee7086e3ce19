//! Property tests over random application call sequences and network faults.

use proptest::prelude::*;
use tcpsim_core::call::CallResult;
use tcpsim_core::check;
use tcpsim_core::pair::{AppOp, AppStep, PairScenario, Side};
use tcpsim_core::prelude::*;
use tcpsim_core::strategies;
use tcpsim_core::trace::EventKind;

/// Long enough for every timer the Linux profile has (TIME-WAIT 60 s, FIN-WAIT-2 60 s, data
/// retransmissions 924.6 s) to run out after the last call at 20 s.
const LONG: Duration = Duration::from_secs(1_200);

proptest! {
    // 256 cases by default; PROPTEST_CASES=N for a longer hunt.
    #![proptest_config(ProptestConfig::default())]

    /// No panic, no limit hit, and every trace invariant holds: only Figure 5 arcs plus reset
    /// and timeout arcs with fitting causes; data delivered in order, only what the peer sent,
    /// and all of it before a FIN.
    #[test]
    fn any_scenario_keeps_the_invariants(scenario in strategies::pair_scenario()) {
        let trace = scenario.run_for(Duration::from_secs(300)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let violations = check::all(&trace);
        prop_assert!(violations.is_empty(), "{:#?}", violations);
    }

    /// The same seed gives a byte-identical trace.
    #[test]
    fn the_same_seed_gives_the_same_trace(scenario in strategies::pair_scenario()) {
        let a = serde_json::to_vec(&scenario.run_for(Duration::from_secs(120)).unwrap()).unwrap();
        let b = serde_json::to_vec(&scenario.run_for(Duration::from_secs(120)).unwrap()).unwrap();
        prop_assert_eq!(a, b);
    }

    /// If both applications close (and the network is never cut for good), both ends reach
    /// CLOSED within the bound: the Linux profile's longest timeouts after the last call.
    #[test]
    fn both_ends_close_when_both_applications_close(
        seed in any::<u64>(),
        c2s in strategies::link_config(0.3),
        s2c in strategies::link_config(0.3),
        faults in prop::collection::vec(strategies::fault_rule(), 0..3),
        mut steps in strategies::app_steps(8, Duration::from_secs(10)),
        close_at in (40_000u64..60_000, 40_000u64..60_000),
    ) {
        steps.retain(|s| !matches!(s.op, AppOp::Close | AppOp::Abort));
        steps.push(AppStep { at: Instant::from_millis(close_at.0), side: Side::Client, op: AppOp::Close });
        steps.push(AppStep { at: Instant::from_millis(close_at.1), side: Side::Server, op: AppOp::Close });
        steps.sort_by_key(|s| s.at);
        let scenario = PairScenario { seed, tcp: TcpConfig::linux(), client_to_server: c2s, server_to_client: s2c, faults, steps };
        let trace = scenario.run_for(LONG).unwrap();
        // The premise: both close() calls succeeded. A close() that ran before accept() returned
        // fails with EBADF, and that socket is simply leaked (CLOSE-WAIT forever is correct then).
        let closes_ok = trace.events.iter().filter(|e| matches!(&e.kind,
            EventKind::Call { call_id, result: Some(CallResult::Ok), .. } if matches!(trace.call(*call_id), Some(Call::Close { .. })))).count();
        prop_assume!(closes_ok == 2);
        for side in [Side::Client, Side::Server] {
            if let Some(sock) = PairScenario::socket(&trace, side) {
                prop_assert_eq!(trace.final_state(sock), Some(State::Closed), "{:?}\n{}", side, trace.to_text(false));
            }
        }
    }

    /// A connection whose application never closes after the peer's FIN stays in CLOSE-WAIT
    /// for as long as the run lasts, whatever the network does.
    #[test]
    fn close_wait_lasts_until_the_application_closes(
        seed in any::<u64>(),
        c2s in strategies::link_config(0.3),
        s2c in strategies::link_config(0.3),
        reads in prop::collection::vec((0u64..400_000, 1u64..5_000), 0..5),
        sends in prop::collection::vec((150_000u64..200_000, 1u64..5_000), 0..3),
        // After every SYN and SYN,ACK retry has run out (127 s), so accept() has returned.
        server_close in 200_000u64..300_000,
        profile in strategies::tcp_config(),
    ) {
        // The server sends a little, then closes; the client only reads, and never closes.
        let mut steps: Vec<AppStep> = sends.iter().map(|(t, n)| AppStep { at: Instant::from_millis(*t), side: Side::Server, op: AppOp::Send(*n) }).collect();
        steps.push(AppStep { at: Instant::from_millis(server_close), side: Side::Server, op: AppOp::Close });
        steps.extend(reads.iter().map(|(t, n)| AppStep { at: Instant::from_millis(*t), side: Side::Client, op: AppOp::Recv(*n) }));
        steps.sort_by_key(|s| s.at);
        let scenario = PairScenario { seed, tcp: profile, client_to_server: c2s, server_to_client: s2c, faults: vec![], steps };
        let trace = scenario.run_for(Duration::from_secs(3_600)).unwrap();
        let client = PairScenario::socket(&trace, Side::Client).unwrap();
        let entered = trace.transitions_of(client).any(|(_, _, to, _)| to == State::CloseWait);
        if entered {
            prop_assert_eq!(trace.final_state(client), Some(State::CloseWait), "{}", trace.to_text(false));
        } else {
            // No FIN got through in order (losses, and the orphan gave up), or the handshake
            // failed. Then the server cannot have seen its FIN acknowledged either.
            let server = PairScenario::socket(&trace, Side::Server);
            let server_states = server.map(|s| trace.states_of(s)).unwrap_or_default();
            prop_assert!(
                !server_states.iter().any(|s| matches!(s, State::FinWait2 | State::TimeWait | State::Closing)),
                "{}", trace.to_text(false)
            );
        }
    }
}

/// A deterministic smoke test of the strategies' output: a lossy run retransmits and duplicates.
#[test]
fn lossy_links_show_retransmissions_and_duplicates() {
    let lossy = LinkConfig {
        latency: Duration::from_millis(30),
        jitter: Duration::from_millis(10),
        loss: 0.2,
        duplicate: 0.1,
        reorder: 0.1,
        reorder_delay: Duration::from_millis(40),
    };
    let steps = (0..10)
        .map(|i| AppStep {
            at: Instant::from_millis(500 + 100 * i),
            side: Side::Client,
            op: AppOp::Send(20_000),
        })
        .chain((30..90).map(|t| AppStep {
            at: Instant::from_secs(t),
            side: Side::Server,
            op: AppOp::Recv(1 << 30),
        }))
        .collect();
    let scenario = PairScenario {
        seed: 3,
        client_to_server: lossy.clone(),
        server_to_client: lossy,
        steps,
        ..PairScenario::default()
    };
    let trace = scenario.run_for(Duration::from_secs(120)).unwrap();
    assert!(check::all(&trace).is_empty());
    let count = |f: fn(&EventKind) -> bool| trace.events.iter().filter(|e| f(&e.kind)).count();
    assert!(
        count(|k| matches!(
            k,
            EventKind::SegmentSent {
                reason: SendReason::Retransmit,
                ..
            }
        )) > 0
    );
    assert!(count(|k| matches!(k, EventKind::SegmentDuplicated { .. })) > 0);
    assert!(count(|k| matches!(k, EventKind::SegmentDropped { .. })) > 0);
    // All 200 000 bytes arrived, in order.
    let server = PairScenario::socket(&trace, Side::Server).unwrap();
    let received: u64 = trace
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::DataReceived { socket, len, .. } if socket == server => Some(u64::from(len)),
            _ => None,
        })
        .sum();
    assert_eq!(received, 200_000);
}
