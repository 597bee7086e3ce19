//! The tcpsim web app. The core runs in the page; the UI steps through its trace.

pub mod app;
pub mod bundled;
pub mod chart;
pub mod evidence;
pub mod ladder;
pub mod model;
pub mod statediagram;
pub mod tools;
pub mod url;

/// Mounts the app on the page's body.
pub fn start() {
    mark("tcpsim-main");
    yew::Renderer::<app::App>::new().render();
}

#[cfg(target_arch = "wasm32")]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(inline_js = r#"
function posted() {
    return new Promise((resolve) => {
        const c = new MessageChannel();
        c.port1.onmessage = () => resolve();
        c.port2.postMessage(null);
    });
}
export function next_task() {
    if (globalThis.scheduler && typeof scheduler.yield === 'function') return scheduler.yield();
    return posted();
}
export function next_task_in_turn() { return posted(); }
export function after_paint() {
    // A hidden tab paints no frames: it does not wait for one (nor long for anything).
    return new Promise((resolve) => {
        let gone = false;
        const go = () => { if (!gone) { gone = true; posted().then(resolve); } };
        if (document.hidden) { go(); return; }
        setTimeout(go, 100);
        requestAnimationFrame(go);
    });
}
"#)]
    extern "C" {
        pub fn next_task() -> js_sys::Promise;
        pub fn next_task_in_turn() -> js_sys::Promise;
        pub fn after_paint() -> js_sys::Promise;
    }
}

/// How a big run pauses between two slices of work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pause {
    /// Until the page has painted a frame: before the first slice, so that the page (and the
    /// run's progress bar) is on screen before the run takes the thread. The task after the
    /// next animation frame runs after that frame is painted (and, as with
    /// [`Pause::InTurn`], after the tasks already waiting); a hidden tab, which paints
    /// nothing, goes on at once, and a frame that does not come within 100 ms is not waited for.
    AfterPaint,
    /// Lets the page answer input and paint, then goes on: between two slices.
    /// `scheduler.yield()` where the browser has it, else a task posted through a
    /// `MessageChannel`. Not a zero-delay `setTimeout`: browsers hold nested timers back to at
    /// least 4 ms (the HTML standard's timer nesting rule). Input is handled at each pause;
    /// frames are painted when the browser chooses to. Not a pause for every frame either,
    /// which costs a big run a quarter of its time (PERFORMANCE.md).
    NextTask,
    /// Lets the tasks already waiting run first (a task posted through a `MessageChannel` takes
    /// its turn behind them): after a big run has shown its progress. `scheduler.yield()`
    /// ([`Pause::NextTask`]) goes before other waiting tasks, among them the timer with which
    /// Yew's scheduler goes on with a render that took longer than 16 ms: a run that only ever
    /// yielded that way would hold back every render (its progress too) until it ended.
    InTurn,
}

/// Pauses as `how` says (natively, where there is no page, for a zero-delay timer).
pub async fn pause(how: Pause) {
    #[cfg(target_arch = "wasm32")]
    {
        let promise = match how {
            Pause::AfterPaint => js::after_paint(),
            Pause::NextTask => js::next_task(),
            Pause::InTurn => js::next_task_in_turn(),
        };
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = how;
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
}

/// A `performance.mark`, so that tests and users can see where the page's time goes.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// A coordinate for an SVG attribute, to a tenth of a pixel (see [`tcpsim_render::px`]: the
/// page's first module carries no float formatting).
pub fn num(v: f32) -> String {
    tcpsim_render::px::Px(v).to_string()
}
