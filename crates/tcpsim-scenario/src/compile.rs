//! From a parsed file to a checked [`Scenario`]: names resolved, calls checked against what
//! each call takes, repeats expanded within limits, expectations typed. Every problem found is
//! reported with its place; compilation goes on after an error to report as many as it can.

use crate::duration::HumanDuration;
use crate::error::{Bi, ScenarioError, ScenarioErrors, Source};
use crate::model::{
    self, CallName, DurationOrOff, ExpiredName, FaultActionName, OptionName, ProfileName,
    ScenarioFile, ShutdownName, Step, TcpOverrides,
};
use rustc_hash::FxHashMap;
use serde_spanned::Spanned;
use std::collections::BTreeMap;
use std::net::SocketAddrV4;
use std::ops::Range;
use tcpsim_core::call::{Reaction, SocketEvent};
use tcpsim_core::config::ConfigError;
use tcpsim_core::config::TcpConfig;
use tcpsim_core::net::{
    ExpiredAction, FaultAction, FaultRule, LinkConfig, Middlebox, SegmentFilter,
};
use tcpsim_core::prelude::*;
use tcpsim_words::msg::{self, Msg, OptionValue};

/// The default `[limits] max_events`: generous for a laptop, and still a bounded run.
pub const DEFAULT_MAX_EVENTS: u64 = 20_000_000;
/// The default `[limits] max_sockets`.
pub const DEFAULT_MAX_SOCKETS: u32 = 200_000;
/// The default `[limits] max_calls`.
pub const DEFAULT_MAX_CALLS: u64 = 1_000_000;
/// The most calls any file may schedule, whatever its `[limits] max_calls` says: expanding
/// repeats is work done before the run's own limits apply, and their record alone (at least
/// `tcpsim_core::sim::MIN_BYTES_PER_CALL` each, 128 bytes) stays within the run's memory
/// limit.
pub const MAX_CALLS_CEILING: u64 = 5_000_000;
const _: () = assert!(
    MAX_CALLS_CEILING * tcpsim_core::sim::MIN_BYTES_PER_CALL < tcpsim_core::sim::DEFAULT_MAX_MEMORY
);
/// The most queue events any file may ask for: about a minute of simulation on a laptop (the
/// run's time is its events; its memory has a limit of its own, `SimConfig::max_memory`).
pub const MAX_EVENTS_CEILING: u64 = 100_000_000;
/// The most hosts a file may have: a /16 network, about 180 MB of set-up (2.7 KB a host).
pub const MAX_HOSTS: usize = 65_536;
/// The most sockets any file may ask for: the core's own default.
pub const MAX_SOCKETS_CEILING: u32 = 1_000_000;
/// The longest run a file may ask for.
pub const MAX_DURATION: Duration = Duration::from_secs(7 * 24 * 3600);

/// One call of the applications, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledCall {
    /// When it is made, or, for a reacting call, when it starts waiting.
    pub at: Instant,
    /// The host whose application makes it.
    pub host: HostId,
    /// What it does.
    pub call: Call,
    /// Waits for this from `at` on, instead of running then.
    pub on: Option<Reaction>,
    /// Where it is written in the file.
    pub span: Range<usize>,
}

/// A `[[repeat]]`, with where each of its calls was written (`spans[k]` is `repeat.calls[k]`'s).
#[derive(Clone, Debug, PartialEq)]
pub struct RepeatBlock {
    pub repeat: tcpsim_core::repeat::Repeat,
    pub spans: Vec<Range<usize>>,
}

/// When an expectation looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// At the end of the run.
    End,
    /// At this time.
    Time(Instant),
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            At::End => f.write_str("the end"),
            At::Time(t) => write!(f, "{}", Duration::from_micros(t.as_micros())),
        }
    }
}

/// What a call must have returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WantResult {
    /// The call succeeded.
    Ok,
    /// The call failed with this errno.
    Error(Errno),
}

/// A checked expectation.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpectKind {
    /// A socket is in a state at a time.
    State {
        /// Its host.
        host: HostId,
        /// Its name.
        socket: String,
        /// The state it must be in.
        state: State,
        /// When.
        at: At,
    },
    /// How many sockets of a host are in a state at a time.
    Count {
        /// The host.
        host: HostId,
        /// The state counted.
        state: State,
        /// When.
        at: At,
        /// At least this many.
        min: Option<u64>,
        /// At most this many.
        max: Option<u64>,
        /// Exactly this many.
        equals: Option<u64>,
    },
    /// A segment with these flags was (or, `absent`, was not) sent.
    Segment {
        /// Flags it must carry.
        flags: Flags,
        /// Sent by this host.
        from: Option<HostId>,
        /// Sent to this host.
        to: Option<HostId>,
        /// Sent at or after this time.
        after: Option<Instant>,
        /// Sent before this time.
        before: Option<Instant>,
        /// It must not appear.
        absent: bool,
    },
    /// A call returned a result.
    Result {
        /// The host that made it.
        host: HostId,
        /// The socket it was made on, if one is named.
        socket: Option<String>,
        /// Only calls of this kind.
        call: Option<CallName>,
        /// The result wanted.
        want: WantResult,
    },
}

/// An expectation of the file, checked against the trace.
#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    /// What must hold.
    pub kind: ExpectKind,
    /// Shown when the expectation fails: one text for both languages, or one for each.
    pub note: Option<Bi>,
    /// Where it is written in the file.
    pub span: Range<usize>,
}

/// A scenario, checked and ready to run.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The file it came from.
    pub source: Source,
    /// Its title.
    pub title: model::Text,
    /// Its description.
    pub description: model::Text,
    /// The run's seed.
    pub seed: u64,
    /// How long the run lasts.
    pub duration: Duration,
    /// The hosts, numbered in this order.
    pub hosts: Vec<HostSpec>,
    /// One-way delay of every link the file does not list.
    pub default_latency: Duration,
    /// Links of their own, one direction each: (from, to, link).
    pub links: Vec<(HostId, HostId, LinkConfig)>,
    /// Fault rules, numbered in this order.
    pub faults: Vec<FaultRule>,
    /// Idle-timeout middleboxes.
    pub middleboxes: Vec<Middlebox>,
    /// The timeline's calls, in time order.
    pub calls: Vec<ScheduledCall>,
    /// The repeats, as templates (the core makes their calls as the run reaches them).
    pub repeats: Vec<RepeatBlock>,
    /// What must happen.
    pub expectations: Vec<Expect>,
    /// The most events the run may take.
    pub max_events: u64,
    /// The most sockets the run may create.
    pub max_sockets: u32,
}

struct Ctx<'a> {
    src: &'a Source,
    errors: Vec<ScenarioError>,
    hosts: BTreeMap<String, HostId>,
    host_names: Vec<String>,
    addrs: Vec<std::net::Ipv4Addr>,
    /// The same addresses, to find one at once among many hosts.
    addr_set: std::collections::BTreeSet<std::net::Ipv4Addr>,
    /// Per host: socket name -> (earliest time it is opened, kind of socket). Looked up by
    /// every call (by `&str`, without allocating); hashed with a fixed hasher; listed only
    /// sorted.
    opened: Vec<FxHashMap<String, (Instant, SocketKind)>>,
    /// Times at which the timeline opens each (host, socket name), found before checking, to
    /// tell "opened too late" from "never opened".
    opens_in_timeline: BTreeMap<(String, String), Instant>,
    /// Socket names the timeline opens on hosts the file does not have: a misspelt host's
    /// error says it, and "never opened" on the right host would only repeat it.
    opened_on_unknown_hosts: std::collections::BTreeSet<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SocketKind {
    Listener,
    Connection,
}

fn span_of<T>(s: &Spanned<T>) -> Option<Range<usize>> {
    Some(s.span())
}

impl Ctx<'_> {
    fn opened(&self, host: HostId, name: &str) -> Option<&(Instant, SocketKind)> {
        self.opened.get(host.index())?.get(name)
    }

    fn opened_mut(&mut self, host: HostId) -> &mut FxHashMap<String, (Instant, SocketKind)> {
        let i = host.index();
        if self.opened.len() <= i {
            self.opened.resize_with(i + 1, FxHashMap::default);
        }
        &mut self.opened[i]
    }

    fn err(&mut self, span: Option<Range<usize>>, msg: Msg, help: impl Into<Option<Msg>>) {
        let mut e = ScenarioError::new(self.src, span, msg);
        if let Some(help) = help.into() {
            e = e.help(help);
        }
        self.errors.push(e);
    }

    fn host(&mut self, name: &Spanned<String>) -> Option<HostId> {
        if let Some(h) = self.hosts.get(name.get_ref()) {
            return Some(*h);
        }
        let known = self.host_names.join(", ");
        self.err(
            span_of(name),
            Msg::NoHost(name.get_ref().clone()),
            Msg::HostsAre(known),
        );
        None
    }

    fn opt_host(&mut self, name: &Option<Spanned<String>>) -> Result<Option<HostId>, ()> {
        match name {
            None => Ok(None),
            Some(n) => self.host(n).map(Some).ok_or(()),
        }
    }

    /// "host:port" or "a.b.c.d:port".
    fn endpoint(&mut self, to: &Spanned<String>) -> Option<SocketAddrV4> {
        let text = to.get_ref().trim();
        let Some((h, p)) = text.rsplit_once(':') else {
            self.err(span_of(to), Msg::NoPort(text.into()), Msg::DestinationForm);
            return None;
        };
        let Ok(port) = p.parse::<u16>() else {
            self.err(span_of(to), Msg::NotAPort(p.into()), Msg::DestinationForm);
            return None;
        };
        if let Some(id) = self.hosts.get(h) {
            return Some(SocketAddrV4::new(self.addrs[(*id).index()], port));
        }
        match h.parse() {
            Ok(ip) => Some(SocketAddrV4::new(ip, port)),
            Err(_) => {
                let known = self.host_names.join(", ");
                self.err(
                    span_of(to),
                    Msg::NotHostOrAddress(h.into()),
                    Msg::HostsAre(known),
                );
                None
            }
        }
    }
}

/// Whether a host or socket name can be used: 1 to 64 letters (of any script), digits, `-`, `_`
/// and `.`. Names reach terminals, diagrams and other programs; nothing else in them is needed.
fn usable_name(name: &str) -> bool {
    (1..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Parses a value written as text (a state name, flags), reporting a failure at its place.
fn parse_spanned<T: std::str::FromStr>(
    ctx: &mut Ctx,
    s: &Spanned<String>,
    bad: fn(String) -> Msg,
) -> Option<T> {
    let v = s.get_ref().parse::<T>().ok();
    if v.is_none() {
        ctx.err(span_of(s), bad(s.get_ref().clone()), None);
    }
    v
}

fn parse_state(ctx: &mut Ctx, s: &Spanned<String>) -> Option<State> {
    parse_spanned(ctx, s, Msg::UnknownState)
}

fn parse_flags(ctx: &mut Ctx, s: &Spanned<String>) -> Option<Flags> {
    parse_spanned(ctx, s, Msg::UnknownFlag)
}

/// Applies overrides on top of a configuration.
fn apply_overrides(cfg: &mut TcpConfig, o: &TcpOverrides) {
    macro_rules! set {
        ($($field:ident),*) => { $( if let Some(v) = o.$field { cfg.$field = v; } )* };
    }
    macro_rules! set_d {
        ($($field:ident),*) => { $( if let Some(v) = o.$field { cfg.$field = v.get(); } )* };
    }
    set!(
        mss,
        rcv_buf,
        snd_buf,
        syn_retries,
        synack_retries,
        retries2,
        orphan_retries,
        linger_zero,
        rfc5961,
        rfc1337
    );
    set_d!(msl, time_wait, rto_initial, rto_min, rto_max);
    if let Some(f) = o.fin_timeout {
        cfg.fin_timeout = match f {
            DurationOrOff::Off => None,
            DurationOrOff::On(d) => Some(d.get()),
        };
    }
    if let Some(u) = o.user_timeout {
        cfg.user_timeout = match u {
            DurationOrOff::Off => None,
            DurationOrOff::On(d) => Some(d.get()).filter(|d| !d.is_zero()),
        };
    }
    if let Some(k) = o.keepalive {
        cfg.keepalive.enabled = k;
    }
    if let Some(d) = o.keepalive_time {
        cfg.keepalive.idle = d.get();
    }
    if let Some(d) = o.keepalive_intvl {
        cfg.keepalive.interval = d.get();
    }
    if let Some(n) = o.keepalive_probes {
        cfg.keepalive.probes = n;
    }
}

/// Which keys each call takes.
fn allowed_keys(call: CallName) -> &'static [&'static str] {
    match call {
        CallName::Listen => &["socket", "port", "backlog"],
        CallName::Connect => &["socket", "to", "local_port"],
        CallName::Accept => &["socket", "listener"],
        CallName::Send => &["socket", "bytes", "data"],
        CallName::Recv => &["socket", "max"],
        CallName::Close | CallName::Abort => &["socket"],
        CallName::Shutdown => &["socket", "how"],
        CallName::Setsockopt => &["socket", "option", "value"],
        CallName::Crash | CallName::Restart => &[],
    }
}

fn call_word(c: CallName) -> &'static str {
    match c {
        CallName::Listen => "listen",
        CallName::Connect => "connect",
        CallName::Accept => "accept",
        CallName::Send => "send",
        CallName::Recv => "recv",
        CallName::Close => "close",
        CallName::Shutdown => "shutdown",
        CallName::Abort => "abort",
        CallName::Setsockopt => "setsockopt",
        CallName::Crash => "crash",
        CallName::Restart => "restart",
    }
}

/// How [`compile_step`] treats socket names.
#[derive(Clone, Copy)]
enum Names {
    /// A timeline call: the names as written.
    Timeline,
    /// Repetition `i` of a repeated call: `{i}` replaced by `i`.
    Repetition(u64),
    /// A repeated call as a template for the core: names as written, `{i}` kept, and no
    /// checks of which sockets are open (each repetition was checked).
    Template,
}

/// Compiles one step (already timed) into a call, its names as `names` says.
fn compile_step(
    ctx: &mut Ctx,
    step: &Spanned<Step>,
    at: Instant,
    names: Names,
) -> Option<ScheduledCall> {
    let s = step.get_ref();
    let span = step.span();
    let host = ctx.host(&s.host)?;
    let call = *s.call.get_ref();
    let word = call_word(call);
    // Keys that do not apply to this call are mistakes, not decoration.
    let present: [(&str, Option<Range<usize>>); 12] = [
        ("socket", s.socket.as_ref().map(|x| x.span())),
        ("to", s.to.as_ref().map(|x| x.span())),
        ("local_port", s.local_port.as_ref().map(|x| x.span())),
        ("port", s.port.as_ref().map(|x| x.span())),
        ("backlog", s.backlog.as_ref().map(|x| x.span())),
        ("listener", s.listener.as_ref().map(|x| x.span())),
        ("bytes", s.bytes.as_ref().map(|x| x.span())),
        ("data", s.data.as_ref().map(|x| x.span())),
        ("max", s.max.as_ref().map(|x| x.span())),
        ("how", s.how.as_ref().map(|x| x.span())),
        ("option", s.option.as_ref().map(|x| x.span())),
        ("value", s.value.as_ref().map(|x| x.span())),
    ];
    let allowed = allowed_keys(call);
    let mut ok = true;
    for (key, sp) in present.iter() {
        if let Some(sp) = sp
            && !allowed.contains(key)
        {
            ctx.err(
                Some(sp.clone()),
                Msg::KeyNotForCall {
                    key: key.to_string(),
                    call: word,
                },
                Msg::CallTakes {
                    call: word,
                    keys: allowed.join(", "),
                },
            );
            ok = false;
        }
    }
    let name = |x: &Spanned<String>| -> String {
        match names {
            Names::Repetition(i) => tcpsim_core::repeat::repetition_name(x.get_ref(), i),
            Names::Timeline | Names::Template => x.get_ref().clone(),
        }
    };
    let need_socket = !matches!(call, CallName::Crash | CallName::Restart);
    let socket = match (&s.socket, need_socket) {
        (Some(sock), true) => {
            let n = name(sock);
            // A repeat's template names each socket with `{i}`, filled in later.
            if !usable_name(&n.replace("{i}", "0")) {
                ctx.err(
                    span_of(sock),
                    Msg::BadSocketName(n.clone()),
                    Msg::SocketNameForm,
                );
                ok = false;
            }
            Some((n, sock.span()))
        }
        (None, true) => {
            ctx.err(
                Some(span.clone()),
                Msg::CallNeedsSocket(word),
                Msg::AddExample("socket = \"c\"".into()),
            );
            return None;
        }
        _ => None,
    };
    let missing = |ctx: &mut Ctx, key: &'static str, example: &str| {
        ctx.err(
            Some(span.clone()),
            Msg::CallNeeds { call: word, key },
            Msg::AddExample(format!("{key} = {example}")),
        );
    };
    // Sockets must be opened (listen, connect, accept) before other calls use them.
    let check_open = |ctx: &mut Ctx, n: &str, sp: Range<usize>, want: Option<SocketKind>| -> bool {
        if matches!(names, Names::Template) {
            return true;
        }
        match ctx.opened(host, n) {
            None if ctx
                .opens_in_timeline
                .contains_key(&(ctx.host_names[host.index()].clone(), n.to_string())) =>
            {
                let t =
                    ctx.opens_in_timeline[&(ctx.host_names[host.index()].clone(), n.to_string())];
                // Opened in time by a call that was refused: that call's error says it all.
                if t <= at {
                    return false;
                }
                ctx.err(
                    Some(sp),
                    Msg::UsedBeforeOpened {
                        socket: n.to_string(),
                        at: Duration::from_micros(at.as_micros()),
                        opened: Duration::from_micros(t.as_micros()),
                    },
                    Msg::MoveAfterOpen,
                );
                false
            }
            None if ctx.opened_on_unknown_hosts.contains(n) => false,
            None => {
                ctx.err(
                    Some(sp),
                    Msg::NeverOpened {
                        socket: n.to_string(),
                        host: ctx.host_names[host.index()].clone(),
                    },
                    Msg::OpenFirst,
                );
                false
            }
            Some((t, _)) if *t > at => {
                ctx.err(
                    Some(sp),
                    Msg::UsedBeforeOpened {
                        socket: n.to_string(),
                        at: Duration::from_micros(at.as_micros()),
                        opened: Duration::from_micros(t.as_micros()),
                    },
                    Msg::MoveAfterOpen,
                );
                false
            }
            Some((_, kind)) if want.is_some_and(|w| w != *kind) => {
                let listener = *kind == SocketKind::Listener;
                ctx.err(
                    Some(sp),
                    Msg::WrongKind {
                        socket: n.to_string(),
                        kind: if listener {
                            msg::SocketKind::Listener
                        } else {
                            msg::SocketKind::Connection
                        },
                        call: word,
                    },
                    if listener {
                        Msg::ConnectionsOnly
                    } else {
                        Msg::AcceptTakesListener
                    },
                );
                false
            }
            Some(_) => true,
        }
    };
    let call_value = match call {
        CallName::Listen => {
            let Some(port) = s.port.as_ref().map(|p| *p.get_ref()) else {
                missing(ctx, "port", "80");
                return None;
            };
            let (socket, _) = socket?;
            Call::Listen {
                socket,
                port,
                backlog: s.backlog.as_ref().map_or(128, |b| *b.get_ref()),
            }
        }
        CallName::Connect => {
            let Some(to) = &s.to else {
                missing(ctx, "to", "\"server:80\"");
                return None;
            };
            let remote = ctx.endpoint(to)?;
            let (socket, _) = socket?;
            Call::Connect {
                socket,
                remote,
                local_port: s.local_port.as_ref().map(|p| *p.get_ref()),
            }
        }
        CallName::Accept => {
            let Some(l) = &s.listener else {
                missing(ctx, "listener", "\"l\"");
                return None;
            };
            let listener = name(l);
            if !check_open(ctx, &listener, l.span(), Some(SocketKind::Listener)) {
                return None;
            }
            let (socket, _) = socket?;
            Call::Accept { listener, socket }
        }
        CallName::Send => {
            let what = match (&s.bytes, &s.data) {
                (Some(b), None) => Ok(*b.get_ref()),
                (None, Some(d)) => Err(d.get_ref().as_str()),
                (None, None) => {
                    ctx.err(
                        Some(span.clone()),
                        Msg::SendNeedsBytesOrData,
                        Msg::SendExample,
                    );
                    return None;
                }
                (Some(b), Some(_)) => {
                    ctx.err(span_of(b), Msg::SendBytesAndData, Msg::RemoveBytes);
                    return None;
                }
            };
            let (socket, sp) = socket?;
            if !check_open(ctx, &socket, sp, Some(SocketKind::Connection)) {
                return None;
            }
            match what {
                Ok(bytes) => Call::send(socket, bytes),
                Err(data) => Call::send_data(socket, data),
            }
        }
        CallName::Recv => {
            let (socket, sp) = socket?;
            if !check_open(ctx, &socket, sp, Some(SocketKind::Connection)) {
                return None;
            }
            Call::Recv {
                socket,
                max: s.max.as_ref().map_or(u64::MAX, |m| *m.get_ref()),
            }
        }
        CallName::Close | CallName::Abort => {
            let (socket, sp) = socket?;
            if !check_open(ctx, &socket, sp, None) {
                return None;
            }
            if call == CallName::Close {
                Call::Close { socket }
            } else {
                Call::Abort { socket }
            }
        }
        CallName::Shutdown => {
            let Some(how) = s.how.as_ref().map(|h| *h.get_ref()) else {
                missing(ctx, "how", "\"write\"");
                return None;
            };
            let (socket, sp) = socket?;
            if !check_open(ctx, &socket, sp, Some(SocketKind::Connection)) {
                return None;
            }
            let how = match how {
                ShutdownName::Read => ShutdownHow::Read,
                ShutdownName::Write => ShutdownHow::Write,
                ShutdownName::Both => ShutdownHow::Both,
            };
            Call::Shutdown { socket, how }
        }
        CallName::Setsockopt => {
            let (Some(opt), Some(value)) = (&s.option, &s.value) else {
                missing(
                    ctx,
                    "option` and `value",
                    "option = \"keepalive\", value = true",
                );
                return None;
            };
            let (socket, sp) = socket?;
            if !check_open(ctx, &socket, sp, None) {
                return None;
            }
            let option = sockopt(ctx, opt, value)?;
            Call::SetOption { socket, option }
        }
        CallName::Crash => Call::Crash,
        CallName::Restart => Call::Restart,
    };
    if !ok {
        return None;
    }
    // Record what this call opens.
    let opens = match &call_value {
        Call::Listen { socket, .. } => Some((socket.clone(), SocketKind::Listener)),
        Call::Connect { socket, .. } | Call::Accept { socket, .. } => {
            Some((socket.clone(), SocketKind::Connection))
        }
        _ => None,
    };
    if let Some((n, kind)) = opens
        && !matches!(names, Names::Template)
    {
        let e = ctx.opened_mut(host).entry(n).or_insert((at, kind));
        if at < e.0 {
            *e = (at, kind);
        }
    }
    let on = reaction(ctx, s, call)?;
    Some(ScheduledCall {
        at,
        host,
        call: call_value,
        on,
        span,
    })
}

/// The call's `on` and `delay`, checked: an event a call can wait for, on a call that names a
/// socket; `delay` only with `on`. `None` when they are wrong (reported), `Some(None)` when the
/// call runs at its time.
fn reaction(ctx: &mut Ctx, s: &Step, call: CallName) -> Option<Option<Reaction>> {
    let delay = s.delay.as_ref().map(|d| d.get_ref().0);
    let Some(on) = &s.on else {
        if let Some(d) = &s.delay {
            ctx.err(span_of(d), Msg::DelayNeedsOn, Msg::DelayNeedsOnHelp);
            return None;
        }
        return Some(None);
    };
    if matches!(call, CallName::Crash | CallName::Restart) {
        let word = call_word(call);
        ctx.err(span_of(on), Msg::CannotWait(word), Msg::GiveItATime);
        return None;
    }
    let Some(event) = SocketEvent::parse(on.get_ref()) else {
        let names =
            "connected, accepted, readable, eof, writable, error, error(ECONNRESET), closed";
        ctx.err(
            span_of(on),
            Msg::NotAnEvent(on.get_ref().clone()),
            Msg::EventsAre(names.into()),
        );
        return None;
    };
    Some(Some(Reaction {
        event,
        delay: delay.unwrap_or_default(),
    }))
}

fn sockopt(
    ctx: &mut Ctx,
    opt: &Spanned<OptionName>,
    value: &Spanned<model::Scalar>,
) -> Option<SockOpt> {
    let v = value.get_ref();
    let bad = |ctx: &mut Ctx, what: OptionValue| {
        ctx.err(span_of(value), Msg::OptionTakes(what), Msg::OptionExample);
    };
    let dur = |ctx: &mut Ctx| -> Option<Duration> {
        match v.as_str().map(str::parse::<HumanDuration>) {
            Some(Ok(d)) => Some(d.get()),
            Some(Err(e)) => {
                ctx.err(span_of(value), e.msg(), None);
                None
            }
            None => {
                bad(ctx, OptionValue::Duration);
                None
            }
        }
    };
    Some(match opt.get_ref() {
        OptionName::LingerZero | OptionName::Keepalive => {
            let Some(b) = v.as_bool() else {
                bad(ctx, OptionValue::Bool);
                return None;
            };
            if *opt.get_ref() == OptionName::Keepalive {
                SockOpt::Keepalive(b)
            } else {
                SockOpt::LingerZero(b)
            }
        }
        OptionName::Keepidle => SockOpt::KeepIdle(dur(ctx)?),
        OptionName::Keepintvl => SockOpt::KeepIntvl(dur(ctx)?),
        OptionName::UserTimeout => SockOpt::UserTimeout(dur(ctx)?),
        OptionName::Keepcnt => match v.as_integer() {
            Some(n) if (1..=127).contains(&n) => SockOpt::KeepCnt(n as u32),
            _ => {
                bad(ctx, OptionValue::Count);
                return None;
            }
        },
    })
}

fn parse_at(ctx: &mut Ctx, at: &Option<Spanned<String>>, duration: Duration) -> Option<At> {
    let Some(at) = at else { return Some(At::End) };
    let text = at.get_ref().trim();
    if text.eq_ignore_ascii_case("end") {
        return Some(At::End);
    }
    match text.parse::<HumanDuration>() {
        Ok(d) if d.get() > duration => {
            ctx.err(
                span_of(at),
                Msg::AfterEnd {
                    at: d.get(),
                    duration,
                },
                Msg::WithinDuration,
            );
            None
        }
        Ok(d) => Some(At::Time(Instant::from_micros(d.get().as_micros()))),
        Err(e) => {
            ctx.err(span_of(at), Msg::OrEnd(Box::new(e.msg())), None);
            None
        }
    }
}

/// "host/socket" -> (host, socket).
fn socket_ref(ctx: &mut Ctx, s: &Spanned<String>) -> Option<(HostId, String)> {
    let text = s.get_ref();
    let Some((h, name)) = text.split_once('/') else {
        ctx.err(
            span_of(s),
            Msg::NoHostInSocket(text.clone()),
            Msg::SocketForm,
        );
        return None;
    };
    let host = ctx.host(&Spanned::new(s.span(), h.to_string()))?;
    if ctx.opened(host, name).is_none() {
        if ctx.opened_on_unknown_hosts.contains(name) {
            return None;
        }
        let mut names: Vec<&str> = ctx
            .opened
            .get(host.index())
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        names.sort_unstable();
        names.truncate(12);
        ctx.err(
            span_of(s),
            Msg::HostNoSuchSocket {
                host: h.to_string(),
                socket: name.to_string(),
            },
            if names.is_empty() {
                Msg::NoSockets
            } else {
                Msg::SocketsAre(names.join(", "))
            },
        );
        return None;
    }
    Some((host, name.to_string()))
}

fn compile_expectation(
    ctx: &mut Ctx,
    e: &Spanned<model::Expectation>,
    duration: Duration,
) -> Option<Expect> {
    let x = e.get_ref();
    let span = e.span();
    let kinds = [
        x.state.is_some(),
        x.count.is_some(),
        x.segment.is_some(),
        x.result.is_some(),
    ];
    let n = kinds.iter().filter(|k| **k).count();
    if n != 1 {
        let what = if n == 0 {
            Msg::ExpectNothing
        } else {
            Msg::ExpectMixed
        };
        ctx.err(Some(span), what, Msg::ExpectOneOf);
        return None;
    }
    let kind = if let Some(st) = &x.state {
        let Some(sock) = &x.socket else {
            ctx.err(
                span_of(st),
                Msg::StateNeedsSocket,
                Msg::AddExample("socket = \"client/c\"".into()),
            );
            return None;
        };
        let (host, socket) = socket_ref(ctx, sock)?;
        let state = parse_state(ctx, st)?;
        let at = parse_at(ctx, &x.at, duration)?;
        ExpectKind::State {
            host,
            socket,
            state,
            at,
        }
    } else if let Some(c) = &x.count {
        let Some(h) = &x.host else {
            ctx.err(
                span_of(c),
                Msg::CountNeedsHost,
                Msg::AddExample("host = \"client\"".into()),
            );
            return None;
        };
        let host = ctx.host(h)?;
        let state = parse_state(ctx, c)?;
        let at = parse_at(ctx, &x.at, duration)?;
        if x.min.is_none() && x.max.is_none() && x.equals.is_none() {
            ctx.err(span_of(c), Msg::CountNeedsBound, Msg::CountBoundExample);
            return None;
        }
        if let (Some(min), Some(max)) = (x.min, x.max)
            && min > max
        {
            ctx.err(span_of(c), Msg::MinOverMax(min, max), Msg::MinMaxHelp);
            return None;
        }
        ExpectKind::Count {
            host,
            state,
            at,
            min: x.min,
            max: x.max,
            equals: x.equals,
        }
    } else if let Some(seg) = &x.segment {
        let flags = parse_flags(ctx, seg)?;
        let from = ctx.opt_host(&x.from).ok()?;
        let to = ctx.opt_host(&x.to).ok()?;
        let t = |d: Option<HumanDuration>| d.map(|d| Instant::from_micros(d.get().as_micros()));
        ExpectKind::Segment {
            flags,
            from,
            to,
            after: t(x.after),
            before: t(x.before),
            absent: x.absent,
        }
    } else {
        let r = x.result.as_ref()?;
        let want = if r.get_ref().eq_ignore_ascii_case("ok") {
            WantResult::Ok
        } else if let Some(e) = Errno::from_name(r.get_ref()) {
            WantResult::Error(e)
        } else {
            let names: Vec<&str> = Errno::ALL.iter().map(|e| e.name()).collect();
            ctx.err(
                span_of(r),
                Msg::NotAResult(r.get_ref().clone()),
                Msg::ResultsAre(names.join(", ")),
            );
            return None;
        };
        let call = x.call.as_ref().map(|c| *c.get_ref());
        let (host, socket) = match (&x.socket, &x.host) {
            (Some(s), _) => {
                let (h, n) = socket_ref(ctx, s)?;
                (h, Some(n))
            }
            (None, Some(h)) => (ctx.host(h)?, None),
            (None, None) => {
                ctx.err(
                    span_of(r),
                    Msg::ResultNeedsSocket,
                    Msg::AddExample("socket = \"client/c\"".into()),
                );
                return None;
            }
        };
        ExpectKind::Result {
            host,
            socket,
            call,
            want,
        }
    };
    Some(Expect {
        kind,
        note: x.note.as_ref().map(crate::model::Note::bilingual),
        span: e.span(),
    })
}

/// The most bytes a scenario file may hold: the bundled ones are under 10 KB, a file of the most
/// hosts a file may have is 3.6 MB, and a file that generates its calls uses `[[repeat]]`.
/// Reading stops here (standard input may never end), and a file over it is refused before it
/// is parsed: toml's document of a text takes about 50 times its size (400 MB for this).
pub const MAX_FILE_BYTES: usize = 8 << 20;

/// The error for a text over [`MAX_FILE_BYTES`], at its first byte.
fn too_large(name: &str) -> ScenarioErrors {
    let src = Source::new(name, "");
    let msg = Msg::FileTooLarge(MAX_FILE_BYTES as u64);
    ScenarioErrors::new(&src, vec![ScenarioError::new(&src, Some(0..0), msg)])
}

impl Scenario {
    /// Parses and checks a scenario file. `name` is used in error locations.
    pub fn parse(name: &str, text: &str) -> Result<Scenario, ScenarioErrors> {
        Scenario::parse_inner(name, text, None)
    }

    fn parse_inner(name: &str, text: &str, cap: Option<u64>) -> Result<Scenario, ScenarioErrors> {
        if text.len() > MAX_FILE_BYTES {
            return Err(too_large(name));
        }
        let src = Source::new(name, text);
        let file = crate::read::read(&src).map_err(|e| ScenarioErrors::new(&src, e))?;
        compile(src, file, cap)
    }

    /// Like [`Scenario::parse`], from the file's bytes: bytes that are not UTF-8 get an
    /// error at the line and column of the first of them.
    pub fn parse_bytes(name: &str, bytes: &[u8]) -> Result<Scenario, ScenarioErrors> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(too_large(name));
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Scenario::parse(name, text),
            Err(e) => {
                let at = e.valid_up_to();
                // The text up to the bad byte, which is all a place needs.
                let good = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
                let src = Source::new(name, good);
                let error = ScenarioError::new(&src, Some(at..at), Msg::NotUtf8(bytes[at]))
                    .help(Msg::SaveAsUtf8);
                Err(ScenarioErrors::new(&src, vec![error]))
            }
        }
    }

    /// Like [`Scenario::parse`], for a program that schedules at most `max_calls` calls
    /// whatever the file allows (a browser tab: compiling a million calls would stall it). A
    /// file over that says so, and where to run it instead.
    pub fn parse_capped(
        name: &str,
        text: &str,
        max_calls: u64,
    ) -> Result<Scenario, ScenarioErrors> {
        Scenario::parse_inner(name, text, Some(max_calls))
    }
}

/// A `[limits]` value: the file's, else the default; over the ceiling, an error and the
/// ceiling.
fn limit<T: Copy + PartialOrd + Into<u64>>(
    ctx: &mut Ctx,
    asked: &Option<Spanned<T>>,
    default: T,
    ceiling: T,
    over: fn(T, T) -> Msg,
) -> T {
    match asked {
        Some(a) if *a.get_ref() > ceiling => {
            ctx.err(
                Some(a.span()),
                over(*a.get_ref(), ceiling),
                Msg::UseAtMost(ceiling.into()),
            );
            ceiling
        }
        Some(a) => *a.get_ref(),
        None => default,
    }
}

fn compile(src: Source, f: ScenarioFile, cap: Option<u64>) -> Result<Scenario, ScenarioErrors> {
    let mut opens_in_timeline = BTreeMap::new();
    for step in &f.timeline {
        let s = step.get_ref();
        if let (CallName::Listen | CallName::Connect | CallName::Accept, Some(sock), Some(at)) =
            (s.call.get_ref(), &s.socket, &s.at)
        {
            let key = (s.host.get_ref().clone(), sock.get_ref().clone());
            let t = Instant::from_micros(at.get_ref().get().as_micros());
            let e = opens_in_timeline.entry(key).or_insert(t);
            *e = (*e).min(t);
        }
    }
    let mut ctx = Ctx {
        src: &src,
        errors: Vec::new(),
        hosts: BTreeMap::new(),
        host_names: Vec::new(),
        addrs: Vec::new(),
        addr_set: Default::default(),
        opened: Vec::new(),
        opens_in_timeline,
        opened_on_unknown_hosts: Default::default(),
    };
    let duration = f.duration.get_ref().get();
    if duration.is_zero() || duration > MAX_DURATION {
        ctx.err(
            span_of(&f.duration),
            Msg::RunOutOfRange(duration),
            Msg::RunRange(MAX_DURATION),
        );
    }
    let end = Instant::from_micros(duration.as_micros());

    // Hosts.
    let base = {
        let mut cfg = TcpConfig::for_profile(match f.profile {
            ProfileName::Linux => Profile::Linux,
            ProfileName::Rfc9293 => Profile::Rfc9293,
        });
        apply_overrides(&mut cfg, &f.tcp);
        cfg
    };
    // A setting the core refuses is reported once, at the key that set it: in [tcp], not again
    // for each host that inherits it.
    let base_ok = match base.validate() {
        Ok(()) => true,
        Err(m) => {
            let at = f.tcp.at.key(&m.settings()).or(f.tcp.at.table.clone());
            ctx.err(at.or(Some(0..0)), Msg::TcpSection(m), None);
            false
        }
    };
    if f.hosts.is_empty() {
        ctx.err(Some(0..0), Msg::NoHosts, Msg::AddHosts);
    }
    let mut hosts = Vec::new();
    if let Some(over) = f.hosts.get(MAX_HOSTS) {
        ctx.err(
            span_of(&over.name),
            Msg::TooManyHosts {
                count: f.hosts.len(),
                max: MAX_HOSTS,
            },
            Msg::FewerHosts,
        );
    }
    for h in f.hosts.iter().take(MAX_HOSTS) {
        let name = h.name.get_ref().clone();
        if ctx.hosts.contains_key(&name) {
            ctx.err(
                span_of(&h.name),
                Msg::SecondHostName(name.clone()),
                Msg::OwnName,
            );
            continue;
        }
        if !usable_name(&name) {
            ctx.err(
                span_of(&h.name),
                Msg::BadHostName(name.clone()),
                Msg::NameForm,
            );
        }
        if ctx.addr_set.contains(h.addr.get_ref()) {
            ctx.err(
                span_of(&h.addr),
                Msg::SecondHostAddress(h.addr.get_ref().to_string()),
                Msg::OwnAddress,
            );
            // Kept, so that the calls naming it are checked and not also refused.
        }
        let mut cfg = base.clone();
        apply_overrides(&mut cfg, &h.tcp);
        if let Err(m) = cfg.validate() {
            let own = h.tcp.at.key(&m.settings());
            if base_ok || own.is_some() {
                let host = name.clone();
                let error = Box::new(m);
                ctx.err(
                    own.or_else(|| span_of(&h.name)),
                    Msg::Config(ConfigError::Host { host, error }),
                    None,
                );
            }
        }
        let mut spec = HostSpec::new(&name, h.addr.get_ref().octets()).tcp(cfg);
        if let Some(n) = h.fd_limit {
            spec.fd_limit = n;
        }
        if let Some(r) = &h.ephemeral_ports {
            match r.split_once('-').and_then(|(a, b)| {
                Some((a.trim().parse::<u16>().ok()?, b.trim().parse::<u16>().ok()?))
            }) {
                Some((lo, hi)) if lo > 0 && lo <= hi => spec.ephemeral_ports = (lo, hi),
                _ => ctx.err(
                    span_of(&h.name),
                    Msg::NotARange {
                        host: name.clone(),
                        text: r.to_string(),
                    },
                    Msg::RangeForm,
                ),
            }
        }
        ctx.hosts.insert(name.clone(), HostId(hosts.len() as u32));
        ctx.host_names.push(name);
        ctx.addrs.push(*h.addr.get_ref());
        ctx.addr_set.insert(*h.addr.get_ref());
        hosts.push(spec);
    }

    let unknown: std::collections::BTreeSet<String> = ctx
        .opens_in_timeline
        .keys()
        .filter(|(h, _)| !ctx.hosts.contains_key(h))
        .map(|(_, socket)| socket.clone())
        .collect();
    ctx.opened_on_unknown_hosts = unknown;

    // Network.
    let default_latency = f
        .network
        .latency
        .map_or(Duration::from_millis(10), HumanDuration::get);
    let mut links = Vec::new();
    for l in &f.network.links {
        let d = l.get_ref();
        let (Some(a), Some(b)) = (ctx.host(&d.from), ctx.host(&d.to)) else {
            continue;
        };
        let link = LinkConfig {
            latency: d.latency.map_or(default_latency, HumanDuration::get),
            jitter: d.jitter.map_or(Duration::ZERO, HumanDuration::get),
            loss: d.loss.unwrap_or(0.0),
            duplicate: d.duplicate.unwrap_or(0.0),
            reorder: d.reorder.unwrap_or(0.0),
            reorder_delay: d.reorder_delay.map_or(Duration::ZERO, HumanDuration::get),
        };
        if let Err(m) = link.validate() {
            ctx.err(span_of(l), Msg::Config(m), None);
            continue;
        }
        if link.loss >= 1.0 {
            ctx.err(span_of(l), Msg::LinkCut, Msg::LinkCutHelp);
            continue;
        }
        links.push((a, b, link.clone()));
        if d.both_ways {
            links.push((b, a, link));
        }
    }

    let max_events = limit(
        &mut ctx,
        &f.limits.max_events,
        DEFAULT_MAX_EVENTS,
        MAX_EVENTS_CEILING,
        |asked, ceiling| Msg::MaxEventsOverCeiling { asked, ceiling },
    );
    let max_sockets = limit(
        &mut ctx,
        &f.limits.max_sockets,
        DEFAULT_MAX_SOCKETS,
        MAX_SOCKETS_CEILING,
        |asked, ceiling| Msg::MaxSocketsOverCeiling {
            asked: asked.into(),
            ceiling: ceiling.into(),
        },
    );

    // Calls, in file order: the timeline, then each repeat.
    let mut file_max_calls = f
        .limits
        .max_calls
        .as_ref()
        .map_or(DEFAULT_MAX_CALLS, |m| *m.get_ref());
    if file_max_calls > MAX_CALLS_CEILING {
        ctx.err(
            f.limits.max_calls.as_ref().map(|m| m.span()),
            Msg::MaxCallsOverCeiling {
                asked: file_max_calls,
                ceiling: MAX_CALLS_CEILING,
            },
            Msg::UseAtMost(MAX_CALLS_CEILING),
        );
        file_max_calls = MAX_CALLS_CEILING;
    }
    let max_calls = cap.map_or(file_max_calls, |c| c.min(file_max_calls));
    let mut calls = Vec::new();
    let mut repeats = Vec::new();
    // Calls the repeats schedule, for the limit.
    let mut scheduled = 0u64;
    let mut timeline: Vec<&Spanned<Step>> = f.timeline.iter().collect();
    // Opening calls are checked first so that a use earlier in the file than its open (but
    // later in time) is fine; order of scheduling stays the file's.
    timeline.sort_by_key(|s| s.get_ref().at.as_ref().map(|a| a.get_ref().get()));
    let mut compiled: Vec<(usize, ScheduledCall)> = Vec::new();
    for step in &timeline {
        let s = step.get_ref();
        if s.after.is_some() {
            ctx.err(span_of(step), Msg::AfterOutsideRepeat, Msg::TimelineAt);
            continue;
        }
        let Some(at) = &s.at else {
            ctx.err(
                Some(step.span()),
                Msg::NoTime,
                Msg::AddExample("at = \"1s\"".into()),
            );
            continue;
        };
        let t = Instant::from_micros(at.get_ref().get().as_micros());
        if t > end {
            ctx.err(
                span_of(at),
                Msg::CallAfterEnd {
                    at: at.get_ref().get(),
                    duration,
                },
                Msg::LongerOrEarlier,
            );
            continue;
        }
        if let Some(c) = compile_step(&mut ctx, step, t, Names::Timeline) {
            compiled.push((step.span().start, c));
        }
    }
    compiled.sort_by_key(|(pos, c)| (c.at, *pos));
    calls.extend(compiled.into_iter().map(|(_, c)| c));

    for r in &f.repeat {
        let rep = r.get_ref();
        let every = rep.every.get_ref().get();
        if every.is_zero() {
            ctx.err(
                span_of(&rep.every),
                Msg::EveryZero,
                Msg::Example("every = \"5s\"".into()),
            );
            continue;
        }
        let start = rep
            .start
            .as_ref()
            .map_or(Duration::ZERO, |s| s.get_ref().get());
        let count = match (&rep.count, &rep.until) {
            (Some(c), None) => *c.get_ref(),
            (None, Some(u)) => {
                let until = u.get_ref().get().min(duration);
                if until <= start {
                    0
                } else {
                    (until.as_micros() - start.as_micros()).div_ceil(every.as_micros())
                }
            }
            _ => {
                ctx.err(
                    Some(r.span()),
                    Msg::CountOrUntil,
                    Msg::Example("count = 100, or until = \"1h\"".into()),
                );
                continue;
            }
        };
        let total = count.saturating_mul(rep.calls.len() as u64);
        let before = scheduled.saturating_add(calls.len() as u64);
        if total.saturating_add(before) > max_calls {
            // The calls before it are worth a word only when they are what tips it over.
            let before = if total > max_calls { 0 } else { before };
            if max_calls < file_max_calls {
                ctx.err(
                    Some(r.span()),
                    Msg::RepeatOverPage {
                        total,
                        before,
                        max: max_calls,
                    },
                    Msg::UseCli(file_max_calls),
                );
            } else {
                ctx.err(
                    Some(r.span()),
                    Msg::RepeatOverLimit {
                        total,
                        before,
                        max: max_calls,
                    },
                    Msg::RepeatFewer(max_calls >= MAX_CALLS_CEILING),
                );
            }
            continue;
        }
        if rep.calls.is_empty() {
            ctx.err(Some(r.span()), Msg::RepeatNoCalls, Msg::AddRepeatCalls);
            continue;
        }
        for step in &rep.calls {
            if step.get_ref().at.is_some() {
                ctx.err(span_of(step), Msg::RepeatAt, Msg::RepeatAfterExample);
            }
        }
        // The calls of a repetition in the order they are made (by `after`, then as written).
        let mut steps: Vec<&Spanned<Step>> = rep.calls.iter().collect();
        steps.sort_by_key(|s| s.get_ref().after.as_ref().map(|a| a.get_ref().get()));
        let after = |step: &Spanned<Step>| {
            step.get_ref()
                .after
                .as_ref()
                .map_or(Duration::ZERO, |a| a.get_ref().get())
        };
        // Each repetition is checked as the calls it makes (which sockets are open when
        // depends on the repetition); a call that would fall after the end is left out, as the
        // core leaves it out.
        let before = ctx.errors.len();
        let first = steps.first().map_or(Duration::ZERO, |s| after(s));
        'reps: for i in 0..count {
            let rep_start = start + every.saturating_mul(i);
            if Instant::from_micros((rep_start + first).as_micros()) > end {
                break; // this repetition and every later one begin after the end
            }
            for step in &steps {
                let t = Instant::from_micros((rep_start + after(step)).as_micros());
                if t > end {
                    continue;
                }
                compile_step(&mut ctx, step, t, Names::Repetition(i));
                if ctx.errors.len() > before {
                    break 'reps; // one report per mistake, not one per repetition
                }
            }
        }
        if ctx.errors.len() > before {
            continue;
        }
        let mut template = Vec::with_capacity(steps.len());
        let mut spans = Vec::with_capacity(steps.len());
        for step in &steps {
            if let Some(c) = compile_step(&mut ctx, step, Instant::ZERO, Names::Template) {
                template.push(tcpsim_core::repeat::RepeatedCall {
                    after: after(step),
                    host: c.host,
                    call: c.call,
                    on: c.on,
                });
                spans.push(c.span);
            }
        }
        scheduled = scheduled.saturating_add(total);
        repeats.push(RepeatBlock {
            repeat: tcpsim_core::repeat::Repeat {
                start: Instant::from_micros(start.as_micros()),
                every,
                count,
                calls: template,
            },
            spans,
        });
    }

    // Faults.
    let mut faults = Vec::new();
    for fd in &f.faults {
        let d = fd.get_ref();
        let (Ok(from), Ok(to)) = (ctx.opt_host(&d.from), ctx.opt_host(&d.to)) else {
            continue;
        };
        let flags = match &d.flags {
            Some(s) => match parse_flags(&mut ctx, s) {
                Some(f) => f,
                None => continue,
            },
            None => Flags::NONE,
        };
        let not_flags = match &d.not_flags {
            Some(s) => match parse_flags(&mut ctx, s) {
                Some(f) => f,
                None => continue,
            },
            None => Flags::NONE,
        };
        let first = d.nth.unwrap_or(1);
        if first == 0 {
            ctx.err(span_of(fd), Msg::NthFromOne, Msg::NthExample);
            continue;
        }
        let count = match d.count.as_ref().map(|c| (c.get_ref(), c.span())) {
            None => Some(1),
            Some((model::Scalar::String(s), _)) if s == "all" => None,
            Some((model::Scalar::Integer(n), _)) if *n >= 1 && *n <= i64::from(u32::MAX) => {
                Some(*n as u32)
            }
            Some((_, sp)) => {
                ctx.err(Some(sp), Msg::CountFromOne, Msg::CountForm);
                continue;
            }
        };
        let action = match (d.action.get_ref(), d.delay) {
            (FaultActionName::Drop, None) => FaultAction::Drop,
            (FaultActionName::Delay, Some(delay)) => FaultAction::Delay(delay.get()),
            (FaultActionName::Delay, None) => {
                ctx.err(
                    span_of(&d.action),
                    Msg::DelayNeedsDelay,
                    Msg::AddExample("delay = \"2s\"".into()),
                );
                continue;
            }
            (FaultActionName::Drop, Some(_)) => {
                ctx.err(span_of(&d.action), Msg::DelayOnDrop, Msg::DelayOnDropHelp);
                continue;
            }
        };
        let t = |d: Option<HumanDuration>| d.map(|d| Instant::from_micros(d.get().as_micros()));
        faults.push(FaultRule {
            filter: SegmentFilter {
                from,
                to,
                flags,
                not_flags,
                with_data: d.with_data,
                after: t(d.after),
                before: t(d.before),
            },
            first,
            count,
            action,
        });
    }

    let mut middleboxes = Vec::new();
    for m in &f.middleboxes {
        let d = m.get_ref();
        let [a, b] = d.between.get_ref();
        let (Some(a), Some(b)) = (
            ctx.host(&Spanned::new(d.between.span(), a.clone())),
            ctx.host(&Spanned::new(d.between.span(), b.clone())),
        ) else {
            continue;
        };
        middleboxes.push(Middlebox {
            between: (a, b),
            idle_timeout: d.idle_timeout.get(),
            on_expired: match d.on_expired {
                ExpiredName::Drop => ExpiredAction::Drop,
                ExpiredName::Reset => ExpiredAction::Reset,
            },
        });
    }

    let mut expectations = Vec::new();
    for e in &f.expect {
        if let Some(x) = compile_expectation(&mut ctx, e, duration) {
            expectations.push(x);
        }
    }

    if !ctx.errors.is_empty() {
        return Err(ScenarioErrors::new(&src, ctx.errors));
    }
    Ok(Scenario {
        source: src.clone(),
        title: f.title,
        description: f.description,
        seed: f.seed,
        duration,
        hosts,
        default_latency,
        links,
        faults,
        middleboxes,
        calls,
        repeats,
        expectations,
        max_events,
        max_sockets,
    })
}

/// The core's name for a call kind.
pub(crate) fn call_name(c: CallName) -> &'static str {
    call_word(c)
}
