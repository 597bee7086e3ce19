//! Running a scenario in the page: compile, run within the page's limits, lay out; and
//! [`use_run`], the hook that starts the run the page asks for and drives a big one in slices
//! while the page goes on painting. The UI only steps through what this returns.

use std::cell::RefCell;
use std::rc::Rc;
use tcpsim_core::prelude::*;
use tcpsim_core::sim::SlicedRun;
use tcpsim_core::trace::Netstat;
use tcpsim_render::i18n::Bi;
use tcpsim_render::i18n::msg::RunMsg;
use tcpsim_render::layout::{LadderLayout, layout};
use tcpsim_scenario::compiled::Compiled;
use tcpsim_scenario::model::Text;
use yew::prelude::*;

/// Limits of a run in the page, so that a hostile or huge file gets a message, not a frozen tab.
pub const PAGE_MAX_EVENTS: u64 = 3_000_000;
pub const PAGE_MAX_SOCKETS: u32 = 50_000;
/// The most memory a run's record may take in the page: a tab's wasm memory is 4 GiB at most,
/// and a browser kills a tab long before.
pub const PAGE_MAX_MEMORY: u64 = 512 << 20;
/// Calls a file may schedule in the page: expanding repeats happens before the run can be
/// sliced, so it is capped (the production scenario schedules 70 000).
pub const PAGE_MAX_CALLS: u64 = 200_000;

/// Where a view's trace came from, in the form the second module reads, which draws the
/// exports (SVG, Mermaid, the state diagram) from it: the page's first module carries no
/// exporter.
#[derive(Clone)]
pub enum Source {
    /// A compiled scenario (`tcpsim_scenario::compiled`'s form), which the second module runs
    /// again: the core is deterministic, so it makes the same trace.
    Compiled(Rc<[u8]>),
    /// A capture's connection, as the second module gave it (see [`observed`]).
    Observed(Rc<[u8]>),
}

/// A scenario that ran.
pub struct RunView {
    /// What the trace was made from.
    pub source: Source,
    pub title: Text,
    pub description: Text,
    pub trace: Trace,
    pub layout: LadderLayout,
    pub end: Instant,
    /// The host with the most sockets, charted when there are many connections.
    pub busiest: Option<tcpsim_core::id::HostId>,
    /// Its sockets per state over time, computed once per run, in the form the chart module
    /// reads.
    pub series: Option<Vec<u8>>,
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
pub use tcpsim_scenario::compiled::LineError;

pub enum Outcome {
    Ran(Rc<RunView>),
    Invalid(Vec<LineError>),
    /// The run hit a limit, or has no connection to show.
    CannotShow(Bi),
    /// The compiler module could not be loaded (what the browser said).
    NoCompiler(String),
    /// A big run, driven in slices while the page goes on painting.
    Running(Running),
}

/// A run under way, as the page state holds it.
pub struct Running {
    /// Which run (see [`is_current`]).
    pub id: u64,
    /// The job; the driver takes it out while it works on a slice.
    pub job: Rc<RefCell<Option<Job>>>,
    /// How far it is, from 0 to 1.
    pub progress: f64,
    /// The scenario's title and description, shown while it runs (once it is compiled).
    pub texts: Option<(Text, Text)>,
}

thread_local! {
    /// The run the page wants; drivers of older runs stop.
    static CURRENT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
}

/// Whether run `id` is still the one the page wants.
pub fn is_current(id: u64) -> bool {
    CURRENT.with(|c| c.get()) == id
}

/// How long a slice of work may take before the page may answer input and paint again.
pub const SLICE_MS: f64 = 25.0;
/// Events between two looks at the clock: a millisecond or so of work, so that a slice in
/// baseline code (a fresh page) does not overrun its budget by much (PERFORMANCE.md).
const SLICE_EVENTS: u64 = 1024;

/// Milliseconds from a fixed origin: the page's clock in the browser, the process's natively.
pub fn clock_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        thread_local! { static ORIGIN: std::time::Instant = std::time::Instant::now(); }
        ORIGIN.with(|o| o.elapsed().as_secs_f64() * 1000.0)
    }
}

/// Starts a run of bundled scenario `id`, or of an edited text of it, and works on it for up
/// to `budget_ms`: a small scenario is done at once; a big one comes back as
/// [`Outcome::Running`], for the page to drive with [`drive`]. Starting a run makes every older
/// run stop.
pub fn begin(id: &str, edited: Option<&str>, budget_ms: f64) -> Rc<Outcome> {
    begin_with(id, edited, budget_ms, false)
}

fn begin_with(id: &str, edited: Option<&str>, budget_ms: f64, defer_big: bool) -> Rc<Outcome> {
    CURRENT.with(|c| c.set(0));
    let job = match start(id, edited) {
        Started::Done(o) => return o,
        Started::Running(job) => job,
    };
    let first = if defer_big && job.calls_expected() > BIG_RUN_CALLS {
        Err(job.deferred())
    } else {
        drive(job, budget_ms)
    };
    match first {
        Ok(o) => o,
        Err(job) => {
            let id = NEXT.with(|n| {
                let id = n.get();
                n.set(id + 1);
                id
            });
            CURRENT.with(|c| c.set(id));
            let progress = job.progress();
            Rc::new(Outcome::Running(Running {
                id,
                texts: job.texts(),
                job: Rc::new(RefCell::new(Some(job))),
                progress,
            }))
        }
    }
}

/// Calls beyond which a run is big: it does not run before the page has painted. About 20 000
/// events, some milliseconds of work; most bundled scenarios make fewer than 100 calls, the
/// pooled client 4 561, the leaks 8 401 and 70 000.
pub const BIG_RUN_CALLS: u64 = 2_000;

/// Like [`begin`] with a slice of [`SLICE_MS`], for the page's first frame: a big run (more than
/// [`BIG_RUN_CALLS`] calls) does no work yet and is left to the driver, which starts it after
/// the page has painted.
pub fn begin_after_paint(id: &str, edited: Option<&str>) -> Rc<Outcome> {
    begin_with(id, edited, SLICE_MS, true)
}

/// Works on a job for about `budget_ms` of wall time.
pub fn drive(mut job: Job, budget_ms: f64) -> Result<Rc<Outcome>, Job> {
    let t0 = clock_ms();
    loop {
        if job.waiting() {
            return Err(job);
        }
        match job.work(SLICE_EVENTS) {
            Ok(o) => return Ok(o),
            Err(j) => job = j,
        }
        if clock_ms() - t0 >= budget_ms {
            return Err(job);
        }
    }
}

/// The run is over (or given up): no driver goes on.
pub fn stop_all() {
    CURRENT.with(|c| c.set(0));
}

/// A run the page asks for: a bundled scenario, an edited text of it (`None`: the bundled one),
/// a number that changes with every request, and whether the bundled run is wanted too, to show
/// while the text does not run.
#[derive(Clone, PartialEq)]
pub struct RunRequest {
    pub id: String,
    pub text: Option<Rc<String>>,
    pub serial: u64,
    pub fallback: bool,
}

/// What a run tells the page.
pub enum RunUpdate {
    /// Request `serial` started its run: over already (a small one), or under way; with the
    /// bundled run to show, when the text did not run and the request asked for it.
    Started(u64, Rc<Outcome>, Option<Rc<Outcome>>),
    /// Run `id` got further; its texts once it is compiled.
    Progress(u64, f64, Option<(Text, Text)>),
    /// The compiler module it waited for is loaded.
    ToolsReady,
    /// Run `id` is over; with the bundled run to show, when the text did not run and the
    /// request asked for it.
    Finished(u64, Rc<Outcome>, Option<Rc<Outcome>>),
}

/// A big run's progress is told at most this often.
const PROGRESS_EVERY_MS: f64 = 100.0;

/// Starts the run `request` asks for whenever it changes (the first request, 0, is the one the
/// page opened with, started before its first render), and drives the run under way in
/// `outcome`, if any, in slices between the page's paints, telling `on` how it goes.
#[hook]
pub fn use_run(request: &RunRequest, outcome: &Rc<Outcome>, on: Callback<RunUpdate>) {
    {
        let on = on.clone();
        let req = request.clone();
        use_effect_with(request.serial, move |serial| {
            if *serial != 0 {
                let text = req.text.as_deref().map(String::as_str);
                let outcome = begin(&req.id, text, SLICE_MS);
                let fallback = fallback(&req, &outcome);
                on.emit(RunUpdate::Started(*serial, outcome, fallback));
            }
        });
    }
    let running = match &**outcome {
        Outcome::Running(r) => Some((r.id, r.job.clone())),
        _ => None,
    };
    let req = request.clone();
    use_effect_with(running.as_ref().map_or(0, |r| r.0), move |_| {
        if let Some((id, cell)) = running {
            yew::platform::spawn_local(drive_slices(id, cell, req, on));
        }
    });
}

/// A shared or saved text with errors: the bundled file's run, to show meanwhile, if the
/// request asks for it.
fn fallback(req: &RunRequest, outcome: &Outcome) -> Option<Rc<Outcome>> {
    let failed = !matches!(outcome, Outcome::Ran(_) | Outcome::Running(_));
    (req.fallback && failed)
        .then(|| run(&req.id, None))
        .filter(|o| matches!(&**o, Outcome::Ran(_)))
}

/// Drives run `id` to its end, a slice at a time: the page (with the run's progress) is
/// painted before the first slice; between slices it paints and handles input when it wants
/// to, and after showing progress it lets waiting work (renders) go first.
async fn drive_slices(
    id: u64,
    cell: Rc<RefCell<Option<Job>>>,
    req: RunRequest,
    on: Callback<RunUpdate>,
) {
    let (mut shown, mut shown_at) = (-1.0, f64::NEG_INFINITY);
    let mut pause = crate::Pause::AfterPaint;
    loop {
        crate::pause(std::mem::replace(&mut pause, crate::Pause::NextTask)).await;
        if !is_current(id) {
            return;
        }
        // A text to compile waits for the compiler module.
        let waiting = cell.borrow().as_ref().is_some_and(|j| j.waiting());
        if waiting {
            if let Err(e) = crate::tools::load().await {
                if is_current(id) {
                    stop_all();
                    on.emit(RunUpdate::Finished(
                        id,
                        Rc::new(Outcome::NoCompiler(e)),
                        None,
                    ));
                }
                return;
            }
            on.emit(RunUpdate::ToolsReady);
            continue;
        }
        let Some(job) = cell.borrow_mut().take() else {
            return;
        };
        match drive(job, SLICE_MS) {
            Ok(outcome) => {
                stop_all();
                let fallback = fallback(&req, &outcome);
                on.emit(RunUpdate::Finished(id, outcome, fallback));
                return;
            }
            Err(job) => {
                let p = job.progress();
                let texts = job.texts();
                *cell.borrow_mut() = Some(job);
                // A new percent is worth a render, ten times a second at most; a slice is not.
                let now = clock_ms();
                if p - shown >= 0.01 && now - shown_at >= PROGRESS_EVERY_MS {
                    (shown, shown_at) = (p, now);
                    on.emit(RunUpdate::Progress(id, p, texts));
                    pause = crate::Pause::InTurn;
                }
            }
        }
    }
}

/// Marks the phases of a run with `performance.measure` entries ("run <file>" for the whole,
/// "parse <file>", "simulate <file>", "lay out <file>" for its parts), for tests and users
/// (in the browser; natively there is no `window`).
struct Phases {
    perf: Option<web_sys::Performance>,
    name: String,
    last: String,
    /// The run waits for the page's first paint before its first slice: "run" and "simulate"
    /// start again when that slice does, so that they measure the run, not the page's first
    /// render and paint ("parse" and "set up", done before the wait, keep their measures).
    deferred: bool,
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
            deferred: false,
        };
        if let Some(perf) = &p.perf {
            let _ = perf.mark(&p.last);
        }
        p
    }

    /// The first slice of a deferred run begins: the run's measures start here (a measure
    /// from a mark name starts at the latest mark of that name).
    fn resume(&mut self) {
        if !std::mem::take(&mut self.deferred) {
            return;
        }
        if let Some(perf) = &self.perf {
            self.last = format!("run-start {}", self.name);
            let _ = perf.mark(&self.last);
        }
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

/// A run under way. The page drives it in slices ([`Job::work`]) so that a big scenario keeps
/// the tab painting and answering, with its progress shown. A text that needs the compiler
/// module waits for it first ([`Job::waiting`]).
pub struct Job(Box<JobParts>);

enum JobParts {
    /// To be compiled once the compiler module is loaded: an edited text, or the bundled
    /// text of scenario `id` (which comes with that module).
    Compile {
        id: String,
        text: Option<String>,
        phases: Phases,
    },
    Run {
        source: Rc<[u8]>,
        title: Text,
        description: Text,
        end: Instant,
        run: Box<SlicedRun>,
        phases: Phases,
    },
}

/// What starting a run gives: an outcome at once (errors in the file), or a run to drive.
pub enum Started {
    Done(Rc<Outcome>),
    Running(Job),
}

/// Sets up the run of bundled scenario `id` (or of an edited text of it) within the page's
/// limits: an unedited scenario from its form compiled at build time when the page carries it,
/// any other text through the compiler module (a job that waits for it when it is not loaded
/// yet).
pub fn start(id: &str, edited: Option<&str>) -> Started {
    let phases = Phases::start(&format!("{id}.toml"));
    let edited = edited.filter(|t| !crate::bundled::is_text_of(id, t));
    if edited.is_none()
        && let Some(bytes) = crate::bundled::precompiled(id)
    {
        return set_up(bytes, phases);
    }
    compile(id.to_string(), edited.map(str::to_string), phases)
}

/// Compiles a text (or scenario `id`'s bundled text) and sets up its run, or waits for the
/// compiler module.
fn compile(id: String, text: Option<String>, phases: Phases) -> Started {
    let text = text.or_else(|| crate::bundled::text(&id));
    let compiled = text
        .as_deref()
        .and_then(|t| crate::tools::compile(&phases.name, t, PAGE_MAX_CALLS));
    match compiled {
        Some(bytes) => set_up(&bytes, phases),
        // Loaded, and still no text: not a bundled scenario (the app only asks for those).
        None if crate::tools::ready() => {
            phases.finish();
            Started::Done(Rc::new(Outcome::CannotShow(RunMsg::NoBundled(id).text())))
        }
        None => {
            // The download starts now, while the page draws its first frame, not when the
            // run's driver first asks for it.
            crate::tools::prefetch();
            Started::Running(Job(Box::new(JobParts::Compile { id, text, phases })))
        }
    }
}

/// Reads a compile result and sets up its run.
fn set_up(bytes: &[u8], mut phases: Phases) -> Started {
    let read = tcpsim_scenario::compiled::decode(bytes);
    phases.done("parse");
    let compiled = match read {
        Ok(Ok(c)) => c,
        Ok(Err(errors)) => {
            phases.finish();
            return Started::Done(Rc::new(Outcome::Invalid(errors)));
        }
        Err(e) => {
            phases.finish();
            return Started::Done(Rc::new(Outcome::CannotShow(
                RunMsg::CompiledUnreadable(e.to_string()).text(),
            )));
        }
    };
    let Compiled {
        title,
        description,
        mut setup,
    } = compiled;
    setup.cfg.max_events = setup.cfg.max_events.min(PAGE_MAX_EVENTS);
    setup.cfg.max_sockets = setup.cfg.max_sockets.min(PAGE_MAX_SOCKETS);
    setup.cfg.max_memory = setup.cfg.max_memory.min(PAGE_MAX_MEMORY);
    let duration = setup.duration;
    let sim = setup.simulator();
    phases.done("set up");
    let run = sim.map_err(|_| RunMsg::SetupFailed.text()).and_then(|sim| {
        sim.sliced_until(Instant::ZERO + duration)
            .map_err(|e| stopped(&phases.name, e))
    });
    match run {
        Ok(run) => Started::Running(Job(Box::new(JobParts::Run {
            source: bytes.into(),
            title,
            description,
            end: Instant::from_micros(duration.as_micros()),
            run: Box::new(run),
            phases,
        }))),
        Err(e) => {
            phases.finish();
            Started::Done(Rc::new(Outcome::CannotShow(e)))
        }
    }
}

impl Job {
    /// Goes on with the run for at most `events` more events (the core's unit, so the trace
    /// does not depend on how the work is sliced). The outcome when the run is over, or the job
    /// to go on with. A job waiting for the compiler module stays as it is until it is loaded.
    pub fn work(self, events: u64) -> Result<Rc<Outcome>, Job> {
        match *self.0 {
            JobParts::Compile { id, text, phases } => match compile(id, text, phases) {
                Started::Done(o) => Ok(o),
                Started::Running(job) if job.waiting() => Err(job),
                Started::Running(job) => job.work(events),
            },
            JobParts::Run {
                source,
                title,
                description,
                end,
                mut run,
                mut phases,
            } => {
                phases.resume();
                let result = match run.step(events) {
                    Ok(false) => {
                        return Err(Job(Box::new(JobParts::Run {
                            source,
                            title,
                            description,
                            end,
                            run,
                            phases,
                        })));
                    }
                    Ok(true) => Ok(()),
                    Err(e) => Err(e),
                };
                let ran = run.finish(result);
                phases.done("simulate");
                let out = match ran {
                    Ok(trace) => finish(Source::Compiled(source), title, description, end, trace),
                    Err(e) => Rc::new(Outcome::CannotShow(stopped(&phases.name, e))),
                };
                phases.done("lay out");
                phases.finish();
                Ok(out)
            }
        }
    }

    /// Marks a job whose first slice waits for the page's first paint (see [`Phases`]).
    fn deferred(mut self) -> Job {
        match &mut *self.0 {
            JobParts::Compile { phases, .. } | JobParts::Run { phases, .. } => {
                phases.deferred = true
            }
        }
        self
    }

    /// Whether the job waits for the compiler module to be loaded.
    pub fn waiting(&self) -> bool {
        matches!(*self.0, JobParts::Compile { .. }) && !crate::tools::ready()
    }

    /// The calls the run makes in all (0 while its text waits to be compiled).
    pub fn calls_expected(&self) -> u64 {
        match &*self.0 {
            JobParts::Compile { .. } => 0,
            JobParts::Run { run, .. } => run.calls_expected(),
        }
    }

    /// How far the run is, from 0 to 1 (in simulated time).
    pub fn progress(&self) -> f64 {
        match &*self.0 {
            JobParts::Compile { .. } => 0.0,
            JobParts::Run { run, .. } => {
                let (now, end) = run.progress();
                now.as_micros() as f64 / end.as_micros().max(1) as f64
            }
        }
    }

    /// The scenario's title and description, once it is compiled.
    pub fn texts(&self) -> Option<(Text, Text)> {
        match &*self.0 {
            JobParts::Compile { .. } => None,
            JobParts::Run {
                title, description, ..
            } => Some((title.clone(), description.clone())),
        }
    }
}

/// Runs bundled scenario `id` (or an edited text of it) to its end: compile (or read its
/// compiled form), simulate within the page's limits, lay out. Natively the compiler is always
/// there; in the page a text that needs the compiler module before it is loaded gets a message.
pub fn run(id: &str, edited: Option<&str>) -> Rc<Outcome> {
    match start(id, edited) {
        Started::Done(o) => o,
        Started::Running(job) => job
            .work(u64::MAX)
            .unwrap_or_else(|_| Rc::new(Outcome::CannotShow(RunMsg::Unfinished.text()))),
    }
}

/// A run stopped on a limit, and where the limits are set, as the page says it in either
/// language.
fn stopped(name: &str, e: tcpsim_core::sim::RunError) -> Bi {
    let help = RunMsg::limit_help(&e.error).text();
    let what = RunMsg::Stopped {
        file: name.to_string(),
        error: e.error,
    }
    .text();
    Bi::new(
        format!("{} ({})", what.en, help.en),
        format!("{}（{}）", what.zh, help.zh),
    )
}

/// A capture's connection, in the form the second module gives it
/// (`tcpsim_web_tools::evidence_trace`), shown as a run is; or why it cannot be.
pub fn observed(bytes: &[u8]) -> Rc<Outcome> {
    use tcpsim_core::binary::{Reader, Wire};
    let status = bytes.first().copied();
    let mut r = Reader::new(bytes.get(1..).unwrap_or_default());
    let text = |r: &mut Reader<'_>| String::get(r).unwrap_or_default();
    let (en, zh) = (text(&mut r), text(&mut r));
    if status != Some(0) {
        return Rc::new(Outcome::CannotShow(Bi { en, zh }));
    }
    let title = Text { en, zh };
    let description = Text {
        en: text(&mut r),
        zh: text(&mut r),
    };
    match Trace::decode_observed(r.rest()) {
        Ok(trace) => finish(
            Source::Observed(bytes.into()),
            title,
            description,
            trace.end,
            trace,
        ),
        Err(e) => Rc::new(Outcome::CannotShow(Bi {
            en: e.to_string(),
            zh: e.to_string(),
        })),
    }
}

/// Lays out a finished run.
fn finish(
    source: Source,
    title: Text,
    description: Text,
    end: Instant,
    trace: Trace,
) -> Rc<Outcome> {
    let Some(layout) = layout(&trace, None) else {
        return Rc::new(Outcome::CannotShow(RunMsg::NothingToDraw.text()));
    };
    // Chart the host that ends with the most open sockets, when there are many: that is where
    // a leak piles up. Counted, not listed: listing 10 000 sockets is slow (PERFORMANCE.md).
    let open_at_end = tcpsim_render::chart::open_sockets_at(&trace, end);
    let busiest = (0..trace.hosts.len() as u32)
        .map(tcpsim_core::id::HostId)
        .zip(open_at_end)
        .max_by_key(|(h, n)| (*n, std::cmp::Reverse(*h)))
        .filter(|(_, n)| *n > 6)
        .map(|(h, _)| h);
    let series = busiest.map(|h| crate::chart::series(&trace, h).encode());
    Rc::new(Outcome::Ran(Rc::new(RunView {
        source,
        title,
        description,
        end,
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
        for id in crate::bundled::SCENARIOS {
            match &*run(id, None) {
                Outcome::Ran(v) => assert!(!v.layout.steps.is_empty(), "{id}"),
                Outcome::Invalid(e) => panic!("{id}: {e:?}"),
                Outcome::CannotShow(m) => panic!("{id}: {}", m.en),
                Outcome::NoCompiler(m) => panic!("{id}: {m}"),
                Outcome::Running(_) => panic!("{id}: run() runs to the end"),
            }
        }
    }

    #[test]
    fn a_bundled_scenario_runs_the_same_from_its_embedded_form_and_its_text() {
        for id in ["handshake", "leaked-close", "lb-idle-timeout", "time-wait"] {
            assert!(crate::bundled::precompiled(id).is_some(), "{id}");
            // The same text with a comment added is compiled from the text.
            let text = crate::bundled::text(id).unwrap() + "\n# edited\n";
            let (Outcome::Ran(embedded), Outcome::Ran(compiled)) =
                (&*run(id, None), &*run(id, Some(&text)))
            else {
                panic!("{id} runs")
            };
            assert!(embedded.trace == compiled.trace, "{id}");
            assert_eq!(embedded.title, compiled.title);
            assert_eq!(embedded.description, compiled.description);
        }
    }

    #[test]
    fn a_small_run_is_shown_in_the_first_frame_and_a_big_one_after_it() {
        let big = [
            "http-client-leak",
            "http-client-leak-production",
            "http-client-pooled",
        ];
        for id in crate::bundled::SCENARIOS {
            let Started::Running(job) = start(id, None) else {
                panic!("{id} sets up a run")
            };
            let calls = job.calls_expected();
            assert_eq!(
                calls > BIG_RUN_CALLS,
                big.contains(id),
                "{id}: {calls} calls"
            );
            match &*begin_after_paint(id, None) {
                Outcome::Running(r) => {
                    assert!(big.contains(id), "{id} waits");
                    assert_eq!(r.progress, 0.0, "{id}: no work before the first paint");
                }
                Outcome::Ran(_) => assert!(!big.contains(id), "{id} ran at once"),
                _ => panic!("{id}"),
            }
        }
    }

    #[test]
    fn a_run_driven_in_slices_ends_as_a_run_in_one_go() {
        let Outcome::Ran(whole) = &*run("http-client-leak", None) else {
            panic!("the leak runs")
        };
        let Started::Running(mut job) = start("http-client-leak", None) else {
            panic!("a run to drive")
        };
        let mut slices = 0;
        let mut last = 0.0;
        let out = loop {
            slices += 1;
            match job.work(1000) {
                Ok(o) => break o,
                Err(j) => {
                    assert!(j.progress() >= last, "progress goes forward");
                    last = j.progress();
                    job = j;
                }
            }
        };
        assert!(slices > 10, "{slices} slices");
        let Outcome::Ran(sliced) = &*out else {
            panic!("the sliced run ends")
        };
        assert!(sliced.trace == whole.trace);
        assert_eq!(sliced.layout.steps.len(), whole.layout.steps.len());
    }

    #[test]
    fn a_big_run_goes_on_until_a_newer_one_starts() {
        let Outcome::Running(r) = &*begin("http-client-leak", None, 0.0) else {
            panic!("no time given: the big run is left running")
        };
        assert!(is_current(r.id));
        let title = &r.texts.as_ref().expect("compiled").0.en;
        assert!(
            r.progress < 1.0 && title.contains("never closes"),
            "{title}"
        );
        // The handshake is over within its first slice.
        assert!(matches!(&*begin("handshake", None, 0.0), Outcome::Ran(_)));
        assert!(!is_current(r.id), "the older run's driver stops");
    }

    #[test]
    fn a_file_over_the_page_call_limit_is_sent_to_the_cli() {
        let text =
            crate::bundled::text("http-client-leak").unwrap() + "\n[limits]\nmax_calls = 5000000\n";
        let text = text.replacen("every = \"1s\"", "every = \"1ms\"", 1);
        let Outcome::Invalid(errors) = &*run("http-client-leak", Some(&text)) else {
            panic!("should not run")
        };
        assert!(
            errors.iter().any(|e| e.message.contains("that run here")
                && e.help
                    .as_deref()
                    .is_some_and(|h| h.contains("command-line"))),
            "{errors:?}"
        );
    }

    #[test]
    fn errors_carry_their_line() {
        let text = crate::bundled::text("handshake")
            .unwrap()
            .replace("call = \"connect\"", "call = \"conect\"");
        let Outcome::Invalid(errors) = &*run("handshake", Some(&text)) else {
            panic!("should not run")
        };
        let line = errors[0].line;
        assert!(
            text.lines()
                .nth(line as usize - 1)
                .unwrap()
                .contains("conect"),
            "line {line}: {errors:?}"
        );
        assert!(errors[0].message.contains("conect"), "{errors:?}");
    }
}
