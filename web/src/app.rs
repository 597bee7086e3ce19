//! The page: one reducer state (scenario, source, run, step, playback, language), actions, and
//! function components that take what they show as properties and report what the user does
//! through callbacks. The reducer is pure: reading and saving the text in local storage,
//! starting and driving runs ([`model::use_run`]) and the browser's preferences are effects.
//! The simulation runs once per scenario text; playback only moves the step through the layout
//! of that run.

use crate::bundled;
use crate::chart;
use crate::ladder::Ladder;
use crate::model::{self, Outcome, RunView};
use crate::statediagram::StateDiagram;
use crate::url;
use std::rc::Rc;
use tcpsim_core::state::State;
use tcpsim_render::i18n::msg::ViewMsg;
use tcpsim_render::i18n::{
    Lang, cause_text, errno_text, reason_text, state_meaning, timer_name, ui,
};
use tcpsim_render::layout::{Side, StepKind};
use web_sys::{HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Playback speeds, steps per second at 1x being 1.5.
pub const SPEEDS: [f64; 6] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0];
const SPEED_LABELS: [&str; 6] = ["0.25x", "0.5x", "1x", "2x", "4x", "8x"];

#[derive(Clone)]
pub struct AppState {
    pub lang: Lang,
    pub id: String,
    pub source: Rc<String>,
    /// The source differs from the bundled file.
    pub edited: bool,
    pub outcome: Rc<Outcome>,
    /// The last run that worked, shown while the editor's text has errors.
    pub last_good: Option<Rc<Outcome>>,
    pub step: usize,
    pub playing: bool,
    pub speed: usize,
    pub embed: bool,
    /// Whether the compiler and chart module is loaded (a render follows its arrival).
    pub tools_ready: bool,
    /// The run asked for; `outcome` follows it.
    pub request: model::RunRequest,
    /// The user prefers reduced motion: a scenario does not start playing by itself.
    pub reduce_motion: bool,
    /// A capture's connection is shown (`outcome`), not the scenario: the address keeps the
    /// scenario's, since a capture is never uploaded and cannot be linked to.
    pub observed: bool,
}

impl PartialEq for AppState {
    fn eq(&self, o: &Self) -> bool {
        self.lang == o.lang
            && self.id == o.id
            && Rc::ptr_eq(&self.source, &o.source)
            && Rc::ptr_eq(&self.outcome, &o.outcome)
            && self.step == o.step
            && self.playing == o.playing
            && self.speed == o.speed
            && self.tools_ready == o.tools_ready
            && self.request == o.request
            && self.observed == o.observed
    }
}

pub enum Action {
    SetLang(Lang),
    /// Open a bundled scenario, with the text saved for it, if any.
    Select(String, Option<String>),
    Edit(String),
    Restore,
    Goto(usize),
    Forward,
    Back,
    TogglePlay,
    Tick,
    Speed(usize),
    /// What the run asked for says (see [`model::RunUpdate`]).
    Run(model::RunUpdate),
    /// The compiler and chart module is loaded.
    ToolsReady,
    /// Show a capture's connection (from the evidence panel).
    Show(Rc<Outcome>),
}

impl AppState {
    pub fn view(&self) -> Option<&RunView> {
        match &*self.outcome {
            Outcome::Ran(v) => Some(v),
            _ => match self.last_good.as_deref() {
                Some(Outcome::Ran(v)) => Some(v),
                _ => None,
            },
        }
    }
    fn shown(&self) -> Option<Rc<Outcome>> {
        match &*self.outcome {
            Outcome::Ran(_) => Some(self.outcome.clone()),
            _ => self.last_good.clone(),
        }
    }
    pub fn is_running(&self) -> bool {
        matches!(&*self.outcome, Outcome::Running(_))
    }
    pub fn last_step(&self) -> usize {
        self.view()
            .map_or(0, |v| v.layout.steps.len().saturating_sub(1))
    }

    /// The initial state from the address, local storage and the browser's language.
    pub fn initial() -> AppState {
        let req = url::read();
        let id = req
            .scenario
            .filter(|s| bundled::find(s).is_some())
            .unwrap_or_else(|| bundled::DEFAULT.to_string());
        // A shared or saved text, unless it is the bundled one.
        let saved = req
            .source
            .or_else(|| url::saved_source(&id))
            .filter(|t| !bundled::is_text_of(&id, t));
        let edited = saved.is_some();
        // A small scenario runs here, so that the first frame shows its diagram; a big one
        // starts once that frame (with its progress bar) is on screen.
        let outcome = model::begin_after_paint(&id, saved.as_deref());
        let last_good = match &*outcome {
            Outcome::Ran(_) | Outcome::Running(_) => None,
            // A shared or saved text with errors: the bundled file's run is shown meanwhile.
            _ => Some(model::run(&id, None)),
        };
        let tools_ready = crate::tools::ready();
        // The run started above; a big one that ends with errors shows the bundled run too.
        let request = model::RunRequest {
            id: id.clone(),
            text: saved.clone().map(Rc::new),
            serial: 0,
            fallback: last_good.is_none(),
        };
        let reduce_motion = url::reduced_motion();
        // The editor's text: an edited one, or the bundled one once the compiler module (which
        // carries the texts) is loaded.
        let source = match saved {
            Some(t) => t,
            None => bundled::text(&id).unwrap_or_default(),
        };
        let mut s = AppState {
            lang: req.lang.unwrap_or_else(url::browser_lang),
            id,
            source: Rc::new(source),
            edited,
            outcome,
            last_good,
            step: 0,
            playing: false,
            speed: 2,
            embed: req.embed,
            tools_ready,
            request,
            reduce_motion,
            observed: false,
        };
        match req.step {
            // A run still under way keeps the asked step until it is over.
            Some(n) if s.is_running() => s.step = n,
            Some(n) => s.step = n.min(s.last_step()),
            // Opened without a moment to show: play from the start, unless motion is unwanted.
            None => s.playing = !reduce_motion,
        }
        s
    }
}

impl AppState {
    /// Asks for a run of the current scenario: the bundled text, or `text`.
    fn ask(&mut self, text: Option<Rc<String>>) {
        self.observed = false;
        self.request = model::RunRequest {
            id: self.id.clone(),
            text,
            serial: self.request.serial + 1,
            // A text with errors shows the bundled run meanwhile, unless a good run is kept.
            fallback: self.last_good.is_none(),
        };
    }

    /// A run's outcome arrived, perhaps with the bundled run to show meanwhile.
    fn arrived(&mut self, outcome: Rc<Outcome>, fallback: Option<Rc<Outcome>>) {
        self.outcome = outcome;
        if self.last_good.is_none() {
            self.last_good = fallback;
        }
        if !self.is_running() {
            self.step = self.step.min(self.last_step());
        }
    }
}

impl Reducible for AppState {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetLang(l) => s.lang = l,
            Action::Select(id, saved) => {
                if bundled::find(&id).is_none() {
                    return self;
                }
                let saved = saved.filter(|t| !bundled::is_text_of(&id, t));
                s.edited = saved.is_some();
                s.last_good = None;
                s.source = Rc::new(
                    saved
                        .clone()
                        .or_else(|| bundled::text(&id))
                        .unwrap_or_default(),
                );
                s.id = id;
                s.ask(saved.map(Rc::new));
                s.step = 0;
                s.playing = !s.reduce_motion;
            }
            Action::Edit(text) => {
                s.edited = !bundled::is_text_of(&s.id, &text);
                if matches!(&*s.outcome, Outcome::Ran(_)) {
                    s.last_good = Some(s.outcome.clone());
                }
                let text = Rc::new(text);
                s.source = text.clone();
                s.ask(Some(text));
            }
            Action::Restore => {
                s.source = Rc::new(bundled::text(&s.id).unwrap_or_default());
                s.edited = false;
                s.ask(None);
                s.step = 0;
            }
            Action::Goto(n) => {
                s.step = n.min(s.last_step());
                s.playing = false;
            }
            Action::Forward => {
                s.step = (s.step + 1).min(s.last_step());
                s.playing = false;
            }
            Action::Back => {
                s.step = s.step.saturating_sub(1);
                s.playing = false;
            }
            Action::TogglePlay => {
                if !s.playing && s.step >= s.last_step() {
                    s.step = 0;
                }
                s.playing = !s.playing;
            }
            Action::Tick => {
                if s.view().is_none() {
                    return self; // a run under way: playback starts when it is over
                }
                if s.step >= s.last_step() {
                    s.playing = false;
                } else {
                    s.step += 1;
                }
            }
            Action::Speed(i) => s.speed = i.min(SPEEDS.len() - 1),
            Action::Run(model::RunUpdate::Started(serial, outcome, fallback)) => {
                if serial != s.request.serial {
                    return self;
                }
                s.arrived(outcome, fallback);
            }
            Action::Run(model::RunUpdate::Progress(id, progress, texts)) => match &*s.outcome {
                Outcome::Running(r) if r.id == id => {
                    s.outcome = Rc::new(Outcome::Running(model::Running {
                        id,
                        job: r.job.clone(),
                        progress,
                        texts: texts.or_else(|| r.texts.clone()),
                    }))
                }
                _ => return self,
            },
            Action::Run(model::RunUpdate::Finished(id, outcome, fallback)) => match &*s.outcome {
                Outcome::Running(r) if r.id == id => s.arrived(outcome, fallback),
                _ => return self,
            },
            Action::Show(outcome) => {
                // The scenario's run, if one is under way, is not shown any more.
                model::stop_all();
                s.outcome = outcome;
                s.last_good = None;
                s.observed = true;
                s.step = 0;
                s.playing = !s.reduce_motion;
            }
            Action::ToolsReady | Action::Run(model::RunUpdate::ToolsReady) => {
                s.tools_ready = true;
                // The bundled text arrives with the module.
                if !s.edited && s.source.is_empty() {
                    s.source = Rc::new(bundled::text(&s.id).unwrap_or_default());
                }
            }
        }
        Rc::new(s)
    }
}

/// The explanation of the current step: what happened, why (with the RFC section), and what
/// to watch next.
pub fn explain(v: &RunView, step: usize, lang: Lang) -> (String, String, String) {
    let l = &v.layout;
    let Some(st) = l.steps.get(step) else {
        return Default::default();
    };
    let name = |side: Side| l.lifelines[side as usize].host.clone();
    let (what, why) = match &st.what {
        StepKind::Sent { arrow } => {
            let a = &l.arrows[*arrow];
            (
                format!("{} {} {}", name(a.from), ui("sends", lang), a.label),
                format!(
                    "{} ({})",
                    reason_text(a.reason, lang),
                    source_of(a.reason.rfc_section())
                ),
            )
        }
        StepKind::Arrived { arrow } => {
            let a = &l.arrows[*arrow];
            let to = a.from.other();
            (
                format!("{} {} {}", a.label, ui("arrives", lang), name(to)),
                reason_text(a.reason, lang).to_string(),
            )
        }
        StepKind::Lost { arrow } => {
            let a = &l.arrows[*arrow];
            (
                format!("{} {}", a.label, ui("lost", lang)),
                reason_text(a.reason, lang).to_string(),
            )
        }
        StepKind::State { from, to, cause } => (
            format!("{}: {from} → {to}", st.side.map_or(String::new(), name)),
            format!(
                "{} ({})",
                cause_text(*cause, lang),
                source_of(cause.rfc_section())
            ),
        ),
        StepKind::Call { text, .. } => (
            format!(
                "{}: {} {text}",
                st.side.map_or(String::new(), name),
                ui("calls", lang)
            ),
            String::new(),
        ),
        StepKind::Error { text } => {
            let errno = tcpsim_core::errno::Errno::from_name(text);
            let msg = errno.map_or(String::new(), |e| errno_text(e, lang).to_string());
            (
                format!("{}: {text}", st.side.map_or(String::new(), name)),
                msg,
            )
        }
        StepKind::TimerFired { timer } => (
            format!(
                "{}: {} {}",
                st.side.map_or(String::new(), name),
                timer_name(*timer, lang),
                ui("timer_fires", lang)
            ),
            String::new(),
        ),
    };
    let side = st.side.unwrap_or(Side::Left);
    // Before its first transition a socket is CLOSED (RFC 9293: no TCB yet).
    let now = l.state_at(side, step).unwrap_or(State::Closed);
    // A CLOSED socket that a call is about to open (connect(), listen(), a SYN arriving): the
    // state it enters next, rather than "no connection".
    let upcoming = (now == State::Closed)
        .then(|| {
            l.bands
                .iter()
                .find(|b| b.side == side && b.step > step && b.state != State::Closed)
        })
        .flatten();
    let mut next = match upcoming {
        Some(b) => format!(
            "{} {} {}: {}",
            name(side),
            ui("enters_next", lang),
            b.state,
            state_meaning(b.state, lang)
        ),
        None => format!("{now}: {}", state_meaning(now, lang)),
    };
    // The leaked close, said plainly: in CLOSE-WAIT, and the application never closes.
    for s in [Side::Left, Side::Right] {
        if l.state_at(s, step) == Some(State::CloseWait)
            && l.state_at(s, l.steps.len() - 1) == Some(State::CloseWait)
        {
            next = format!("{}: {}", name(s), ui("never_closed", lang));
        }
    }
    (what, why, next)
}

/// "RFC 9293 §3.10.7.4" for an RFC section, the source's own name otherwise ("Linux tcp_fin_timeout").
fn source_of(section: &str) -> String {
    if section.starts_with(|c: char| c.is_ascii_digit()) {
        format!("RFC 9293 §{section}")
    } else {
        section.to_string()
    }
}

/// Playback icons as SVG, so they show whatever fonts the machine has.
fn icon(d: &'static str) -> Html {
    html! { <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true"><path d={d} /></svg> }
}
const ICON_BACK: &str = "M3 2h2v12H3zM14 2v12L6 8z";
const ICON_FWD: &str = "M11 2h2v12h-2zM2 2v12l8-6z";
const ICON_PLAY: &str = "M4 2v12l10-6z";
const ICON_PAUSE: &str = "M3 2h4v12H3zM9 2h4v12H9z";

#[function_component]
pub fn App() -> Html {
    let state = use_reducer(|| {
        let s = AppState::initial();
        crate::mark("tcpsim-initial-run");
        s
    });
    // The language switch's label in the English interface, "中文", is the page's only Chinese
    // text, and the first layout of a Chinese glyph makes the browser search the system's fonts
    // for one (more than all the rest of the page's text costs: PERFORMANCE.md). So
    // that search waits until the first diagram is on screen: the label is drawn one frame
    // later, in a button whose width is reserved and whose accessible name is there at once.
    // While a big run goes on (the page opened on one), it waits for the run to end, so as
    // not to take its time.
    let painted = use_state(|| false);
    {
        let set_painted = painted.setter();
        let done = *painted;
        use_effect_with(state.is_running(), move |running| {
            if !*running && !done {
                set_painted.set(true);
            }
        });
    }
    use_effect_with((), move |_| {
        crate::mark("tcpsim-first-render");
        // The next animation frame is the one that paints the first diagram.
        if let Some(w) = web_sys::window() {
            let cb =
                wasm_bindgen::closure::Closure::once_into_js(|| crate::mark("tcpsim-first-frame"));
            let _ = w.request_animation_frame(wasm_bindgen::JsCast::unchecked_ref(&cb));
        }
    });

    // Playback: a timer moves the step; the simulation is not re-run.
    {
        let dispatch = state.dispatcher();
        use_effect_with((state.playing, state.speed), move |(playing, speed)| {
            let interval = playing.then(|| {
                let ms = (650.0 / SPEEDS[*speed]) as u32;
                gloo_timers::callback::Interval::new(ms, move || dispatch.dispatch(Action::Tick))
            });
            move || drop(interval)
        });
    }
    // The run asked for starts, and a big one goes on in slices; the page paints and answers
    // in between.
    {
        let dispatch = state.dispatcher();
        let on_run = Callback::from(move |u| dispatch.dispatch(Action::Run(u)));
        model::use_run(&state.request, &state.outcome, on_run);
    }
    // An edited text is kept in local storage (not a shared one the page opened with, until it
    // is edited), so that it is there when the scenario is opened again.
    {
        let opened = use_mut_ref(|| true);
        use_effect_with(
            (state.id.clone(), state.edited, state.source.clone()),
            move |(id, edited, source)| {
                if !std::mem::replace(&mut *opened.borrow_mut(), false) {
                    url::save_source(id, edited.then_some(source.as_str()));
                }
            },
        );
    }
    // A run with a chart loads the chart module (once per visit).
    {
        let dispatch = state.dispatcher();
        let needs = !state.tools_ready && state.view().is_some_and(|v| v.series.is_some());
        use_effect_with(needs, move |needs| {
            if *needs {
                fetch_tools(dispatch);
            }
        });
    }
    // The address follows the state, so a link reopens this moment.
    {
        let s = (*state).clone();
        use_effect_with(
            (
                s.id.clone(),
                s.step,
                s.lang,
                s.edited,
                s.source.clone(),
                s.observed,
            ),
            move |(id, step, lang, edited, source, observed)| {
                if !*observed {
                    url::write(id, *step, *lang, edited.then_some(source.as_str()));
                }
                if let Some(doc) = web_sys::window().and_then(|w| w.document())
                    && let Some(root) = doc.document_element()
                {
                    let _ =
                        root.set_attribute("lang", if *lang == Lang::Zh { "zh-CN" } else { "en" });
                }
            },
        );
    }
    // Keyboard: space plays or pauses, arrows step (not while typing in the editor).
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                gloo_events::EventListener::new(&w, "keydown", move |e| {
                    let Some(e) = wasm_bindgen::JsCast::dyn_ref::<web_sys::KeyboardEvent>(e) else {
                        return;
                    };
                    let typing = e
                        .target()
                        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                        .is_some_and(|el| {
                            matches!(el.tag_name().as_str(), "TEXTAREA" | "INPUT" | "SELECT")
                        });
                    if typing {
                        return;
                    }
                    match e.key().as_str() {
                        " " => {
                            e.prevent_default();
                            dispatch.dispatch(Action::TogglePlay)
                        }
                        "ArrowRight" => dispatch.dispatch(Action::Forward),
                        "ArrowLeft" => dispatch.dispatch(Action::Back),
                        _ => {}
                    }
                })
            });
            move || drop(listener)
        });
    }

    let lang = state.lang;
    let s = &*state;
    let dispatch = state.dispatcher();
    let lang_label = ui("lang", lang);
    let lang_shown = if *painted || lang == Lang::Zh {
        lang_label
    } else {
        ""
    };
    let on_lang = {
        let d = dispatch.clone();
        Callback::from(move |_| {
            d.dispatch(Action::SetLang(if lang == Lang::En {
                Lang::Zh
            } else {
                Lang::En
            }))
        })
    };
    let on_select = {
        let d = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
                let id = sel.value();
                let saved = url::saved_source(&id);
                d.dispatch(Action::Select(id, saved));
            }
        })
    };
    let on_move = {
        let d = dispatch.clone();
        Callback::from(move |m| {
            d.dispatch(match m {
                Move::Goto(n) => Action::Goto(n),
                Move::Back => Action::Back,
                Move::Forward => Action::Forward,
                Move::TogglePlay => Action::TogglePlay,
                Move::Speed(i) => Action::Speed(i),
            })
        })
    };
    let on_edit = {
        let d = dispatch.clone();
        Callback::from(move |text| d.dispatch(Action::Edit(text)))
    };
    let on_restore = {
        let d = dispatch.clone();
        Callback::from(move |()| d.dispatch(Action::Restore))
    };
    let on_open = {
        let d = dispatch.clone();
        Callback::from(move |()| {
            if !crate::tools::ready() {
                fetch_tools(d.clone());
            }
        })
    };
    let on_show = {
        let d = dispatch.clone();
        Callback::from(move |o| d.dispatch(Action::Show(o)))
    };
    let texts = match (&*s.outcome, s.view()) {
        (_, Some(v)) => Some((&v.title, &v.description)),
        (Outcome::Running(r), None) => r.texts.as_ref().map(|(t, d)| (t, d)),
        _ => None,
    };
    let pick = |t: &tcpsim_scenario::model::Text| {
        if lang == Lang::Zh {
            t.zh.clone()
        } else {
            t.en.clone()
        }
    };
    let title = texts.map_or(String::new(), |(t, _)| pick(t));
    let description = texts.map_or(String::new(), |(_, d)| pick(d));

    let picker = html! {
        <label class="picker">{ui("scenario", lang)}{" "}
            <select data-testid="scenario-select" onchange={on_select} aria-label={ui("scenario", lang)}>
                { for bundled::SCENARIOS.iter().zip(bundled::titles()).map(|(id, (en, zh))| {
                    let t = if lang == Lang::Zh { zh } else { en };
                    html! { <option value={*id} selected={*id == s.id}>{t}</option> }
                }) }
            </select>
        </label>
    };

    let main = match s.shown() {
        Some(outcome) => match &*outcome {
            Outcome::Ran(v) => html! {
                <RunPanels view={v.clone()} id={s.id.clone()} step={s.step} lang={lang} playing={s.playing} speed={s.speed} embed={s.embed} tools_ready={s.tools_ready} on_move={on_move} />
            },
            _ => html! {},
        },
        None => match &*s.outcome {
            Outcome::Running(r) => running_status(r, lang),
            Outcome::CannotShow(m) => {
                html! { <div class="too-large" data-testid="too-large" role="alert"><strong>{ui("too_large", lang)}</strong><p>{m.get(lang).to_string()}</p></div> }
            }
            Outcome::NoCompiler(m) => no_compiler(m, lang),
            _ => html! {},
        },
    };
    let cannot = match &*s.outcome {
        Outcome::CannotShow(m) if s.shown().is_some() => {
            html! { <div class="too-large" data-testid="too-large" role="alert"><strong>{ui("too_large", lang)}</strong><p>{m.get(lang).to_string()}</p></div> }
        }
        Outcome::NoCompiler(m) if s.shown().is_some() => no_compiler(m, lang),
        // An edit being run, while the last good diagram stays.
        Outcome::Running(r) if s.shown().is_some() => running_status(r, lang),
        _ => html! {},
    };
    if s.embed {
        // Embedded in another page: the diagram and the timeline only.
        return html! { <div class="app embed">{ main }</div> };
    }
    html! {
        <div class="app">
            <header>
                <h1>{ui("app_title", lang)}</h1>
                { picker }
                <button class="lang" data-testid="lang" aria-label={lang_label} onclick={on_lang}>{lang_shown}</button>
            </header>
            <section class="intro">
                <h2 data-testid="title">{title}</h2>
                { for paragraphs(&description).into_iter().map(|p| html! { <p>{p}</p> }) }
            </section>
            { cannot }
            { main }
            <Editor source={s.source.clone()} outcome={s.outcome.clone()} edited={s.edited} lang={lang} on_edit={on_edit} on_restore={on_restore} on_open={on_open} />
            <crate::evidence::Evidence lang={lang} on_show={on_show} />
            <footer><p>{ui("keys", lang)}</p></footer>
        </div>
    }
}

/// A scenario's description as paragraphs: a blank line parts them, and the lines of one are
/// joined as the text flows (the files wrap their lines by hand, which a phone's narrow column
/// should not show): with a space after a word, with nothing between two Chinese sentences.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let ascii_seam = current.chars().next_back().is_some_and(|c| c.is_ascii())
            || line.chars().next().is_some_and(|c| c.is_ascii());
        if !current.is_empty() && ascii_seam {
            current.push(' ');
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Loads the compiler and chart module, then renders again with it. (A run waiting for it is
/// driven by its own loop, which reports a failed load.)
fn fetch_tools(dispatch: UseReducerDispatcher<AppState>) {
    yew::platform::spawn_local(async move {
        if crate::tools::load().await.is_ok() {
            dispatch.dispatch(Action::ToolsReady);
        }
    });
}

/// A run under way: how far it is, or that the compiler module is on its way.
fn running_status(r: &model::Running, lang: Lang) -> Html {
    let loading = r.job.borrow().as_ref().is_some_and(|j| j.waiting());
    if loading {
        return html! {
            <div class="running" data-testid="running" role="status" aria-live="polite">
                <span>{ui("loading_compiler", lang)}</span>
                <progress aria-label={ui("loading_compiler", lang)}></progress>
            </div>
        };
    }
    let pct = (r.progress * 100.0).clamp(0.0, 100.0) as u32;
    html! {
        <div class="running" data-testid="running" role="status" aria-live="polite">
            <span>{ui("running", lang)}</span>
            <progress max="100" value={pct.to_string()} aria-label={ui("running", lang)}></progress>
            <span>{format!("{pct}%")}</span>
        </div>
    }
}

/// The compiler module did not load: what to do, and what the browser said.
fn no_compiler(detail: &str, lang: Lang) -> Html {
    html! {
        <div class="too-large" data-testid="too-large" role="alert">
            <strong>{ui("load_failed", lang)}</strong>
            <p><code>{detail.to_string()}</code></p>
        </div>
    }
}

/// What the user does with the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Goto(usize),
    Back,
    Forward,
    TogglePlay,
    Speed(usize),
}

#[derive(Properties, Clone)]
pub struct RunPanelsProps {
    pub view: Rc<RunView>,
    pub id: String,
    pub step: usize,
    pub lang: Lang,
    pub playing: bool,
    pub speed: usize,
    pub embed: bool,
    /// The chart module is loaded: the chart can be drawn.
    pub tools_ready: bool,
    /// The user moved in the timeline, played, paused or changed the speed.
    pub on_move: Callback<Move>,
}

impl PartialEq for RunPanelsProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.view, &o.view)
            && self.id == o.id
            && self.step == o.step
            && self.lang == o.lang
            && self.playing == o.playing
            && self.speed == o.speed
            && self.embed == o.embed
            && self.tools_ready == o.tools_ready
    }
}

/// A run: the states of both ends, the timeline's controls, the ladder, the explanation of the
/// step, the state diagram and the sockets.
#[function_component]
pub fn RunPanels(p: &RunPanelsProps) -> Html {
    let (v, lang) = (&p.view, p.lang);
    let l = &v.layout;
    let step = p.step.min(l.steps.len().saturating_sub(1));
    let last = l.steps.len().saturating_sub(1);
    // Before its first transition a socket is CLOSED (RFC 9293: no TCB yet).
    let left = Some(l.state_at(Side::Left, step).unwrap_or(State::Closed));
    let right = Some(l.state_at(Side::Right, step).unwrap_or(State::Closed));
    let names = [l.lifelines[0].host.clone(), l.lifelines[1].host.clone()];
    let testid = |i: usize| {
        if names[0] == names[1] {
            format!(
                "state-{}-{}",
                names[i],
                l.lifelines[i].label.clone().unwrap_or_default()
            )
        } else {
            format!("state-{}", names[i])
        }
    };
    // Two ends on one host (loopback) are told apart by their sockets' names.
    let who = |i: usize| match (&l.lifelines[i].label, names[0] == names[1]) {
        (Some(label), true) => format!("{} {label}", names[i]),
        _ => names[i].clone(),
    };
    let taken = match l.steps.get(step).map(|st| &st.what) {
        Some(StepKind::State { from, to, cause }) => Some((*from, *to, *cause)),
        _ => None,
    };
    let (what, why, next) = explain(v, step, lang);
    let t_now = l.steps.get(step).map(|st| st.t).unwrap_or_default();

    let on_play = p.on_move.reform(|_: MouseEvent| Move::TogglePlay);
    let on_back = p.on_move.reform(|_: MouseEvent| Move::Back);
    let on_fwd = p.on_move.reform(|_: MouseEvent| Move::Forward);
    // A control's value, read from the element the event came from.
    let value = |e: &Event| {
        e.target()
            .and_then(|t| js_sys::Reflect::get(&t, &"value".into()).ok())
            .and_then(|v| v.as_string()?.parse().ok())
    };
    let on_scrub = p
        .on_move
        .reform(move |e: InputEvent| Move::Goto(value(&e).unwrap_or(0)));
    let on_speed = p
        .on_move
        .reform(move |e: Event| Move::Speed(value(&e).unwrap_or(2)));
    let ns = v.netstat_at(t_now);
    let counts = ns.counts(None);
    let chart_svg = v.busiest.zip(v.series.as_ref()).map(|(h, series)| {
        let title = format!("{} — {}", ui("chart", lang), v.trace.hosts[h.index()].name);
        match chart::svg(series, t_now, &title, lang == Lang::Zh) {
            Some(svg) => Html::from_html_unchecked(AttrValue::from(svg)),
            // The chart module is on its way (the app loads it when a run has a chart).
            None => {
                html! { <p class="chart-loading" role="status">{ui("loading_chart", lang)}</p> }
            }
        }
    });
    let rows: Vec<_> = ns.rows.iter().take(12).collect();
    // A run with many connections has a chart of sockets per state over time: it, the counts
    // and the table come first in the side panel (at 1280x720 the state diagram would push the
    // chart below the fold), and the chart comes before the table's first rows.
    let many = chart_svg.is_some();
    let diagram = html! {
        <section class="diagram">
            <h3>{ui("state_diagram", lang)}</h3>
            <StateDiagram left={left} right={right} left_name={AttrValue::from(names[0].clone())} right_name={AttrValue::from(names[1].clone())} taken={taken} lang={lang} />
        </section>
    };
    let netstat = html! {
        <section class="netstat" data-testid="netstat">
            <h3>{ui("sockets", lang)}</h3>
            <p class="counts">{ for counts.iter().map(|(st, n)| html! { <span class={classes!("count", crate::ladder::state_class(*st))}>{format!("{} {n}", st.netstat_name())}</span> }) }</p>
            if let Some(c) = chart_svg { <div class="chart" data-testid="chart">{c}</div> }
            <table>
                <thead><tr><th>{"State"}</th><th>{"Recv-Q"}</th><th>{"Send-Q"}</th><th>{"Local"}</th><th>{"Peer"}</th></tr></thead>
                <tbody>
                    { for rows.iter().map(|r| html! { <tr><td>{r.state.ss_name()}</td><td>{r.recv_q}</td><td>{r.send_q}</td><td>{r.local.to_string()}</td><td>{r.remote.map_or("*".to_string(), |a| a.to_string())}</td></tr> }) }
                </tbody>
            </table>
            if ns.rows.len() > rows.len() { <p class="more">{ui("more_sockets", lang).replace("{n}", &(ns.rows.len() - rows.len()).to_string())}</p> }
        </section>
    };
    html! {
        <main>
            <div class="states" aria-live="polite">
                <div class="endpoint left">
                    <span class="who">{who(0)}</span>
                    <span class={classes!("state", left.map(crate::ladder::state_class))} data-testid={testid(0)}>{left.map_or("-", |s| s.rfc_name())}</span>
                </div>
                <div class="endpoint right">
                    <span class="who">{who(1)}</span>
                    <span class={classes!("state", right.map(crate::ladder::state_class))} data-testid={testid(1)}>{right.map_or("-", |s| s.rfc_name())}</span>
                </div>
            </div>
            <nav class="controls" aria-label="timeline">
                <button data-testid="step-back" onclick={on_back} disabled={step == 0} title={ui("step_back", lang)} aria-label={ui("step_back", lang)}>{icon(ICON_BACK)}</button>
                <button data-testid="play" onclick={on_play} aria-label={if p.playing { ui("pause", lang) } else { ui("play", lang) }}>{ icon(if p.playing { ICON_PAUSE } else { ICON_PLAY }) }</button>
                <button data-testid="step-forward" onclick={on_fwd} disabled={step >= last} title={ui("step_forward", lang)} aria-label={ui("step_forward", lang)}>{icon(ICON_FWD)}</button>
                <input type="range" data-testid="scrub" min="0" max={last.to_string()} value={step.to_string()} oninput={on_scrub} aria-label={ui("step", lang)} />
                <span class="counter" data-testid="step-counter">{format!("{} {} {} {}", ui("step", lang), step + 1, ui("of", lang), last + 1)}</span>
                <span class="time">{format!("{} / {}", t_now, tcpsim_core::time::Duration::from_micros(v.end.as_micros()))}</span>
                <label>{ui("speed", lang)}{" "}
                    <select data-testid="speed" onchange={on_speed}>
                        { for SPEED_LABELS.iter().enumerate().map(|(i, x)| html! { <option value={i.to_string()} selected={i == p.speed}>{*x}</option> }) }
                    </select>
                </label>
            </nav>
            if p.embed {
                <Ladder view={v.clone()} step={step} lang={lang} />
            } else {
            <div class="panels">
                <section class="ladder-panel">
                    <h3>{ui("ladder", lang)}</h3>
                    <Ladder view={v.clone()} step={step} lang={lang} />
                    <Share view={v.clone()} id={p.id.clone()} step={step} lang={lang} title={if lang == Lang::Zh { v.title.zh.clone() } else { v.title.en.clone() }} />
                </section>
                <aside>
                    <section class="explain" data-testid="explanation">
                        <h3>{ui("explanation", lang)}</h3>
                        <p class="what">{what}</p>
                        if !why.is_empty() { <p class="why"><strong>{ui("why", lang)}{": "}</strong>{why}</p> }
                        <p class="next"><strong>{ui("watch_next", lang)}{": "}</strong>{next}</p>
                    </section>
                    if many { {netstat} {diagram} } else { {diagram} {netstat} }
                </aside>
            </div>
            }
        </main>
    }
}

#[derive(Properties, Clone)]
pub struct ShareProps {
    pub view: Rc<RunView>,
    pub id: String,
    pub step: usize,
    pub lang: Lang,
    pub title: String,
}

impl PartialEq for ShareProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.view, &o.view)
            && self.id == o.id
            && self.step == o.step
            && self.lang == o.lang
    }
}

/// Starts a download of `text` as a file (a data URL on a temporary link).
fn download(name: &str, mime: &str, text: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(a) = doc.create_element("a") else {
        return;
    };
    let href = format!(
        "data:{mime};charset=utf-8,{}",
        js_sys::encode_uri_component(text)
            .as_string()
            .unwrap_or_default()
    );
    let _ = a.set_attribute("href", &href);
    let _ = a.set_attribute("download", name);
    if let Some(body) = doc.body() {
        let _ = body.append_child(&a);
        if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(a.clone()) {
            el.click();
        }
        a.remove();
    }
}

/// Export the current view (SVG, Mermaid) and share it as an embeddable page.
#[function_component]
pub fn Share(p: &ShareProps) -> Html {
    let embed_code = use_state(|| None::<String>);
    let lang = p.lang;
    // Exports are drawn by the second module (the first carries no exporter), loaded on the
    // first click.
    let exporter = |kind: u8, suffix: &'static str, mime: &'static str| {
        let p = p.clone();
        Callback::from(move |_: MouseEvent| {
            let p = p.clone();
            yew::platform::spawn_local(async move {
                if crate::tools::load().await.is_err() {
                    return;
                }
                let (bytes, observed) = match &p.view.source {
                    model::Source::Compiled(b) => (b, false),
                    model::Source::Observed(b) => (b, true),
                };
                if let Some(text) = crate::tools::export(kind, bytes, observed, p.step, &p.title) {
                    download(&format!("tcpsim-{}{suffix}", p.id), mime, &text);
                }
            });
        })
    };
    let on_svg = exporter(0, ".svg", "image/svg+xml");
    let on_mermaid = exporter(1, ".mmd", "text/plain");
    let on_states = exporter(2, "-states.svg", "image/svg+xml");
    let on_embed = {
        let p = p.clone();
        let embed_code = embed_code.clone();
        Callback::from(move |_| {
            let loc = web_sys::window().map(|w| w.location());
            let base = loc
                .as_ref()
                .and_then(|l| Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?)))
                .unwrap_or_default();
            let code = format!(
                "<iframe src=\"{base}?embed&scenario={}&step={}&lang={}\" width=\"800\" height=\"600\" title=\"{}\" style=\"border:0\"></iframe>",
                p.id,
                p.step,
                p.lang.code(),
                p.title.replace('"', "&quot;")
            );
            // Copy when the browser allows it; the code is shown either way.
            if let Some(clip) = web_sys::window()
                .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"clipboard".into()).ok())
                .filter(|c| !c.is_undefined())
                && let Ok(f) = js_sys::Reflect::get(&clip, &"writeText".into())
                && let Ok(f) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f)
            {
                let _ = f.call1(&clip, &code.clone().into());
            }
            embed_code.set(Some(code));
        })
    };
    html! {
        <div class="share">
            <button data-testid="export-svg" onclick={on_svg}>{ui("export_svg", lang)}</button>
            <button data-testid="export-mermaid" onclick={on_mermaid}>{ui("export_mermaid", lang)}</button>
            <button data-testid="export-states" onclick={on_states}>{ui("export_states", lang)}</button>
            <button data-testid="embed" onclick={on_embed}>{ui("embed", lang)}</button>
            if let Some(code) = &*embed_code {
                <textarea class="embed-code" data-testid="embed-code" readonly=true rows="3" value={code.clone()} aria-label={ui("embed", lang)} />
            }
        </div>
    }
}

#[derive(Properties, Clone)]
pub struct EditorProps {
    pub source: Rc<String>,
    pub outcome: Rc<Outcome>,
    pub edited: bool,
    pub lang: Lang,
    /// The text was edited (debounced: told a moment after the last keystroke).
    pub on_edit: Callback<String>,
    /// The user asks for the bundled text back.
    pub on_restore: Callback<()>,
    /// The editor was opened or focused: the compiler module is wanted soon.
    pub on_open: Callback<()>,
}

impl PartialEq for EditorProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.source, &o.source)
            && Rc::ptr_eq(&self.outcome, &o.outcome)
            && self.lang == o.lang
            && self.edited == o.edited
    }
}

/// The scenario's TOML, editable; errors appear at their line as you type.
#[function_component]
pub fn Editor(p: &EditorProps) -> Html {
    let lang = p.lang;
    let pending = use_mut_ref(|| None::<gloo_timers::callback::Timeout>);
    let on_input = {
        let on_edit = p.on_edit.clone();
        let pending = pending.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = e.target_dyn_into::<HtmlTextAreaElement>() {
                let text = t.value();
                let on_edit = on_edit.clone();
                // Debounced: a large scenario is not re-run on every keystroke.
                *pending.borrow_mut() = Some(gloo_timers::callback::Timeout::new(250, move || {
                    on_edit.emit(text)
                }));
            }
        })
    };
    let on_restore = p.on_restore.reform(|_: MouseEvent| ());
    let errors = match &*p.outcome {
        Outcome::Invalid(list) => list.clone(),
        _ => Vec::new(),
    };
    let lines = p.source.lines().count().max(1);
    // The bundled text comes with the compiler module: fetched when the editor is opened.
    let loading = !p.edited && p.source.is_empty();
    let fetch = p.on_open.reform(|_: Event| ());
    let gutter: Html = (1..=lines)
        .map(|n| {
            let bad = errors.iter().any(|e| e.line as usize == n);
            html! { <span class={classes!("ln", bad.then_some("bad"))}>{n}</span> }
        })
        .collect();
    html! {
        <section class="editor-panel">
            // Opening the editor fetches the compiler module, so that the first edit is quick.
            <details open={!errors.is_empty() || p.edited} ontoggle={fetch.clone()}>
                <summary>{ui("editor", lang)}</summary>
                if !errors.is_empty() {
                    <div class="errors" data-testid="error" role="alert">
                        { for errors.iter().map(|e| html! {
                            <p><strong>{ViewMsg::LineCol(e.line, e.column).text().get(lang).to_string()}</strong>{if lang == Lang::Zh { e.message_zh.clone() } else { e.message.clone() }}
                            if let Some(h) = if lang == Lang::Zh { &e.help_zh } else { &e.help } { <br /><em>{h.clone()}</em> }</p>
                        }) }
                    </div>
                }
                <div class="editor-box">
                    <pre class="gutter" aria-hidden="true">{gutter}</pre>
                    <textarea data-testid="editor" spellcheck="false" aria-label={ui("editor", lang)} value={(*p.source).clone()} oninput={on_input} onfocus={fetch.reform(|e: FocusEvent| Event::from(e))} readonly={loading} placeholder={if loading { ui("loading_text", lang) } else { "" }} rows={lines.min(40).to_string()} />
                </div>
                if p.edited { <button onclick={on_restore}>{ui("reset", lang)}</button> }
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::{Action, AppState, SPEED_LABELS, SPEEDS, explain, paragraphs};
    use std::rc::Rc;
    use tcpsim_render::i18n::Lang;
    use tcpsim_render::layout::StepKind;
    use yew::Reducible;

    #[test]
    fn a_call_on_a_closed_socket_says_which_state_comes_next() {
        let crate::model::Outcome::Ran(v) = &*crate::model::run("handshake", None) else {
            panic!("handshake runs")
        };
        let connect = v
            .layout
            .steps
            .iter()
            .position(
                |s| matches!(&s.what, StepKind::Call { text, .. } if text.starts_with("connect")),
            )
            .expect("the client calls connect()");
        let (what, _, next) = explain(v, connect, Lang::En);
        assert!(what.contains("connect"), "{what}");
        assert!(
            next.starts_with("client next enters SYN-SENT: Our SYN is out"),
            "{next}"
        );
        let (_, _, next) = explain(v, connect, Lang::Zh);
        assert!(
            next.starts_with("client 接下来进入 SYN-SENT: 已发出 SYN"),
            "{next}"
        );
        // Once the connection is over, a CLOSED socket has nothing next.
        let last = v.layout.steps.len() - 1;
        let (_, _, next) = explain(v, last, Lang::En);
        assert!(!next.contains("next enters"), "{next}");
    }

    /// A state on bundled scenario `id`, as the page holds it once its run is over.
    fn state(id: &str) -> AppState {
        AppState {
            lang: Lang::En,
            id: id.into(),
            source: Rc::new(String::new()),
            edited: false,
            outcome: crate::model::run(id, None),
            last_good: None,
            step: 0,
            playing: false,
            speed: 2,
            embed: false,
            tools_ready: false,
            request: crate::model::RunRequest {
                id: id.into(),
                text: None,
                serial: 0,
                fallback: false,
            },
            reduce_motion: true,
            observed: false,
        }
    }

    /// A capture's connection, as the evidence panel hands it over.
    fn capture_connection(n: u32) -> Rc<crate::model::Outcome> {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../crates/tcpsim-evidence/tests/captures/real-incidents.pcapng"
        ))
        .unwrap();
        assert_eq!(
            tcpsim_web_tools::evidence("real.pcapng", bytes, false),
            None
        );
        while tcpsim_web_tools::evidence_step(100) < 1.0 {}
        crate::model::observed(&tcpsim_web_tools::evidence_trace(n))
    }

    #[test]
    fn a_capture_connection_is_shown_as_a_run_until_a_scenario_is_picked() {
        let s = Rc::new(state("handshake"));
        let shown = s.reduce(Action::Show(capture_connection(5)));
        assert!(shown.observed);
        let v = shown.view().expect("the connection is shown");
        assert_eq!(
            v.title.en,
            "Capture real.pcapng, connection 5: observed (not simulated)"
        );
        assert!(v.title.zh.contains("实际观测"));
        assert!(
            v.description
                .en
                .starts_with("reset by a side that closed with data")
        );
        assert!(v.trace.observed.is_some());
        assert_eq!(shown.step, 0);
        // Its explanation speaks of what the wire showed.
        let reset = v
            .layout
            .steps
            .iter()
            .position(|st| matches!(&st.what, StepKind::Sent { arrow } if v.layout.arrows[*arrow].flags.rst()))
            .expect("the reset is a step");
        let (what, why, _) = explain(v, reset, Lang::En);
        assert!(what.contains("RST"), "{what}");
        assert!(
            why.starts_with("close() with unread received data"),
            "{why}"
        );
        // Picking a scenario leaves the capture.
        let back = shown.reduce(Action::Select("four-way-close".into(), None));
        assert!(!back.observed);
        // A connection that is not there is said so, in both languages.
        let none = capture_connection(99);
        let crate::model::Outcome::CannotShow(m) = &*none else {
            panic!("connection 99 shows")
        };
        assert!(
            m.en.contains("no TCP connection") && !m.zh.is_empty(),
            "{}",
            m.en
        );
    }

    #[test]
    fn the_reducer_asks_for_runs_and_takes_only_the_one_it_asked_for() {
        use crate::model::{Outcome, RunUpdate};
        let s0 = Rc::new(state("handshake"));
        let select = || Action::Select("four-way-close".into(), None);
        let s1 = s0.clone().reduce(select());
        // No run in the reducer: the request changes, the outcome waits for the run's effect.
        assert!(Rc::ptr_eq(&s1.outcome, &s0.outcome));
        assert_eq!(
            (s1.request.id.as_str(), s1.request.serial),
            ("four-way-close", 1)
        );
        assert!(s1.request.text.is_none() && s1.request.fallback);
        // The same action on the same state gives the same state (the reducer reads nothing else).
        let again = s0.clone().reduce(select());
        assert!(again.request == s1.request && again.source == s1.source);
        assert_eq!(
            (again.step, again.playing, again.edited),
            (s1.step, s1.playing, s1.edited)
        );
        // Motion is unwanted here, so the new scenario does not start playing by itself.
        assert!(!s1.playing);
        // An outcome for an older request is ignored; the one asked for is taken.
        let old = crate::model::run("handshake", None);
        let stale = s1
            .clone()
            .reduce(Action::Run(RunUpdate::Started(0, old, None)));
        assert!(Rc::ptr_eq(&stale, &s1));
        let ran = crate::model::run("four-way-close", None);
        let s2 = s1.reduce(Action::Run(RunUpdate::Started(1, ran.clone(), None)));
        assert!(Rc::ptr_eq(&s2.outcome, &ran));
        // An edit keeps the last good run on screen and asks for a run of the text.
        let s3 = s2.clone().reduce(Action::Edit("title = [".into()));
        assert!(s3.last_good.as_ref().is_some_and(|g| Rc::ptr_eq(g, &ran)));
        assert_eq!(
            s3.request.text.as_deref().map(String::as_str),
            Some("title = [")
        );
        assert!(
            !s3.request.fallback,
            "a good run is kept: no fallback wanted"
        );
        assert!(s3.edited && matches!(&*s3.outcome, Outcome::Ran(_)));
    }

    #[test]
    fn speed_labels_name_the_speeds() {
        for (speed, label) in SPEEDS.iter().zip(SPEED_LABELS) {
            assert_eq!(format!("{speed}x"), label);
        }
    }

    #[test]
    fn descriptions_flow_as_paragraphs() {
        // English lines wrapped by hand are joined with a space; a blank line starts a paragraph.
        assert_eq!(
            paragraphs("one request every 360 ms\nfor an hour.\n\n  Compare `--at 1h`. \n"),
            [
                "one request every 360 ms for an hour.",
                "Compare `--at 1h`."
            ]
        );
        // Chinese sentences are joined with nothing between them, but a Latin word keeps its space.
        assert_eq!(
            paragraphs("服务器关闭了连接。\nTCP 无法替应用完成关闭。\n直到别的资源耗尽。"),
            ["服务器关闭了连接。 TCP 无法替应用完成关闭。直到别的资源耗尽。"]
        );
        assert!(paragraphs("").is_empty() && paragraphs("\n \n").is_empty());
        // Every bundled description reads as at least one paragraph in both languages.
        for id in crate::bundled::SCENARIOS {
            let crate::model::Outcome::Ran(v) = &*crate::model::run(id, None) else {
                panic!("{id}")
            };
            for text in [&v.description.en, &v.description.zh] {
                let ps = paragraphs(text);
                assert!(!ps.is_empty(), "{id}");
                assert!(
                    ps.iter().all(|p| !p.contains('\n') && !p.contains("  ")),
                    "{id}: {ps:?}"
                );
            }
        }
    }
}
