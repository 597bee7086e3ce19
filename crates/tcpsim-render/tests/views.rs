//! The views agree with the trace they draw.

use tcpsim_core::pair::{AppOp, AppStep, PairScenario, Side as PSide};
use tcpsim_core::prelude::*;
use tcpsim_render::chart::counts_over_time;
use tcpsim_render::layout::{Side, StepKind, layout};

fn leaked_close() -> Trace {
    let steps = vec![AppStep {
        at: Instant::from_secs(5),
        side: PSide::Server,
        op: AppOp::Close,
    }];
    PairScenario {
        steps,
        ..PairScenario::default()
    }
    .run(Duration::from_secs(120))
    .unwrap()
}

#[test]
fn chart_counts_match_netstat_at_every_sample() {
    let trace = leaked_close();
    for host in [None, Some(0), Some(1)] {
        for (t, counts) in counts_over_time(&trace, host, 40) {
            assert_eq!(
                counts,
                trace.netstat_at(t).counts(host),
                "host {host:?} at {t}"
            );
        }
    }
}

#[test]
fn layout_of_a_leaked_close() {
    let trace = leaked_close();
    let l = layout(&trace, None).unwrap();
    assert_eq!(
        (l.lifelines[0].host.as_str(), l.lifelines[1].host.as_str()),
        ("client", "server")
    );
    // Five segments: SYN, SYN-ACK, ACK, FIN, ACK; each arrives lower than it left.
    assert_eq!(l.arrows.len(), 5);
    assert!(l.arrows.iter().all(|a| a.y1 > a.y0 && !a.lost));
    assert_eq!(l.arrows[0].label, "SYN seq=0");
    assert_eq!(l.arrows[1].label, "SYN,ACK seq=0 ack=1");
    // The final states: CLOSE-WAIT on the left for good, CLOSED on the right.
    let last = l.steps.len() - 1;
    assert_eq!(l.state_at(Side::Left, last), Some(State::CloseWait));
    assert_eq!(l.state_at(Side::Right, last), Some(State::Closed));
    // The FIN-WAIT-2 timer is drawn for 60 s and fired.
    let fw2: Vec<_> = l
        .timers
        .iter()
        .filter(|t| t.timer == TimerKind::FinWait2)
        .collect();
    assert_eq!(fw2.len(), 1);
    assert_eq!(fw2[0].deadline - fw2[0].armed, Duration::from_secs(60));
    // Steps are in trace order and y never goes up.
    assert!(
        l.steps
            .windows(2)
            .all(|w| w[0].event < w[1].event && w[0].y <= w[1].y)
    );
    assert!(l.steps.iter().any(|s| matches!(
        s.what,
        StepKind::State {
            to: State::CloseWait,
            ..
        }
    )));
}
