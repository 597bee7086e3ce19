//! A diagnosis as people read it (text, in either language) and as scripts read it (JSON).

use crate::findings::{Found, Report};
use crate::table::{SkipReason, Table};
use serde_json::{Value, json};
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
fn evidence(f: &Found) -> Vec<ReportMsg> {
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
