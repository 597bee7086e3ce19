//! tcpsim: a deterministic TCP connection simulator. This crate is the `tcpsim` command-line
//! tool and a facade over the workspace's crates.

pub use tcpsim_core as core;
pub use tcpsim_evidence as evidence;
pub use tcpsim_render as render;
pub use tcpsim_scenario as scenario;

pub mod fuzz;

/// The README's examples, run as doctests so that they cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
