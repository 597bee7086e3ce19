//! [`Setup`]: everything a run takes, as a scenario file compiles to it, and how it becomes a
//! [`Simulator`]. Its compact binary form is in [`crate::binary`].

use crate::call::ScheduledCall;
use crate::config::ConfigError;
use crate::id::HostId;
use crate::net::{FaultRule, LinkConfig, Middlebox};
use crate::repeat::{CallMerge, Repeat};
use crate::sim::{HostSpec, SimConfig, SimError, Simulator};
use crate::time::{Duration, Instant};
use std::fmt;

/// Everything a run takes: what a scenario file compiles to, and what [`Simulator`] is built
/// from.
///
/// The calls the simulator is given are `calls`, in their order, then each repeat's, repetition
/// by repetition, each repetition's calls in their order; stably sorted by time, so a call's
/// [`CallId`](crate::id::CallId) follows time and calls at the same time keep that order. A
/// repeated call that would fall after `duration` is left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Setup {
    /// The run's limits and defaults.
    pub cfg: SimConfig,
    /// How long the run lasts.
    pub duration: Duration,
    /// The hosts, numbered in this order.
    pub hosts: Vec<HostSpec>,
    /// Links of their own, one direction each: (from, to, link).
    pub links: Vec<(HostId, HostId, LinkConfig)>,
    /// Fault rules, numbered in this order.
    pub faults: Vec<FaultRule>,
    /// Idle-timeout middleboxes.
    pub middleboxes: Vec<Middlebox>,
    /// The calls, in time order.
    pub calls: Vec<ScheduledCall>,
    /// Calls repeated at a fixed period, kept as templates: ten thousand connections are a few
    /// hundred bytes here, and become calls only as the run reaches them.
    pub repeats: Vec<Repeat>,
}

/// Where a call of a [`Setup`] comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallSource {
    /// `calls[i]`.
    Call(usize),
    /// `repeats[repeat].calls[call]`, in repetition `index`.
    Repeat {
        /// Which repeat.
        repeat: usize,
        /// Which of its calls.
        call: usize,
        /// Which repetition.
        index: u64,
    },
}

/// Why a [`Setup`] could not become a simulator; `call` is the call at fault.
#[derive(Clone, Debug, PartialEq)]
pub struct SetupError {
    /// The call at fault, if one is.
    pub call: Option<CallSource>,
    /// What is wrong.
    pub error: SimError,
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for SetupError {}

impl Setup {
    /// Builds the simulator: hosts, links, faults, middleboxes, then the calls (see
    /// [`Setup`] for their order), which the simulator makes as the run reaches them.
    pub fn simulator(self) -> Result<Simulator, SetupError> {
        let whole = |error| SetupError { call: None, error };
        let mut sim = Simulator::new(self.cfg);
        for h in self.hosts {
            sim.add_host(h).map_err(whole)?;
        }
        for (a, b, l) in self.links {
            sim.set_link(a, b, l).map_err(whole)?;
        }
        for f in self.faults {
            sim.add_fault(f).map_err(whole)?;
        }
        for m in self.middleboxes {
            sim.add_middlebox(m).map_err(whole)?;
        }
        // What scheduling a call would refuse, refused now. (A reaction on a call that names no
        // socket, which `Simulator::schedule` refuses and the scenario compiler reports where it
        // is written, is left to the run: it is never made, and the trace says so.)
        for (i, c) in self.calls.iter().enumerate() {
            sim.check_call(c.at, c.host).map_err(|error| SetupError {
                call: Some(CallSource::Call(i)),
                error,
            })?;
        }
        for (repeat, r) in self.repeats.iter().enumerate() {
            for (call, c) in r.calls.iter().enumerate() {
                sim.check_call(Instant::ZERO, c.host)
                    .map_err(|error| SetupError {
                        call: Some(CallSource::Repeat {
                            repeat,
                            call,
                            index: 0,
                        }),
                        error,
                    })?;
            }
        }
        let end = Instant::ZERO + self.duration;
        let max_events = sim.config().max_events;
        let merge =
            CallMerge::new(self.calls, self.repeats, end, max_events).ok_or(SetupError {
                call: None,
                error: SimError::InvalidConfig(ConfigError::TooManyRepeatedCalls),
            })?;
        sim.set_calls(merge);
        Ok(sim)
    }
}
