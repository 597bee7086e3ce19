//! The ladder diagram of one connection, laid out: every position, band, arrow and label is
//! computed here from the trace, and renderers (the web app's SVG nodes, the SVG exporter)
//! only draw what this says. Nothing here knows about pixels on a screen beyond the units of
//! the coordinate system (one unit is one SVG user unit).
//!
//! Time runs down. Each moment at which something happens on the connection gets a y position;
//! the distance between consecutive moments grows with the logarithm of the time between them,
//! so a 10 ms hop and a 60 s wait both fit, and longer latencies still slope more. Gaps longer
//! than a second are marked with their length.

use std::collections::BTreeMap;
use tcpsim_core::call::CallResult;
use tcpsim_core::endpoint::TimerKind;
use tcpsim_core::id::{SegmentId, SocketId};
use tcpsim_core::segment::{Flags, SendReason};
use tcpsim_core::seq::SeqNum;
use tcpsim_core::state::{Cause, State};
use tcpsim_core::time::{Duration, Instant};
use tcpsim_core::trace::{EventKind, TimerChange, Trace};

/// Which lifeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    Left,
    Right,
}

impl Side {
    /// The lifeline across the wire.
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
}

/// A vertical line for one endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Lifeline {
    pub x: f32,
    /// Host name, e.g. "client".
    pub host: String,
    /// The application's name for the socket, if any.
    pub label: Option<String>,
    /// "10.0.0.1:52430".
    pub addr: String,
    /// Whether this endpoint is simulated (false when the peer is outside the run).
    pub simulated: bool,
}

/// The endpoint was in `state` from `y0` to `y1`.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub side: Side,
    pub y0: f32,
    pub y1: f32,
    pub state: State,
    /// The step at which this state was entered.
    pub step: usize,
}

/// One segment on the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub from: Side,
    pub x0: f32,
    pub y0: f32,
    /// Where the arrow ends: the other lifeline, or halfway for a lost segment.
    pub x1: f32,
    pub y1: f32,
    pub flags: Flags,
    /// "SYN,ACK seq=0 ack=1 len=100", sequence numbers relative to each side's ISS.
    pub label: String,
    /// Where along the arrow its label is centred, from its start (0) to its end (1): the
    /// middle, or nearer the sender when an arrow from the other side crosses it there.
    pub label_at: f32,
    pub reason: SendReason,
    pub lost: bool,
    pub duplicate: bool,
    /// The step at which it was sent and at which it arrived (or was lost).
    pub sent_step: usize,
    pub end_step: usize,
    pub sent: Instant,
    pub end: Instant,
}

/// A running timer, drawn as a bar beside a lifeline.
#[derive(Clone, Debug, PartialEq)]
pub struct TimerBar {
    pub side: Side,
    pub timer: TimerKind,
    pub y0: f32,
    /// Where the bar ends: when the timer fired or was cancelled, or its deadline.
    pub y1: f32,
    pub armed: Instant,
    pub deadline: Instant,
    /// How it ended: fired, cancelled, or still running at the end of the drawing.
    pub ending: TimerEnding,
    pub step: usize,
    pub end_step: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerEnding {
    Fired,
    Cancelled,
    Running,
}

/// A note beside a lifeline: an application call, an error.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub side: Side,
    pub y: f32,
    pub text: String,
    pub step: usize,
    pub error: bool,
}

/// A time label on the left margin.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub y: f32,
    pub t: Instant,
    /// Set when the time before this moment was compressed: how long it really was.
    pub gap: Option<Duration>,
}

/// What happened at one step, for the timeline and the explanations.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub t: Instant,
    pub y: f32,
    /// Index of the event in the trace.
    pub event: usize,
    pub side: Option<Side>,
    pub what: StepKind,
}

/// The kinds of step, with what the explanation needs.
#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    Sent {
        arrow: usize,
    },
    Arrived {
        arrow: usize,
    },
    Lost {
        arrow: usize,
    },
    State {
        from: State,
        to: State,
        cause: Cause,
    },
    Call {
        text: String,
        error: bool,
    },
    Error {
        text: String,
    },
    TimerFired {
        timer: TimerKind,
    },
}

/// The whole diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct LadderLayout {
    pub width: f32,
    pub height: f32,
    pub lifelines: [Lifeline; 2],
    pub left_socket: SocketId,
    pub right_socket: Option<SocketId>,
    pub bands: Vec<Band>,
    pub arrows: Vec<Arrow>,
    pub timers: Vec<TimerBar>,
    pub notes: Vec<Note>,
    pub ticks: Vec<Tick>,
    pub steps: Vec<Step>,
}

/// Dimensions, in user units.
pub const WIDTH: f32 = 760.0;
pub const LEFT_X: f32 = 230.0;
pub const RIGHT_X: f32 = 560.0;
pub const TOP: f32 = 70.0;
const BOTTOM_MARGIN: f32 = 30.0;

fn gap_height(dt: Duration) -> f32 {
    // 1 ms -> 26, 10 ms -> 44, 100 ms -> 62, 1 s -> 80, capped at 90.
    let ms = dt.as_micros() as f64 / 1000.0;
    (26.0 + 18.0 * (ms.max(1.0)).log10()).clamp(26.0, 90.0) as f32
}

impl LadderLayout {
    /// The state of `side` after `step` (inclusive), if it has one yet.
    pub fn state_at(&self, side: Side, step: usize) -> Option<State> {
        self.bands
            .iter()
            .rfind(|b| b.side == side && b.step <= step)
            .map(|b| b.state)
    }

    /// The y of the last step at or before `step`.
    pub fn y_of_step(&self, step: usize) -> f32 {
        self.steps.get(step).map_or(TOP, |s| s.y)
    }

    pub fn x(&self, side: Side) -> f32 {
        match side {
            Side::Left => LEFT_X,
            Side::Right => RIGHT_X,
        }
    }
}

/// A call and its result written as C would, so it reads the same in every language:
/// `send() = 100`, `recv() = ECONNRESET`. A call that returns at once shows a value only when
/// it has one (`close()`); a blocking call's return always does (`connect() = 0`).
fn c_style(name: &str, result: Option<CallResult>, returned: bool) -> (String, bool) {
    let value = match result {
        Some(CallResult::Error(err)) => format!(" = {}", err.name()),
        Some(CallResult::Bytes(n)) => format!(" = {n}"),
        Some(CallResult::Eof) => " = 0".into(),
        Some(CallResult::Accepted(child)) if returned => format!(" = #{}", child.0),
        Some(CallResult::Ok) if returned => " = 0".into(),
        _ => String::new(),
    };
    (
        format!("{name}(){value}"),
        matches!(result, Some(CallResult::Error(_))),
    )
}

/// The room an event takes on its row, beside one lifeline or on the wire; two events that
/// need the same room at the same moment are drawn on rows of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    /// A segment leaves this side (its arrow starts, its label sits on it).
    Send(Side),
    /// A segment arrives at this side.
    Arrive(Side),
    /// A call, a return or an error written beside this side.
    Note(Side),
}

/// Arrows from opposite sides whose middles are closer than this (in user units) cross there.
const CROSSING: f32 = 14.0;
/// Where a crossed arrow's label goes: 0.3 of the way from its sender.
const LABEL_NEAR_SENDER: f32 = 0.3;

/// Space between two rows of one moment, in user units: a note is written 16 below its row
/// and a state's name 4 below, so the next row's state name clears this row's note.
const SUB_ROW: f32 = 24.0;

/// The side that sent `seg`, the left one being the endpoint at `local`.
fn sender(seg: &tcpsim_core::segment::Segment, local: std::net::SocketAddrV4) -> Side {
    if seg.src == local {
        Side::Left
    } else {
        Side::Right
    }
}

fn slot_of(
    trace: &Trace,
    kind: &EventKind,
    local: std::net::SocketAddrV4,
    side_of: &impl Fn(SocketId) -> Option<Side>,
) -> Option<Slot> {
    let from_of = |id: SegmentId| trace.segment(id).map(|seg| sender(seg, local));
    match kind {
        EventKind::SegmentSent { id, .. } => from_of(*id).map(Slot::Send),
        EventKind::SegmentDelivered { id, .. } => from_of(*id).map(|s| Slot::Arrive(s.other())),
        EventKind::Call {
            socket: Some(s), ..
        }
        | EventKind::Return {
            socket: Some(s), ..
        }
        | EventKind::CallNotMade {
            socket: Some(s), ..
        }
        | EventKind::ConnectionError { socket: s, .. } => side_of(*s).map(Slot::Note),
        _ => None,
    }
}

/// Lays out the connection of `socket` (the first connection when `None`) and its peer.
/// `None` if the run has no connection.
pub fn layout(trace: &Trace, socket: Option<SocketId>) -> Option<LadderLayout> {
    let left = socket.or_else(|| trace.first_connection())?;
    let right = trace.peer_of(left);
    let linfo = trace.socket(left)?;
    let local = linfo.local;
    let remote = linfo.remote.unwrap_or(local);
    let side_of = |s: SocketId| -> Option<Side> {
        if s == left {
            Some(Side::Left)
        } else if Some(s) == right {
            Some(Side::Right)
        } else {
            None
        }
    };
    let ours = |src: std::net::SocketAddrV4, dst: std::net::SocketAddrV4| {
        (src == local && dst == remote) || (src == remote && dst == local)
    };

    // Pass 1: the events that belong to this connection, in order. This pass reads the whole
    // trace (600 000 events for the production-scale leak), so what most events meet first is
    // cheap: a segment of this connection is one sent by one of its sockets or, sent by none
    // (a reset), between its addresses; an arrival is of a segment picked before (ids grow, so
    // one beyond the last picked is not).
    let mut picked: Vec<usize> = Vec::new();
    let mut ids: Vec<SegmentId> = Vec::new();
    let picked_id = |ids: &[SegmentId], id: SegmentId| {
        ids.last().is_some_and(|last| id <= *last) && ids.binary_search(&id).is_ok()
    };
    for (i, e) in trace.events.iter().enumerate() {
        let take = match &e.kind {
            EventKind::SegmentSent { id, socket, .. }
                if socket.is_some_and(|s| side_of(s).is_some())
                    || trace.segment(*id).is_some_and(|seg| ours(seg.src, seg.dst)) =>
            {
                ids.push(*id);
                true
            }
            EventKind::SegmentDuplicated { id, copy, .. } if picked_id(&ids, *id) => {
                ids.push(*copy);
                false
            }
            EventKind::SegmentDelivered { id, .. } | EventKind::SegmentDropped { id, .. } => {
                picked_id(&ids, *id)
            }
            EventKind::StateChanged { socket, .. } | EventKind::ConnectionError { socket, .. } => {
                side_of(*socket).is_some()
            }
            EventKind::Timer { socket, .. } => side_of(*socket).is_some(),
            EventKind::Call {
                socket: Some(s), ..
            }
            | EventKind::Return {
                socket: Some(s), ..
            }
            | EventKind::CallNotMade {
                socket: Some(s), ..
            } => side_of(*s).is_some(),
            _ => false,
        };
        if take {
            picked.push(i);
        }
    }

    // Rows: each moment gets a y; things that would be drawn on top of each other at one
    // moment (two segments one side sends at once, two segments arriving together, two calls
    // returning together) go on rows of their own just below, in the order they happened.
    let mut row_y: Vec<f32> = Vec::with_capacity(picked.len());
    let mut first_y: BTreeMap<Instant, f32> = BTreeMap::new();
    let mut ticks = Vec::new();
    let mut y = TOP;
    let mut row_t: Option<Instant> = None;
    let mut taken: Vec<Slot> = Vec::new();
    for &i in &picked {
        let e = &trace.events[i];
        let slot = slot_of(trace, &e.kind, local, &side_of);
        if row_t != Some(e.t) {
            let gap = row_t.map(|p| e.t - p);
            if let Some(dt) = gap {
                y += gap_height(dt);
            }
            first_y.insert(e.t, y);
            ticks.push(Tick {
                y,
                t: e.t,
                gap: gap.filter(|d| *d >= Duration::from_secs(1)),
            });
            row_t = Some(e.t);
            taken.clear();
        } else if slot.is_some_and(|s| taken.contains(&s)) {
            y += SUB_ROW;
            taken.clear();
        }
        if let Some(s) = slot {
            taken.push(s);
        }
        row_y.push(y);
    }

    // Pass 2: elements, with their steps.
    let mut iss: BTreeMap<Side, SeqNum> = BTreeMap::new();
    let mut arrows: Vec<Arrow> = Vec::new();
    let mut arrow_of: BTreeMap<SegmentId, usize> = BTreeMap::new();
    let mut bands: Vec<Band> = Vec::new();
    let mut open_band: BTreeMap<Side, usize> = BTreeMap::new();
    let mut timers: Vec<TimerBar> = Vec::new();
    let mut open_timer: BTreeMap<(Side, TimerKind), usize> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    for (&i, &y) in picked.iter().zip(&row_y) {
        let e = &trace.events[i];
        let step = steps.len();
        match &e.kind {
            EventKind::SegmentSent { id, reason, .. } => {
                let Some(seg) = trace.segment(*id) else {
                    continue;
                };
                let from = sender(seg, local);
                if seg.flags.syn() {
                    iss.entry(from).or_insert(seg.seq);
                }
                let other = from.other();
                let rel = |v: SeqNum, s: Side| iss.get(&s).map_or(v.0, |i| v.0.wrapping_sub(i.0));
                let mut label = format!("{} seq={}", seg.flags, rel(seg.seq, from));
                if seg.flags.ack() {
                    label += &format!(" ack={}", rel(seg.ack, other));
                }
                if seg.len > 0 {
                    label += &format!(" len={}", seg.len);
                }
                // A captured handshake's options, as seen (timestamps left out: they change on
                // every segment and say nothing about the handshake).
                if let Some(o) = trace.options_of(*id).filter(|_| seg.flags.syn()) {
                    let o = tcpsim_core::trace::TcpOptions {
                        timestamps: None,
                        ..*o
                    };
                    if !o.is_empty() {
                        label += &format!(" {o}");
                    }
                }
                let x0 = if from == Side::Left { LEFT_X } else { RIGHT_X };
                let x1 = if from == Side::Left { RIGHT_X } else { LEFT_X };
                arrow_of.insert(*id, arrows.len());
                steps.push(Step {
                    t: e.t,
                    y,
                    event: i,
                    side: Some(from),
                    what: StepKind::Sent {
                        arrow: arrows.len(),
                    },
                });
                arrows.push(Arrow {
                    from,
                    x0,
                    y0: y,
                    x1,
                    y1: y,
                    flags: seg.flags,
                    label,
                    label_at: 0.5,
                    reason: *reason,
                    lost: false,
                    duplicate: false,
                    sent_step: step,
                    end_step: step,
                    sent: e.t,
                    end: e.t,
                });
            }
            EventKind::SegmentDuplicated { id, copy, .. } => {
                if let Some(&a) = arrow_of.get(id) {
                    let mut dup = arrows[a].clone();
                    dup.duplicate = true;
                    dup.label += " (dup)";
                    arrow_of.insert(*copy, arrows.len());
                    arrows.push(dup);
                }
                continue;
            }
            EventKind::SegmentDelivered { id, .. } => {
                let Some(&a) = arrow_of.get(id) else { continue };
                let arr = &mut arrows[a];
                arr.y1 = y;
                arr.end = e.t;
                arr.end_step = step;
                let to = arr.from.other();
                steps.push(Step {
                    t: e.t,
                    y,
                    event: i,
                    side: Some(to),
                    what: StepKind::Arrived { arrow: a },
                });
            }
            EventKind::SegmentDropped { id, .. } => {
                let Some(&a) = arrow_of.get(id) else { continue };
                let arr = &mut arrows[a];
                arr.lost = true;
                arr.x1 = (arr.x0 + arr.x1) / 2.0;
                arr.y1 = arr.y0 + 18.0;
                arr.end_step = step;
                let from = arr.from;
                steps.push(Step {
                    t: e.t,
                    y,
                    event: i,
                    side: Some(from),
                    what: StepKind::Lost { arrow: a },
                });
            }
            EventKind::StateChanged {
                socket,
                from,
                to,
                cause,
                ..
            } => {
                let Some(side) = side_of(*socket) else {
                    continue;
                };
                if let Some(b) = open_band.remove(&side) {
                    bands[b].y1 = y;
                }
                open_band.insert(side, bands.len());
                bands.push(Band {
                    side,
                    y0: y,
                    y1: y,
                    state: *to,
                    step,
                });
                steps.push(Step {
                    t: e.t,
                    y,
                    event: i,
                    side: Some(side),
                    what: StepKind::State {
                        from: *from,
                        to: *to,
                        cause: *cause,
                    },
                });
            }
            EventKind::Timer {
                socket,
                timer,
                change,
                deadline,
                ..
            } => {
                let Some(side) = side_of(*socket) else {
                    continue;
                };
                match change {
                    TimerChange::Armed => {
                        if let Some(t) = open_timer.remove(&(side, *timer)) {
                            timers[t].y1 = y;
                            timers[t].ending = TimerEnding::Cancelled;
                            timers[t].end_step = step;
                        }
                        let deadline = deadline.unwrap_or(e.t);
                        open_timer.insert((side, *timer), timers.len());
                        timers.push(TimerBar {
                            side,
                            timer: *timer,
                            y0: y,
                            y1: y,
                            armed: e.t,
                            deadline,
                            ending: TimerEnding::Running,
                            step,
                            end_step: usize::MAX,
                        });
                        continue; // arming is shown by the bar, not as a step of its own
                    }
                    TimerChange::Cancelled | TimerChange::Fired => {
                        if let Some(t) = open_timer.remove(&(side, *timer)) {
                            timers[t].y1 = y;
                            timers[t].end_step = step;
                            timers[t].ending = if *change == TimerChange::Fired {
                                TimerEnding::Fired
                            } else {
                                TimerEnding::Cancelled
                            };
                        }
                        if *change == TimerChange::Cancelled {
                            continue;
                        }
                        steps.push(Step {
                            t: e.t,
                            y,
                            event: i,
                            side: Some(side),
                            what: StepKind::TimerFired { timer: *timer },
                        });
                    }
                }
            }
            EventKind::Call {
                socket: Some(s),
                call_id,
                ..
            }
            | EventKind::Return {
                socket: Some(s),
                call_id,
                ..
            }
            | EventKind::CallNotMade {
                socket: Some(s),
                call_id,
                ..
            } => {
                let Some(side) = side_of(*s) else { continue };
                let Some(c) = trace.calls.get(call_id.index()) else {
                    continue;
                };
                let name = c.call.name();
                let (text, error) = match &e.kind {
                    EventKind::Call { result, .. } => c_style(name, *result, false),
                    EventKind::Return { result, .. } => c_style(name, Some(*result), true),
                    // A reacting call whose event never came: the call, a cross, and the kind of
                    // event it waited for (no errno: a short note in either language, and the
                    // page carries no event formatting).
                    _ => {
                        let on = c.on.map_or("", |r| r.event.kind());
                        (format!("{name}() ✗ ({on})"), true)
                    }
                };
                notes.push(Note {
                    side,
                    y,
                    text: text.clone(),
                    step,
                    error,
                });
                steps.push(Step {
                    t: e.t,
                    y,
                    event: i,
                    side: Some(side),
                    what: StepKind::Call { text, error },
                });
            }
            EventKind::ConnectionError { socket, errno, .. } => {
                let Some(side) = side_of(*socket) else {
                    continue;
                };
                let text = errno.name().to_string();
                notes.push(Note {
                    side,
                    y,
                    text: text.clone(),
                    step,
                    error: true,
                });
                steps.push(Step {
                    t: e.t,
                    y,
                    event: i,
                    side: Some(side),
                    what: StepKind::Error { text },
                });
            }
            _ => continue,
        }
    }
    // Arrows that cross at their middles (both sent at one moment, as in a simultaneous open
    // or close) would write their labels on top of each other. Arrows are in the order they
    // were sent, so those that can cross one are the ones sent while it is in flight.
    let mid = |a: &Arrow| (a.y0 + a.y1) / 2.0;
    for a in 0..arrows.len() {
        for b in a + 1..arrows.len() {
            if arrows[b].y0 > arrows[a].y1 {
                break;
            }
            if arrows[a].from != arrows[b].from
                && !arrows[a].lost
                && !arrows[b].lost
                && (mid(&arrows[a]) - mid(&arrows[b])).abs() < CROSSING
            {
                arrows[a].label_at = LABEL_NEAR_SENDER;
                arrows[b].label_at = LABEL_NEAR_SENDER;
            }
        }
    }
    let end_y = y + 40.0;
    for b in open_band.values() {
        bands[*b].y1 = end_y;
    }
    for t in open_timer.values() {
        let bar = &mut timers[*t];
        // Still running when the drawing ends: up to its deadline if that is drawn, else to the end.
        bar.y1 = first_y.get(&bar.deadline).copied().unwrap_or(end_y);
    }

    let head = |id: Option<SocketId>, addr: std::net::SocketAddrV4, x: f32| -> Lifeline {
        match id.and_then(|i| trace.socket(i)) {
            Some(s) => Lifeline {
                x,
                host: trace.hosts[s.host.index()].name.clone(),
                label: s.label.clone(),
                addr: s.local.to_string(),
                simulated: true,
            },
            None => Lifeline {
                x,
                host: addr.ip().to_string(),
                label: None,
                addr: addr.to_string(),
                simulated: false,
            },
        }
    };
    Some(LadderLayout {
        width: WIDTH,
        height: end_y + BOTTOM_MARGIN,
        lifelines: [
            head(Some(left), local, LEFT_X),
            head(right, remote, RIGHT_X),
        ],
        left_socket: left,
        right_socket: right,
        bands,
        arrows,
        timers,
        notes,
        ticks,
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_gaps_grow_with_time_and_are_bounded() {
        let g = |ms| gap_height(Duration::from_millis(ms));
        assert!(g(1) < g(10) && g(10) < g(100) && g(100) < g(1000));
        assert_eq!(g(60_000), 90.0);
        assert_eq!(gap_height(Duration::ZERO), 26.0);
    }
}
