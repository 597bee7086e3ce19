//! The simulator: hosts with sockets, the applications' calls, the network, one event queue.
//!
//! The event queue is ordered by (time, sequence number), the sequence number being the order
//! entries were pushed, so ties break the same way on every run and platform. Collections that
//! are iterated are `BTreeMap`s or `Vec`s; nothing depends on hash order or on `usize`.
//!
//! The application is modelled as calls at given times ([`Call`]). connect() and accept() block
//! until they complete (their result is a later [`EventKind::Return`]); every other call returns
//! at once. Not calling close() is simply the absence of a call: that is how a leak is written.
//!
//! Left out: IP fragmentation, ICMP, routing beyond "the host that has the address", IPv6.
//!
//! Its parts: `queue` orders what is due, `lookup` finds sockets by name and by address pair,
//! `host` holds hosts and sockets, and the simulator's work is split by what it handles:
//! `sockets` (a socket's life and its endpoint's outputs), `network` (links, middleboxes and
//! fault rules on the way, delivery) and `calls` (the applications' calls).

mod calls;
mod host;
mod lookup;
mod network;
mod queue;
mod react;
mod sockets;

use crate::app::Application;
use crate::call::{Call, Reaction, ScheduledCall, SocketEvent};
use crate::config::{ConfigError, TcpConfig};
use crate::endpoint::{Outputs, splitmix64};
use crate::id::{CallId, HostId, SocketId};
use crate::net::{FaultRule, LinkConfig, Middlebox, MiddleboxState};
use crate::repeat::CallMerge;
use crate::rng::SimRng;
use crate::state::State;
use crate::time::{Duration, Instant};
use crate::trace::{EventKind, HostInfo, Netstat, NetstatRow, Trace, TraceEvent};
use host::{Host, Sock};
use lookup::{ConnTable, SocketNames};
use queue::{EventQueue, Queued};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// Limits and defaults of a run. [`SimConfig::default`] gives the values after "default:".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Seeds the network's random stream and every host's ISN secret (default: 1).
    pub seed: u64,
    /// TCP parameters of hosts that do not set their own (default: [`TcpConfig::linux`]).
    pub tcp: TcpConfig,
    /// The link used between hosts that have no link of their own (default: a perfect link,
    /// 10 ms one way).
    pub default_link: LinkConfig,
    /// The run stops with [`SimError::EventLimit`] after this many queue events (default:
    /// 50 000 000).
    pub max_events: u64,
    /// The longest run allowed (default: 30 days).
    pub max_duration: Duration,
    /// The most sockets a run may create, across hosts (default: 1 000 000).
    pub max_sockets: u32,
    /// The most bytes the run's record may take: the trace's events, segments, sockets, calls
    /// and data, and the sockets' state (default: [`DEFAULT_MAX_MEMORY`], 1 GiB). Counted as the
    /// vectors' capacity every [`MEMORY_CHECK_EVERY`] queue events; the run stops with
    /// [`SimError::MemoryLimit`] once over it.
    pub max_memory: u64,
}

/// The default [`SimConfig::max_memory`]: 1 GiB. The process may briefly hold about twice that
/// (a vector that doubles holds its old copy until the new one is filled, and an allocator
/// returns freed memory late): 2.2 GB at most, measured, for a keep-alive storm stopped by it.
pub const DEFAULT_MAX_MEMORY: u64 = 1 << 30;

/// The least memory a call takes in a run's record: its place in the trace's calls and the
/// event that records it. A run whose calls need more than [`SimConfig::max_memory`] by this
/// count is refused before it starts ([`SimError::MemoryEstimate`]).
pub const MIN_BYTES_PER_CALL: u64 =
    (std::mem::size_of::<ScheduledCall>() + std::mem::size_of::<crate::trace::TraceEvent>()) as u64;

/// Queue events between two counts of a run's memory: a count costs a few multiplications,
/// and between two of them the trace grows by at most a few megabytes.
pub const MEMORY_CHECK_EVERY: u64 = 4096;

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            tcp: TcpConfig::linux(),
            default_link: LinkConfig::default(),
            max_events: 50_000_000,
            max_duration: Duration::from_secs(30 * 24 * 3600),
            max_sockets: 1_000_000,
            max_memory: DEFAULT_MAX_MEMORY,
        }
    }
}

/// A host to add.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HostSpec {
    /// Its name, unique in the run.
    pub name: String,
    /// Its address, unique in the run.
    pub addr: Ipv4Addr,
    /// Descriptor limit (`ulimit -n`): sockets the application may hold open at once.
    pub fd_limit: u32,
    /// TCP parameters (sysctls) of this host; the run's default when `None`.
    pub tcp: Option<TcpConfig>,
    /// Ephemeral port range (`ip_local_port_range`), inclusive.
    pub ephemeral_ports: (u16, u16),
}

impl HostSpec {
    /// A host with Linux's defaults: 1 024 descriptors, ephemeral ports 32768-60999, the run's
    /// TCP parameters.
    pub fn new(name: &str, addr: [u8; 4]) -> HostSpec {
        HostSpec {
            name: name.to_string(),
            addr: Ipv4Addr::from(addr),
            fd_limit: 1024,
            tcp: None,
            ephemeral_ports: (32_768, 60_999),
        }
    }
    /// With a descriptor limit of `n`.
    pub fn fd_limit(mut self, n: u32) -> HostSpec {
        self.fd_limit = n;
        self
    }
    /// With TCP parameters of its own.
    pub fn tcp(mut self, cfg: TcpConfig) -> HostSpec {
        self.tcp = Some(cfg);
        self
    }
}

/// An error in setting up or running a simulation.
#[derive(Clone, Debug, PartialEq)]
pub enum SimError {
    /// Two hosts have this name.
    DuplicateHostName(String),
    /// Two hosts have this address.
    DuplicateAddress(Ipv4Addr),
    /// No host has this number.
    UnknownHost(HostId),
    /// A parameter is out of range: which, and what it was.
    InvalidConfig(ConfigError),
    /// A call was scheduled before the time the simulator has reached: it could never run.
    CallInPast {
        /// When it was scheduled.
        at: Instant,
        /// The time reached.
        now: Instant,
    },
    /// A run was asked to end before the time the simulator has reached.
    EndInPast {
        /// The end asked for.
        end: Instant,
        /// The time reached.
        now: Instant,
    },
    /// A call was scheduled after the longest allowed run.
    CallTooLate {
        /// When it was scheduled.
        at: Instant,
        /// [`SimConfig::max_duration`].
        max: Duration,
    },
    /// The run is longer than [`SimConfig::max_duration`].
    DurationLimit {
        /// The length asked for.
        asked: Duration,
        /// The limit.
        max: Duration,
    },
    /// The run took more queue events than [`SimConfig::max_events`].
    EventLimit {
        /// The limit.
        limit: u64,
        /// When the run was stopped.
        at: Instant,
    },
    /// The run created more sockets than [`SimConfig::max_sockets`].
    SocketLimit {
        /// The limit.
        limit: u32,
        /// When the run was stopped.
        at: Instant,
    },
    /// The run's calls would surely take more memory than [`SimConfig::max_memory`]: refused
    /// before it starts.
    MemoryEstimate {
        /// The calls the run would make.
        calls: u64,
        /// The least memory they take ([`MIN_BYTES_PER_CALL`] each).
        bytes: u64,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The run's record took more memory than [`SimConfig::max_memory`].
    MemoryLimit {
        /// The limit, in bytes.
        limit: u64,
        /// When the run was stopped.
        at: Instant,
    },
    /// The applications moved more real bytes ([`Call::Send`]'s `data`, and what recv() read
    /// of them) than the trace keeps: [`MAX_DATA_BYTES`].
    DataLimit {
        /// The limit, in bytes.
        limit: u64,
        /// When the run was stopped.
        at: Instant,
    },
}

/// The most real bytes a trace keeps ([`Trace::data`]): sent and read, 64 MiB. Counts without
/// content ([`Call::send`]) are not limited by it.
pub const MAX_DATA_BYTES: u64 = 64 << 20;

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::DuplicateHostName(n) => {
                write!(f, "two hosts are named `{n}`: give each host its own name")
            }
            SimError::DuplicateAddress(a) => write!(
                f,
                "two hosts have the address {a}: give each host its own address"
            ),
            SimError::UnknownHost(h) => write!(f, "there is no host number {h}"),
            SimError::InvalidConfig(e) => e.fmt(f),
            SimError::CallInPast { at, now } => {
                write!(
                    f,
                    "a call at {at} is in the past (now {now}): make it {now} or later"
                )
            }
            SimError::EndInPast { end, now } => {
                write!(
                    f,
                    "{end} is in the past (now {now}): end the run {now} or later"
                )
            }
            SimError::CallTooLate { at, max } => {
                write!(f, "a call at {at} is after the longest allowed run ({max})")
            }
            SimError::DurationLimit { asked, max } => {
                write!(
                    f,
                    "a run of {asked} is longer than the limit of {max}: shorten the run"
                )
            }
            SimError::EventLimit { limit, at } => write!(
                f,
                "the run was stopped at {at} after {limit} events, the limit: shorten the run, \
                 use fewer connections, or raise the event limit"
            ),
            SimError::SocketLimit { limit, at } => write!(
                f,
                "the run was stopped at {at}: it created more than {limit} sockets, the limit; use fewer connections"
            ),
            SimError::MemoryEstimate {
                calls,
                bytes,
                limit,
            } => write!(
                f,
                "the run's {calls} calls would take at least {} MiB of memory to record, over the \
                 limit of {} MiB: make fewer calls (repeat fewer times)",
                bytes >> 20,
                limit >> 20
            ),
            SimError::MemoryLimit { limit, at } => write!(
                f,
                "the run was stopped at {at}: its record took more than {} MiB of memory, the limit; \
                 shorten the run, or use fewer connections",
                limit >> 20
            ),
            SimError::DataLimit { limit, at } => write!(
                f,
                "the run was stopped at {at}: its applications sent and read more than {limit} bytes \
                 of `data`, the limit; send shorter `data`, or counts (`bytes`) where the content \
                 does not matter"
            ),
        }
    }
}
impl std::error::Error for SimError {}

/// A run that stopped on an error, with the trace up to that point.
#[derive(Clone, Debug)]
pub struct RunError {
    /// Why the run stopped.
    pub error: SimError,
    /// The trace up to the moment it stopped.
    pub partial: Box<Trace>,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}
impl std::error::Error for RunError {}

/// What the simulator keeps for an [`Application`] driving the run.
#[derive(Clone, Debug, Default)]
struct AppState {
    /// Socket events are noted for the application (during [`Simulator::advance_with`]).
    watching: bool,
    /// Sockets whose endpoints did something since the application was last told.
    touched: Vec<SocketId>,
    /// Events noted for the application and not yet told.
    events: Vec<(SocketId, SocketEvent)>,
    /// The calls the application made, whose results it is told (ids only grow: sorted).
    calls: Vec<CallId>,
    /// Trace events up to here have been looked at for the application's results.
    told_up_to: usize,
    /// `trace.data` up to here belongs to calls already told of.
    data_told: usize,
}

/// A reaction needs a socket name to watch: host events (crash, restart) cannot wait.
pub(crate) fn check_reaction(call: &Call, on: Option<Reaction>) -> Result<(), SimError> {
    if on.is_some() && call.socket().is_none() {
        return Err(SimError::InvalidConfig(ConfigError::HostEventCannotWait));
    }
    Ok(())
}

/// A run driven in slices; see [`Simulator::sliced_until`].
pub struct SlicedRun {
    sim: Simulator,
    end: Instant,
    calls: u64,
}

impl SlicedRun {
    /// Processes at most `budget` events. `Ok(true)` when the run has reached its end.
    pub fn step(&mut self, budget: u64) -> Result<bool, SimError> {
        self.sim.advance_at_most(self.end, budget)
    }

    /// The application calls the run makes in all, known before it starts: the setup's calls
    /// and every repetition of its repeated ones (a caller can tell a big run from a small one
    /// before working on it).
    pub fn calls_expected(&self) -> u64 {
        self.calls
    }

    /// The simulated time reached, and the end of the run.
    pub fn progress(&self) -> (Instant, Instant) {
        (self.sim.now, self.end)
    }

    /// Events recorded so far.
    pub fn events(&self) -> usize {
        self.sim.trace.events.len()
    }

    /// The trace, once [`SlicedRun::step`] has returned `Ok(true)`; with the error and the
    /// partial trace when a step failed (`result` is that step's error).
    pub fn finish(mut self, result: Result<(), SimError>) -> Result<Trace, RunError> {
        match result {
            Ok(()) => {
                self.sim.now = self.sim.now.max(self.end);
                self.sim.record_not_made();
                self.sim.trace.end = self.end;
                Ok(self.sim.trace)
            }
            Err(error) => {
                self.sim.record_not_made();
                self.sim.trace.end = self.sim.now;
                Err(RunError {
                    error,
                    partial: Box::new(self.sim.trace),
                })
            }
        }
    }
}

/// The simulator. Build it (hosts, links, faults, calls), then run it
/// ([`Simulator::run_for`], [`Simulator::run_until`]), or step it ([`Simulator::advance_to`]).
///
/// A clone is a fork: it goes on from the same moment with the same random stream, so without
/// further changes it makes the same trace as the original, and with a call added it shows what
/// that call changes.
#[derive(Clone)]
pub struct Simulator {
    cfg: SimConfig,
    hosts: Vec<Host>,
    by_addr: BTreeMap<Ipv4Addr, HostId>,
    /// Host names in use, so that a run with many hosts checks each new name at once. Kept in
    /// the table type of socket names (the value, the host's number, is not read): the page
    /// already carries its code.
    host_names: SocketNames,
    links: BTreeMap<(HostId, HostId), LinkConfig>,
    faults: Vec<FaultRule>,
    fault_hits: Vec<u32>,
    middleboxes: Vec<MiddleboxState>,
    socks: Vec<Sock>,
    queue: EventQueue,
    rng: SimRng,
    now: Instant,
    out: Outputs,
    trace: Trace,
    limit_hit: Option<SimError>,
    /// Reacting calls waiting for a name that denotes no socket yet, in the order they began
    /// to wait. A list, not a map: names are bound soon after (an accept() returns), so it is
    /// short, and a map's code would cost the page kilobytes.
    unbound: Vec<(HostId, CallId)>,
    /// What is kept for an [`Application`] driving the run (boxed: most runs have none).
    app: Option<Box<AppState>>,
    /// The sockets whose applications sent real bytes, by the stream they sent them on
    /// ([`lookup::stream_key`]), for the peer's recv().
    streams: ConnTable,
    /// The bytes in `trace.data`, held to [`MAX_DATA_BYTES`].
    data_bytes: u64,
}

/// A summary: the time reached, the hosts, and how much the run holds so far.
impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hosts: Vec<&str> = self.trace.hosts.iter().map(|h| h.name.as_str()).collect();
        f.debug_struct("Simulator")
            .field("now", &self.now)
            .field("seed", &self.cfg.seed)
            .field("hosts", &hosts)
            .field("sockets", &self.socks.len())
            .field("calls", &self.trace.calls.len())
            .field("events", &self.trace.events.len())
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// A simulator with no host yet, at time zero.
    pub fn new(cfg: SimConfig) -> Simulator {
        let rng = SimRng::new(cfg.seed);
        let trace = Trace {
            seed: cfg.seed,
            ..Trace::default()
        };
        Simulator {
            cfg,
            hosts: Vec::new(),
            by_addr: BTreeMap::new(),
            host_names: SocketNames::default(),
            links: BTreeMap::new(),
            faults: Vec::new(),
            fault_hits: Vec::new(),
            middleboxes: Vec::new(),
            socks: Vec::new(),
            queue: EventQueue::default(),
            rng,
            now: Instant::ZERO,
            out: Outputs::new(),
            trace,
            limit_hit: None,
            unbound: Vec::new(),
            streams: ConnTable::default(),
            data_bytes: 0,
            app: None,
        }
    }

    /// The run's limits and defaults.
    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }

    /// Adds a host. Names and addresses must be unique.
    pub fn add_host(&mut self, spec: HostSpec) -> Result<HostId, SimError> {
        let n = spec.name.chars().count();
        if n == 0
            || n > 64
            || spec
                .name
                .chars()
                .any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(SimError::InvalidConfig(ConfigError::HostName(spec.name)));
        }
        if self.host_names.contains_key(spec.name.as_str()) {
            return Err(SimError::DuplicateHostName(spec.name));
        }
        if self.by_addr.contains_key(&spec.addr) {
            return Err(SimError::DuplicateAddress(spec.addr));
        }
        let cfg = spec.tcp.clone().unwrap_or_else(|| self.cfg.tcp.clone());
        let (lo, hi) = spec.ephemeral_ports;
        let ports = if lo == 0 || lo > hi {
            Err(ConfigError::EphemeralPorts { lo, hi })
        } else {
            Ok(())
        };
        cfg.validate().and(ports).map_err(|e| {
            SimError::InvalidConfig(ConfigError::Host {
                host: spec.name.clone(),
                error: Box::new(e),
            })
        })?;
        let id = HostId(self.hosts.len() as u32);
        let mix = splitmix64(self.cfg.seed ^ splitmix64(u64::from(id.0) + 1));
        let span = u64::from(hi - lo) + 1;
        self.hosts.push(Host {
            addr: spec.addr,
            fd_limit: spec.fd_limit,
            cfg: Arc::new(cfg.clone()),
            ephemeral: (lo, hi),
            next_port: lo + (mix % span) as u16,
            frees: 0,
            ports_full: None,
            isn_secret: splitmix64(mix),
            boots: 0,
            up: true,
            fds: 0,
            conns: ConnTable::default(),
            listeners: BTreeMap::new(),
            labels: SocketNames::default(),
        });
        self.by_addr.insert(spec.addr, id);
        self.host_names.insert(spec.name.clone(), SocketId(id.0));
        self.trace.hosts.push(HostInfo {
            name: spec.name,
            addr: spec.addr,
            fd_limit: spec.fd_limit,
            profile: cfg.profile,
        });
        Ok(id)
    }

    fn check_host(&self, h: HostId) -> Result<(), SimError> {
        if h.index() < self.hosts.len() {
            Ok(())
        } else {
            Err(SimError::UnknownHost(h))
        }
    }

    /// Sets the link from `from` to `to`.
    pub fn set_link(&mut self, from: HostId, to: HostId, link: LinkConfig) -> Result<(), SimError> {
        self.check_host(from)?;
        self.check_host(to)?;
        link.validate().map_err(SimError::InvalidConfig)?;
        self.links.insert((from, to), link);
        Ok(())
    }

    /// Sets the same link both ways.
    pub fn set_link_both(
        &mut self,
        a: HostId,
        b: HostId,
        link: LinkConfig,
    ) -> Result<(), SimError> {
        self.set_link(a, b, link.clone())?;
        self.set_link(b, a, link)
    }

    /// Adds a fault rule; returns its number (rules are tried in the order added).
    pub fn add_fault(&mut self, rule: FaultRule) -> Result<u32, SimError> {
        for h in [rule.filter.from, rule.filter.to].into_iter().flatten() {
            self.check_host(h)?;
        }
        if rule.first == 0 {
            return Err(SimError::InvalidConfig(ConfigError::FaultFromZero));
        }
        self.faults.push(rule);
        self.fault_hits.push(0);
        Ok(self.faults.len() as u32 - 1)
    }

    /// Adds an idle-timeout middlebox between two hosts.
    pub fn add_middlebox(&mut self, mb: Middlebox) -> Result<(), SimError> {
        self.check_host(mb.between.0)?;
        self.check_host(mb.between.1)?;
        self.middleboxes.push(MiddleboxState::new(mb));
        Ok(())
    }

    /// Schedules an application call (or host event) on `host` at `at`.
    pub fn call(&mut self, at: Instant, host: HostId, call: Call) -> Result<CallId, SimError> {
        self.schedule(ScheduledCall::at(at, host, call))
    }

    /// Schedules a call on `host` that waits, from `from` on, for `on` on the socket it names,
    /// then runs (see [`Reaction`]): "close `s` when the peer has finished" is
    /// `call_on(t, host, Reaction::on(SocketEvent::Eof), Call::Close { socket: "s".into() })`.
    pub fn call_on(
        &mut self,
        from: Instant,
        host: HostId,
        on: Reaction,
        call: Call,
    ) -> Result<CallId, SimError> {
        self.schedule(ScheduledCall {
            at: from,
            host,
            call,
            on: Some(on),
        })
    }

    /// Schedules a call, at its time or reacting to an event.
    pub fn schedule(&mut self, c: ScheduledCall) -> Result<CallId, SimError> {
        self.check_call(c.at, c.host)?;
        check_reaction(&c.call, c.on)?;
        let id = CallId(self.trace.calls.len() as u32);
        let at = c.at;
        self.trace.calls.push(c);
        self.push(at, Queued::Call { id });
        Ok(id)
    }

    /// What [`Simulator::call`] would refuse for a call at `at` on `host`.
    pub(crate) fn check_call(&self, at: Instant, host: HostId) -> Result<(), SimError> {
        self.check_host(host)?;
        if at < self.now {
            return Err(SimError::CallInPast { at, now: self.now });
        }
        if at.saturating_since(Instant::ZERO) > self.cfg.max_duration {
            return Err(SimError::CallTooLate {
                at,
                max: self.cfg.max_duration,
            });
        }
        Ok(())
    }

    /// Hands the simulator a setup's calls, which it makes as the run reaches them.
    pub(crate) fn set_calls(&mut self, merge: CallMerge) {
        let n = merge.expected().min(1 << 22) as usize;
        self.trace.calls.reserve(n);
        self.queue.merge = Some(Box::new(merge));
    }

    /// Schedules an event. Nothing is scheduled before now: a deadline or a call in the past
    /// is due now, so simulated time never goes back.
    fn push(&mut self, at: Instant, what: Queued) {
        self.queue.push(at.max(self.now), what);
    }

    fn record(&mut self, kind: EventKind) {
        self.trace.events.push(TraceEvent { t: self.now, kind });
    }

    /// Runs to `end` and returns the trace, which ends at `end` also when nothing happens after
    /// some point. May follow [`Simulator::advance_to`]; `end` must not be before
    /// [`Simulator::now`].
    pub fn run_until(self, end: Instant) -> Result<Trace, RunError> {
        let mut run = self.sliced_until(end)?;
        let result = run.step(u64::MAX).map(|_| ());
        run.finish(result)
    }

    /// Runs for `duration` from [`Simulator::now`] (from the start, on a new simulator) and
    /// returns the trace.
    pub fn run_for(self, duration: Duration) -> Result<Trace, RunError> {
        let end = self.now + duration;
        self.run_until(end)
    }

    /// Starts a run to `end` that the caller drives in slices of at most a given number of
    /// events ([`SlicedRun::step`]), for a thread that must do other work in between (a
    /// browser tab that keeps painting). The trace is the one [`Simulator::run_until`] gives:
    /// slicing only decides where the work pauses, never what happens.
    pub fn sliced_until(mut self, end: Instant) -> Result<SlicedRun, RunError> {
        let calls =
            self.trace.calls.len() as u64 + self.queue.merge.as_ref().map_or(0, |m| m.expected());
        // What every call surely takes: its place in the trace's calls and its call event.
        let least = calls.saturating_mul(MIN_BYTES_PER_CALL);
        let error = if let Err(e) = self.not_in_past(end) {
            Some(e)
        } else if end.saturating_since(Instant::ZERO) > self.cfg.max_duration {
            Some(SimError::DurationLimit {
                asked: end.saturating_since(Instant::ZERO),
                max: self.cfg.max_duration,
            })
        } else if least > self.cfg.max_memory {
            Some(SimError::MemoryEstimate {
                calls,
                bytes: least,
                limit: self.cfg.max_memory,
            })
        } else {
            None
        };
        if let Some(error) = error {
            self.trace.end = self.now;
            return Err(RunError {
                error,
                partial: Box::new(self.trace),
            });
        }
        // A connection's calls record eight to ten events each (the bundled scenarios: 8.6 on
        // average); growing the vector by doubling would copy it a dozen times on a large run,
        // and one doubling too many at the end copies all of it once more.
        let expected = calls.saturating_mul(10).min(1 << 24) as usize;
        self.trace
            .events
            .reserve(expected.saturating_sub(self.trace.events.len()));
        // The segments likewise: about one and a half a call (the production-scale leak: 1.6).
        let segments = calls.saturating_mul(2).min(1 << 22) as usize;
        self.trace
            .segments
            .reserve(segments.saturating_sub(self.trace.segments.len()));
        // Likewise the sockets (a socket is about 400 bytes: growing by doubling would copy
        // eight megabytes on the production-scale leak), up to 65 536 of them: the estimate
        // counts a passive open for every connect(), and beyond that the vector grows as usual.
        let sockets = self
            .queue
            .merge
            .as_ref()
            .map_or(0, |m| m.expected_sockets());
        let sockets = sockets.min(u64::from(self.cfg.max_sockets)).min(1 << 16) as usize;
        self.socks.reserve(sockets.saturating_sub(self.socks.len()));
        self.trace
            .sockets
            .reserve(sockets.saturating_sub(self.trace.sockets.len()));
        Ok(SlicedRun {
            sim: self,
            end,
            calls,
        })
    }

    /// Processes every event due at or before `until` and stops there, leaving the simulator to
    /// go on ([`Simulator::now`] is then `until`; [`Simulator::netstat`] shows the sockets).
    pub fn advance_to(&mut self, until: Instant) -> Result<(), SimError> {
        self.not_in_past(until)?;
        self.advance_at_most(until, u64::MAX).map(|_| ())
    }

    /// [`SimError::EndInPast`] if `end` is before the time reached.
    fn not_in_past(&self, end: Instant) -> Result<(), SimError> {
        if end < self.now {
            return Err(SimError::EndInPast { end, now: self.now });
        }
        Ok(())
    }

    /// When the next queued event is due (a call, a delivery, a timer check), if any. Timers are
    /// put off lazily: a check may find that its timer was cancelled or moved, and do nothing.
    pub fn next_event_at(&mut self) -> Option<Instant> {
        self.queue.peek_time()
    }

    /// Like [`Simulator::advance_to`], but stops after `budget` events; returns whether `until`
    /// was reached.
    fn advance_at_most(&mut self, until: Instant, budget: u64) -> Result<bool, SimError> {
        let mut left = budget;
        while self.queue.peek_time().is_some_and(|at| at <= until) {
            if left == 0 {
                return Ok(false);
            }
            left -= 1;
            self.process_next()?;
        }
        self.now = self.now.max(until);
        Ok(true)
    }

    /// The bytes the run's record holds: what its vectors have reserved (reserved memory is
    /// taken memory, and a vector that has just doubled counts in full), and the real bytes.
    pub fn memory(&self) -> u64 {
        fn held<T>(v: &Vec<T>) -> u64 {
            (v.capacity() * std::mem::size_of::<T>()) as u64
        }
        let t = &self.trace;
        held(&t.events)
            + held(&t.segments)
            + held(&t.sockets)
            + held(&t.calls)
            + held(&t.data)
            + held(&self.socks)
            + self.data_bytes
    }

    /// Takes the next event off the queue and processes it.
    #[inline]
    fn process_next(&mut self) -> Result<(), SimError> {
        let Some((at, what)) = self.queue.pop() else {
            return Ok(());
        };
        self.now = at;
        self.trace.stats.queue_events += 1;
        if self.trace.stats.queue_events > self.cfg.max_events {
            return Err(SimError::EventLimit {
                limit: self.cfg.max_events,
                at: self.now,
            });
        }
        if self
            .trace
            .stats
            .queue_events
            .is_multiple_of(MEMORY_CHECK_EVERY)
            && self.memory() > self.cfg.max_memory
        {
            return Err(SimError::MemoryLimit {
                limit: self.cfg.max_memory,
                at: self.now,
            });
        }
        self.dispatch(at, what);
        match self.limit_hit.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Runs to `end` with `app` told of every event on the sockets its calls named, and
    /// returns the trace (see [`crate::app`]).
    /// Checked as [`Simulator::run_until`] is (the end not in the past, within
    /// [`SimConfig::max_duration`]).
    pub fn run_with(self, end: Instant, app: &mut dyn Application) -> Result<Trace, RunError> {
        let mut run = self.sliced_until(end)?;
        let result = run.sim.advance_with(end, app);
        run.finish(result)
    }

    /// [`Simulator::advance_to`] with `app` told of every event on the sockets its calls named.
    /// A loop of its own, so that runs without an application carry none of its code (the
    /// page's first module has a size budget).
    pub fn advance_with(
        &mut self,
        until: Instant,
        app: &mut dyn Application,
    ) -> Result<(), SimError> {
        self.not_in_past(until)?;
        let st = self.app.get_or_insert_default();
        st.watching = true;
        st.told_up_to = self.trace.events.len();
        st.data_told = self.trace.data.len();
        let mut result = Ok(());
        while self.queue.peek_time().is_some_and(|at| at <= until) {
            result = self.process_next().and_then(|()| self.tell(app));
            if result.is_err() {
                break;
            }
        }
        if let Some(st) = self.app.as_mut() {
            st.watching = false;
            st.touched.clear();
        }
        if result.is_ok() {
            self.now = self.now.max(until);
        }
        result
    }

    /// A call's time has come: it runs, or starts waiting for its event.
    fn call_due(&mut self, id: CallId) {
        if self.trace.calls[id.index()].on.is_some() {
            self.arm(id);
        } else {
            self.run_call(id);
        }
    }

    /// The simulated time reached so far.
    pub fn now(&self) -> Instant {
        self.now
    }

    fn dispatch(&mut self, at: Instant, what: Queued) {
        match what {
            Queued::Deliver { id, to, seg } => self.deliver(id, to, seg),
            Queued::Wake { socket } => self.wake(socket, at),
            Queued::Call { id } => self.call_due(id),
            Queued::Merged => {
                if let Some(c) = self.queue.merge.as_mut().and_then(|m| m.next()) {
                    let id = CallId(self.trace.calls.len() as u32);
                    self.trace.calls.push(c);
                    self.call_due(id);
                }
            }
            Queued::Fire { id } => self.run_call(id),
            Queued::LinkHead { .. } => {} // resolved inside the queue
        }
    }

    /// The sockets of every host now, from the live endpoints (compare [`Trace::netstat_at`]).
    pub fn netstat(&self) -> Netstat {
        let mut rows = Vec::new();
        for (id, s) in self.socks.iter().enumerate() {
            let state = s.ep.state();
            if s.released
                || state == State::Closed
                || (state == State::Listen && s.parent.is_some())
            {
                continue;
            }
            let (recv_q, send_q) = match &s.listener {
                Some(l) => (l.queue.len() as u64, u64::from(l.backlog)),
                None => (s.ep.recv_queue(), s.ep.send_queue()),
            };
            rows.push(NetstatRow {
                host: s.host,
                socket: SocketId(id as u32),
                label: self.trace.sockets[id].label.clone(),
                state,
                local: s.ep.local(),
                remote: s.ep.remote(),
                recv_q,
                send_q,
            });
        }
        Netstat { at: self.now, rows }
    }

    /// The trace so far (after [`Simulator::advance_to`]).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }
}
