//! The connection as text sequence diagrams: Mermaid `sequenceDiagram` (renders on GitHub) and
//! PlantUML (with slanted arrows for latency and `x` for lost segments). Both follow the
//! shared layout's steps, so they show what the ladder shows.

use crate::layout::{LadderLayout, Side, StepKind};
use std::fmt::Write as _;

fn alias(side: Side) -> &'static str {
    match side {
        Side::Left => "L",
        Side::Right => "R",
    }
}

fn other(side: Side) -> Side {
    match side {
        Side::Left => Side::Right,
        Side::Right => Side::Left,
    }
}

/// Mermaid escapes: `#` and `;` are special in message text.
fn mermaid_text(s: &str) -> String {
    s.replace('#', "#35;").replace(';', "#59;")
}

fn participant_name(l: &LadderLayout, side: Side) -> String {
    let ll = &l.lifelines[side as usize];
    match &ll.label {
        Some(lab) => format!("{} {lab} {}", ll.host, ll.addr),
        None => format!("{} {}", ll.host, ll.addr),
    }
}

/// A Mermaid sequence diagram: segments as messages in the order they were sent (lost ones
/// end in a cross), state changes as notes over the endpoint, calls and errors beside it.
pub fn mermaid(l: &LadderLayout, until_step: Option<usize>) -> String {
    let last = l.steps.len().saturating_sub(1);
    let until = until_step.unwrap_or(last).min(last);
    let mut s = String::from("sequenceDiagram\n");
    for side in [Side::Left, Side::Right] {
        let _ = writeln!(
            s,
            "    participant {} as {}",
            alias(side),
            mermaid_text(&participant_name(l, side))
        );
    }
    for st in l.steps.iter().take(until + 1) {
        let Some(side) = st.side else { continue };
        match &st.what {
            StepKind::Sent { arrow } => {
                let a = &l.arrows[*arrow];
                let rexmit = if a.reason == tcpsim_core::segment::SendReason::Retransmit {
                    " (retransmission)"
                } else {
                    ""
                };
                let (arrow_kind, lost) = if a.lost {
                    ("-x", " (lost)")
                } else {
                    ("->>", "")
                };
                let suffix = format!("{rexmit}{lost}");
                let _ = writeln!(
                    s,
                    "    {}{arrow_kind}{}: {}{suffix}",
                    alias(a.from),
                    alias(other(a.from)),
                    mermaid_text(&a.label)
                );
            }
            StepKind::State { to, .. } => {
                let _ = writeln!(s, "    Note over {}: {to}", alias(side));
            }
            StepKind::Call { text, .. } | StepKind::Error { text } => {
                let place = if side == Side::Left {
                    "left of"
                } else {
                    "right of"
                };
                let _ = writeln!(
                    s,
                    "    Note {place} {}: {}",
                    alias(side),
                    mermaid_text(text)
                );
            }
            StepKind::TimerFired { timer } => {
                let place = if side == Side::Left {
                    "left of"
                } else {
                    "right of"
                };
                let _ = writeln!(
                    s,
                    "    Note {place} {}: {} timer fired",
                    alias(side),
                    timer.name()
                );
            }
            StepKind::Arrived { .. } | StepKind::Lost { .. } => {}
        }
    }
    s
}

/// A PlantUML sequence diagram; each arrow slants by its latency (`->(n)`), lost ones end in `x`.
pub fn plantuml(l: &LadderLayout, until_step: Option<usize>) -> String {
    let last = l.steps.len().saturating_sub(1);
    let until = until_step.unwrap_or(last).min(last);
    let mut s = String::from("@startuml\n!pragma teoz true\nhide footbox\n");
    for side in [Side::Left, Side::Right] {
        let ll = &l.lifelines[side as usize];
        let label = ll
            .label
            .as_ref()
            .map(|x| format!(" {x}"))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "participant \"{}{label}\\n{}\" as {}",
            ll.host,
            ll.addr,
            alias(side)
        );
    }
    for st in l.steps.iter().take(until + 1) {
        let Some(side) = st.side else { continue };
        match &st.what {
            StepKind::Sent { arrow } => {
                let a = &l.arrows[*arrow];
                let slant = ((a.y1 - a.y0) / 2.0).round().clamp(0.0, 40.0) as i32;
                let rexmit = if a.reason == tcpsim_core::segment::SendReason::Retransmit {
                    " (retransmission)"
                } else {
                    ""
                };
                if a.lost {
                    let _ = writeln!(
                        s,
                        "{} ->x {} : {}{rexmit} (lost)",
                        alias(a.from),
                        alias(other(a.from)),
                        a.label
                    );
                } else {
                    let _ = writeln!(
                        s,
                        "{} ->({slant}) {} : {}{rexmit}",
                        alias(a.from),
                        alias(other(a.from)),
                        a.label
                    );
                }
            }
            StepKind::State { to, .. } => {
                let _ = writeln!(s, "hnote over {} : {to}", alias(side));
            }
            StepKind::Call { text, .. } | StepKind::Error { text } => {
                let place = if side == Side::Left {
                    "left of"
                } else {
                    "right of"
                };
                let _ = writeln!(s, "note {place} {} : {text}", alias(side));
            }
            StepKind::TimerFired { timer } => {
                let place = if side == Side::Left {
                    "left of"
                } else {
                    "right of"
                };
                let _ = writeln!(
                    s,
                    "note {place} {} : {} timer fired",
                    alias(side),
                    timer.name()
                );
            }
            StepKind::Arrived { .. } | StepKind::Lost { .. } => {}
        }
    }
    s.push_str("@enduml\n");
    s
}
