//! A diagnosis as people read it (text, in either language) and as scripts read it (JSON).

use crate::findings::{Found, Report};
use crate::table::{SkipReason, Table};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tcpsim_words::Lang;
use tcpsim_words::evidence::{Finding, ReportMsg};

/// Skipped lines listed by name; the rest are counted.
const SKIPPED_SHOWN: usize = 10;

/// The report as text: what was read, the counts, the findings with their evidence, what to do
/// and the lesson, then the lines skipped (`name:line:column`). Text from the table (process
/// names) is made inert for a terminal.
pub fn text(name: &str, table: &Table, report: &Report, lang: Lang) -> String {
    let say = |m: ReportMsg| m.text().get(lang).to_string();
    let mut out = String::new();
    let skipped = table.skipped.len();
    out += &format!(
        "{}: {}\n\n",
        tcpsim_core::text::terminal(name),
        say(ReportMsg::Read {
            sockets: report.sockets,
            command: report.format.command(),
            skipped,
        })
    );
    out += &say(ReportMsg::PerState);
    out.push('\n');
    let width = report
        .counts
        .iter()
        .map(|(_, n)| n.to_string().len())
        .max()
        .unwrap_or(1);
    for (state, n) in &report.counts {
        out += &format!("  {:<12} {n:>width$}\n", state.rfc_name());
    }
    out.push('\n');
    if report.findings.is_empty() {
        out += &say(ReportMsg::NothingFound);
        out.push('\n');
    } else {
        out += &say(ReportMsg::Findings);
        out.push('\n');
        for (i, f) in report.findings.iter().enumerate() {
            let said = f.finding.said();
            out += &format!("{}. {}\n", i + 1, said.what.get(lang));
            out += &format!("   {}\n", said.why.get(lang));
            for line in evidence(f) {
                out += &format!("   {}\n", line.text().get(lang));
            }
            out += &format!("   {}{}\n", say(ReportMsg::Todo), said.todo.get(lang));
            if let Some(id) = f.lesson {
                out += &format!("   {}\n", say(ReportMsg::Lesson(id)));
            }
        }
    }
    if skipped > 0 {
        out.push('\n');
        for s in table.skipped.iter().take(SKIPPED_SHOWN) {
            let why = match s.why {
                SkipReason::NotTcp => ReportMsg::NotTcp,
                SkipReason::BadField { format, field } => ReportMsg::BadField {
                    format: format.command(),
                    field,
                },
                SkipReason::Unknown => ReportMsg::Unknown,
            };
            out += &format!(
                "{}:{}:{}: {}\n",
                tcpsim_core::text::terminal(name),
                s.line,
                s.column,
                say(why)
            );
        }
        if skipped > SKIPPED_SHOWN {
            out += &say(ReportMsg::MoreSkipped(skipped - SKIPPED_SHOWN));
            out.push('\n');
        }
    }
    out
}

/// A finding's evidence lines: peers, processes, lines of the table.
pub(crate) fn evidence(f: &Found) -> Vec<ReportMsg> {
    let mut v = Vec::new();
    let list = |items: Vec<String>| items.join(", ");
    if !f.peers.is_empty() && !matches!(f.finding, Finding::AcceptQueueFull { .. }) {
        v.push(ReportMsg::Peers(list(
            f.peers.iter().map(|(p, n)| format!("{p} ({n})")).collect(),
        )));
    }
    if !f.processes.is_empty() {
        v.push(ReportMsg::Processes(list(
            f.processes
                .iter()
                .map(|(p, n)| format!("{p} ({n})"))
                .collect(),
        )));
    }
    if !f.lines.is_empty() {
        v.push(ReportMsg::Lines(list(
            f.lines.iter().map(usize::to_string).collect(),
        )));
    }
    v
}

/// The report for scripts: the format, counts per state, and per finding its kind, numbers,
/// words in both languages, evidence and lesson; the lines skipped with their places.
pub fn json(table: &Table, report: &Report) -> Value {
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let said = f.finding.said();
            let both = |b: &tcpsim_words::Bi| json!({ "en": b.en, "zh": b.zh });
            json!({
                "kind": kind(&f.finding),
                "what": both(&said.what),
                "why": both(&said.why),
                "todo": both(&said.todo),
                "peers": f.peers.iter().map(|(p, n)| json!({ "peer": p.to_string(), "sockets": n })).collect::<Vec<_>>(),
                "processes": f.processes.iter().map(|(p, n)| json!({ "process": p, "sockets": n })).collect::<Vec<_>>(),
                "lines": f.lines,
                "lesson": f.lesson,
            })
        })
        .collect();
    let counts: serde_json::Map<String, Value> = report
        .counts
        .iter()
        .map(|(s, n)| (s.rfc_name().to_string(), json!(n)))
        .collect();
    json!({
        "format": report.format,
        "sockets": report.sockets,
        "counts": counts,
        "findings": findings,
        "skipped": table.skipped,
    })
}

fn kind(f: &Finding) -> &'static str {
    match f {
        Finding::CloseWait { side, .. } => match side {
            tcpsim_words::evidence::Side::Client => "close-wait-client",
            tcpsim_words::evidence::Side::Server => "close-wait-server",
            tcpsim_words::evidence::Side::Unknown => "close-wait",
        },
        Finding::UnreadAtClose { .. } => "unread-at-close",
        Finding::AcceptQueueFull { .. } => "accept-queue-full",
        Finding::Descriptors { .. } => "descriptors",
        Finding::FinWait2 { .. } => "fin-wait-2",
        Finding::SynSent { .. } => "syn-sent",
        Finding::SynReceived { .. } => "syn-received",
        Finding::TimeWait { .. } => "time-wait",
        Finding::LastAck { .. } => "last-ack",
        Finding::FinNotAcked { .. } => "fin-not-acked",
    }
}

/// Connections listed by name; the rest are counted.
const CONNECTIONS_SHOWN: usize = 20;

/// A capture's report as text: what it held, its connections by how they went, then each
/// connection (the first twenty) with both endpoints' inferred states.
pub fn capture_text(name: &str, cap: &crate::capture::Capture, lang: Lang) -> String {
    use crate::capture::Story;
    let say = |m: ReportMsg| m.text().get(lang).to_string();
    let mut out = String::new();
    let skipped = cap.skipped.not_tcp + cap.skipped.unreadable + cap.skipped.other_link;
    out += &format!(
        "{}: {}\n",
        tcpsim_core::text::terminal(name),
        say(ReportMsg::CaptureRead {
            packets: cap.packets,
            connections: cap.connections.len() as u64,
            skipped,
        })
    );
    if let Some(crate::capture::CaptureError::BadBlock { offset }) = &cap.stopped {
        out += &format!("{}\n", say(ReportMsg::CaptureStopped(*offset)));
    }
    out += &format!("{}\n\n", say(ReportMsg::Inferred));
    let mut by_story: BTreeMap<Story, u64> = BTreeMap::new();
    for c in &cap.connections {
        *by_story.entry(c.story).or_default() += 1;
    }
    let mut stories: Vec<(Story, u64)> = by_story.into_iter().collect();
    stories.sort_by_key(|(s, n)| (std::cmp::Reverse(*n), *s));
    out += &say(ReportMsg::ByStory);
    out.push('\n');
    let labels: Vec<(String, u64)> = stories
        .iter()
        .map(|(s, n)| (s.label().get(lang).to_string(), *n))
        .collect();
    let width = labels
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (label, n) in &labels {
        let pad = width - label.chars().count();
        out += &format!("  {label}{} {n}\n", " ".repeat(pad));
    }
    out.push('\n');
    out += &say(ReportMsg::Connections);
    out.push('\n');
    let secs = |us: u64| format!("{}.{:06}s", us / 1_000_000, us % 1_000_000);
    for (i, c) in cap.connections.iter().take(CONNECTIONS_SHOWN).enumerate() {
        let ep = |s: &crate::capture::Side| s.addr.map_or("?".to_string(), |a| a.to_string());
        let (client, server) = (ep(&c.client), ep(&c.server));
        out += &format!(
            "{}. {client} -> {server}  {} - {}\n   {}\n",
            i + 1,
            secs(c.first_us),
            secs(c.last_us),
            c.story.said(&client, &server).get(lang)
        );
        for (who, side) in [(&client, &c.client), (&server, &c.server)] {
            let path: Vec<String> = side
                .states
                .iter()
                .map(|(t, s)| format!("{} {}", s.rfc_name(), secs(*t)))
                .collect();
            out += &format!("   {who}: {}\n", path.join(" > "));
        }
    }
    if cap.connections.len() > CONNECTIONS_SHOWN {
        out += &say(ReportMsg::MoreConnections(
            cap.connections.len() - CONNECTIONS_SHOWN,
        ));
        out.push('\n');
    }
    out
}

/// A capture's report for scripts: per connection both endpoints, each endpoint's inferred
/// states with times (µs from the first packet), and how it went.
pub fn capture_json(cap: &crate::capture::Capture) -> Value {
    serde_json::to_value(cap).unwrap_or(Value::Null)
}
