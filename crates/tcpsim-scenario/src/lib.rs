//! # tcpsim-scenario
//!
//! Scenario files: TOML documents that describe hosts, the network, what the applications do
//! and when, and what must happen. [`Scenario::parse`] checks a file and reports every problem
//! with `file:line:column`; [`Scenario::run`] runs it on the core; [`Scenario::check`] verifies
//! its expectations against the trace.
//!
//! ```
//! let text = r#"
//! title = { en = "Handshake", zh = "三次握手" }
//! description = { en = "A client connects.", zh = "客户端发起连接。" }
//! duration = "1s"
//! [[hosts]]
//! name = "client"
//! addr = "10.0.0.1"
//! [[hosts]]
//! name = "server"
//! addr = "10.0.0.2"
//! [[timeline]]
//! at = "0s"
//! host = "server"
//! call = "listen"
//! socket = "l"
//! port = 80
//! [[timeline]]
//! at = "1ms"
//! host = "client"
//! call = "connect"
//! socket = "c"
//! to = "server:80"
//! [[expect]]
//! socket = "client/c"
//! state = "ESTABLISHED"
//! "#;
//! let scenario = tcpsim_scenario::Scenario::parse("handshake.toml", text).unwrap();
//! let trace = scenario.run().unwrap();
//! assert!(scenario.check(&trace).is_empty());
//! ```
#![warn(missing_docs)]

mod check;
mod compile;
pub mod compiled;
pub mod duration;
pub mod error;
pub mod model;
mod read;

pub use check::{
    CheckFailure, ScenarioRunError, closed_twice, never_made, ports_ran_out, run_stopped, socket_at,
};
pub use compile::{
    At, DEFAULT_MAX_CALLS, DEFAULT_MAX_EVENTS, DEFAULT_MAX_SOCKETS, Expect, ExpectKind,
    MAX_CALLS_CEILING, MAX_EVENTS_CEILING, MAX_FILE_BYTES, MAX_HOSTS, MAX_SOCKETS_CEILING,
    Scenario, ScheduledCall, WantResult,
};
pub use error::{ScenarioError, ScenarioErrors};

/// The JSON Schema of scenario files, generated from [`model::ScenarioFile`].
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(model::ScenarioFile);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
