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

use crate::escape;

fn participant_name(l: &LadderLayout, side: Side) -> String {
    let ll = &l.lifelines[side as usize];
    match &ll.label {
        Some(lab) => format!("{} {lab} {}", ll.host, ll.addr),
        None => format!("{} {}", ll.host, ll.addr),
    }
}

/// What a sequence diagram says, in order, whatever its syntax.
enum Stmt<'a> {
    /// A segment: sender, label, whether it was retransmitted or lost, and how far it slants.
    Message {
        from: Side,
        label: &'a str,
        rexmit: bool,
        lost: bool,
        slant: i32,
    },
    /// A state change, over the endpoint.
    State {
        side: Side,
        state: tcpsim_core::state::State,
    },
    /// A call, an error, or a timer that fired, beside the endpoint.
    Aside { side: Side, text: String },
}

/// The statements of the layout's steps up to `until_step` (all when `None`).
fn statements(l: &LadderLayout, until_step: Option<usize>) -> Vec<Stmt<'_>> {
    let last = l.steps.len().saturating_sub(1);
    let until = until_step.unwrap_or(last).min(last);
    let mut out = Vec::new();
    for st in l.steps.iter().take(until + 1) {
        let Some(side) = st.side else { continue };
        match &st.what {
            StepKind::Sent { arrow } => {
                let a = &l.arrows[*arrow];
                out.push(Stmt::Message {
                    from: a.from,
                    label: &a.label,
                    rexmit: a.reason == tcpsim_core::segment::SendReason::Retransmit,
                    lost: a.lost,
                    slant: ((a.y1 - a.y0) / 2.0).round().clamp(0.0, 40.0) as i32,
                });
            }
            StepKind::State { to, .. } => out.push(Stmt::State { side, state: *to }),
            StepKind::Call { text, .. } | StepKind::Error { text } => out.push(Stmt::Aside {
                side,
                text: text.clone(),
            }),
            StepKind::TimerFired { timer } => out.push(Stmt::Aside {
                side,
                text: format!("{} timer fired", timer.name()),
            }),
            StepKind::Arrived { .. } | StepKind::Lost { .. } => {}
        }
    }
    out
}

fn beside(side: Side) -> &'static str {
    match side {
        Side::Left => "left of",
        Side::Right => "right of",
    }
}

fn suffix(rexmit: bool, lost: bool) -> String {
    format!(
        "{}{}",
        if rexmit { " (retransmission)" } else { "" },
        if lost { " (lost)" } else { "" }
    )
}

/// A Mermaid sequence diagram: segments as messages in the order they were sent (lost ones
/// end in a cross), state changes as notes over the endpoint, calls and errors beside it.
pub fn mermaid(l: &LadderLayout, until_step: Option<usize>) -> String {
    let mut s = String::from("sequenceDiagram\n");
    for side in [Side::Left, Side::Right] {
        let _ = writeln!(
            s,
            "    participant {} as {}",
            alias(side),
            escape::mermaid(&participant_name(l, side))
        );
    }
    for stmt in statements(l, until_step) {
        let _ = match stmt {
            Stmt::Message {
                from,
                label,
                rexmit,
                lost,
                ..
            } => {
                let arrow = if lost { "-x" } else { "->>" };
                writeln!(
                    s,
                    "    {}{arrow}{}: {}{}",
                    alias(from),
                    alias(from.other()),
                    escape::mermaid(label),
                    suffix(rexmit, lost)
                )
            }
            Stmt::State { side, state } => writeln!(s, "    Note over {}: {state}", alias(side)),
            Stmt::Aside { side, text } => writeln!(
                s,
                "    Note {} {}: {}",
                beside(side),
                alias(side),
                escape::mermaid(&text)
            ),
        };
    }
    s
}

/// A PlantUML sequence diagram; each arrow slants by its latency (`->(n)`), lost ones end in `x`.
pub fn plantuml(l: &LadderLayout, until_step: Option<usize>) -> String {
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
            "participant \"{}\\n{}\" as {}",
            escape::plantuml(&format!("{}{label}", ll.host)),
            ll.addr,
            alias(side)
        );
    }
    for stmt in statements(l, until_step) {
        let _ = match stmt {
            Stmt::Message {
                from,
                label,
                rexmit,
                lost,
                slant,
            } => {
                let arrow = if lost {
                    "->x".to_string()
                } else {
                    format!("->({slant})")
                };
                writeln!(
                    s,
                    "{} {arrow} {} : {}{}",
                    alias(from),
                    alias(from.other()),
                    escape::plantuml(label),
                    suffix(rexmit, lost)
                )
            }
            Stmt::State { side, state } => writeln!(s, "hnote over {} : {state}", alias(side)),
            Stmt::Aside { side, text } => {
                let text = escape::plantuml(&text);
                writeln!(s, "note {} {} : {text}", beside(side), alias(side))
            }
        };
    }
    s.push_str("@enduml\n");
    s
}
