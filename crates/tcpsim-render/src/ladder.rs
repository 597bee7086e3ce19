//! One connection as a ladder diagram in the terminal.
//!
//! ```text
//!      time  client 10.0.0.1:45067 c         server 10.0.0.2:80 s
//!       1ms  SYN-SENT            |\ SYN seq=0                |
//!                                |     \                     |
//!      11ms                      |            `------------->| SYN-RECEIVED
//! ```
//!
//! Each distinct event time is a row, with a spacer row between times so that arrows slope:
//! a segment leaves the sender's lifeline on the row of its send time and reaches the other
//! lifeline on the row of its arrival. Lost segments stop halfway at an `x`. Sequence numbers
//! are relative to each side's initial sequence number, as Wireshark shows them.

use crate::escape;
use crate::i18n::Lang;
use crate::i18n::msg::ViewMsg;
use crate::layout::{Side, StepKind};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use tcpsim_core::endpoint::TimerKind;
use tcpsim_core::id::SocketId;
use tcpsim_core::segment::SendReason;
use tcpsim_core::state::State;
use tcpsim_core::time::Instant;
use tcpsim_core::trace::Trace;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// How to draw.
#[derive(Clone, Debug)]
pub struct LadderOptions {
    /// The left endpoint; the first connection of the run when `None`.
    pub socket: Option<SocketId>,
    /// ANSI colours (for a terminal that wants them).
    pub color: bool,
    /// Stop after this many time rows, with a note of what was left out.
    pub max_times: usize,
    /// Width of the lane between the lifelines.
    pub lane: usize,
    /// Only events up to this time.
    pub until: Option<Instant>,
    /// The language of the words around the diagram (states and flags keep their RFC names).
    pub lang: Lang,
}

impl Default for LadderOptions {
    fn default() -> Self {
        LadderOptions {
            socket: None,
            color: false,
            max_times: 200,
            lane: 46,
            until: None,
            lang: Lang::En,
        }
    }
}

const SIDE: usize = 28;

struct Arrow {
    from_left: bool,
    sent: Instant,
    end: Option<Instant>,
    label: String,
}

#[derive(Default)]
struct Notes {
    left: Vec<(String, Option<State>)>,
    right: Vec<(String, Option<State>)>,
}

/// The notes of one side at one moment.
fn side_notes(
    notes: &mut BTreeMap<Instant, Notes>,
    t: Instant,
    left: bool,
) -> &mut Vec<(String, Option<State>)> {
    let n = notes.entry(t).or_default();
    if left { &mut n.left } else { &mut n.right }
}

fn color_of(state: State) -> &'static str {
    match state {
        State::Established => "\x1b[32m",
        State::CloseWait => "\x1b[1;31m",
        State::FinWait1 | State::FinWait2 => "\x1b[35m",
        State::TimeWait => "\x1b[33m",
        State::Closed => "\x1b[2m",
        State::Listen | State::SynSent | State::SynReceived => "\x1b[36m",
        State::Closing | State::LastAck => "\x1b[34m",
    }
}
const RESET: &str = "\x1b[0m";
const RED: &str = "\x1b[31m";

/// Draws the connection of `opts.socket` (or the first one) and its peer.
pub fn render(trace: &Trace, opts: &LadderOptions) -> String {
    let word = |m: ViewMsg| m.text().get(opts.lang).to_string();
    let nothing = || word(ViewMsg::NoConnection) + "\n";
    let Some(left) = opts.socket.or_else(|| trace.first_connection()) else {
        return nothing();
    };
    let right = trace.peer_of(left);
    let until = opts.until.unwrap_or(Instant::MAX);
    let Some(linfo) = trace.socket(left) else {
        return nothing();
    };
    let local = linfo.local;
    let remote = linfo.remote.unwrap_or(local);
    // Everything drawn comes from the shared layout; this view only places it on rows.
    let Some(l) = crate::layout::layout(trace, Some(left)) else {
        return nothing();
    };
    let mut arrows: BTreeMap<u64, Arrow> = BTreeMap::new();
    let mut notes: BTreeMap<Instant, Notes> = BTreeMap::new();
    let mut times: Vec<Instant> = Vec::new();
    for (i, a) in l.arrows.iter().enumerate().filter(|(_, a)| a.sent <= until) {
        let mut label = escape::terminal(&a.label).into_owned();
        if a.reason == SendReason::Retransmit {
            label.push_str(&word(ViewMsg::Rexmit));
        }
        // Delivered (a step of its own), lost, or still in flight when the drawing ends.
        let arrived = !a.lost && a.end_step > a.sent_step && a.end <= until;
        arrows.insert(
            i as u64,
            Arrow {
                from_left: a.from == Side::Left,
                sent: a.sent,
                end: arrived.then_some(a.end),
                label,
            },
        );
        times.push(a.sent);
        if arrived {
            times.push(a.end);
        }
    }
    // Notes in the order things happened: states, calls, errors, timers that fired, and the
    // timers a state starts (folded into it: "TIME-WAIT 1min").
    let mut folded = vec![false; l.timers.len()];
    for st in l.steps.iter().take_while(|st| st.t <= until) {
        let Some(side) = st.side else { continue };
        let on_left = side == Side::Left;
        let text = match &st.what {
            StepKind::State { to, .. } => Some((to.rfc_name().to_string(), Some(*to))),
            StepKind::Call { text, .. } | StepKind::Error { text } => {
                Some((escape::terminal(text).into_owned(), None))
            }
            StepKind::TimerFired { timer }
                if !matches!(timer, TimerKind::TimeWait | TimerKind::FinWait2) =>
            {
                Some((word(ViewMsg::TimerFired(*timer)), None))
            }
            _ => None,
        };
        let Some(text) = text else { continue };
        side_notes(&mut notes, st.t, on_left).push(text);
        times.push(st.t);
        for (k, bar) in l.timers.iter().enumerate() {
            let shown = matches!(
                bar.timer,
                TimerKind::TimeWait | TimerKind::FinWait2 | TimerKind::Keepalive
            );
            if folded[k] || !shown || bar.side != side || bar.armed != st.t {
                continue;
            }
            folded[k] = true;
            let d = tcpsim_core::time::Duration::from_micros(
                bar.deadline.as_micros() - bar.armed.as_micros(),
            );
            let own = match bar.timer {
                TimerKind::TimeWait => Some(State::TimeWait),
                TimerKind::FinWait2 => Some(State::FinWait2),
                _ => None,
            };
            let side_list = side_notes(&mut notes, st.t, on_left);
            match side_list.last_mut() {
                Some((t, Some(s))) if own == Some(*s) => *t = format!("{t} {d}"),
                _ => side_list.push((word(ViewMsg::TimerFor(bar.timer, d)), None)),
            }
        }
    }
    // The state comes first on each side, so a long row never hides it.
    for n in notes.values_mut() {
        n.left.sort_by_key(|(_, st)| st.is_none());
        n.right.sort_by_key(|(_, st)| st.is_none());
    }
    times.sort();
    times.dedup();
    let total_times = times.len();
    times.truncate(opts.max_times);
    let cut = times.last().copied();
    let row_of: BTreeMap<Instant, usize> =
        times.iter().enumerate().map(|(i, t)| (*t, 2 * i)).collect();
    let rows = (2 * times.len()).saturating_sub(1);
    let lane = opts.lane.max(20);
    let mut grid: Vec<Vec<(char, bool)>> = vec![vec![(' ', false); lane]; rows];

    let put = |grid: &mut Vec<Vec<(char, bool)>>, r: usize, c: usize, ch: char, red: bool| {
        if r < grid.len() && c < lane {
            grid[r][c] = (ch, red);
        }
    };
    // Diagonals first, labels over them.
    for a in arrows.values() {
        let Some(&r0) = row_of.get(&a.sent) else {
            continue;
        };
        match a.end.and_then(|t| row_of.get(&t).copied()) {
            Some(r1) if r1 > r0 => {
                // Departures leave one column in from the lifeline, arrivals end on its edge, so
                // an arrival and a departure on the same row never share a cell.
                for r in r0..=r1 {
                    let f = (r - r0) as f64 / (r1 - r0) as f64;
                    let x = 1 + ((lane - 2) as f64 * f).round() as usize;
                    let col = if a.from_left {
                        x.min(lane - 1)
                    } else {
                        (lane - 1).saturating_sub(x)
                    };
                    let ch = if r == r1 {
                        if a.from_left { '>' } else { '<' }
                    } else if a.from_left {
                        '\\'
                    } else {
                        '/'
                    };
                    put(&mut grid, r, col, ch, false);
                }
            }
            Some(_) => {
                // Same row (no latency): a horizontal arrow.
                for c in 0..lane {
                    put(&mut grid, r0, c, '-', false);
                }
                put(
                    &mut grid,
                    r0,
                    if a.from_left { lane - 1 } else { 0 },
                    if a.from_left { '>' } else { '<' },
                    false,
                );
            }
            None if a.end.is_none() && cut.is_none_or(|c| a.sent <= c) => {
                // Lost (or still in flight when the run ended): stops halfway.
                let half = lane / 2;
                for c in 0..half {
                    let col = if a.from_left { c } else { lane - 1 - c };
                    put(&mut grid, r0, col, '-', false);
                }
                let x = if a.from_left { half } else { lane - 1 - half };
                put(&mut grid, r0, x, 'x', true);
            }
            None => {}
        }
    }
    for a in arrows.values() {
        let Some(&r0) = row_of.get(&a.sent) else {
            continue;
        };
        let lost = a.end.is_none();
        let lost_word = if lost {
            word(ViewMsg::Lost)
        } else {
            String::new()
        };
        let text = clip_width(&format!(" {}{lost_word} ", a.label), lane.saturating_sub(4));
        let len = text.width();
        let start = if a.from_left {
            2
        } else {
            lane.saturating_sub(len + 2)
        };
        // A wide (Chinese) character takes two columns: the second holds WIDE_TAIL, which
        // prints as nothing.
        let mut col = start;
        for ch in text.chars() {
            put(&mut grid, r0, col, ch, lost);
            for k in 1..ch.width().unwrap_or(1) {
                put(&mut grid, r0, col + k, WIDE_TAIL, lost);
            }
            col += ch.width().unwrap_or(1);
        }
    }

    let mut out = String::new();
    // Two header lines over the lifelines: host and socket name, then the address.
    let head = |id: Option<SocketId>, addr: std::net::SocketAddrV4| -> (String, String) {
        match id.and_then(|i| trace.socket(i)) {
            Some(s) => (
                escape::terminal(&format!(
                    "{}{}",
                    trace.hosts[s.host.index()].name,
                    s.label
                        .as_ref()
                        .map(|l| format!(" {l}"))
                        .unwrap_or_default()
                ))
                .into_owned(),
                s.local.to_string(),
            ),
            None => (word(ViewMsg::NotSimulated), addr.to_string()),
        }
    };
    let (l1, l2) = head(Some(left), local);
    let (r1, r2) = head(right, remote);
    let clip = |s: &str| -> String { pad(&clip_width(s, SIDE), SIDE, true) };
    let blank = " ".repeat(lane);
    let time_word = pad(&word(ViewMsg::Time), 10, true);
    let _ = writeln!(out, "{:>10}  {} |{blank}| {}", "", clip(&l1), r1);
    let _ = writeln!(out, "{time_word}  {} |{blank}| {}", clip(&l2), r2);
    let side_text = |items: &[(String, Option<State>)], color: bool, right_align: bool| -> String {
        let plain: String = items
            .iter()
            .map(|(t, _)| t.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let padded = pad(&clip_width(&plain, SIDE), SIDE, right_align);
        if !color {
            return padded;
        }
        // Colour the state names inside the padded text.
        let mut s = padded;
        for (t, st) in items {
            if let Some(st) = st
                && let Some(pos) = s.find(t.as_str())
            {
                s.replace_range(pos..pos + t.len(), &format!("{}{t}{RESET}", color_of(*st)));
            }
        }
        s
    };
    for r in 0..rows {
        let (time, n) = if r % 2 == 0 {
            let t = times[r / 2];
            (
                format!(
                    "{}",
                    tcpsim_core::time::Duration::from_micros(t.as_micros())
                ),
                notes.get(&t),
            )
        } else {
            (String::new(), None)
        };
        let empty = Vec::new();
        let l = side_text(n.map_or(&empty, |n| &n.left), opts.color, true);
        let rr = side_text(n.map_or(&empty, |n| &n.right), opts.color, false);
        let mut lane_s = String::new();
        for (ch, red) in &grid[r] {
            if *ch == WIDE_TAIL {
                continue;
            }
            if opts.color && *red {
                let _ = write!(lane_s, "{RED}{ch}{RESET}");
            } else {
                lane_s.push(*ch);
            }
        }
        let line = format!("{time:>10}  {l} |{lane_s}| {rr}");
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if total_times > times.len() {
        let more = total_times - times.len();
        let _ = writeln!(out, "{:>10}  {}", "", word(ViewMsg::MoreMoments(more)));
    }
    out
}

/// Marks the second column of a wide character in the lane grid.
const WIDE_TAIL: char = '\0';

/// `s` cut to at most `width` terminal columns (a Chinese character takes two).
fn clip_width(s: &str, width: usize) -> String {
    let mut used = 0;
    s.chars()
        .take_while(|c| {
            used += c.width().unwrap_or(0);
            used <= width
        })
        .collect()
}

/// `s` padded with spaces to `width` terminal columns, on the left when `right_align`.
fn pad(s: &str, width: usize, right_align: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(s.width()));
    if right_align {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}
