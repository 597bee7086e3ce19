//! The tcpsim web app. The core runs in the page; the UI steps through its trace.

pub mod app;
pub mod bundled;
pub mod chart;
pub mod ladder;
pub mod model;
pub mod statediagram;
pub mod url;

/// Mounts the app on the page's body.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
