//! Calls repeated at a fixed period, kept as templates, and the merge that makes a setup's
//! calls one at a time, in time order, as a run reaches them.

use crate::call::{Call, Reaction, ScheduledCall};
use crate::id::HostId;
use crate::time::{Duration, Instant};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The same calls made `count` times, `every` apart: "every 360 ms, connect `req{i}`".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Repeat {
    /// When repetition 0 begins.
    pub start: Instant,
    /// The time between two repetitions' starts.
    pub every: Duration,
    /// How many repetitions (those that would start after the run's end are not made).
    pub count: u64,
    /// Each repetition's calls; repetition `i` makes them at `start + i * every + after`, with
    /// `{i}` in their socket names replaced by `i` (`req{i}`: `req0`, `req1`, ...).
    pub calls: Vec<RepeatedCall>,
}

/// A call of a [`Repeat`].
#[derive(Clone, Debug, PartialEq)]
pub struct RepeatedCall {
    /// When in each repetition, from its start.
    pub after: Duration,
    /// The host whose application makes it.
    pub host: HostId,
    /// What it does; `{i}` in its socket names is the repetition's number.
    pub call: Call,
    /// Waits for an event from `after` on, instead of running then.
    pub on: Option<Reaction>,
}

impl Repeat {
    /// When repetition `i` makes call `k`, unless that is past `end` (or past what a time can
    /// hold).
    fn time(&self, i: u64, k: usize, end: Instant) -> Option<Instant> {
        let offset = self.every.as_micros().checked_mul(i)?;
        let after = self.calls.get(k)?.after.as_micros();
        let at = self
            .start
            .as_micros()
            .checked_add(offset)?
            .checked_add(after)?;
        (at <= end.as_micros()).then(|| Instant::from_micros(at))
    }
}

/// A repeated call's socket name in repetition `i`: each `{i}` replaced by the number
/// (`req{i}` in repetition 7: `req7`). The scenario compiler checks names with this, and the
/// simulator makes them with a `NameTemplate`, which must agree.
pub fn repetition_name(name: &str, i: u64) -> String {
    name.replace("{i}", &i.to_string())
}

/// A repeat's socket name, cut at each `{i}` once, so that filling it in for each of ten
/// thousand repetitions does not search the name again.
#[derive(Clone, Debug)]
struct NameTemplate {
    parts: Vec<String>,
}

impl NameTemplate {
    fn new(name: &str) -> NameTemplate {
        NameTemplate {
            parts: name.split("{i}").map(str::to_string).collect(),
        }
    }

    /// [`repetition_name`] of the name, for repetition `i`: one allocation, the number's digits
    /// written by hand (a run fills in tens of thousands of names, and formatting machinery
    /// and a joined temporary cost more than the rest of making the call).
    fn fill(&self, i: u64) -> String {
        let [first, rest @ ..] = &self.parts[..] else {
            return String::new();
        };
        let mut digits = [0u8; 20];
        let mut n = i;
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let number = &digits[start..];
        let len = self.parts.iter().map(String::len).sum::<usize>() + rest.len() * number.len();
        let mut out = String::with_capacity(len);
        out.push_str(first);
        for part in rest {
            out.extend(number.iter().map(|&d| char::from(d)));
            out.push_str(part);
        }
        out
    }
}

/// The names of a repeated call, in the order [`Call::map_names`] visits them, cut once.
fn name_templates(call: &Call) -> Vec<NameTemplate> {
    let mut names = Vec::new();
    let _ = call.map_names(|n| {
        names.push(NameTemplate::new(n));
        String::new()
    });
    names
}

/// A setup's calls, made one at a time as the run reaches them: a k-way merge of the calls as
/// listed and of each repeated call as a stream over the repetitions (its times never
/// decrease). The heap holds each stream's next call, keyed by (time, position in the order of
/// [`Setup`]'s docs), which is unique. Making calls as they come keeps the set-up of ten
/// thousand connections out of the way of the first frame, and spreads it over the run.
#[derive(Clone, Debug)]
pub(crate) struct CallMerge {
    end: Instant,
    max_events: u64,
    listed: std::collections::VecDeque<ScheduledCall>,
    /// Position of the next listed call.
    next_listed: u64,
    repeats: Vec<Repeat>,
    /// Per repeat: the position of its repetition 0's first call.
    bases: Vec<u64>,
    /// Per stream (stream 0 is the listed calls): the repeat and call, and its names.
    streams: Vec<(usize, usize, Vec<NameTemplate>)>,
    heap: BinaryHeap<Reverse<(Instant, u64, u32)>>,
    made: u64,
    /// How many calls there will be, about (for reserving room).
    expected: u64,
    /// How many sockets they will open, about (for reserving room).
    sockets: u64,
}

impl CallMerge {
    /// The merge of `calls` (in time order) and `repeats`, for a run that ends at
    /// `end` and may take `max_events` events; `None` when the repeats schedule more calls
    /// than a `u64` position can number.
    pub(crate) fn new(
        calls: Vec<ScheduledCall>,
        repeats: Vec<Repeat>,
        end: Instant,
        max_events: u64,
    ) -> Option<CallMerge> {
        let mut bases = Vec::with_capacity(repeats.len());
        let mut pos = calls.len() as u64;
        for r in &repeats {
            bases.push(pos);
            pos = r
                .count
                .checked_mul(r.calls.len() as u64)
                .and_then(|n| pos.checked_add(n))?;
        }
        let mut heap = BinaryHeap::new();
        let mut streams = vec![(usize::MAX, usize::MAX, Vec::new())];
        if let Some(c) = calls.first() {
            heap.push(Reverse((c.at, 0, 0)));
        }
        for (r, rep) in repeats.iter().enumerate() {
            for k in 0..rep.calls.len() {
                let stream = streams.len() as u32;
                streams.push((r, k, name_templates(&rep.calls[k].call)));
                if rep.count > 0
                    && let Some(at) = rep.time(0, k, end)
                {
                    heap.push(Reverse((at, bases[r] + k as u64, stream)));
                }
            }
        }
        // Sockets a call opens, about: a connect() one, and one more if the listener is in the
        // run (a passive open); a listen() one.
        let opens = |c: &Call| match c {
            Call::Connect { .. } => 2u64,
            Call::Listen { .. } => 1,
            _ => 0,
        };
        let (mut repeated, mut sockets) = (0u64, 0u64);
        for r in &repeats {
            let within = end
                .as_micros()
                .checked_sub(r.start.as_micros())
                .map_or(0, |d| {
                    d.checked_div(r.every.as_micros())
                        .map_or(u64::MAX, |k| k.saturating_add(1))
                });
            let times = r.count.min(within);
            repeated = repeated.saturating_add(times.saturating_mul(r.calls.len() as u64));
            let per = r.calls.iter().map(|c| opens(&c.call)).sum::<u64>();
            sockets = sockets.saturating_add(times.saturating_mul(per));
        }
        let expected = (calls.len() as u64).saturating_add(repeated.min(max_events));
        let sockets = calls
            .iter()
            .map(|c| opens(&c.call))
            .sum::<u64>()
            .saturating_add(sockets);
        Some(CallMerge {
            end,
            max_events,
            listed: calls.into(),
            next_listed: 0,
            repeats,
            bases,
            streams,
            heap,
            made: 0,
            expected,
            sockets,
        })
    }

    /// The time of the next call.
    pub(crate) fn peek(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, ..))| *at)
    }

    /// How many calls the merge expects to make, about.
    pub(crate) fn expected(&self) -> u64 {
        self.expected
    }

    /// How many sockets the calls will open, about.
    pub(crate) fn expected_sockets(&self) -> u64 {
        self.sockets
    }

    /// The next call, names filled in.
    pub(crate) fn next(&mut self) -> Option<ScheduledCall> {
        let Reverse((at, p, stream)) = self.heap.pop()?;
        self.made += 1;
        if stream == 0 {
            let c = self.listed.pop_front()?;
            self.next_listed += 1;
            if let Some(next) = self.listed.front() {
                self.heap.push(Reverse((next.at, self.next_listed, 0)));
            }
            return Some(ScheduledCall { at, ..c });
        }
        let (repeat, call, names) = self.streams.get(stream as usize)?;
        let r = self.repeats.get(*repeat)?;
        let c = r.calls.get(*call)?;
        let per = r.calls.len() as u64;
        let index = (p - self.bases.get(*repeat)?) / per;
        // A run can make no more calls than it has events: repeated calls past that can never
        // run, and a hostile count must not fill the memory.
        if self.made <= self.max_events
            && index + 1 < r.count
            && let Some(next) = r.time(index + 1, *call, self.end)
        {
            self.heap.push(Reverse((next, p + per, stream)));
        }
        let mut names = names.iter();
        let made = c
            .call
            .map_names(|_| names.next().map_or_else(String::new, |n| n.fill(index)));
        Some(ScheduledCall {
            at,
            host: c.host,
            call: made,
            on: c.on,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_name_template_fills_in_as_repetition_name_does() {
        for name in [
            "req{i}",
            "listener",
            "{i}",
            "a{i}-b{i}",
            "{i}{i}",
            "",
            "x{i",
            "{I}",
        ] {
            let t = super::NameTemplate::new(name);
            for i in [
                0,
                7,
                9,
                10,
                99,
                100,
                12_345,
                1_000_000,
                u64::MAX / 10,
                u64::MAX,
            ] {
                assert_eq!(t.fill(i), super::repetition_name(name, i), "{name} {i}");
            }
        }
    }
}
