//! Socket tables as people paste them: `ss -tan` (with `-p`, `-o`, `-e`, `-i` where present,
//! and `ss -an`'s Netid column), `netstat -tan`/`-tanp`/`-tano` of Linux's net-tools,
//! `netstat -an` of macOS, `netstat -ano` of Windows (any language: its rows are in English),
//! `/proc/net/tcp` and `/proc/net/tcp6`, and the counts of the one-liners everyone runs
//! (`netstat -n | awk '/^tcp/ {++S[$NF]} END {for (a in S) print a, S[a]}'`, or `... | sort |
//! uniq -c`).
//!
//! Each line is classified on its own, so a paste that mixes commands, keeps its prompt lines
//! or its headers still reads; a line that is none of these is skipped with its place and why
//! ([`Skipped`]), never an error for the whole table. Written by hand: no maintained crate reads
//! these formats (procfs reads `/proc/net/tcp` of the machine it runs on, not a pasted one, and
//! with no line or column in its errors).

use serde::Serialize;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use tcpsim_core::state::State;

/// The most text a table may be: a million sockets are about 100 MB of `ss` output.
pub const MAX_TABLE_BYTES: usize = 128 << 20;

/// Which program printed a table (the one most of its rows came from).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `ss -tan` and its options.
    Ss,
    /// `netstat -tan` of Linux's net-tools.
    NetstatLinux,
    /// `netstat -an` of macOS (and the BSDs): ports after a dot.
    NetstatMac,
    /// `netstat -ano` of Windows.
    NetstatWindows,
    /// `/proc/net/tcp` or `/proc/net/tcp6`: hexadecimal addresses and state codes.
    ProcNetTcp,
    /// Counts per state, as an `awk` or `uniq -c` one-liner prints them.
    Counts,
}

impl Format {
    /// How people name the command.
    pub fn command(self) -> &'static str {
        match self {
            Format::Ss => "ss",
            Format::NetstatLinux => "netstat (Linux)",
            Format::NetstatMac => "netstat (macOS)",
            Format::NetstatWindows => "netstat (Windows)",
            Format::ProcNetTcp => "/proc/net/tcp",
            Format::Counts => "counts per state",
        }
    }
}

/// One side of a socket: an address and a port, `None` where the table prints `*` (any).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Endpoint {
    /// The address; IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) are kept as IPv4.
    pub addr: Option<IpAddr>,
    /// The port.
    pub port: Option<u16>,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.addr {
            None => f.write_str("*")?,
            Some(IpAddr::V4(a)) => write!(f, "{a}")?,
            Some(IpAddr::V6(a)) => write!(f, "[{a}]")?,
        }
        match self.port {
            None => f.write_str(":*"),
            Some(p) => write!(f, ":{p}"),
        }
    }
}

impl Serialize for Endpoint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The process holding a socket, where the table names it (`ss -p`, `netstat -p`, Windows'
/// PID column).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Process {
    /// Its name, where the table gives one.
    pub name: Option<String>,
    /// Its process id.
    pub pid: u32,
}

impl fmt::Display for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) => write!(f, "{} (pid {})", tcpsim_core::text::terminal(n), self.pid),
            None => write!(f, "pid {}", self.pid),
        }
    }
}

/// A timer the table shows (`ss -o`'s `timer:(keepalive,119min,0)`, `netstat -o`'s
/// `keepalive (7176.90/0/0)`, `/proc/net/tcp`'s `tr` code).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Timer {
    /// Which timer, as the table names it: `on` (retransmission), `keepalive`, `timewait`,
    /// `persist`, `off`.
    pub kind: String,
    /// Time left, in milliseconds, where the table says.
    pub left_ms: Option<u64>,
}

/// One socket of a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    /// Its line in the text, from 1.
    pub line: usize,
    /// Its state.
    pub state: State,
    /// The local side.
    pub local: Endpoint,
    /// The peer's side.
    pub peer: Endpoint,
    /// Bytes received and not read by the application (for a listener, `ss` shows the accept
    /// queue here).
    pub recv_q: u64,
    /// Bytes sent and not acknowledged (for a listener, `ss` shows the backlog here).
    pub send_q: u64,
    /// The process holding it, where the table says.
    pub process: Option<Process>,
    /// A timer, where the table shows one.
    pub timer: Option<Timer>,
    /// The owner's user id (`/proc/net/tcp`, `ss -e`).
    pub uid: Option<u32>,
}

/// A line that was read as a count of one state (`CLOSE_WAIT 3000`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Its line, from 1.
    pub line: usize,
    /// The state.
    pub state: State,
    /// How many.
    pub count: u64,
}

/// Why a line is not a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// A socket of another protocol (UDP, a Unix socket).
    NotTcp,
    /// It looks like a row of `format`, but the field at its column is not what that format
    /// has there: which field.
    BadField {
        /// The format the line looked like.
        format: Format,
        /// The field: "state", "local address", "peer address", "queue", ...
        field: &'static str,
    },
    /// No format's row starts like it.
    Unknown,
}

/// A line skipped, with its place (line and column from 1) and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Its line.
    pub line: usize,
    /// The column of the field at fault (1 for a line of no known format).
    pub column: usize,
    /// Why.
    pub why: SkipReason,
}

/// A table, read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Table {
    /// The format most of its rows came from (`None`: no row).
    pub format: Option<Format>,
    /// Its sockets, in the text's order.
    pub rows: Vec<Row>,
    /// Counts per state, where the text gives counts instead of sockets.
    pub counts: Vec<Count>,
    /// Lines that are neither a socket nor a count nor a header: rows of other protocols, and
    /// lines not understood, each with its place.
    pub skipped: Vec<Skipped>,
}

/// Why a text gave no table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableError {
    /// Over [`MAX_TABLE_BYTES`].
    TooLarge,
    /// Not one line is a TCP socket or a count; the first line that is not blank or a header,
    /// where there is one.
    NoRows {
        /// That line, from 1.
        first: Option<usize>,
    },
}

/// A table's bytes as text: UTF-16 where it starts with a byte-order mark (PowerShell's `>`
/// writes `netstat -ano` so), else UTF-8, with anything else (a GBK header of a Chinese
/// Windows) replaced: the rows are ASCII in every language.
pub fn decode(bytes: &[u8]) -> String {
    let utf16 = |le: bool| -> String {
        let units = bytes[2..].chunks_exact(2).map(|c| {
            let pair = [c[0], c[1]];
            if le {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect()
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Reads a socket table.
pub fn read(text: &str) -> Result<Table, TableError> {
    if text.len() > MAX_TABLE_BYTES {
        return Err(TableError::TooLarge);
    }
    let mut table = Table::default();
    let mut votes = [0usize; 6];
    let mut first_other = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        match classify(line) {
            Line::Ignored => {}
            Line::Row(format, mut row) => {
                row.line = n;
                votes[format as usize] += 1;
                table.rows.push(*row);
            }
            Line::Count(state, count) => {
                votes[Format::Counts as usize] += 1;
                table.counts.push(Count {
                    line: n,
                    state,
                    count,
                });
            }
            Line::Skip(column, why) => {
                if why != SkipReason::NotTcp {
                    first_other.get_or_insert(n);
                }
                table.skipped.push(Skipped {
                    line: n,
                    column,
                    why,
                });
            }
        }
    }
    const ALL: [Format; 6] = [
        Format::Ss,
        Format::NetstatLinux,
        Format::NetstatMac,
        Format::NetstatWindows,
        Format::ProcNetTcp,
        Format::Counts,
    ];
    table.format = ALL
        .into_iter()
        .filter(|f| votes[*f as usize] > 0)
        .max_by_key(|f| (votes[*f as usize], std::cmp::Reverse(*f as usize)));
    if table.format.is_none() {
        return Err(TableError::NoRows { first: first_other });
    }
    Ok(table)
}

/// What one line is.
enum Line {
    /// Blank, a header, a prompt, ss's indented details.
    Ignored,
    Row(Format, Box<Row>),
    Count(State, u64),
    Skip(usize, SkipReason),
}

/// The line's whitespace-separated fields, each with its column (in characters, from 1).
fn fields(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut col = 0;
    let mut start_col = 0;
    for (i, c) in line.char_indices() {
        col += 1;
        match (c.is_whitespace(), start) {
            (false, None) => {
                start = Some(i);
                start_col = col;
            }
            (true, Some(s)) => {
                out.push((start_col, &line[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((start_col, &line[s..]));
    }
    out
}

fn classify(line: &str) -> Line {
    // ss -i and -e print a socket's details on the next line, indented.
    if line.starts_with([' ', '\t']) && !line.trim_start().starts_with(|c: char| c.is_ascii_digit())
    {
        let t = line.trim_start();
        let first = t.split_whitespace().next().unwrap_or("");
        if !is_header(first) && first.parse::<State>().is_err() && !is_proto(first) {
            return Line::Ignored;
        }
    }
    let f = fields(line);
    let Some(&(col, first)) = f.first() else {
        return Line::Ignored;
    };
    if is_header(first) {
        return Line::Ignored;
    }
    // `uniq -c`: "3000 CLOSE_WAIT"; awk: "CLOSE_WAIT 3000".
    if f.len() == 2 {
        let (a, b) = (f[0].1, f[1].1);
        if let (Ok(n), Ok(s)) = (a.parse::<u64>(), b.parse::<State>()) {
            return Line::Count(s, n);
        }
        if let (Ok(s), Ok(n)) = (a.parse::<State>(), b.parse::<u64>()) {
            return Line::Count(s, n);
        }
    }
    if first.ends_with(':') && first[..first.len() - 1].bytes().all(|b| b.is_ascii_digit()) {
        return proc_row(&f);
    }
    match first {
        "tcp" | "tcp6" | "tcp4" | "tcp46" => {
            // ss -an puts its Netid first too, then a state; netstat a number.
            if f.get(1).is_some_and(|(_, s)| s.parse::<State>().is_ok()) {
                return ss_row(&f[1..], line);
            }
            if f.iter().any(|(_, s)| *s == "(state)") {
                return Line::Ignored;
            }
            netstat_row(&f)
        }
        "TCP" => windows_row(&f),
        "udp" | "udp6" | "udp4" | "udp46" | "UDP" | "raw" | "raw6" | "unix" | "u_str" | "u_dgr"
        | "u_seq" | "nl" | "p_raw" | "p_dgr" | "icmp6" | "UNCONN" => {
            Line::Skip(col, SkipReason::NotTcp)
        }
        _ if first.parse::<State>().is_ok() => ss_row(&f, line),
        _ => Line::Skip(col, SkipReason::Unknown),
    }
}

/// Headers, titles and shell prompts that any of the formats print.
fn is_header(first: &str) -> bool {
    matches!(
        first,
        "State"
            | "Netid"
            | "Proto"
            | "Active"
            | "sl"
            | "Recv-Q"
            | "协议"
            | "活动连接"
            | "$"
            | "#"
            | "%"
            | ">"
    ) || first.ends_with('$')
        || first.ends_with('#')
}

fn is_proto(first: &str) -> bool {
    matches!(first, "tcp" | "tcp6" | "tcp4" | "tcp46" | "TCP")
}

fn bad(format: Format, field: &'static str, col: usize) -> Line {
    Line::Skip(col, SkipReason::BadField { format, field })
}

type Field<'a> = (usize, &'a str);

/// The state, queues and addresses that ss and netstat rows share, each read at its column;
/// the first that does not read is the line's fault.
fn socket_fields(
    fmt: Format,
    [state, recv, send, local, peer]: [Field; 5],
    endpoint: fn(&str) -> Option<Endpoint>,
) -> Result<(State, u64, u64, Endpoint, Endpoint), Line> {
    let state = state
        .1
        .parse::<State>()
        .map_err(|_| bad(fmt, "state", state.0))?;
    let recv_q = recv.1.parse().map_err(|_| bad(fmt, "queue", recv.0))?;
    let send_q = send.1.parse().map_err(|_| bad(fmt, "queue", send.0))?;
    let l = endpoint(local.1).ok_or_else(|| bad(fmt, "local address", local.0))?;
    let p = endpoint(peer.1).ok_or_else(|| bad(fmt, "peer address", peer.0))?;
    Ok((state, recv_q, send_q, l, p))
}

/// `State Recv-Q Send-Q Local Peer [Process] [extras]`, the Netid already taken off.
fn ss_row(f: &[(usize, &str)], line: &str) -> Line {
    let fmt = Format::Ss;
    let [state, recv, send, local, peer, ..] = *f else {
        return bad(fmt, "columns", f.last().map_or(1, |x| x.0));
    };
    let (state, recv_q, send_q, local, peer) =
        match socket_fields(fmt, [state, recv, send, local, peer], colon_endpoint) {
            Ok(v) => v,
            Err(line) => return line,
        };
    Line::Row(
        fmt,
        Box::new(Row {
            line: 0,
            state,
            local,
            peer,
            recv_q,
            send_q,
            process: ss_process(line),
            timer: ss_timer(line),
            uid: ss_value(line, "uid:").and_then(|v| v.parse().ok()),
        }),
    )
}

/// `users:(("nginx",pid=1234,fd=6),...)`: the first process.
fn ss_process(line: &str) -> Option<Process> {
    let rest = &line[line.find("users:((\"")? + 9..];
    let name_end = rest.find("\",pid=")?;
    let pid = rest[name_end + 6..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    Some(Process {
        name: Some(rest[..name_end].to_string()),
        pid,
    })
}

/// `timer:(keepalive,119min,0)`.
fn ss_timer(line: &str) -> Option<Timer> {
    let inner = &line[line.find("timer:(")? + 7..];
    let inner = &inner[..inner.find(')')?];
    let mut parts = inner.split(',');
    let kind = parts.next()?.to_string();
    let left_ms = parts.next().and_then(ss_duration_ms);
    Some(Timer { kind, left_ms })
}

/// ss's `1min2sec`, `52sec`, `200ms`, `2h3min`, `1d2h` (iproute2's `sprint_time64`).
fn ss_duration_ms(s: &str) -> Option<u64> {
    let mut total = 0u64;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let scale = match &rest[..unit] {
            "ms" => 1,
            "sec" | "s" => 1_000,
            "min" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(scale)?)?;
        rest = &rest[unit..];
    }
    Some(total)
}

/// `key:value` among ss's extras.
fn ss_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split_whitespace().find_map(|w| w.strip_prefix(key))
}

/// Linux: `tcp 0 0 10.0.0.1:22 10.0.0.2:51234 ESTABLISHED [1234/sshd] [timer]`; macOS:
/// `tcp4 0 0 10.0.0.1.22 10.0.0.2.51234 ESTABLISHED`.
fn netstat_row(f: &[(usize, &str)]) -> Line {
    let [_, recv, send, local, peer, state, ref rest @ ..] = *f else {
        let fmt = Format::NetstatLinux;
        return bad(fmt, "columns", f.last().map_or(1, |x| x.0));
    };
    // macOS writes the port after a dot (`10.0.0.1.22`, `*.80`, `fe80::1%lo0.631`): where the
    // colon form does not read, the dot form is tried.
    let mac = colon_endpoint(local.1).is_none() && dot_endpoint(local.1).is_some();
    let (fmt, parse): (_, fn(&str) -> Option<Endpoint>) = if mac {
        (Format::NetstatMac, dot_endpoint)
    } else {
        (Format::NetstatLinux, colon_endpoint)
    };
    let (state, recv_q, send_q, local, peer) =
        match socket_fields(fmt, [state, recv, send, local, peer], parse) {
            Ok(v) => v,
            Err(line) => return line,
        };
    // `-p`: "1234/java" or "-"; `-o`: "keepalive (7176.90/0/0)".
    let process = rest.first().and_then(|(_, p)| {
        let (pid, name) = p.split_once('/')?;
        Some(Process {
            name: Some(name.to_string()),
            pid: pid.parse().ok()?,
        })
    });
    let timer = rest.windows(2).find_map(|w| {
        let kind = w[0].1;
        let inner = w[1].1.strip_prefix('(')?;
        let secs = inner.split('/').next()?;
        matches!(kind, "off" | "on" | "keepalive" | "timewait" | "probe").then(|| Timer {
            kind: kind.to_string(),
            left_ms: decimal_ms(secs),
        })
    });
    Line::Row(
        fmt,
        Box::new(Row {
            line: 0,
            state,
            local,
            peer,
            recv_q,
            send_q,
            process,
            timer,
            uid: None,
        }),
    )
}

/// "7176.90" seconds as milliseconds, without floats.
fn decimal_ms(s: &str) -> Option<u64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let whole: u64 = whole.parse().ok()?;
    let frac = format!("{frac:0<3}");
    let frac: u64 = frac.get(..3)?.parse().ok()?;
    whole.checked_mul(1000)?.checked_add(frac)
}

/// Windows: `TCP 10.0.0.5:50000 10.0.0.6:443 CLOSE_WAIT [4321]`.
fn windows_row(f: &[(usize, &str)]) -> Line {
    let fmt = Format::NetstatWindows;
    let [_, (lc, local), (pc, peer), (sc, state), rest @ ..] = f else {
        return bad(fmt, "columns", f.last().map_or(1, |x| x.0));
    };
    let Ok(state) = state.parse::<State>() else {
        return bad(fmt, "state", *sc);
    };
    let Some(local) = colon_endpoint(local) else {
        return bad(fmt, "local address", *lc);
    };
    let Some(peer) = colon_endpoint(peer) else {
        return bad(fmt, "peer address", *pc);
    };
    // PID 0 is the system's, which Windows names for TIME-WAIT: no process holds those.
    let process = rest.first().and_then(|(_, p)| {
        Some(Process {
            name: None,
            pid: p.parse().ok().filter(|pid| *pid != 0)?,
        })
    });
    Line::Row(
        fmt,
        Box::new(Row {
            line: 0,
            state,
            local,
            peer,
            recv_q: 0,
            send_q: 0,
            process,
            timer: None,
            uid: None,
        }),
    )
}

/// `   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 12345`.
fn proc_row(f: &[(usize, &str)]) -> Line {
    let fmt = Format::ProcNetTcp;
    let [
        _,
        (lc, local),
        (pc, peer),
        (sc, st),
        (qc, queues),
        (tc, timer),
        _,
        (uc, uid),
        ..,
    ] = f
    else {
        return bad(fmt, "columns", f.last().map_or(1, |x| x.0));
    };
    let Some(state) = u8::from_str_radix(st, 16).ok().and_then(proc_state) else {
        return bad(fmt, "state", *sc);
    };
    let Some(local) = hex_endpoint(local) else {
        return bad(fmt, "local address", *lc);
    };
    let Some(peer) = hex_endpoint(peer) else {
        return bad(fmt, "peer address", *pc);
    };
    let Some((tx, rx)) = queues.split_once(':').and_then(|(t, r)| {
        Some((
            u64::from_str_radix(t, 16).ok()?,
            u64::from_str_radix(r, 16).ok()?,
        ))
    }) else {
        return bad(fmt, "queue", *qc);
    };
    let Some((tr, when)) = timer.split_once(':').and_then(|(t, w)| {
        Some((
            u8::from_str_radix(t, 16).ok()?,
            u64::from_str_radix(w, 16).ok()?,
        ))
    }) else {
        return bad(fmt, "timer", *tc);
    };
    let Ok(uid) = uid.parse() else {
        return bad(fmt, "uid", *uc);
    };
    // `tr`: 0 none, 1 retransmission, 2 keep-alive, 3 TIME-WAIT, 4 zero-window probe;
    // `when` is in jiffies, whose length the table does not say.
    let kind = match tr {
        1 => Some("on"),
        2 => Some("keepalive"),
        3 => Some("timewait"),
        4 => Some("probe"),
        _ => None,
    };
    let _ = when;
    Line::Row(
        fmt,
        Box::new(Row {
            line: 0,
            state,
            local,
            peer,
            recv_q: rx,
            send_q: tx,
            process: None,
            timer: kind.map(|k| Timer {
                kind: k.to_string(),
                left_ms: None,
            }),
            uid: Some(uid),
        }),
    )
}

/// The kernel's state numbers (`include/net/tcp_states.h`).
fn proc_state(code: u8) -> Option<State> {
    Some(match code {
        0x01 => State::Established,
        0x02 => State::SynSent,
        0x03 => State::SynReceived,
        0x04 => State::FinWait1,
        0x05 => State::FinWait2,
        0x06 => State::TimeWait,
        0x07 => State::Closed,
        0x08 => State::CloseWait,
        0x09 => State::LastAck,
        0x0A => State::Listen,
        0x0B => State::Closing,
        0x0C => State::SynReceived, // TCP_NEW_SYN_RECV: a request socket
        _ => return None,
    })
}

/// `0100007F:0CEA` (IPv4, the address's 32 bits as the host printed them, little-endian) or 32
/// hex digits (IPv6, four such words).
fn hex_endpoint(s: &str) -> Option<Endpoint> {
    let (addr, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let word = |h: &str| u32::from_str_radix(h, 16).ok().map(u32::to_le_bytes);
    let addr = match addr.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(addr)?)),
        32 => {
            let mut b = [0u8; 16];
            for i in 0..4 {
                b[i * 4..i * 4 + 4].copy_from_slice(&word(addr.get(i * 8..i * 8 + 8)?)?);
            }
            unmap(IpAddr::V6(Ipv6Addr::from(b)))
        }
        _ => return None,
    };
    Some(Endpoint {
        addr: Some(addr),
        port: Some(port),
    })
}

/// `10.0.0.1:22`, `[::1]:631`, `:::80` (net-tools), `*:*`, `0.0.0.0:*`, `127.0.0.53%lo:53`.
fn colon_endpoint(s: &str) -> Option<Endpoint> {
    let (addr, port) = if let Some(rest) = s.strip_prefix('[') {
        let (a, p) = rest.split_once("]:")?;
        (a, p)
    } else {
        s.rsplit_once(':')?
    };
    endpoint(addr, port)
}

/// macOS: `10.0.0.1.22`, `*.80`, `*.*`, `fe80::1%lo0.123`.
fn dot_endpoint(s: &str) -> Option<Endpoint> {
    let (addr, port) = s.rsplit_once('.')?;
    endpoint(addr, port)
}

fn endpoint(addr: &str, port: &str) -> Option<Endpoint> {
    // An interface (`%lo`) names no other address.
    let addr = addr.split('%').next()?;
    let addr = match addr {
        "*" | "" => None,
        a => Some(unmap(a.parse().ok()?)),
    };
    let port = match port {
        "*" => None,
        p => Some(p.parse().ok()?),
    };
    Some(Endpoint { addr, port })
}

/// `::ffff:10.0.0.1` as the IPv4 address it is.
fn unmap(a: IpAddr) -> IpAddr {
    match a {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(a, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(s: &str) -> String {
        colon_endpoint(s).map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn addresses_read_in_every_spelling() {
        assert_eq!(ep("10.0.0.1:22"), "10.0.0.1:22");
        assert_eq!(ep("[::ffff:10.0.0.1]:8080"), "10.0.0.1:8080");
        assert_eq!(ep(":::80"), "[::]:80");
        assert_eq!(ep("*:*"), "*:*");
        assert_eq!(ep("0.0.0.0:*"), "0.0.0.0:*");
        assert_eq!(ep("127.0.0.53%lo:53"), "127.0.0.53:53");
        assert_eq!(ep("[fe80::1%eth0]:22"), "[fe80::1]:22");
        let mac = |s: &str| dot_endpoint(s).map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(mac("192.168.1.5.52345"), "192.168.1.5:52345");
        assert_eq!(mac("*.80"), "*:80");
        assert_eq!(mac("*.*"), "*:*");
        let hex = |s: &str| hex_endpoint(s).map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(hex("0100007F:0CEA"), "127.0.0.1:3306");
        assert_eq!(
            hex("0000000000000000FFFF00000100007F:1F90"),
            "127.0.0.1:8080"
        );
        assert_eq!(hex("00000000000000000000000001000000:0277"), "[::1]:631");
        assert_eq!(colon_endpoint("10.0.0.1"), None);
        assert_eq!(colon_endpoint("10.0.0.1:99999"), None);
    }

    #[test]
    fn ss_durations_are_read_as_iproute2_prints_them() {
        assert_eq!(ss_duration_ms("52sec"), Some(52_000));
        assert_eq!(ss_duration_ms("1min2sec"), Some(62_000));
        assert_eq!(ss_duration_ms("119min"), Some(7_140_000));
        assert_eq!(ss_duration_ms("200ms"), Some(200));
        assert_eq!(ss_duration_ms("1d2h"), Some(93_600_000));
        assert_eq!(ss_duration_ms("soon"), None);
        assert_eq!(decimal_ms("7176.90"), Some(7_176_900));
        assert_eq!(decimal_ms("0.00"), Some(0));
    }
}
