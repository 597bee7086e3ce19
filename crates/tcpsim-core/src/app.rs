//! A library user's own application logic, driven by the simulator: told when an event starts to
//! hold on one of its sockets, it answers with calls. This is what turmoil gives async code, as a
//! callback instead: no async, no threads, and the run stays deterministic.
//!
//! ```
//! use tcpsim_core::app::{AppCalls, AppEvent, AppReturn, Application};
//! use tcpsim_core::call::SocketEvent;
//! use tcpsim_core::prelude::*;
//!
//! /// An echo server on `host`: it sends back the bytes it reads, and closes when its client
//! /// has finished.
//! struct Echo { host: HostId }
//! impl Application for Echo {
//!     fn on_event(&mut self, e: &AppEvent<'_>, calls: &mut AppCalls) {
//!         let socket = e.name.to_string();
//!         match e.event {
//!             _ if e.host != self.host => {}
//!             SocketEvent::Readable => calls.call(e.host, Call::Recv { socket, max: 1_000 }),
//!             SocketEvent::Eof => calls.call(e.host, Call::Close { socket }),
//!             _ => {}
//!         }
//!     }
//!     fn on_return(&mut self, r: &AppReturn<'_>, calls: &mut AppCalls) {
//!         if let (Call::Recv { socket, .. }, Some(data)) = (r.call, r.data) {
//!             calls.call(r.host, Call::send_data(socket.as_str(), data));
//!         }
//!     }
//! }
//!
//! let mut sim = Simulator::new(SimConfig::default());
//! let c = sim.add_host(HostSpec::new("client", [10, 0, 0, 1])).unwrap();
//! let s = sim.add_host(HostSpec::new("server", [10, 0, 0, 2])).unwrap();
//! let ms = Instant::from_millis;
//! sim.call(ms(0), s, Call::Listen { socket: "l".into(), port: 7, backlog: 8 }).unwrap();
//! sim.call(ms(0), s, Call::Accept { listener: "l".into(), socket: "s".into() }).unwrap();
//! let to = "10.0.0.2:7".parse().unwrap();
//! sim.call(ms(0), c, Call::Connect { socket: "c".into(), remote: to, local_port: None }).unwrap();
//! sim.call(ms(50), c, Call::send_data("c", "ping")).unwrap();
//! sim.call(ms(100), c, Call::Shutdown { socket: "c".into(), how: ShutdownHow::Write }).unwrap();
//! let read = sim.call(ms(200), c, Call::Recv { socket: "c".into(), max: 100 }).unwrap();
//! sim.call(ms(300), c, Call::Close { socket: "c".into() }).unwrap();
//! let trace = sim.run_with(ms(5_000), &mut Echo { host: s }).unwrap();
//! // The client read its own bytes back; the trace keeps them.
//! let echoed = trace.data.iter().find(|t| t.call == read).unwrap();
//! assert_eq!(echoed.data.as_bytes(), b"ping");
//! let server = trace.socket_by_label(s, "s").unwrap();
//! assert_eq!(trace.final_state(server), Some(State::Closed));
//! ```

use crate::call::{Call, CallResult, SocketEvent};
use crate::id::{HostId, SocketId};
use crate::time::{Duration, Instant};

/// Application logic the simulator calls on each socket event of the run (see the module docs).
pub trait Application {
    /// `event` has just started to hold on a socket the application has named. Calls added to
    /// `calls` are made at the event's time plus their delay, in the order added.
    fn on_event(&mut self, event: &AppEvent<'_>, calls: &mut AppCalls);

    /// A call the application made (through [`AppCalls`]) has returned: how many bytes a recv()
    /// read, whether a connect() failed. Told before the events of the same moment.
    fn on_return(&mut self, returned: &AppReturn<'_>, calls: &mut AppCalls) {
        let _ = (returned, calls);
    }
}

/// A call the application made, and what it returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppReturn<'a> {
    /// When it returned.
    pub at: Instant,
    /// The host that made it.
    pub host: HostId,
    /// The call.
    pub call: &'a Call,
    /// What it returned.
    pub result: CallResult,
    /// The bytes a recv() read, when its peer's application gave real bytes ([`Call::Send`]'s
    /// `data`; [`filler`](crate::payload::filler) stands for bytes sent without); what a send()
    /// with data took. `None` for other calls and for streams of counts only.
    pub data: Option<&'a [u8]>,
}

/// An event on one of the application's sockets. Each kind is told once each time it starts to
/// hold: `Readable` again after the data were read and more arrived; `Error` with its errno.
/// Only sockets the application holds are told of: none after it closed them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppEvent<'a> {
    /// When the event started to hold.
    pub at: Instant,
    /// The host whose socket it is.
    pub host: HostId,
    /// The socket.
    pub socket: SocketId,
    /// The application's name for the socket.
    pub name: &'a str,
    /// What now holds.
    pub event: SocketEvent,
}

/// The calls an application makes in answer to an event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppCalls {
    pub(crate) calls: Vec<(Duration, HostId, Call)>,
}

impl AppCalls {
    /// A call on `host` at once (after the calls already added).
    pub fn call(&mut self, host: HostId, call: Call) {
        self.calls.push((Duration::ZERO, host, call));
    }

    /// A call on `host`, `delay` after the event.
    pub fn call_after(&mut self, delay: Duration, host: HostId, call: Call) {
        self.calls.push((delay, host, call));
    }

    /// The calls added so far, with their delays.
    pub fn calls(&self) -> &[(Duration, HostId, Call)] {
        &self.calls
    }
}
