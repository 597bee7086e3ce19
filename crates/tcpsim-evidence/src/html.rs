//! A diagnosis as the web page shows it: the same words as the text report, as HTML, with the
//! lessons as links that open them in the page and a capture's connections as buttons
//! (`data-connection`, from 1) that the page draws on its ladder. Every text from the evidence
//! (names, addresses, processes) is escaped ([`tcpsim_core::text::markup`]).

use crate::capture::{Capture, CaptureError, Story};
use crate::findings::Report;
use crate::table::Table;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use tcpsim_core::text::markup as esc;
use tcpsim_words::Lang;
use tcpsim_words::evidence::ReportMsg;

/// Connections listed with a button; the rest are counted.
pub const CONNECTIONS_SHOWN: usize = 200;

/// A socket table's report: what was read, the counts per state, the findings (what, why,
/// the evidence, what to do, the lesson).
pub fn table(name: &str, table: &Table, report: &Report, lang: Lang) -> String {
    let say = |m: ReportMsg| esc(m.text().get(lang));
    let mut out = String::new();
    let _ = write!(
        out,
        "<p class=\"ev-read\">{}: {}</p><h4>{}</h4><table class=\"ev-counts\">",
        esc(name),
        say(ReportMsg::Read {
            sockets: report.sockets,
            command: report.format.command(),
            skipped: table.skipped.len(),
        }),
        say(ReportMsg::PerState)
    );
    for (state, n) in &report.counts {
        let _ = write!(out, "<tr><td>{}</td><td>{n}</td></tr>", state.rfc_name());
    }
    out += "</table>";
    if report.findings.is_empty() {
        let _ = write!(out, "<p>{}</p>", say(ReportMsg::NothingFound));
        return out;
    }
    let _ = write!(
        out,
        "<h4>{}</h4><ol class=\"ev-findings\">",
        say(ReportMsg::Findings)
    );
    for f in &report.findings {
        let said = f.finding.said();
        let _ = write!(
            out,
            "<li data-testid=\"finding\"><strong>{}</strong><p>{}</p>",
            esc(said.what.get(lang)),
            esc(said.why.get(lang))
        );
        for line in crate::report::evidence(f) {
            let _ = write!(out, "<p class=\"ev-evidence\">{}</p>", say(line));
        }
        let _ = write!(
            out,
            "<p><strong>{}</strong>{}</p>",
            say(ReportMsg::Todo),
            esc(said.todo.get(lang))
        );
        if let Some(id) = f.lesson {
            let _ = write!(
                out,
                "<p><a href=\"?scenario={id}\" data-lesson=\"{id}\">{}</a></p>",
                say(ReportMsg::WatchLesson)
            );
        }
        out += "</li>";
    }
    out += "</ol>";
    out
}

/// A capture's report: what it held, its connections by how they went, then each connection
/// (the first [`CONNECTIONS_SHOWN`]) with how it went and a button that draws it.
pub fn capture(name: &str, cap: &Capture, lang: Lang) -> String {
    let say = |m: ReportMsg| esc(m.text().get(lang));
    let mut out = String::new();
    let skipped = cap.skipped.not_tcp + cap.skipped.unreadable + cap.skipped.other_link;
    let _ = write!(
        out,
        "<p class=\"ev-read\">{}: {}</p>",
        esc(name),
        say(ReportMsg::CaptureRead {
            packets: cap.packets,
            connections: cap.connections.len() as u64,
            skipped,
        })
    );
    if let Some(CaptureError::BadBlock { offset }) = &cap.stopped {
        let _ = write!(out, "<p>{}</p>", say(ReportMsg::CaptureStopped(*offset)));
    }
    let _ = write!(out, "<p>{}</p>", say(ReportMsg::Inferred));
    let mut by_story: BTreeMap<Story, u64> = BTreeMap::new();
    for c in &cap.connections {
        *by_story.entry(c.story).or_default() += 1;
    }
    let mut stories: Vec<(Story, u64)> = by_story.into_iter().collect();
    stories.sort_by_key(|(s, n)| (std::cmp::Reverse(*n), *s));
    let _ = write!(
        out,
        "<h4>{}</h4><table class=\"ev-counts\">",
        say(ReportMsg::ByStory)
    );
    for (story, n) in &stories {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{n}</td></tr>",
            esc(story.label().get(lang))
        );
    }
    let _ = write!(
        out,
        "</table><h4>{}</h4><ol class=\"ev-conns\">",
        say(ReportMsg::Connections)
    );
    for (i, c) in cap.connections.iter().take(CONNECTIONS_SHOWN).enumerate() {
        let ep = |s: &crate::capture::Side| s.addr.map_or("?".to_string(), |a| a.to_string());
        let (client, server) = (ep(&c.client), ep(&c.server));
        let ends = esc(&format!("{client} → {server}"));
        let drawable = matches!(c.client.addr, Some(std::net::SocketAddr::V4(_)));
        out += "<li>";
        if drawable {
            let _ = write!(
                out,
                "<button type=\"button\" data-connection=\"{}\" title=\"{}\">{ends}</button>",
                i + 1,
                say(ReportMsg::WatchConnection)
            );
        } else {
            let _ = write!(
                out,
                "<span title=\"{}\">{ends}</span>",
                say(ReportMsg::Ipv6LeftOut(1))
            );
        }
        let _ = write!(
            out,
            " <span class=\"ev-story\">{}</span></li>",
            esc(c.story.said(&client, &server).get(lang))
        );
    }
    out += "</ol>";
    if cap.connections.len() > CONNECTIONS_SHOWN {
        let _ = write!(
            out,
            "<p>{}</p>",
            say(ReportMsg::MoreInPage(
                cap.connections.len() - CONNECTIONS_SHOWN
            ))
        );
    }
    out
}

/// Why a text or a capture gave no report, with what to give instead.
pub fn error(msg: ReportMsg, help: ReportMsg, lang: Lang) -> String {
    format!(
        "<p class=\"ev-error\" role=\"alert\">{}</p><p>{}</p>",
        esc(msg.text().get(lang)),
        esc(help.text().get(lang))
    )
}
