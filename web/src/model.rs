//! Running a scenario in the page: compile, run within the page's limits, lay out. The UI only
//! steps through what this returns; nothing here is driven by a timer.

use std::cell::RefCell;
use std::rc::Rc;
use tcpsim_core::prelude::*;
use tcpsim_core::trace::Netstat;
use tcpsim_render::layout::{LadderLayout, layout};
use tcpsim_scenario::Scenario;
use tcpsim_scenario::model::Text;

/// Limits of a run in the page, so that a hostile or huge file gets a message, not a frozen tab.
pub const PAGE_MAX_EVENTS: u64 = 3_000_000;
pub const PAGE_MAX_SOCKETS: u32 = 50_000;

/// A scenario that ran.
pub struct RunView {
    pub title: Text,
    pub description: Text,
    pub trace: Trace,
    pub layout: LadderLayout,
    pub end: Instant,
    /// The host with the most sockets, charted when there are many connections.
    pub busiest: Option<u32>,
    /// Its sockets per state over time, computed once per run.
    pub series: Option<crate::chart::Series>,
    /// The sockets at the moment last shown: a render that does not move in time (a language
    /// switch, a play tick within a step) does not pass over the trace again.
    pub netstat_cache: RefCell<Option<(Instant, Rc<Netstat>)>>,
}

impl RunView {
    /// The sockets at `t`, as `ss -tan` shows them.
    pub fn netstat_at(&self, t: Instant) -> Rc<Netstat> {
        if let Some((at, ns)) = &*self.netstat_cache.borrow()
            && *at == t
        {
            return ns.clone();
        }
        let ns = Rc::new(self.trace.netstat_at(t));
        *self.netstat_cache.borrow_mut() = Some((t, ns.clone()));
        ns
    }
}

/// An error in the editor's text, at a line.
#[derive(Clone, Debug, PartialEq)]
pub struct LineError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
    pub message_zh: String,
    pub help_zh: Option<String>,
}

pub enum Outcome {
    Ran(Rc<RunView>),
    Invalid(Vec<LineError>),
    /// The run hit a limit, or has no connection to show.
    CannotShow(String),
}

/// Marks the phases of a run with `performance.measure` entries ("run <file>" for the whole,
/// "parse <file>", "simulate <file>", "lay out <file>" for its parts), for tests and users
/// (in the browser; natively there is no `window`).
struct Phases {
    perf: Option<web_sys::Performance>,
    name: String,
    last: String,
}

impl Phases {
    fn start(name: &str) -> Phases {
        #[cfg(target_arch = "wasm32")]
        let perf = web_sys::window().and_then(|w| w.performance());
        #[cfg(not(target_arch = "wasm32"))]
        let perf: Option<web_sys::Performance> = None;
        let p = Phases {
            perf,
            name: name.to_string(),
            last: format!("run-start {name}"),
        };
        if let Some(perf) = &p.perf {
            let _ = perf.mark(&p.last);
        }
        p
    }

    /// Ends the phase that began at the last mark.
    fn done(&mut self, phase: &str) {
        if let Some(perf) = &self.perf {
            let mark = format!("{phase}-end {}", self.name);
            let _ = perf.mark(&mark);
            let _ = perf.measure_with_start_mark_and_end_mark(
                &format!("{phase} {}", self.name),
                &self.last,
                &mark,
            );
            self.last = mark;
        }
    }

    fn finish(self) {
        if let Some(perf) = &self.perf {
            let _ = perf.measure_with_start_mark(
                &format!("run {}", self.name),
                &format!("run-start {}", self.name),
            );
        }
    }
}

/// Runs a scenario: parse and compile, simulate within the page's limits, lay out.
pub fn run(name: &str, text: &str) -> Rc<Outcome> {
    let mut phases = Phases::start(name);
    let out = run_phases(name, text, &mut phases);
    phases.finish();
    out
}

fn run_phases(name: &str, text: &str, phases: &mut Phases) -> Rc<Outcome> {
    let parsed = Scenario::parse(name, text);
    phases.done("parse");
    let mut scenario = match parsed {
        Ok(s) => s,
        Err(errors) => {
            let list = errors
                .0
                .iter()
                .map(|e| {
                    let (line, column) = e
                        .span
                        .as_ref()
                        .map_or((1, 1), |s| e.source.line_col(s.start));
                    LineError {
                        line,
                        column,
                        message: e.message.clone(),
                        help: e.help.clone(),
                        message_zh: e.message_zh.clone(),
                        help_zh: e.help_zh.clone(),
                    }
                })
                .collect();
            return Rc::new(Outcome::Invalid(list));
        }
    };
    scenario.max_events = scenario.max_events.min(PAGE_MAX_EVENTS);
    scenario.max_sockets = scenario.max_sockets.min(PAGE_MAX_SOCKETS);
    let ran = scenario.run();
    phases.done("simulate");
    let trace = match ran {
        Ok(t) => t,
        Err(e) => return Rc::new(Outcome::CannotShow(e.to_string())),
    };
    let Some(layout) = layout(&trace, None) else {
        return Rc::new(Outcome::CannotShow(
            "this run has no connection to draw".into(),
        ));
    };
    // Chart the host that ends with the most open sockets, when there are many: that is where
    // a leak piles up.
    let open_at_end = trace.netstat_at(scenario.end());
    let busiest = (0..trace.hosts.len() as u32)
        .map(|h| (h, open_at_end.rows.iter().filter(|r| r.host == h).count()))
        .max_by_key(|(h, n)| (*n, std::cmp::Reverse(*h)))
        .filter(|(_, n)| *n > 6)
        .map(|(h, _)| h);
    let series = busiest.map(|h| crate::chart::series(&trace, h));
    phases.done("lay out");
    Rc::new(Outcome::Ran(Rc::new(RunView {
        title: scenario.title.clone(),
        description: scenario.description.clone(),
        end: scenario.end(),
        trace,
        series,
        layout,
        busiest,
        netstat_cache: RefCell::new(None),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_scenario_runs_within_the_page_limits() {
        for b in crate::bundled::SCENARIOS {
            match &*run(b.id, b.text) {
                Outcome::Ran(v) => assert!(!v.layout.steps.is_empty(), "{}", b.id),
                Outcome::Invalid(e) => panic!("{}: {e:?}", b.id),
                Outcome::CannotShow(m) => panic!("{}: {m}", b.id),
            }
        }
    }

    #[test]
    fn errors_carry_their_line() {
        let text = crate::bundled::find("handshake")
            .unwrap()
            .text
            .replace("call = \"connect\"", "call = \"conect\"");
        let Outcome::Invalid(errors) = &*run("h.toml", &text) else {
            panic!("should not run")
        };
        let line = errors[0].line;
        assert!(
            text.lines().nth(line - 1).unwrap().contains("conect"),
            "line {line}: {errors:?}"
        );
        assert!(errors[0].message.contains("conect"), "{errors:?}");
    }
}
