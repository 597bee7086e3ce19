//! What a socket table shows: counts per state, then findings, most important first, each with
//! its evidence (how many, which peers and processes, which lines) and the bundled lesson that
//! shows it happening.

use crate::table::{Endpoint, Format, Row, Table};
use std::collections::{BTreeMap, BTreeSet};
use tcpsim_core::state::State;
use tcpsim_words::evidence::{Finding, Side};

/// Linux's default ephemeral ports (`ip_local_port_range` 32768-60999): what one peer address
/// and port can take at once.
pub const LINUX_EPHEMERAL_PORTS: u64 = 60_999 - 32_768 + 1;

/// Options of a diagnosis.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The processes' descriptor limit (`ulimit -n`), to say how close each is to it.
    pub fd_limit: Option<u64>,
}

/// A finding and its evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// What it is, with its numbers.
    pub finding: Finding,
    /// The peers most of its sockets are with, and how many each (at most three).
    pub peers: Vec<(Endpoint, u64)>,
    /// The processes holding most of them, and how many each (at most three).
    pub processes: Vec<(String, u64)>,
    /// Lines of the table that show it (at most five).
    pub lines: Vec<usize>,
    /// The bundled scenario that shows it happening.
    pub lesson: Option<&'static str>,
}

/// A table's diagnosis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The format read.
    pub format: Format,
    /// Sockets in all (rows, or the sum of the counts given).
    pub sockets: u64,
    /// Sockets per state, most first.
    pub counts: Vec<(State, u64)>,
    /// The findings, most important first.
    pub findings: Vec<Found>,
}

/// Diagnoses a table.
pub fn diagnose(table: &Table, options: &Options) -> Report {
    let mut per_state: BTreeMap<State, u64> = BTreeMap::new();
    for r in &table.rows {
        *per_state.entry(r.state).or_default() += 1;
    }
    for c in &table.counts {
        *per_state.entry(c.state).or_default() += c.count;
    }
    let mut counts: Vec<(State, u64)> = per_state.iter().map(|(s, n)| (*s, *n)).collect();
    counts.sort_by_key(|(s, n)| (std::cmp::Reverse(*n), *s));
    let sockets = counts.iter().map(|(_, n)| n).sum();
    let mut findings = Vec::new();
    let of =
        |state: State| -> Vec<&Row> { table.rows.iter().filter(|r| r.state == state).collect() };
    let listening: BTreeSet<u16> = table
        .rows
        .iter()
        .filter(|r| r.state == State::Listen)
        .filter_map(|r| r.local.port)
        .collect();

    // Descriptors: only with a limit and processes to count.
    if let Some(limit) = options.fd_limit {
        let mut held: BTreeMap<String, u64> = BTreeMap::new();
        for r in &table.rows {
            // TIME-WAIT belongs to no process and holds no descriptor.
            if let (Some(p), false) = (&r.process, r.state == State::TimeWait) {
                *held.entry(p.to_string()).or_default() += 1;
            }
        }
        let mut near: Vec<(String, u64)> = held
            .into_iter()
            .filter(|(_, n)| n * 10 >= limit * 8)
            .collect();
        near.sort_by_key(|(p, n)| (std::cmp::Reverse(*n), p.clone()));
        for (process, sockets) in near {
            findings.push(Found {
                finding: Finding::Descriptors {
                    process,
                    sockets,
                    limit,
                },
                peers: vec![],
                processes: vec![],
                lines: vec![],
                lesson: Some("http-client-leak"),
            });
        }
    }

    // CLOSE-WAIT, by side.
    let close_wait = of(State::CloseWait);
    let mut by_side: BTreeMap<Side, Vec<&Row>> = BTreeMap::new();
    for r in &close_wait {
        by_side.entry(side(r, &listening)).or_default().push(r);
    }
    for (side, rows) in &by_side {
        let ports: BTreeSet<u16> = rows.iter().filter_map(|r| r.local.port).collect();
        let (finding, lesson) = match side {
            Side::Client => (
                Finding::CloseWait {
                    count: rows.len() as u64,
                    side: Side::Client,
                    ports: vec![],
                },
                "http-client-leak",
            ),
            Side::Server => (
                Finding::CloseWait {
                    count: rows.len() as u64,
                    side: Side::Server,
                    ports: ports.into_iter().take(5).collect(),
                },
                "server-exception-leak",
            ),
            Side::Unknown => (
                Finding::CloseWait {
                    count: rows.len() as u64,
                    side: Side::Unknown,
                    ports: vec![],
                },
                "leaked-close",
            ),
        };
        findings.push(found(finding, rows, &listening, Some(lesson)));
    }
    if close_wait.is_empty()
        && let Some(c) = per_state.get(&State::CloseWait)
    {
        let finding = Finding::CloseWait {
            count: *c,
            side: Side::Unknown,
            ports: vec![],
        };
        findings.push(found(finding, &[], &listening, Some("leaked-close")));
    }
    // Linux counts a received FIN in Recv-Q (rcv_nxt - copied_seq): a CLOSE-WAIT socket that read
    // everything shows 1. macOS and Windows count bytes only.
    let fin_counted = matches!(
        table.format,
        Some(Format::Ss | Format::NetstatLinux | Format::ProcNetTcp)
    );
    let unread: Vec<&Row> = close_wait
        .iter()
        .copied()
        .filter(|r| r.recv_q > u64::from(fin_counted))
        .collect();
    if !unread.is_empty() {
        let finding = Finding::UnreadAtClose {
            count: unread.len() as u64,
        };
        findings.push(found(
            finding,
            &unread,
            &listening,
            Some("close-with-unread-data"),
        ));
    }

    // Listeners whose accept queue is full: ss shows the queue in Recv-Q and the backlog in
    // Send-Q of a LISTEN row (netstat shows neither).
    if table.format == Some(Format::Ss) {
        for r in of(State::Listen) {
            if r.send_q > 0 && r.recv_q > r.send_q {
                let finding = Finding::AcceptQueueFull {
                    listener: r.local.to_string(),
                    queued: r.recv_q,
                    backlog: r.send_q,
                };
                findings.push(found(finding, &[r], &listening, None));
            }
        }
    }

    // States whose finding is their count, with the lesson that shows them.
    for (state, lesson) in [
        (State::FinWait2, Some("leaked-close")),
        (State::SynSent, Some("syn-timeout")),
        (State::SynReceived, None),
        (State::LastAck, Some("lost-fin-retransmit")),
    ] {
        if let Some(&count) = per_state.get(&state) {
            let finding = match state {
                State::FinWait2 => Finding::FinWait2 { count },
                State::SynSent => Finding::SynSent { count },
                State::SynReceived => Finding::SynReceived { count },
                _ => Finding::LastAck { count },
            };
            findings.push(found(finding, &of(state), &listening, lesson));
        }
    }
    let fin_wait_1: Vec<&Row> = table
        .rows
        .iter()
        .filter(|r| matches!(r.state, State::FinWait1 | State::Closing))
        .collect();
    let fin_not_acked = per_state.get(&State::FinWait1).copied().unwrap_or(0)
        + per_state.get(&State::Closing).copied().unwrap_or(0);
    if fin_not_acked > 0 {
        let finding = Finding::FinNotAcked {
            count: fin_not_acked,
        };
        findings.push(found(finding, &fin_wait_1, &listening, None));
    }

    // TIME-WAIT: normal, unless one peer takes most of the ports.
    if let Some(c) = per_state.get(&State::TimeWait) {
        let rows = of(State::TimeWait);
        let busiest = tally(rows.iter().map(|r| r.peer))
            .first()
            .map(|(p, n)| (p.to_string(), *n));
        let finding = Finding::TimeWait {
            count: *c,
            busiest,
            ports: LINUX_EPHEMERAL_PORTS,
        };
        findings.push(found(finding, &rows, &listening, Some("time-wait")));
    }

    findings.sort_by_key(|f| std::cmp::Reverse(weight(&f.finding)));
    Report {
        format: table.format.unwrap_or(Format::Counts),
        sockets,
        counts,
        findings,
    }
}

/// Which side of its connection a socket is: a server when its local port is one the table
/// listens on; else by the ports (the ephemeral one is the client's).
fn side(r: &Row, listening: &BTreeSet<u16>) -> Side {
    let (Some(local), Some(peer)) = (r.local.port, r.peer.port) else {
        return Side::Unknown;
    };
    if listening.contains(&local) {
        return Side::Server;
    }
    if !listening.is_empty() {
        return Side::Client;
    }
    // Without listeners in the table: Linux's ephemeral ports start at 32768, and Windows'
    // and macOS's at 49152; a service's port is below.
    match (local >= 32_768, peer >= 32_768) {
        (true, false) => Side::Client,
        (false, true) => Side::Server,
        _ => Side::Unknown,
    }
}

/// The peer as it helps to name it: a server's peers by address (their ports are ephemeral and
/// each different), a client's peers by address and port (the service it calls).
fn service_view(r: &Row, listening: &BTreeSet<u16>) -> Endpoint {
    match side(r, listening) {
        Side::Server => Endpoint {
            addr: r.peer.addr,
            port: None,
        },
        _ => r.peer,
    }
}

/// How much a finding matters: what breaks a service first, then what leaks, then what is
/// normal.
fn weight(f: &Finding) -> (u8, u64) {
    match f {
        Finding::Descriptors { sockets, .. } => (9, *sockets),
        Finding::CloseWait { count, .. } => (8, *count),
        Finding::AcceptQueueFull { queued, .. } => (7, *queued),
        Finding::TimeWait {
            busiest: Some((_, most)),
            ports,
            ..
        } if most * 2 > *ports => (7, *most),
        Finding::UnreadAtClose { count } => (6, *count),
        Finding::FinWait2 { count } => (5, *count),
        Finding::SynSent { count } => (4, *count),
        Finding::SynReceived { count } => (4, *count),
        Finding::LastAck { count } | Finding::FinNotAcked { count } => (3, *count),
        Finding::TimeWait { count, .. } => (1, *count),
    }
}

fn found(
    finding: Finding,
    rows: &[&Row],
    listening: &BTreeSet<u16>,
    lesson: Option<&'static str>,
) -> Found {
    let peers = tally(rows.iter().map(|r| service_view(r, listening)))
        .into_iter()
        .take(3)
        .collect();
    let processes = tally(
        rows.iter()
            .filter_map(|r| r.process.as_ref().map(|p| p.to_string())),
    )
    .into_iter()
    .take(3)
    .collect();
    Found {
        finding,
        peers,
        processes,
        lines: rows.iter().take(5).map(|r| r.line).collect(),
        lesson,
    }
}

/// Values and how often each comes, most first (ties in order).
fn tally<T: Ord>(items: impl Iterator<Item = T>) -> Vec<(T, u64)> {
    let mut m: BTreeMap<T, u64> = BTreeMap::new();
    for i in items {
        *m.entry(i).or_default() += 1;
    }
    let mut v: Vec<(T, u64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}
