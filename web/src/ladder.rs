//! The ladder diagram as SVG, drawn from the shared layout up to the current step.

use crate::model::RunView;
use std::rc::Rc;
use tcpsim_core::time::Duration;
use tcpsim_render::i18n::{Lang, timer_name};
use tcpsim_render::layout::{Side, TimerEnding};
use yew::prelude::*;

/// The colour class of a state: the same classes as the SVG export and the stylesheet.
pub use tcpsim_render::svg::state_class;

#[derive(Properties, Clone)]
pub struct LadderProps {
    pub view: Rc<RunView>,
    pub step: usize,
    pub lang: Lang,
}

impl PartialEq for LadderProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.view, &o.view) && self.step == o.step && self.lang == o.lang
    }
}

/// The height of the lifelines' heads (names and addresses), drawn apart so they stay in view.
const HEAD: f32 = 52.0;

/// Where the diagram is drawn: the layout's own coordinates, or, on a narrow screen, lifelines
/// drawn closer (and the time column left out: the controls say the time) so that both ends
/// of the connection fit the width of a phone at a readable size.
#[derive(Clone, Copy, PartialEq)]
struct Geometry {
    compact: bool,
}

/// A screen narrower than this gets the compact diagram (CSS pixels).
const NARROW: &str = "(max-width: 700px)";
const COMPACT_LEFT: f32 = 100.0;
const COMPACT_RIGHT: f32 = 330.0;
const COMPACT_WIDTH: f32 = 440.0;

impl Geometry {
    /// An x of the layout, where it is drawn: the space beside each lifeline keeps its size (it
    /// holds the states' names and the calls), the space between them shrinks.
    fn x(self, x: f32) -> f32 {
        use tcpsim_render::layout::{LEFT_X, RIGHT_X};
        if !self.compact {
            x
        } else if x <= LEFT_X {
            x - (LEFT_X - COMPACT_LEFT)
        } else if x >= RIGHT_X {
            x - (RIGHT_X - COMPACT_RIGHT)
        } else {
            COMPACT_LEFT + (x - LEFT_X) * (COMPACT_RIGHT - COMPACT_LEFT) / (RIGHT_X - LEFT_X)
        }
    }

    fn width(self, layout_width: f32) -> f32 {
        if self.compact {
            COMPACT_WIDTH
        } else {
            layout_width
        }
    }
}

/// Whether the screen is narrow now, following changes (a phone turned, a window resized).
#[hook]
fn use_narrow() -> bool {
    let query = || web_sys::window().and_then(|w| w.match_media(NARROW).ok().flatten());
    let narrow = use_state(|| query().is_some_and(|q| q.matches()));
    {
        let narrow = narrow.setter();
        use_effect_with((), move |_| {
            let listener = query().map(|q| {
                let q2 = q.clone();
                gloo_events::EventListener::new(&q, "change", move |_| narrow.set(q2.matches()))
            });
            move || drop(listener)
        });
    }
    *narrow
}

fn fmt_dur(d: Duration) -> String {
    d.to_string()
}

#[function_component]
pub fn Ladder(p: &LadderProps) -> Html {
    let l = &p.view.layout;
    let step = p.step.min(l.steps.len().saturating_sub(1));
    let cur = l.steps.get(step);
    let t_cur = cur.map(|s| s.t).unwrap_or_default();
    let y_cur = cur.map_or(0.0, |s| s.y);
    let geo = Geometry {
        compact: use_narrow(),
    };
    let width = geo.width(l.width);
    let container = use_node_ref();
    {
        // Keep the current step in view (the diagram is drawn scaled to the panel's width).
        let container = container.clone();
        use_effect_with((step, y_cur as i32, geo.compact), move |(_, y, _)| {
            if let Some(el) = container.cast::<web_sys::Element>() {
                let scale = el.client_width() as f32 / width;
                let scale = if scale > 0.0 { scale.min(1.0) } else { 1.0 };
                let h = el.client_height();
                el.set_scroll_top(((*y as f32 * scale) as i32 - h / 2).max(0));
            }
        });
    }
    let first_step_at = |t| l.steps.iter().position(|s| s.t == t).unwrap_or(usize::MAX);
    // The time column; on a narrow screen only the compressed gaps ("⋯ 1min", where a
    // timeout or an idle hour passed), between the lifelines, the controls saying the time.
    let ticks = l.ticks.iter().filter(|t| first_step_at(t.t) <= step).map(|t| {
        let gap = |x: f32, anchor| t.gap.map(|g| html! { <text class="gap" x={crate::num(x)} y={crate::num(t.y - 10.0)} text-anchor={anchor}>{format!("⋯ {}", fmt_dur(g))}</text> });
        if geo.compact {
            html! { <g>{gap((COMPACT_LEFT + COMPACT_RIGHT) / 2.0, "middle")}</g> }
        } else {
            html! { <g>{gap(12.0, "start")}<text class="tick" x="12" y={crate::num(t.y + 4.0)}>{fmt_dur(Duration::from_micros(t.t.as_micros()))}</text></g> }
        }
    });
    let x_of = |s: Side| geo.x(l.x(s));
    // A state entered and left at the same moment (LISTEN just before SYN-RECEIVED) gets no
    // band or label of its own: only states that last are drawn.
    let bands = l.bands.iter().enumerate().filter(|(i, b)| {
        let replaced_at_once = l.bands[i + 1..].iter().any(|n| n.side == b.side && n.y0 == b.y0 && n.step <= step);
        b.step <= step && !replaced_at_once
    }).map(|(_, b)| {
        let x = x_of(b.side);
        let y1 = if b.y1 > y_cur { y_cur.max(b.y0) + 8.0 } else { b.y1 };
        let (tx, anchor) = if b.side == Side::Left { (x - 12.0, "end") } else { (x + 12.0, "start") };
        html! {
            <g>
                <rect class={classes!("band", state_class(b.state))} x={crate::num(x - 6.0)} y={crate::num(b.y0)} width="12" height={crate::num((y1 - b.y0).max(2.0))} rx="3" />
                <text class="state-label" x={crate::num(tx)} y={crate::num(b.y0 + 4.0)} text-anchor={anchor}>{b.state.rfc_name()}</text>
            </g>
        }
    });
    let timers = l.timers.iter().filter(|t| t.step <= step).map(|t| {
        let x = if t.side == Side::Left { x_of(t.side) + 10.0 } else { x_of(t.side) - 16.0 };
        let running = t.end_step > step;
        let y1 = if running { y_cur.max(t.y0 + 4.0) } else { t.y1 };
        let label = if running {
            let left = t.deadline.saturating_since(t_cur);
            format!("{} {}", timer_name(t.timer, p.lang), fmt_dur(left))
        } else {
            timer_name(t.timer, p.lang).to_string()
        };
        let class = classes!("timer", match t.ending {
            TimerEnding::Fired if !running => "fired",
            TimerEnding::Cancelled if !running => "cancelled",
            _ => "running",
        });
        let (tx, anchor) = if t.side == Side::Left { (x + 9.0, "start") } else { (x - 3.0, "end") };
        html! {
            <g class={class}>
                <rect x={crate::num(x)} y={crate::num(t.y0)} width="6" height={crate::num((y1 - t.y0).max(2.0))} rx="2" />
                if running { <text class="timer-label" x={crate::num(tx)} y={crate::num(y1 - 2.0)} text-anchor={anchor}>{label}</text> }
            </g>
        }
    });
    let arrows = l.arrows.iter().enumerate().filter(|(_, a)| a.sent_step <= step).map(|(i, a)| {
        let done = a.end_step <= step;
        let (x0, x_end) = (geo.x(a.x0), geo.x(a.x1));
        let (x1, y1) = if done {
            (x_end, a.y1)
        } else {
            let span = a.end.as_micros().saturating_sub(a.sent.as_micros()).max(1) as f32;
            let f = (t_cur.as_micros().saturating_sub(a.sent.as_micros()) as f32 / span).clamp(0.05, 0.95);
            (x0 + (x_end - x0) * f, a.y0 + (a.y1 - a.y0) * f)
        };
        let mx = x0 + (x1 - x0) * a.label_at;
        let my = a.y0 + (y1 - a.y0) * a.label_at - 5.0;
        let class = classes!(
            "seg",
            a.lost.then_some("lost"),
            a.flags.rst().then_some("rst"),
            (a.reason == tcpsim_core::segment::SendReason::Retransmit).then_some("rexmit"),
            (!done).then_some("inflight"),
            (step == a.sent_step || step == a.end_step).then_some("current"),
        );
        let marker = if done && !a.lost { "url(#arrow)" } else { "" };
        html! {
            <g class={class} key={i}>
                <line x1={crate::num(x0)} y1={crate::num(a.y0)} x2={crate::num(x1)} y2={crate::num(y1)} marker-end={marker} />
                if a.lost && done { <text class="cross" x={crate::num(x1)} y={crate::num(y1 + 5.0)} text-anchor="middle">{"✕"}</text> }
                <text class="seg-label" x={crate::num(mx)} y={crate::num(my)} text-anchor="middle">{a.label.clone()}</text>
            </g>
        }
    });
    let notes = l.notes.iter().filter(|n| n.step <= step).map(|n| {
        let (x, anchor) = if n.side == Side::Left { (x_of(n.side) - 12.0, "end") } else { (x_of(n.side) + 12.0, "start") };
        html! { <text class={classes!("note", n.error.then_some("error-note"))} x={crate::num(x)} y={crate::num(n.y + 16.0)} text-anchor={anchor}>{n.text.clone()}</text> }
    });
    let heads = l.lifelines.iter().map(|ll| {
        let name = match &ll.label {
            Some(lab) => format!("{} · {lab}", ll.host),
            None => ll.host.clone(),
        };
        html! {
            <g class="head">
                <text class="host" x={crate::num(geo.x(ll.x))} y="24" text-anchor="middle">{name}</text>
                <text class="addr" x={crate::num(geo.x(ll.x))} y="42" text-anchor="middle">{ll.addr.clone()}</text>
            </g>
        }
    });
    let lifelines = l.lifelines.iter().map(|ll| {
        let x = geo.x(ll.x);
        html! { <line class="lifeline" x1={crate::num(x)} y1={crate::num(HEAD)} x2={crate::num(x)} y2={crate::num(l.height - 10.0)} /> }
    });
    let desc = format!("{} ↔ {}", l.lifelines[0].host, l.lifelines[1].host);
    html! {
        <div class="ladder-scroll" ref={container}>
            // The endpoints' names stay in view while the diagram scrolls.
            <svg class={classes!("ladder-head", geo.compact.then_some("compact"))} viewBox={format!("0 0 {} {}", crate::num(width), crate::num(HEAD))} width={crate::num(width)} height={crate::num(HEAD)} aria-hidden="true">
                { for heads }
            </svg>
            <svg class={classes!("ladder", geo.compact.then_some("compact"))} viewBox={format!("0 {} {} {}", crate::num(HEAD), crate::num(width), crate::num(l.height - HEAD))} width={crate::num(width)} height={crate::num(l.height - HEAD)} role="img" aria-label={desc}>
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
                    </marker>
                </defs>
                { for lifelines }
                <line class="now" x1={if geo.compact { "4" } else { "60" }} x2={crate::num(width - if geo.compact { 4.0 } else { 20.0 })} y1={crate::num(y_cur)} y2={crate::num(y_cur)} />
                { for ticks }
                { for bands }
                { for timers }
                { for arrows }
                { for notes }
            </svg>
        </div>
    }
}
