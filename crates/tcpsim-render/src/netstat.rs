//! `ss -tan`-style tables and per-state counts at one moment of a trace.

use crate::escape;
use crate::i18n::Lang;
use crate::i18n::msg::ViewMsg;
use std::fmt::Write as _;
use tcpsim_core::id::HostId;
use tcpsim_core::state::State;
use tcpsim_core::time::{Duration, Instant};
use tcpsim_core::trace::Trace;

/// Per host: the counts per state (like `netstat -n | awk '/^tcp/ {++S[$NF]} ...'`), then the
/// sockets in `ss -tan` layout, at most `max_rows` per host.
pub fn render(trace: &Trace, at: Instant, max_rows: usize) -> String {
    render_in(trace, at, max_rows, Lang::En)
}

/// [`render`], with its words in `lang` (the table keeps `ss`'s headings and state names).
pub fn render_in(trace: &Trace, at: Instant, max_rows: usize, lang: Lang) -> String {
    let word = |m: ViewMsg| m.text().get(lang).to_string();
    let ns = trace.netstat_at(at);
    let mut s = String::new();
    let at = Duration::from_micros(at.as_micros());
    let heading = if trace.observed.is_some() {
        ViewMsg::AtIntoCapture(at)
    } else {
        ViewMsg::AtIntoRun(at)
    };
    let _ = writeln!(s, "{}", word(heading));
    for (h, host) in trace.hosts.iter().enumerate() {
        let h = HostId(h as u32);
        let counts = ns.counts(Some(h));
        // A capture's hosts are named by their addresses: said once.
        if host.name == host.addr.to_string() {
            let _ = writeln!(s, "\n{}", host.addr);
        } else {
            let _ = writeln!(s, "\n{} ({})", escape::terminal(&host.name), host.addr);
        }
        if counts.is_empty() {
            let _ = writeln!(s, "  {}", word(ViewMsg::NoSocketsHere));
            continue;
        }
        let summary: Vec<String> = State::ALL
            .iter()
            .filter_map(|st| counts.get(st).map(|n| format!("{} {n}", st.netstat_name())))
            .collect();
        let _ = writeln!(s, "  {}", summary.join("  "));
        let table = ns.render_ss(h);
        let mut lines = table.lines();
        if let Some(head) = lines.next() {
            let _ = writeln!(s, "  {head}");
        }
        let rows: Vec<&str> = lines.collect();
        for r in rows.iter().take(max_rows) {
            let _ = writeln!(s, "  {r}");
        }
        if rows.len() > max_rows {
            let more = rows.len() - max_rows;
            let _ = writeln!(s, "  {}", word(ViewMsg::AndMore(more)));
        }
    }
    s
}
