//! The tcpsim web app. The core runs in the page; the UI steps through its trace.

pub mod app;
pub mod bundled;
pub mod chart;
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
