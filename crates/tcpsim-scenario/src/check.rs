//! Running a scenario and checking its expectations against the trace.

use crate::compile::{At, Expect, ExpectKind, Scenario, WantResult};
use crate::error::{Bi, ScenarioError};
use tcpsim_core::call::CallResult;
use tcpsim_core::prelude::*;
use tcpsim_core::setup::{CallSource, Setup};
use tcpsim_core::sim::{RunError, SimError};
use tcpsim_core::trace::EventKind;
use tcpsim_words::msg::RunMsg;
use tcpsim_words::{Lang, cause_text, errno_text, reason_text};

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
            Box::new(ScenarioError::new(
                &self.source,
                span,
                RunMsg::Refused(e.error).text(),
            ))
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
                    return Err(Bi::new(
                        format!("{name} had not been opened by then"),
                        format!("{name} 那时还没有打开"),
                    ));
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
                let (why, why_zh) = since.map_or_else(Default::default, |(tt, cause)| {
                    (
                        format!(" (since {tt}: {})", cause_text(cause, Lang::En)),
                        format!("（自 {tt} 起：{}）", cause_text(cause, Lang::Zh)),
                    )
                });
                Err(Bi::new(
                    format!("{name} was {now} at {at}{why}"),
                    format!("{name} 在{}处于 {now}{why_zh}", at_zh(*at)),
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
                    let h = &trace.hosts[(*host).index()].name;
                    Err(Bi::new(
                        format!("host `{h}` had {n} {plural} in {state} at {at}"),
                        format!("主机 `{h}` 在{}有 {n} 个处于 {state} 的套接字", at_zh(*at)),
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
                        && to.is_none_or(|d| trace.hosts[d.index()].addr == *seg.dst.ip())
                        && after.is_none_or(|a| *t >= a)
                        && before.is_none_or(|b| *t < b)
                });
                match (found, absent) {
                    (Some(_), false) | (None, true) => Ok(()),
                    (None, false) => {
                        Err(Bi::new("no such segment was sent", "没有发出这样的报文段"))
                    }
                    (Some((t, h, seg, why)), true) => {
                        let (h, flags) = (&trace.hosts[h.index()].name, seg.flags);
                        Err(Bi::new(
                            format!("{h} sent [{flags}] at {t} ({})", reason_text(why, Lang::En)),
                            format!(
                                "{h} 在 {t} 发出了 [{flags}]（{}）",
                                reason_text(why, Lang::Zh)
                            ),
                        ))
                    }
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
                    return Err(Bi::new("no such call returned", "没有这样的调用返回"));
                }
                let seen = |lang| {
                    results
                        .iter()
                        .take(5)
                        .map(|(t, name, r)| match lang {
                            Lang::En => format!("{name} at {t} {}", returned(r, lang)),
                            Lang::Zh => format!("{name} 在 {t} {}", returned(r, lang)),
                        })
                        .collect::<Vec<_>>()
                };
                Err(Bi::new(
                    seen(Lang::En).join("; "),
                    seen(Lang::Zh).join("；"),
                ))
            }
        }
    }

    /// The expectation in words: "client/conn is CLOSE-WAIT at the end", "client/conn 在结束时
    /// 处于 CLOSE-WAIT".
    pub fn describe(&self, e: &Expect) -> Bi {
        let host = |h: HostId| self.hosts[h.index()].name.clone();
        match &e.kind {
            ExpectKind::State {
                host: h,
                socket,
                state,
                at,
            } => {
                let name = self.sock_name(*h, socket);
                Bi::new(
                    format!("{name} is {state} at {at}"),
                    format!("{name} 在{}处于 {state}", at_zh(*at)),
                )
            }
            ExpectKind::Count {
                host: h,
                state,
                at,
                min,
                max,
                equals,
            } => {
                let (bound, bound_zh) = match (equals, min, max) {
                    (Some(n), ..) => (format!("exactly {n}"), format!("恰好 {n} 个")),
                    (None, Some(a), Some(b)) => (format!("{a} to {b}"), format!("{a} 到 {b} 个")),
                    (None, Some(a), None) => (format!("at least {a}"), format!("至少 {a} 个")),
                    (None, None, Some(b)) => (format!("at most {b}"), format!("至多 {b} 个")),
                    (None, None, None) => ("any number of".into(), "任意数量的".into()),
                };
                let h = host(*h);
                Bi::new(
                    format!("host `{h}` has {bound} sockets in {state} at {at}"),
                    format!(
                        "主机 `{h}` 在{}有{bound_zh}处于 {state} 的套接字",
                        at_zh(*at)
                    ),
                )
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
                let mut zh = Vec::new();
                if let Some(f) = from {
                    zh.push(format!("发送方 {}", host(*f)));
                }
                if let Some(t) = to {
                    zh.push(format!("接收方 {}", host(*t)));
                }
                if let Some(f) = from {
                    s += &format!(" from {}", host(*f));
                }
                if let Some(t) = to {
                    s += &format!(" to {}", host(*t));
                }
                if let Some(a) = after {
                    let a = Duration::from_micros(a.as_micros());
                    s += &format!(" at or after {a}");
                    zh.push(format!("在 {a} 或之后"));
                }
                if let Some(b) = before {
                    let b = Duration::from_micros(b.as_micros());
                    s += &format!(" before {b}");
                    zh.push(format!("在 {b} 之前"));
                }
                let when = if zh.is_empty() {
                    String::new()
                } else {
                    format!("（{}）", zh.join("，"))
                };
                let (verb, verb_zh) = if *absent {
                    (" is never sent", "从未发出")
                } else {
                    (" is sent", "被发出")
                };
                Bi::new(s + verb, format!("[{flags}] 报文段{when}{verb_zh}"))
            }
            ExpectKind::Result {
                host: h,
                socket,
                call,
                want,
            } => {
                let name = call.map(crate::compile::call_name);
                let on = socket
                    .as_ref()
                    .map_or(format!("host `{}`", host(*h)), |s| self.sock_name(*h, s));
                let (res, res_zh) = match want {
                    WantResult::Ok => ("succeeds".to_string(), "成功".to_string()),
                    WantResult::Error(e) => (
                        format!("fails with {}", e.name()),
                        format!("以 {} 失败", e.name()),
                    ),
                };
                Bi::new(
                    format!("{} on {on} {res}", name.unwrap_or("a call")),
                    format!(
                        "{on} 上的{}{res_zh}",
                        name.map_or("调用".to_string(), |n| format!(" {n} "))
                    ),
                )
            }
        }
    }

    fn sock_name(&self, host: HostId, socket: &str) -> String {
        format!("{}/{socket}", self.hosts[host.index()].name)
    }
}

/// What a call returned: "returned 300 bytes", "返回 300 字节".
fn returned(r: &CallResult, lang: Lang) -> String {
    match (r, lang) {
        (CallResult::Ok, Lang::En) => "returned ok".into(),
        (CallResult::Ok, Lang::Zh) => "返回成功".into(),
        (CallResult::Bytes(n), Lang::En) => format!("returned {n} bytes"),
        (CallResult::Bytes(n), Lang::Zh) => format!("返回 {n} 字节"),
        (CallResult::Eof, Lang::En) => "returned 0 (end of stream)".into(),
        (CallResult::Eof, Lang::Zh) => "返回 0（流结束）".into(),
        (CallResult::Accepted(_), Lang::En) => "returned a connection".into(),
        (CallResult::Accepted(_), Lang::Zh) => "返回一个连接".into(),
        (CallResult::Error(e), Lang::En) => format!("returned {e}"),
        (CallResult::Error(e), Lang::Zh) => {
            format!("返回 {}（{}）", e.name(), errno_text(*e, Lang::Zh))
        }
    }
}

/// "the end" or a time, as the Chinese messages place it: "在结束时", "在 20ms 时".
fn at_zh(at: At) -> String {
    match at {
        At::End => "结束时".into(),
        At::Time(t) => format!(" {} 时", Duration::from_micros(t.as_micros())),
    }
}

/// The reacting calls of a run that were never made, each said in both languages:
/// "client: close on req7, waiting for eof: the run ended first".
pub fn never_made(trace: &Trace) -> Vec<Bi> {
    use tcpsim_core::call::NotMade;
    trace
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::CallNotMade {
                host, call_id, why, ..
            } => {
                let c = trace.calls.get(call_id.index())?;
                let host = &trace.hosts.get(host.index())?.name;
                let on = c.on.map_or(String::new(), |r| r.event.to_string());
                let what = format!(
                    "{host}: {}{}",
                    c.call.name(),
                    c.call
                        .socket()
                        .map_or(String::new(), |s| format!(" on {s}"))
                );
                let zh = match why {
                    NotMade::RunEnded => "运行先结束了",
                    NotMade::ConnectionEnded => "连接结束了，事件没有发生",
                    NotMade::NoSocket => {
                        "从来没有套接字得到这个名字（它的 connect() 或 accept() 从未成功）"
                    }
                };
                let en = why.describe();
                Some(Bi::new(
                    format!("{what}, waiting for {on}: {en}"),
                    format!("{what}，等待 {on}：{zh}"),
                ))
            }
            _ => None,
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
        match lang {
            Lang::En => {
                let mut out = format!(
                    "{}: expectation failed: {}",
                    self.location, self.expected.en
                );
                if let Some(n) = note {
                    out += &format!("\n  ({n})");
                }
                out + &format!("\n  seen instead: {}", self.seen.en)
            }
            Lang::Zh => {
                let mut out = format!("{}: 预期未满足：{}", self.location, self.expected.zh);
                if let Some(n) = note {
                    out += &format!("\n  （{n}）");
                }
                out + &format!("\n  实际情况：{}", self.seen.zh)
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
    let (what, help) = (stopped.text(), RunMsg::LimitsHelp.text());
    match lang {
        Lang::En => format!("{}\n  help: {}", what.en, help.en),
        Lang::Zh => format!("{}\n  提示：{}", what.zh, help.zh),
    }
}

/// In English.
impl std::fmt::Display for ScenarioRunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl std::error::Error for ScenarioRunError {}
