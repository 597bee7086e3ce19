//! Running a scenario and checking its expectations against the trace.

use crate::compile::{At, Expect, ExpectKind, Scenario, WantResult};
use crate::error::ScenarioError;
use tcpsim_core::prelude::*;
use tcpsim_core::sim::RunError;
use tcpsim_core::trace::{CallResult, EventKind};
use tcpsim_core::wire::Setup;

impl Scenario {
    /// The simulator for this scenario, with every call scheduled.
    pub fn simulator(&self) -> Result<Simulator, Box<ScenarioError>> {
        self.setup().simulator().map_err(|e| {
            let span = e
                .call
                .and_then(|i| self.calls.get(i))
                .map(|c| c.span.clone());
            Box::new(ScenarioError::new(&self.source, span, e.error.to_string()))
        })
    }

    /// What the run takes, as the core's [`Setup`]: what [`Scenario::simulator`] builds, and
    /// what a compiled scenario carries (see [`crate::compiled`]).
    pub fn setup(&self) -> Setup {
        Setup {
            cfg: SimConfig {
                seed: self.seed,
                default_link: LinkConfig::latency(self.default_latency),
                max_events: self.max_events,
                max_sockets: self.max_sockets,
                ..SimConfig::default()
            },
            duration: self.duration,
            hosts: self.hosts.clone(),
            links: self.links.clone(),
            faults: self.faults.clone(),
            middleboxes: self.middleboxes.clone(),
            calls: self
                .calls
                .iter()
                .map(|c| tcpsim_core::trace::ScheduledCall {
                    at: c.at,
                    host: c.host,
                    call: c.call.clone(),
                })
                .collect(),
        }
    }

    /// Runs the scenario. A run that hits a limit is an error that names the limit.
    pub fn run(&self) -> Result<Trace, ScenarioRunError> {
        let sim = self.simulator().map_err(ScenarioRunError::Setup)?;
        sim.run(self.duration)
            .map_err(|e| ScenarioRunError::Limit(self.source.name.clone(), Box::new(e)))
    }

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

    fn check_one(&self, trace: &Trace, e: &Expect) -> Result<(), String> {
        match &e.kind {
            ExpectKind::State {
                host,
                socket,
                state,
                at,
            } => {
                let t = self.at(*at);
                let Some(sock) = socket_at(trace, *host, socket, t) else {
                    return Err(format!(
                        "{} had not been opened by then",
                        self.sock_name(*host, socket)
                    ));
                };
                let now = trace.state_at(sock, t);
                if now == *state {
                    return Ok(());
                }
                let why = trace
                    .transitions_of(sock)
                    .take_while(|(tt, ..)| *tt <= t)
                    .last()
                    .map(|(tt, _, _, cause)| format!(" (since {tt}: {})", cause.describe()))
                    .unwrap_or_default();
                Err(format!(
                    "{} was {now} at {at}{why}",
                    self.sock_name(*host, socket)
                ))
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
                    let plural = if n == 1 { "socket" } else { "sockets" };
                    Err(format!(
                        "host `{}` had {n} {plural} in {state} at {at}",
                        trace.hosts[*host as usize].name
                    ))
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
                        && to.is_none_or(|d| trace.hosts[d as usize].addr == *seg.dst.ip())
                        && after.is_none_or(|a| *t >= a)
                        && before.is_none_or(|b| *t < b)
                });
                match (found, absent) {
                    (Some(_), false) | (None, true) => Ok(()),
                    (None, false) => Err("no such segment was sent".into()),
                    (Some((t, h, seg, why)), true) => Err(format!(
                        "{} sent [{}] at {t} ({})",
                        trace.hosts[h as usize].name,
                        seg.flags,
                        why.describe()
                    )),
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
                    return Err("no such call returned".into());
                }
                let seen: Vec<String> = results
                    .iter()
                    .take(5)
                    .map(|(t, name, r)| format!("{name} at {t} returned {}", result_text(r)))
                    .collect();
                Err(seen.join("; "))
            }
        }
    }

    /// The expectation in words: "client/conn is CLOSE-WAIT at the end".
    pub fn describe(&self, e: &Expect) -> String {
        let host = |h: HostId| self.hosts[h as usize].name.clone();
        match &e.kind {
            ExpectKind::State {
                host: h,
                socket,
                state,
                at,
            } => format!("{} is {state} at {at}", self.sock_name(*h, socket)),
            ExpectKind::Count {
                host: h,
                state,
                at,
                min,
                max,
                equals,
            } => {
                let bound = match (equals, min, max) {
                    (Some(n), ..) => format!("exactly {n}"),
                    (None, Some(a), Some(b)) => format!("{a} to {b}"),
                    (None, Some(a), None) => format!("at least {a}"),
                    (None, None, Some(b)) => format!("at most {b}"),
                    (None, None, None) => "any number of".into(),
                };
                format!("host `{}` has {bound} sockets in {state} at {at}", host(*h))
            }
            ExpectKind::Segment {
                flags,
                from,
                to,
                after,
                before,
                absent,
            } => {
                let mut s = format!("a [{flags}] segment");
                if let Some(f) = from {
                    s += &format!(" from {}", host(*f));
                }
                if let Some(t) = to {
                    s += &format!(" to {}", host(*t));
                }
                if let Some(a) = after {
                    s += &format!(" at or after {}", Duration::from_micros(a.as_micros()));
                }
                if let Some(b) = before {
                    s += &format!(" before {}", Duration::from_micros(b.as_micros()));
                }
                s + if *absent {
                    " is never sent"
                } else {
                    " is sent"
                }
            }
            ExpectKind::Result {
                host: h,
                socket,
                call,
                want,
            } => {
                let what = call.map_or("a call".to_string(), |c| {
                    crate::compile::call_name(c).to_string()
                });
                let on = socket
                    .as_ref()
                    .map_or(format!("on host `{}`", host(*h)), |s| {
                        format!("on {}", self.sock_name(*h, s))
                    });
                let res = match want {
                    WantResult::Ok => "succeeds".to_string(),
                    WantResult::Error(e) => format!("fails with {}", e.name()),
                };
                format!("{what} {on} {res}")
            }
        }
    }

    fn sock_name(&self, host: HostId, socket: &str) -> String {
        format!("{}/{socket}", self.hosts[host as usize].name)
    }
}

fn result_text(r: &CallResult) -> String {
    match r {
        CallResult::Ok => "ok".into(),
        CallResult::Bytes(n) => format!("{n} bytes"),
        CallResult::Eof => "0 (end of stream)".into(),
        CallResult::Accepted(_) => "a connection".into(),
        CallResult::Error(e) => e.to_string(),
    }
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
    let mut pending: BTreeMap<u32, (&'static str, bool)> = BTreeMap::new();
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

/// A failed expectation, with where it was written and what happened instead.
#[derive(Clone, Debug)]
pub struct CheckFailure {
    pub location: String,
    /// The expectation as written (its first line).
    pub expected: String,
    pub note: Option<String>,
    pub seen: String,
}

impl CheckFailure {
    fn new(s: &Scenario, e: &Expect, seen: String) -> CheckFailure {
        let (line, col) = s.source.line_col(e.span.start);
        CheckFailure {
            location: format!("{}:{line}:{col}", s.source.name),
            expected: s.describe(e),
            note: e.note.clone(),
            seen,
        }
    }
}

impl std::fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: expectation failed: {}",
            self.location, self.expected
        )?;
        if let Some(n) = &self.note {
            write!(f, "\n  ({n})")?;
        }
        write!(f, "\n  seen instead: {}", self.seen)
    }
}

/// Why a scenario could not run to its end.
#[derive(Debug)]
pub enum ScenarioRunError {
    Setup(Box<ScenarioError>),
    Limit(String, Box<RunError>),
}

impl std::fmt::Display for ScenarioRunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScenarioRunError::Setup(e) => e.fmt(f),
            ScenarioRunError::Limit(file, e) => write!(
                f,
                "{file}: error: {e}\n  help: the limits are set in the file's [limits] table"
            ),
        }
    }
}

impl std::error::Error for ScenarioRunError {}
