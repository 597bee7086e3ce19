//! The RFC 9293 state machine (Figure 5) with each endpoint's current state highlighted and
//! the arc just taken drawn bold, labelled with its event.

use tcpsim_core::state::{Cause, State};
use tcpsim_render::i18n::{Lang, cause_text};
use tcpsim_render::statediagram::{ARCS, NODE_H, NODE_W, WIDTH, clipped, pos};
use yew::prelude::*;

/// The widest an arc's label may be, and its line height, in the figure's units (10 px text).
const LABEL_MAX_PX: f32 = 300.0;
const LINE_PX: f32 = 12.0;

/// The width of a label at 10 px: about 10 px for a CJK character, 5.6 px for others.
fn text_px(s: &str) -> f32 {
    s.chars()
        .map(|c| if c.len_utf8() >= 3 { 10.0 } else { 5.6 })
        .sum()
}

/// Breaks a label into lines of at most `max_px`: at spaces, and in Chinese after punctuation
/// or between any two characters.
fn wrap(text: &str, max_px: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    // Words: runs of non-space Latin text, or single CJK characters with their punctuation.
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c == ' ' {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word) + " ");
            } else if let Some(last) = words.last_mut() {
                last.push(' ');
            }
        } else if c.len_utf8() >= 3 {
            // CJK: punctuation stays with the character before it.
            if "，。：；、）」".contains(c) {
                word.push(c);
                words.push(std::mem::take(&mut word));
            } else {
                if !word.is_empty() && !word.ends_with(|w: char| "（「".contains(w)) {
                    words.push(std::mem::take(&mut word));
                }
                word.push(c);
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    for w in words {
        if !line.is_empty() && text_px(&line) + text_px(w.trim_end()) > max_px {
            lines.push(std::mem::take(&mut line).trim_end().to_string());
        }
        line.push_str(&w);
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Where the label of the arc from `a` to `b` goes (its half-width and height given): the point
/// along the arc nearest its middle where it covers no state (a long arc, TIME-WAIT -> CLOSED,
/// crosses the figure), kept inside the figure; the middle if there is none.
fn label_centre(a: (f32, f32), b: (f32, f32), half: f32, height: f32) -> (f32, f32) {
    let at = |t: f32| {
        let x = (a.0 + (b.0 - a.0) * t).min(WIDTH - half).max(half);
        (x, a.1 + (b.1 - a.1) * t)
    };
    [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]
        .into_iter()
        .map(at)
        .find(|&(x, y)| covers_no_state(x, y, half, height))
        .unwrap_or_else(|| at(0.5))
}

fn covers_no_state(x: f32, y: f32, half: f32, height: f32) -> bool {
    State::ALL.iter().all(|s| {
        let (nx, ny) = pos(*s);
        (nx - x).abs() >= NODE_W / 2.0 + half || (ny - y).abs() >= NODE_H / 2.0 + height / 2.0
    })
}

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
        html! { <line class={class} x1={crate::num(x1)} y1={crate::num(y1)} x2={crate::num(x2)} y2={crate::num(y2)} marker-end="url(#sd-arrow)" /> }
    };
    let arcs = ARCS.iter().map(|(a, b)| line(*a, *b, "arc"));
    // The arc just taken goes under the states (its arrowhead ends at a state's edge, where
    // the names of who is there are written), its label over them.
    let taken_arc = p
        .taken
        .map(|(a, b, _)| html! { <g class="taken">{ line(a, b, "arc taken") }</g> });
    let taken = p.taken.map(|(a, b, cause)| {
        let (x1, y1) = pos(a);
        let (x2, y2) = pos(b);
        // The label, wrapped to fit the figure, centred on the arc as far as the figure allows.
        let lines = wrap(cause_text(cause, p.lang), LABEL_MAX_PX);
        let widest = lines.iter().map(|l| text_px(l)).fold(0.0, f32::max);
        let half = widest / 2.0 + 4.0;
        // max/min, not clamp: clamp's check of its bounds would bring float formatting (for
        // its panic message) into the page's first module (PERFORMANCE.md).
        let (x, yc) = label_centre((x1, y1), (x2, y2), half, LINE_PX * lines.len() as f32);
        let y = yc - 4.0 - LINE_PX * (lines.len().saturating_sub(1)) as f32 / 2.0;
        html! {
            <g class="taken">
                <text class="taken-label" x={crate::num(x)} y={crate::num(y)} text-anchor="middle">
                    { for lines.iter().enumerate().map(|(i, l)| html! {
                        <tspan x={crate::num(x)} dy={if i == 0 { "0".to_string() } else { crate::num(LINE_PX) }}>{l.clone()}</tspan>
                    }) }
                </text>
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
                <rect x={crate::num(x - NODE_W / 2.0)} y={crate::num(y - NODE_H / 2.0)} width={crate::num(NODE_W)} height={crate::num(NODE_H)} rx="13" />
                <text x={crate::num(x)} y={crate::num(y + 4.0)} text-anchor="middle">{s.rfc_name()}</text>
                if !who.is_empty() { <text class="who" x={crate::num(x)} y={crate::num(y + 24.0)} text-anchor="middle">{who}</text> }
            </g>
        }
    });
    html! {
        <svg class="state-diagram" viewBox={format!("0 0 {} {}", crate::num(WIDTH), crate::num(tcpsim_render::statediagram::HEIGHT))} role="img" aria-label="RFC 9293 state diagram">
            <defs>
                <marker id="sd-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" />
                </marker>
            </defs>
            { for arcs }
            { for taken_arc }
            { for nodes }
            { for taken }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_wrap_to_the_figure_in_both_languages() {
        for lang in [Lang::En, Lang::Zh] {
            for cause in Cause::ALL {
                let text = cause_text(cause, lang);
                let lines = wrap(text, LABEL_MAX_PX);
                assert!(!lines.is_empty(), "{text}");
                for l in &lines {
                    assert!(
                        text_px(l) <= LABEL_MAX_PX || !l.contains(' ') && l.chars().count() == 1,
                        "{l:?} is too wide"
                    );
                }
                // Nothing is lost or reordered but the spaces at the breaks.
                let joined: String = lines.concat().chars().filter(|c| *c != ' ').collect();
                let orig: String = text.chars().filter(|c| *c != ' ').collect();
                assert_eq!(joined, orig);
            }
        }
        let zh = wrap(
            "对端始终没有发送 FIN：tcp_fin_timeout 到期，孤儿套接字被丢弃",
            LABEL_MAX_PX,
        );
        assert!(zh.len() >= 2, "{zh:?}");
        assert!(
            zh.iter().all(|l| !l.starts_with(['，', '：'])),
            "punctuation starts a line: {zh:?}"
        );
    }

    #[test]
    fn an_arc_label_covers_no_state() {
        // Every arc, the long ones the explanations label included, with a one-line label as
        // wide as "TIME-WAIT ended": it covers no state. The widest label (two lines at the
        // widest a line may be) may have no such place, but stays inside the figure.
        let mut arcs: Vec<(State, State)> = ARCS.to_vec();
        arcs.extend([
            (State::TimeWait, State::Closed),
            (State::FinWait2, State::Closed),
            (State::LastAck, State::Closed),
        ]);
        let one_line = text_px("TIME-WAIT ended") / 2.0 + 4.0;
        for (a, b) in arcs {
            let (x, y) = label_centre(pos(a), pos(b), one_line, LINE_PX);
            assert!(
                covers_no_state(x, y, one_line, LINE_PX),
                "{a:?} -> {b:?}: at ({x}, {y})"
            );
            let widest = LABEL_MAX_PX / 2.0 + 4.0;
            let (x, _) = label_centre(pos(a), pos(b), widest, 2.0 * LINE_PX);
            assert!(x - widest >= 0.0 && x + widest <= WIDTH, "{a:?} -> {b:?}");
        }
        // The middle of TIME-WAIT -> CLOSED is on ESTABLISHED: its label moves along the arc.
        let (ta, tb) = (pos(State::TimeWait), pos(State::Closed));
        let middle = ((ta.0 + tb.0) / 2.0, (ta.1 + tb.1) / 2.0);
        assert!(!covers_no_state(middle.0, middle.1, one_line, LINE_PX));
        assert_ne!(label_centre(ta, tb, one_line, LINE_PX), middle);
    }
}
