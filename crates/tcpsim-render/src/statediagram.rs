//! The RFC 9293 state machine (Figure 5), laid out once for every view: node positions, arcs
//! cut at the node boxes, and an SVG export with the path each endpoint took highlighted.

use crate::px::Px;
use crate::svg::esc;
use std::fmt::Write as _;
use tcpsim_core::id::SocketId;
use tcpsim_core::state::State;
use tcpsim_core::trace::Trace;

/// Width and height of the figure, in user units.
pub const WIDTH: f32 = 420.0;
pub const HEIGHT: f32 = 390.0;

/// Node centres, laid out like Figure 5: opening at the top, closing below.
pub fn pos(s: State) -> (f32, f32) {
    match s {
        State::Closed => (210.0, 22.0),
        State::Listen => (210.0, 78.0),
        State::SynReceived => (80.0, 134.0),
        State::SynSent => (340.0, 134.0),
        State::Established => (210.0, 190.0),
        State::FinWait1 => (80.0, 246.0),
        State::CloseWait => (340.0, 246.0),
        State::FinWait2 => (80.0, 302.0),
        State::Closing => (210.0, 302.0),
        State::LastAck => (340.0, 302.0),
        State::TimeWait => (150.0, 358.0),
    }
}

/// The arcs of Figure 5 (the reset, timeout and close arcs to CLOSED are drawn only when taken).
pub const ARCS: &[(State, State)] = {
    use State::*;
    &[
        (Closed, Listen),
        (Closed, SynSent),
        (Listen, SynReceived),
        (Listen, SynSent),
        (SynSent, SynReceived),
        (SynSent, Established),
        (SynReceived, Established),
        (SynReceived, FinWait1),
        (Established, FinWait1),
        (Established, CloseWait),
        (FinWait1, FinWait2),
        (FinWait1, Closing),
        (FinWait1, TimeWait),
        (FinWait2, TimeWait),
        (CloseWait, LastAck),
        (Closing, TimeWait),
    ]
};

/// Node boxes are 112 x 26.
pub const NODE_W: f32 = 112.0;
pub const NODE_H: f32 = 26.0;

/// The arc from `a` to `b`, cut where it leaves and enters the node boxes.
pub fn clipped(a: State, b: State) -> ((f32, f32), (f32, f32)) {
    let ((x1, y1), (x2, y2)) = (pos(a), pos(b));
    let (dx, dy) = (x2 - x1, y2 - y1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let s =
        ((NODE_W / 2.0 + 1.0) / ux.abs().max(1e-3)).min((NODE_H / 2.0 + 1.0) / uy.abs().max(1e-3));
    ((x1 + ux * s, y1 + uy * s), (x2 - ux * s, y2 - uy * s))
}

/// The state diagram as a self-contained SVG, with the arcs each socket took drawn bold (the
/// first socket in blue, the second in orange) and the states they visited outlined.
pub fn svg(trace: &Trace, sockets: &[SocketId], title: &str) -> String {
    const COLOURS: [&str; 2] = ["#2f6fdb", "#e8781e"];
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="title desc"><title id="title">{}</title><desc id="desc">RFC 9293 Figure 5 with the path taken</desc>"#,
        esc(title),
        w = Px(WIDTH),
        h = Px(HEIGHT)
    );
    s.push_str("<style>svg{--bg:#fff;--fg:#1d2330;--line:#c7ccd6}@media (prefers-color-scheme:dark){svg{--bg:#12151b;--fg:#e6e9ef;--line:#3a4150}}.bg{fill:var(--bg)}text{fill:var(--fg);font-family:ui-monospace,monospace;font-size:10.5px}.arc{stroke:var(--line);stroke-width:1.2;fill:none}.node{fill:var(--bg);stroke:var(--line);stroke-width:1.2}</style>");
    s.push_str(r#"<defs><marker id="sd-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="gray"/></marker></defs>"#);
    let _ = write!(
        s,
        r#"<rect class="bg" x="0" y="0" width="{}" height="{}"/>"#,
        Px(WIDTH),
        Px(HEIGHT)
    );
    let line = |s: &mut String, a: State, b: State, style: &str| {
        let ((x1, y1), (x2, y2)) = clipped(a, b);
        let _ = write!(
            s,
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" marker-end="url(#sd-arrow)" {style}/>"#,
            Px(x1),
            Px(y1),
            Px(x2),
            Px(y2)
        );
    };
    for (a, b) in ARCS {
        line(&mut s, *a, *b, r#"class="arc""#);
    }
    let mut visited: Vec<(State, usize)> = Vec::new();
    for (i, sock) in sockets.iter().take(2).enumerate() {
        for (_, from, to, _) in trace.transitions_of(*sock) {
            line(
                &mut s,
                from,
                to,
                &format!(
                    r#"stroke="{}" stroke-width="3" fill="none" opacity="0.8""#,
                    COLOURS[i]
                ),
            );
            visited.push((to, i));
        }
    }
    for st in State::ALL {
        let (x, y) = pos(st);
        let _ = write!(
            s,
            r#"<rect class="node" x="{}" y="{}" width="{}" height="{}" rx="13"/>"#,
            Px(x - NODE_W / 2.0),
            Px(y - NODE_H / 2.0),
            Px(NODE_W),
            Px(NODE_H)
        );
        for (k, (_, i)) in visited.iter().filter(|(v, _)| *v == st).take(2).enumerate() {
            let inset = 2.0 + 3.0 * k as f32;
            let _ = write!(
                s,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="12" fill="none" stroke="{}" stroke-width="2.5"/>"#,
                Px(x - NODE_W / 2.0 + inset),
                Px(y - NODE_H / 2.0 + inset),
                Px(NODE_W - 2.0 * inset),
                Px(NODE_H - 2.0 * inset),
                COLOURS[*i]
            );
        }
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">{st}</text>"#,
            Px(x),
            Px(y + 4.0)
        );
    }
    s.push_str("</svg>\n");
    s
}
