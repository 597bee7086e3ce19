//! # tcpsim-render
//!
//! Views of a [`Trace`](tcpsim_core::trace::Trace). Each is a pure function of the trace: no
//! view runs the simulator or adds behaviour of its own.
//!
//! - [`ladder`]: the connection as a ladder diagram for the terminal.
//! - [`jsonl`]: the trace as JSON Lines, one event per line.
//! - [`netstat`]: `ss -tan`-style tables and per-state counts at a moment.

pub mod jsonl;
pub mod ladder;
pub mod netstat;
