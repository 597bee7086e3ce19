//! # tcpsim-core
//!
//! A deterministic, sans-I/O TCP connection simulator: RFC 9293 endpoints ([`endpoint`]), a
//! simulated network of hosts ([`sim`]), and one [`trace`] per run from which every view is drawn.
//!
//! - Time is passed in ([`time::Instant`], whole microseconds); no clock is read.
//! - Randomness comes from one seeded ChaCha8 stream ([`rng`]); initial sequence numbers are a
//!   keyed hash of the address pair and the simulated clock. The same inputs give the same trace,
//!   byte for byte, natively and on `wasm32-unknown-unknown`.
//! - Nothing panics on any input: bad calls return [`Errno`] values, bad configuration returns
//!   [`sim::SimError`], and runs are bounded by a time and an event limit.
//!
//! ```
//! use tcpsim_core::prelude::*;
//!
//! // A client connects to a server, sends a request, and both close.
//! let mut sim = Simulator::new(SimConfig::default());
//! let client = sim.add_host(HostSpec::new("client", [10, 0, 0, 1])).unwrap();
//! let server = sim.add_host(HostSpec::new("server", [10, 0, 0, 2])).unwrap();
//! sim.set_link_both(client, server, LinkConfig::latency(Duration::from_millis(10)));
//! let ms = Instant::from_millis;
//! sim.call(ms(0), server, Call::Listen { socket: "l".into(), port: 80, backlog: 128 }).unwrap();
//! sim.call(ms(0), server, Call::Accept { listener: "l".into(), socket: "s".into() }).unwrap();
//! sim.call(ms(1), client, Call::Connect { socket: "c".into(), remote: "10.0.0.2:80".parse().unwrap(), local_port: None }).unwrap();
//! sim.call(ms(100), client, Call::Close { socket: "c".into() }).unwrap();
//! sim.call(ms(200), server, Call::Close { socket: "s".into() }).unwrap();
//! let trace = sim.run_for(Duration::from_secs(120)).unwrap();
//!
//! // The client closed first, so it went through TIME-WAIT (60 s on Linux) to CLOSED.
//! let c = trace.socket_by_label(client, "c").unwrap();
//! assert_eq!(trace.states_of(c), [State::SynSent, State::Established, State::FinWait1,
//!     State::FinWait2, State::TimeWait, State::Closed]);
//! ```
#![warn(missing_docs)]

pub mod app;
pub mod binary;
pub mod call;
pub mod check;
pub mod config;
pub mod endpoint;
pub mod errno;
pub mod id;
pub mod net;
pub mod pair;
pub mod payload;
pub mod repeat;
pub mod rng;
pub mod segment;
pub mod seq;
pub mod setup;
pub mod sim;
pub mod state;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod text;
pub mod time;
pub mod trace;

pub use errno::Errno;

/// The names most users need.
pub mod prelude {
    pub use crate::call::{Call, CallResult};
    pub use crate::config::{Keepalive, Profile, TcpConfig};
    pub use crate::endpoint::{Endpoint, Outputs, Received, ShutdownHow, SockOpt, TimerKind};
    pub use crate::errno::Errno;
    pub use crate::id::{CallId, HostId, SegmentId, SocketId};
    pub use crate::net::{FaultAction, FaultRule, LinkConfig, SegmentFilter};
    pub use crate::payload::Payload;
    pub use crate::segment::{Flags, Segment, SendReason};
    pub use crate::seq::SeqNum;
    pub use crate::setup::Setup;
    pub use crate::sim::{HostSpec, RunError, SimConfig, SimError, Simulator, SlicedRun};
    pub use crate::state::{Cause, State};
    pub use crate::time::{Duration, Instant};
    pub use crate::trace::{EventKind, Trace, TraceEvent};
}
