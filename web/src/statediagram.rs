//! The RFC 9293 state machine (Figure 5) with each endpoint's current state highlighted and
//! the arc just taken drawn bold, labelled with its event.

use tcpsim_core::state::{Cause, State};
use tcpsim_render::i18n::{Lang, cause_text};
use tcpsim_render::statediagram::{ARCS, NODE_H, NODE_W, WIDTH, clipped, pos};
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct DiagramProps {
    pub left: Option<State>,
    pub right: Option<State>,
    pub left_name: AttrValue,
    pub right_name: AttrValue,
    /// The transition of the current step, if it is one.
    pub taken: Option<(State, State, Cause)>,
    pub lang: Lang,
}

#[function_component]
pub fn StateDiagram(p: &DiagramProps) -> Html {
    let line = |a: State, b: State, class: &'static str| {
        let ((x1, y1), (x2, y2)) = clipped(a, b);
        html! { <line class={class} x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} marker-end="url(#sd-arrow)" /> }
    };
    let arcs = ARCS.iter().map(|(a, b)| line(*a, *b, "arc"));
    let taken = p.taken.map(|(a, b, cause)| {
        let (x1, y1) = pos(a);
        let (x2, y2) = pos(b);
        html! {
            <g class="taken">
                { line(a, b, "arc taken") }
                <text class="taken-label" x={((x1 + x2) / 2.0).clamp(150.0, 270.0).to_string()} y={((y1 + y2) / 2.0 - 4.0).to_string()} text-anchor="middle">{cause_text(cause, p.lang)}</text>
            </g>
        }
    });
    let nodes = State::ALL.iter().map(|s| {
        let (x, y) = pos(*s);
        let here_l = p.left == Some(*s);
        let here_r = p.right == Some(*s);
        let class = classes!("node", here_l.then_some("here-left"), here_r.then_some("here-right"));
        let who = match (here_l, here_r) {
            (true, true) => format!("{} · {}", p.left_name, p.right_name),
            (true, false) => p.left_name.to_string(),
            (false, true) => p.right_name.to_string(),
            _ => String::new(),
        };
        html! {
            <g class={class}>
                <rect x={(x - NODE_W / 2.0).to_string()} y={(y - NODE_H / 2.0).to_string()} width={NODE_W.to_string()} height={NODE_H.to_string()} rx="13" />
                <text x={x.to_string()} y={(y + 4.0).to_string()} text-anchor="middle">{s.rfc_name()}</text>
                if !who.is_empty() { <text class="who" x={x.to_string()} y={(y + 24.0).to_string()} text-anchor="middle">{who}</text> }
            </g>
        }
    });
    html! {
        <svg class="state-diagram" viewBox={format!("0 0 {WIDTH} {}", tcpsim_render::statediagram::HEIGHT)} role="img" aria-label="RFC 9293 state diagram">
            <defs>
                <marker id="sd-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" />
                </marker>
            </defs>
            { for arcs }
            { for nodes }
            { for taken }
        </svg>
    }
}
