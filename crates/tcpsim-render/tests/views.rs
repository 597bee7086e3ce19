//! The views agree with the trace they draw.

use tcpsim_core::pair::{AppOp, AppStep, PairScenario, Side as PSide};
use tcpsim_core::prelude::*;
use tcpsim_render::chart::{counts_over_time, open_sockets_at};
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
    .run_for(Duration::from_secs(120))
    .unwrap()
}

#[test]
fn chart_counts_match_netstat_at_every_sample() {
    let trace = leaked_close();
    for host in [None, Some(HostId(0)), Some(HostId(1))] {
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
fn open_sockets_per_host_match_netstat_rows() {
    let trace = leaked_close();
    // Before the connect, during the handshake, established, after the server's close, and
    // after FIN-WAIT-2 gave up (client in CLOSE-WAIT, server's socket gone).
    for ms in [0, 1, 3, 1_000, 5_010, 70_000, 120_000] {
        let t = Instant::from_micros(ms * 1000);
        let ns = trace.netstat_at(t);
        let rows: Vec<u64> = (0..trace.hosts.len() as u32)
            .map(|h| ns.rows.iter().filter(|r| r.host == HostId(h)).count() as u64)
            .collect();
        assert_eq!(open_sockets_at(&trace, t), rows, "at {t}");
    }
    // At the end: the client's socket in CLOSE-WAIT, the server's listener.
    assert_eq!(open_sockets_at(&trace, trace.end), vec![1, 1]);
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

/// Nothing drawn at one moment lands on top of something else: two segments one side sends
/// at once leave from rows of their own, arrive on rows of their own, and two calls on one
/// side at one moment are written on separate rows.
/// Two seconds of a client and a server making these calls (milliseconds, side, call).
fn pair_run(steps: &[(u64, PSide, AppOp)]) -> Trace {
    PairScenario {
        steps: steps
            .iter()
            .map(|&(ms, side, op)| AppStep {
                at: Instant::from_millis(ms),
                side,
                op,
            })
            .collect(),
        ..PairScenario::default()
    }
    .run_for(Duration::from_secs(2))
    .unwrap()
}

#[test]
fn things_at_one_moment_get_rows_of_their_own() {
    // The server reads the request and answers with 2 000 bytes (two segments) at once.
    let trace = pair_run(&[
        (100, PSide::Client, AppOp::Send(300)),
        (200, PSide::Server, AppOp::Recv(300)),
        (200, PSide::Server, AppOp::Send(2000)),
    ]);
    let l = layout(&trace, None).unwrap();
    let answer: Vec<_> = l
        .arrows
        .iter()
        .filter(|a| a.from == Side::Right && a.label.contains("len="))
        .collect();
    assert_eq!(answer.len(), 2, "{:?}", l.arrows);
    assert_eq!(answer[0].sent, answer[1].sent);
    assert!(answer[1].y0 > answer[0].y0, "sent on rows of their own");
    assert_eq!(answer[0].end, answer[1].end);
    assert!(answer[1].y1 > answer[0].y1, "arrive on rows of their own");
    // Parallel: both take as long on the page.
    let drop = |a: &&tcpsim_render::layout::Arrow| a.y1 - a.y0;
    assert!((drop(&answer[0]) - drop(&answer[1])).abs() < 0.01);
    let server_notes: Vec<_> = l
        .notes
        .iter()
        .filter(|n| {
            n.side == Side::Right && (n.text.starts_with("recv") || n.text.starts_with("send"))
        })
        .collect();
    assert_eq!(server_notes.len(), 2);
    assert!(server_notes[1].y > server_notes[0].y);
    // The first segment leaves from the send() call's row, and a tick names the moment once.
    assert_eq!(answer[0].y0, server_notes[1].y);
    assert_eq!(l.ticks.iter().filter(|t| t.t == answer[0].sent).count(), 1);
    // Labels stay in the middle of arrows that do not cross.
    assert!(l.arrows.iter().all(|a| a.label_at == 0.5));
}

/// Segments both sides send at one moment cross in the middle; their labels move towards
/// their senders instead of being written on top of each other.
#[test]
fn crossing_segments_keep_their_labels_apart() {
    let trace = pair_run(&[
        (100, PSide::Client, AppOp::Close),
        (100, PSide::Server, AppOp::Close),
    ]);
    let l = layout(&trace, None).unwrap();
    let fins: Vec<_> = l.arrows.iter().filter(|a| a.flags.fin()).collect();
    assert_eq!(fins.len(), 2);
    assert_ne!(fins[0].from, fins[1].from);
    assert!(fins.iter().all(|a| a.label_at < 0.5));
    let label_x = |a: &tcpsim_render::layout::Arrow| a.x0 + (a.x1 - a.x0) * a.label_at;
    assert!((label_x(fins[0]) - label_x(fins[1])).abs() > 120.0);
}

#[test]
fn a_reacting_call_never_made_is_a_note_on_its_side_at_the_end() {
    use tcpsim_core::call::{Reaction, SocketEvent};
    // The client would close when the server has finished; the server never does.
    let mut sim = PairScenario::default().build().unwrap();
    let (c, t) = (PSide::Client.host(), Instant::from_millis(1));
    let close = Call::Close { socket: "c".into() };
    sim.call_on(t, c, Reaction::on(SocketEvent::Eof), close)
        .unwrap();
    let trace = sim.run_for(Duration::from_secs(10)).unwrap();
    let l = layout(&trace, None).unwrap();
    let note = l.notes.iter().find(|n| n.text.contains('✗')).unwrap();
    assert_eq!(note.text, "close() ✗ (eof)");
    assert!(note.error);
    assert_eq!(note.side, Side::Left);
    // It is the last step, at the end of the run.
    let last = l.steps.last().unwrap();
    assert_eq!(last.t, Instant::from_secs(10));
    assert!(matches!(&last.what, StepKind::Call { text, error: true } if text == &note.text));
}
