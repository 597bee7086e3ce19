//! The ladder diagram as a self-contained SVG document: no scripts, no external fonts or
//! styles, `<title>` and `<desc>` for screen readers, light and dark themes through
//! `prefers-color-scheme`. It draws the shared [`LadderLayout`], as the web app does.

use crate::layout::{LadderLayout, Side, TimerEnding};
use crate::px::Px;
use std::fmt::Write as _;
use tcpsim_core::state::State;
use tcpsim_core::time::Duration;

/// What to draw.
#[derive(Clone, Debug, Default)]
pub struct SvgOptions {
    /// Draw up to this step (inclusive); everything when `None`.
    pub until_step: Option<usize>,
    pub title: String,
    pub description: String,
}

/// Escapes text for XML content and attribute values.
pub fn esc(s: &str) -> String {
    tcpsim_core::text::markup(s)
}

/// The CSS class of a state's colour, shared with the web app's stylesheet.
pub fn state_class(state: State) -> &'static str {
    match state {
        State::Closed => "st-closed",
        State::Listen | State::SynSent | State::SynReceived => "st-opening",
        State::Established => "st-established",
        State::FinWait1 | State::FinWait2 => "st-finwait",
        State::CloseWait => "st-closewait",
        State::Closing | State::LastAck => "st-closing",
        State::TimeWait => "st-timewait",
    }
}

const STYLE: &str = "
svg{--bg:#fff;--fg:#1d2330;--muted:#5b6475;--line:#c7ccd6;--seg:#283041;--rst:#c62828;--rexmit:#b26a00;--accent:#2f6fdb}
@media (prefers-color-scheme:dark){svg{--bg:#12151b;--fg:#e6e9ef;--muted:#9aa3b2;--line:#3a4150;--seg:#d5dae3;--accent:#7aa7ff}}
.bg{fill:var(--bg)}
text{fill:var(--fg);font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:11px}
.host{font-weight:700;font-size:13px}.addr,.tick,.gap{fill:var(--muted);font-size:10px;font-family:ui-monospace,monospace}
.lifeline{stroke:var(--line);stroke-width:2}
.state-label{font-weight:700;font-size:10px;font-family:ui-monospace,monospace}
.st-opening{fill:#7fb2ef}.st-established{fill:#5cb87a}.st-finwait{fill:#b19ae0}.st-closewait{fill:#e05555}.st-closing{fill:#5bc8d6}.st-timewait{fill:#e8b33c}.st-closed{fill:#b9bfca}
.seg line{stroke:var(--seg);stroke-width:1.5}.seg.rst line{stroke:var(--rst)}.seg.rexmit line{stroke:var(--rexmit)}.seg.lost line{stroke:var(--rst);stroke-dasharray:3 3}
.cross{fill:var(--rst);font-size:16px;font-weight:700}
.seg-label{font-family:ui-monospace,monospace;font-size:10.5px;paint-order:stroke;stroke:var(--bg);stroke-width:4px;stroke-linejoin:round}
.arrowhead{fill:var(--seg)}
.timer rect{fill:var(--accent);opacity:.55}.timer.fired rect{fill:var(--rst)}.timer.cancelled rect{opacity:.25}
.note{fill:var(--muted);font-size:10px;font-style:italic}.error-note{fill:var(--rst);font-weight:700}
";

/// The ladder as SVG.
pub fn ladder_svg(l: &LadderLayout, opts: &SvgOptions) -> String {
    let last = l.steps.len().saturating_sub(1);
    let step = opts.until_step.unwrap_or(last).min(last);
    let y_end = if step == last {
        l.height
    } else {
        l.y_of_step(step) + 40.0
    };
    let height = y_end.min(l.height);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="title desc">"#,
        w = Px(l.width),
        h = Px(height)
    );
    let _ = write!(
        s,
        "<title id=\"title\">{}</title><desc id=\"desc\">{}</desc>",
        esc(&opts.title),
        esc(&opts.description)
    );
    let _ = write!(s, "<style>{STYLE}</style>");
    s.push_str(r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"/></marker></defs>"#);
    let _ = write!(
        s,
        r#"<rect class="bg" x="0" y="0" width="{}" height="{}"/>"#,
        Px(l.width),
        Px(height)
    );
    for ll in &l.lifelines {
        let name = match &ll.label {
            Some(lab) => format!("{} · {lab}", ll.host),
            None => ll.host.clone(),
        };
        let _ = write!(
            s,
            r#"<text class="host" x="{x}" y="24" text-anchor="middle">{}</text><text class="addr" x="{x}" y="42" text-anchor="middle">{}</text><line class="lifeline" x1="{x}" y1="52" x2="{x}" y2="{}"/>"#,
            esc(&name),
            esc(&ll.addr),
            Px(height - 10.0),
            x = Px(ll.x)
        );
    }
    let first_step_at = |t| {
        l.steps
            .iter()
            .position(|st| st.t == t)
            .unwrap_or(usize::MAX)
    };
    for t in l.ticks.iter().filter(|t| first_step_at(t.t) <= step) {
        if let Some(g) = t.gap {
            let _ = write!(
                s,
                r#"<text class="gap" x="12" y="{}">⋯ {}</text>"#,
                Px(t.y - 10.0),
                g
            );
        }
        let _ = write!(
            s,
            r#"<text class="tick" x="12" y="{}">{}</text>"#,
            Px(t.y + 4.0),
            Duration::from_micros(t.t.as_micros())
        );
    }
    let y_cur = l.y_of_step(step);
    for (i, b) in l.bands.iter().enumerate() {
        let replaced_at_once = l.bands[i + 1..]
            .iter()
            .any(|n| n.side == b.side && n.y0 == b.y0 && n.step <= step);
        if b.step > step || replaced_at_once {
            continue;
        }
        let x = l.x(b.side);
        let y1 = if step < last {
            b.y1.min(y_cur + 8.0)
        } else {
            b.y1
        };
        let (tx, anchor) = if b.side == Side::Left {
            (Px(x - 12.0), "end")
        } else {
            (Px(x + 12.0), "start")
        };
        let _ = write!(
            s,
            r#"<rect class="{}" x="{}" y="{}" width="12" height="{}" rx="3"><title>{}</title></rect><text class="state-label" x="{tx}" y="{}" text-anchor="{anchor}">{}</text>"#,
            state_class(b.state),
            Px(x - 6.0),
            Px(b.y0),
            Px((y1 - b.y0).max(2.0)),
            b.state,
            Px(b.y0 + 4.0),
            b.state
        );
    }
    for t in l.timers.iter().filter(|t| t.step <= step) {
        let x = Px(if t.side == Side::Left {
            l.x(t.side) + 10.0
        } else {
            l.x(t.side) - 16.0
        });
        let done = t.end_step <= step;
        let y1 = if done { t.y1 } else { y_cur.max(t.y0 + 4.0) };
        let class = match t.ending {
            TimerEnding::Fired if done => "timer fired",
            TimerEnding::Cancelled if done => "timer cancelled",
            _ => "timer",
        };
        let _ = write!(
            s,
            r#"<g class="{class}"><rect x="{x}" y="{}" width="6" height="{}" rx="2"><title>{} {}</title></rect></g>"#,
            Px(t.y0),
            Px((y1 - t.y0).max(2.0)),
            t.timer.name(),
            t.deadline - t.armed
        );
    }
    for a in l.arrows.iter().filter(|a| a.sent_step <= step) {
        let done = a.end_step <= step;
        let (x1, y1) = if done {
            (a.x1, a.y1)
        } else {
            ((a.x0 + a.x1) / 2.0, (a.y0 + a.y1) / 2.0)
        };
        let (px1, py1) = (Px(x1), Px(y1));
        let mut class = String::from("seg");
        if a.lost {
            class += " lost";
        }
        if a.flags.rst() {
            class += " rst";
        }
        if a.reason == tcpsim_core::segment::SendReason::Retransmit {
            class += " rexmit";
        }
        let marker = if done && !a.lost {
            r#" marker-end="url(#arrow)""#
        } else {
            ""
        };
        let _ = write!(
            s,
            r#"<g class="{class}"><line x1="{}" y1="{}" x2="{px1}" y2="{py1}"{marker}/>"#,
            Px(a.x0),
            Px(a.y0)
        );
        if a.lost && done {
            let _ = write!(
                s,
                r#"<text class="cross" x="{px1}" y="{}" text-anchor="middle">✕</text>"#,
                Px(y1 + 5.0)
            );
        }
        let lost = if a.lost { " (lost)" } else { "" };
        let _ = write!(
            s,
            r#"<text class="seg-label" x="{}" y="{}" text-anchor="middle">{}{lost}</text></g>"#,
            Px(a.x0 + (x1 - a.x0) * a.label_at),
            Px(a.y0 + (y1 - a.y0) * a.label_at - 5.0),
            esc(&a.label)
        );
    }
    for n in l.notes.iter().filter(|n| n.step <= step) {
        let (x, anchor) = if n.side == Side::Left {
            (Px(l.x(n.side) - 12.0), "end")
        } else {
            (Px(l.x(n.side) + 12.0), "start")
        };
        let class = if n.error { "note error-note" } else { "note" };
        let _ = write!(
            s,
            r#"<text class="{class}" x="{x}" y="{}" text-anchor="{anchor}">{}</text>"#,
            Px(n.y + 16.0),
            esc(&n.text)
        );
    }
    s.push_str("</svg>\n");
    s
}
