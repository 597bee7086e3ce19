//! Running a scenario and checking its expectations against the trace.

use crate::compile::{At, Expect, ExpectKind, Scenario, WantResult};
use crate::error::{Bi, ScenarioError};
use std::collections::BTreeMap;
use tcpsim_core::call::CallResult;
use tcpsim_core::prelude::*;
use tcpsim_core::setup::{CallSource, Setup};
use tcpsim_core::sim::{RunError, SimError};
use tcpsim_core::trace::EventKind;
use tcpsim_words::Lang;
use tcpsim_words::msg::{Bound, ExpectMsg, OnWhat, RunMsg, When, help_label, sim_text};

impl Scenario {
    /// The simulator for this scenario, with every call scheduled.
    pub fn simulator(&self) -> Result<Simulator, Box<ScenarioError>> {
        self.setup().simulator().map_err(|e| {
            let span = match e.call {
                Some(CallSource::Call(i)) => self.calls.get(i).map(|c| c.span.clone()),
                Some(CallSource::Repeat { repeat, call, .. }) => self
                    .repeats
                    .get(repeat)
                    .and_then(|r| r.spans.get(call))
                    .cloned(),
                None => None,
            };
            Box::new(ScenarioError::new(&self.source, span, sim_text(&e.error)))
        })
    }

    /// What the run takes, as the core's [`Setup`]: what [`Scenario::simulator`] builds, and
    /// what a compiled scenario carries (see [`crate::compiled`]).
    pub fn setup(&self) -> Setup {
        self.clone().into_setup()
    }

    /// [`Scenario::setup`], taking the scenario apart instead of copying its calls.
    pub fn into_setup(self) -> Setup {
        Setup {
            cfg: SimConfig {
                seed: self.seed,
                default_link: LinkConfig::latency(self.default_latency),
                max_events: self.max_events,
                max_sockets: self.max_sockets,
                ..SimConfig::default()
            },
            duration: self.duration,
            hosts: self.hosts,
            links: self.links,
            faults: self.faults,
            middleboxes: self.middleboxes,
            calls: self
                .calls
                .into_iter()
                .map(|c| tcpsim_core::call::ScheduledCall {
                    at: c.at,
                    host: c.host,
                    call: c.call,
                    on: c.on,
                })
                .collect(),
            repeats: self.repeats.into_iter().map(|r| r.repeat).collect(),
        }
    }

    /// Runs the scenario. A run that hits a limit is an error that names the limit.
    pub fn run(&self) -> Result<Trace, ScenarioRunError> {
        let sim = self.simulator().map_err(ScenarioRunError::Setup)?;
        sim.run_for(self.duration)
            .map_err(|e| ScenarioRunError::Limit(self.source.name.clone(), Box::new(e)))
    }

    /// When the run ends: its duration after the start.
    pub fn end(&self) -> Instant {
        Instant::from_micros(self.duration.as_micros())
    }

    fn at(&self, at: At) -> Instant {
        match at {
            At::End => self.end(),
            At::Time(t) => t,
        }
    }

    /// Checks every expectation; returns the ones that failed.
    pub fn check(&self, trace: &Trace) -> Vec<CheckFailure> {
        self.expectations
            .iter()
            .filter_map(|e| {
                self.check_one(trace, e)
                    .err()
                    .map(|seen| CheckFailure::new(self, e, seen))
            })
            .collect()
    }

    fn check_one(&self, trace: &Trace, e: &Expect) -> Result<(), Bi> {
        match &e.kind {
            ExpectKind::State {
                host,
                socket,
                state,
                at,
            } => {
                let t = self.at(*at);
                let name = self.sock_name(*host, socket);
                let Some(sock) = socket_at(trace, *host, socket, t) else {
                    return Err(ExpectMsg::NotOpenedYet(name).text());
                };
                let now = trace.state_at(sock, t).unwrap_or(State::Closed);
                if now == *state {
                    return Ok(());
                }
                let since = trace
                    .transitions_of(sock)
                    .take_while(|(tt, ..)| *tt <= t)
                    .last()
                    .map(|(tt, _, _, cause)| (tt, cause));
                Err(ExpectMsg::WasState {
                    socket: name,
                    state: now,
                    at: when(*at),
                    since,
                }
                .text())
            }
            ExpectKind::Count {
                host,
                state,
                at,
                min,
                max,
                equals,
            } => {
                let t = self.at(*at);
                let n = trace
                    .netstat_at(t)
                    .counts(Some(*host))
                    .get(state)
                    .copied()
                    .unwrap_or(0);
                let ok = min.is_none_or(|m| n >= m)
                    && max.is_none_or(|m| n <= m)
                    && equals.is_none_or(|m| n == m);
                if ok {
                    Ok(())
                } else {
                    Err(ExpectMsg::HadCount {
                        host: trace.hosts[(*host).index()].name.clone(),
                        n,
                        state: *state,
                        at: when(*at),
                    }
                    .text())
                }
            }
            ExpectKind::Segment {
                flags,
                from,
                to,
                after,
                before,
                absent,
            } => {
                let found = trace.segments_sent().find(|(t, h, seg, _)| {
                    seg.flags.contains(*flags)
                        && from.is_none_or(|f| f == *h)
                        && to.is_none_or(|d| trace.hosts[d.index()].addr == *seg.dst.ip())
                        && after.is_none_or(|a| *t >= a)
                        && before.is_none_or(|b| *t < b)
                });
                match (found, absent) {
                    (Some(_), false) | (None, true) => Ok(()),
                    (None, false) => Err(ExpectMsg::NoSuchSegment.text()),
                    (Some((t, h, seg, reason)), true) => Err(ExpectMsg::WasSent {
                        host: trace.hosts[h.index()].name.clone(),
                        flags: seg.flags,
                        t,
                        reason,
                    }
                    .text()),
                }
            }
            ExpectKind::Result {
                host,
                socket,
                call,
                want,
            } => {
                let results = call_results(trace, *host, socket.as_deref(), *call);
                let wanted = match want {
                    WantResult::Ok => CallResult::Ok,
                    WantResult::Error(e) => CallResult::Error(*e),
                };
                let matches = |r: &CallResult| match want {
                    WantResult::Ok => !matches!(r, CallResult::Error(_)),
                    WantResult::Error(_) => *r == wanted,
                };
                if results.iter().any(|(_, _, r)| matches(r)) {
                    return Ok(());
                }
                if results.is_empty() {
                    return Err(ExpectMsg::NoSuchCall.text());
                }
                Err(ExpectMsg::Returned(results.into_iter().take(5).collect()).text())
            }
        }
    }

    /// The expectation in words: "client/conn is CLOSE-WAIT at the end", "client/conn 在结束时
    /// 处于 CLOSE-WAIT".
    pub fn describe(&self, e: &Expect) -> Bi {
        let host = |h: HostId| self.hosts[h.index()].name.clone();
        let at_or_after = |t: Instant| Duration::from_micros(t.as_micros());
        match &e.kind {
            ExpectKind::State {
                host: h,
                socket,
                state,
                at,
            } => ExpectMsg::State {
                socket: self.sock_name(*h, socket),
                state: *state,
                at: when(*at),
            },
            ExpectKind::Count {
                host: h,
                state,
                at,
                min,
                max,
                equals,
            } => ExpectMsg::Count {
                host: host(*h),
                bound: match (equals, min, max) {
                    (Some(n), ..) => Bound::Exactly(*n),
                    (None, Some(a), Some(b)) => Bound::Between(*a, *b),
                    (None, Some(a), None) => Bound::AtLeast(*a),
                    (None, None, Some(b)) => Bound::AtMost(*b),
                    (None, None, None) => Bound::Any,
                },
                state: *state,
                at: when(*at),
            },
            ExpectKind::Segment {
                flags,
                from,
                to,
                after,
                before,
                absent,
            } => ExpectMsg::Segment {
                flags: *flags,
                from: from.map(host),
                to: to.map(host),
                after: after.map(at_or_after),
                before: before.map(at_or_after),
                absent: *absent,
            },
            ExpectKind::Result {
                host: h,
                socket,
                call,
                want,
            } => ExpectMsg::Result {
                call: call.map(crate::compile::call_name),
                on: match socket {
                    Some(s) => OnWhat::Socket(self.sock_name(*h, s)),
                    None => OnWhat::Host(host(*h)),
                },
                errno: match want {
                    WantResult::Ok => None,
                    WantResult::Error(e) => Some(*e),
                },
            },
        }
        .text()
    }

    fn sock_name(&self, host: HostId, socket: &str) -> String {
        format!("{}/{socket}", self.hosts[host.index()].name)
    }
}

/// "the end" or a time, for the words of an expectation.
fn when(at: At) -> When {
    match at {
        At::End => When::End,
        At::Time(t) => When::At(Duration::from_micros(t.as_micros())),
    }
}

/// The reacting calls of a run that were never made, each said in both languages:
/// "client: close on req7, waiting for eof: the run ended first".
pub fn never_made(trace: &Trace) -> Vec<Bi> {
    trace
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::CallNotMade {
                host, call_id, why, ..
            } => {
                let c = trace.calls.get(call_id.index())?;
                let said = ExpectMsg::NeverMade {
                    host: trace.hosts.get(host.index())?.name.clone(),
                    call: c.call.name(),
                    socket: c.call.socket().map(str::to_string),
                    on: c.on.map_or(String::new(), |r| r.event.to_string()),
                    why,
                };
                Some(said.text())
            }
            _ => None,
        })
        .collect()
}

/// Per host, the connect() calls that failed for want of a free ephemeral port, said in both
/// languages: running out of ports is itself what leaks and TIME-WAIT lead to.
pub fn ports_ran_out(trace: &Trace) -> Vec<Bi> {
    let mut per_host = vec![0usize; trace.hosts.len()];
    for e in &trace.events {
        if let EventKind::Call {
            host,
            call_id,
            result: Some(CallResult::Error(Errno::EADDRNOTAVAIL)),
            ..
        } = e.kind
            && matches!(trace.call(call_id), Some(Call::Connect { .. }))
            && let Some(n) = per_host.get_mut(host.index())
        {
            *n += 1;
        }
    }
    per_host
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(h, n)| {
            let host = trace.hosts[h].name.clone();
            ExpectMsg::PortsRanOut { host, n: *n }.text()
        })
        .collect()
}

/// Per host, the close() calls that failed with EBADF (the first, and a count of the rest),
/// said in both languages: a second close() of a descriptor is a bug worth a word even where
/// no expectation looks at it.
pub fn closed_twice(trace: &Trace) -> Vec<Bi> {
    // Per host: the last successful close of each name; the first failure and how many more.
    let mut closed: Vec<BTreeMap<&str, Instant>> = vec![BTreeMap::new(); trace.hosts.len()];
    // (socket, when, when it was closed before, how many more)
    type Failed<'t> = Option<(&'t str, Instant, Option<Instant>, usize)>;
    let mut failed: Vec<Failed> = vec![None; trace.hosts.len()];
    for e in &trace.events {
        let EventKind::Call {
            host,
            call_id,
            result: Some(result),
            ..
        } = &e.kind
        else {
            continue;
        };
        let (Some(Call::Close { socket }), Some(last), Some(fail)) = (
            trace.call(*call_id),
            closed.get_mut(host.index()),
            failed.get_mut(host.index()),
        ) else {
            continue;
        };
        match (result, fail) {
            (CallResult::Error(Errno::EBADF), Some((.., more))) => *more += 1,
            (CallResult::Error(Errno::EBADF), slot) => {
                *slot = Some((socket, e.t, last.get(socket.as_str()).copied(), 0));
            }
            (CallResult::Error(_), _) => {}
            _ => {
                last.insert(socket, e.t);
            }
        }
    }
    failed
        .iter()
        .zip(&trace.hosts)
        .filter_map(|(f, h)| {
            let (socket, at, first, more) = (*f)?;
            let msg = ExpectMsg::ClosedTwice {
                host: h.name.clone(),
                socket: socket.to_string(),
                at,
                first,
                more,
            };
            Some(msg.text())
        })
        .collect()
}

/// The socket that carries `label` on `host` at time `t`: the latest socket given that name
/// that existed by then. An accepted connection counts from its first SYN, although the
/// application names it only when accept() returns.
pub fn socket_at(trace: &Trace, host: HostId, label: &str, t: Instant) -> Option<SocketId> {
    trace
        .sockets
        .iter()
        .filter(|s| s.host == host && s.label.as_deref() == Some(label) && s.created <= t)
        .max_by_key(|s| (s.created, s.id))
        .map(|s| s.id)
}

/// (time, call name, result) of the calls on `host` naming `socket` (any if `None`).
fn call_results(
    trace: &Trace,
    host: HostId,
    socket: Option<&str>,
    kind: Option<crate::model::CallName>,
) -> Vec<(Instant, &'static str, CallResult)> {
    use std::collections::BTreeMap;
    let mut pending: BTreeMap<tcpsim_core::id::CallId, (&'static str, bool)> = BTreeMap::new();
    let mut out = Vec::new();
    for e in &trace.events {
        match &e.kind {
            EventKind::Call {
                host: h,
                call_id,
                result,
                ..
            } if *h == host => {
                let Some(call) = trace.call(*call_id) else {
                    continue;
                };
                let name_ok = socket.is_none_or(|s| {
                    call.socket() == Some(s)
                        || matches!(call, Call::Accept { socket: a, .. } if a == s)
                });
                let kind_ok = kind.is_none_or(|k| call.name() == crate::compile::call_name(k));
                let relevant = name_ok && kind_ok;
                match result {
                    Some(r) if relevant => out.push((e.t, call.name(), *r)),
                    None => {
                        pending.insert(*call_id, (call.name(), relevant));
                    }
                    _ => {}
                }
            }
            EventKind::Return {
                host: h,
                call_id,
                result,
                ..
            } if *h == host => {
                if let Some((name, true)) = pending.remove(call_id) {
                    out.push((e.t, name, *result));
                }
            }
            _ => {}
        }
    }
    out
}

/// A failed expectation, with where it was written and what happened instead, in English and
/// Simplified Chinese.
#[derive(Clone, Debug)]
pub struct CheckFailure {
    /// Where the expectation is written: `file:line:column`.
    pub location: String,
    /// The expectation in words.
    pub expected: Bi,
    /// The file's note for it, in both languages when the file gives both.
    pub note: Option<Bi>,
    /// What happened instead.
    pub seen: Bi,
}

impl CheckFailure {
    fn new(s: &Scenario, e: &Expect, seen: Bi) -> CheckFailure {
        let (line, col) = s.source.line_col(e.span.start);
        CheckFailure {
            location: format!("{}:{line}:{col}", s.source.name),
            expected: s.describe(e),
            note: e.note.clone(),
            seen,
        }
    }

    /// The failure as the CLI prints it, in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let pick = |b: &Bi| -> String {
            match lang {
                Lang::En => b.en.clone(),
                Lang::Zh => b.zh.clone(),
            }
        };
        let note = self.note.as_ref().map(pick);
        let (failed, seen) = (ExpectMsg::Failed.text(), ExpectMsg::SeenInstead.text());
        match lang {
            Lang::En => {
                let mut out = format!("{}: {}: {}", self.location, failed.en, self.expected.en);
                if let Some(n) = note {
                    out += &format!("\n  ({n})");
                }
                out + &format!("\n  {}: {}", seen.en, self.seen.en)
            }
            Lang::Zh => {
                let mut out = format!("{}: {}：{}", self.location, failed.zh, self.expected.zh);
                if let Some(n) = note {
                    out += &format!("\n  （{n}）");
                }
                out + &format!("\n  {}：{}", seen.zh, self.seen.zh)
            }
        }
    }
}

impl std::fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// Why a scenario could not run to its end.
#[derive(Debug)]
pub enum ScenarioRunError {
    /// The setup could not become a simulator (a located error in the file).
    Setup(Box<ScenarioError>),
    /// The run stopped at one of its limits: the file's name, and the error with the trace so far.
    Limit(String, Box<RunError>),
}

impl ScenarioRunError {
    /// The error as the command line prints it, in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match self {
            ScenarioRunError::Setup(e) => e.render(lang == Lang::Zh),
            ScenarioRunError::Limit(file, e) => run_stopped(file, &e.error, lang),
        }
    }
}

/// Why the run of `file` stopped, with where its limits are set, in `lang`.
pub fn run_stopped(file: &str, error: &SimError, lang: Lang) -> String {
    let stopped = RunMsg::Stopped {
        file: file.to_string(),
        error: error.clone(),
    };
    let (what, help) = (stopped.text(), RunMsg::limit_help(error).text());
    format!(
        "{}\n  {}: {}",
        what.get(lang),
        help_label(lang),
        help.get(lang)
    )
}

/// In English.
impl std::fmt::Display for ScenarioRunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl std::error::Error for ScenarioRunError {}
