//! Built by trunk as its own wasm module (index.html: `data-type="worker"`,
//! `data-bindgen-target="web"`); the page imports it when it needs it. Its exports are in the
//! library (`exports`); the module has nothing to start.

pub use tcpsim_web_tools::*;

fn main() {}
