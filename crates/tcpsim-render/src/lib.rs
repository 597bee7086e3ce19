//! # tcpsim-render
//!
//! Views of a [`Trace`](tcpsim_core::trace::Trace). Each is a pure function of the trace: no
//! view runs the simulator or adds behaviour of its own.
//!
//! - [`layout`]: the ladder diagram laid out (positions, bands, arrows, timers, steps), for
//!   the web app and the SVG exporter.
//! - [`ladder`]: the connection as a ladder diagram for the terminal.
//! - [`jsonl`]: the trace as JSON Lines, one event per line.
//! - [`netstat`]: `ss -tan`-style tables and per-state counts at a moment.
//! - [`svg`]: the ladder as a self-contained SVG document.
//! - [`sequence`]: Mermaid and PlantUML sequence diagrams.
//! - [`px`]: coordinates for SVG attributes without float formatting.

pub mod chart;
pub mod escape;
/// The words of the views, in both languages (their own crate, `tcpsim-words`, which the
/// scenario checker shares without the views).
pub use tcpsim_words as i18n;
pub mod jsonl;
pub mod ladder;
pub mod layout;
pub mod netstat;
pub mod pcap;
pub mod plot;
pub mod px;
pub mod sequence;
pub mod statediagram;
pub mod svg;
