//! Sockets per state over time, for the charts: one pass over the trace, sampled at regular
//! moments. The same numbers as [`Trace::netstat_at`] at each sample (a test checks it).

use std::collections::BTreeMap;
use tcpsim_core::id::HostId;
use tcpsim_core::state::State;
use tcpsim_core::time::Instant;
use tcpsim_core::trace::{EventKind, Trace, netstat_lists};

/// Counts per state on `host` (all hosts when `None`) at `samples + 1` evenly spaced moments
/// from the start to the end of the run, as `netstat` would show them (CLOSED not counted, nor
/// abandoned handshakes back in LISTEN).
pub fn counts_over_time(
    trace: &Trace,
    host: Option<HostId>,
    samples: usize,
) -> Vec<(Instant, BTreeMap<State, u64>)> {
    let samples = samples.max(1);
    let end = trace.end.as_micros();
    // Indexed by socket id: sockets are numbered from 0.
    let mut state: Vec<Option<State>> = vec![None; trace.sockets.len()];
    let mut released: Vec<bool> = vec![false; trace.sockets.len()];
    let mut counts: BTreeMap<State, u64> = BTreeMap::new();
    let mut out = Vec::with_capacity(samples + 1);
    let mut events = trace.events.iter().peekable();
    for k in 0..=samples {
        let t = Instant::from_micros(end / samples as u64 * k as u64);
        while let Some(e) = events.peek() {
            if e.t > t {
                break;
            }
            match &e.kind {
                EventKind::StateChanged {
                    socket,
                    host: h,
                    from: _,
                    to,
                    ..
                } if host.is_none_or(|x| x == *h) => {
                    let child = trace.sockets[(*socket).index()].parent.is_some();
                    let slot = state.get_mut((*socket).index());
                    let old = slot.and_then(|s| s.replace(*to));
                    if let Some(old) = old
                        && netstat_lists(old, child)
                        && !released.get((*socket).index()).copied().unwrap_or(false)
                        && let Some(c) = counts.get_mut(&old)
                    {
                        *c -= 1;
                    }
                    if netstat_lists(*to, child) {
                        *counts.entry(*to).or_insert(0) += 1;
                    }
                }
                EventKind::SocketReleased { socket, host: h } if host.is_none_or(|x| x == *h) => {
                    if let Some(r) = released.get_mut((*socket).index()) {
                        *r = true;
                    }
                }
                _ => {}
            }
            events.next();
        }
        // Entry by entry, not collected: a map collected from an iterator sorts it first, and
        // the sort's code is kilobytes of the page's first module.
        let mut now = BTreeMap::new();
        for (s, n) in counts.iter().filter(|(_, n)| **n > 0) {
            now.entry(*s).or_insert(*n);
        }
        out.push((t, now));
    }
    out
}

/// The sockets open on each host at `t` (indexed by host), as `netstat` would count them: the
/// rows of [`Trace::netstat_at`] per host, without building the rows (a pass that looks at
/// state changes only, for picking the host to chart).
pub fn open_sockets_at(trace: &Trace, t: Instant) -> Vec<u64> {
    let mut state: Vec<Option<State>> = vec![None; trace.sockets.len()];
    for e in trace.events.iter().take_while(|e| e.t <= t) {
        if let EventKind::StateChanged { socket, to, .. } = &e.kind
            && let Some(s) = state.get_mut((*socket).index())
        {
            *s = Some(*to);
        }
    }
    let mut open = vec![0; trace.hosts.len()];
    for (info, s) in trace.sockets.iter().zip(&state) {
        if let Some(s) = s
            && netstat_lists(*s, info.parent.is_some())
            && let Some(n) = open.get_mut(info.host.index())
        {
            *n += 1;
        }
    }
    open
}
