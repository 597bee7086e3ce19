//! The applications' calls: what a scenario's `[[call]]` entries and a library user's
//! [`Simulator::call`](crate::sim::Simulator::call) schedule, and what they return.

use crate::endpoint::{Received, ShutdownHow, SockOpt};
use crate::errno::Errno;
use crate::id::{HostId, SocketId};
use crate::payload::Payload;
use crate::time::{Duration, Instant};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddrV4;

/// An application call (or a host event) at a given time. Sockets are named by the application
/// (`socket`); naming a new socket with a name in use re-binds the name, as assigning a variable
/// does: the old socket lives on, unreachable, which is exactly how a leak looks in code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "call")]
pub enum Call {
    /// socket(), bind(port), listen(backlog).
    Listen {
        /// The name the listening socket gets.
        socket: String,
        /// The port to listen on.
        port: u16,
        /// How many established connections may wait for accept() (Linux: somaxconn caps it).
        backlog: u32,
    },
    /// socket(), optionally bind(local_port), connect(remote). Blocks until established or failed.
    Connect {
        /// The name the new socket gets.
        socket: String,
        /// Where to connect.
        remote: SocketAddrV4,
        /// The local port to bind first; an ephemeral port when `None`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        local_port: Option<u16>,
    },
    /// accept() on `listener`, naming the new connection `socket`. Blocks until one arrives.
    Accept {
        /// The listening socket's name.
        listener: String,
        /// The name the accepted connection gets.
        socket: String,
    },
    /// send() of `bytes` bytes (non-blocking: may accept fewer). With `data`, those are the
    /// bytes: the receiving application reads them, the trace keeps them, a capture carries
    /// them. [`Call::send_data`] builds one.
    Send {
        /// The socket's name.
        socket: String,
        /// How many bytes: `data`'s length when it is given (the call fails with EINVAL if not).
        bytes: u64,
        /// The bytes themselves, if the application gives them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<Payload>,
    },
    /// recv() of up to `max` bytes (non-blocking).
    Recv {
        /// The socket's name.
        socket: String,
        /// At most this many bytes.
        max: u64,
    },
    /// close().
    Close {
        /// The socket's name.
        socket: String,
    },
    /// shutdown(how).
    Shutdown {
        /// The socket's name.
        socket: String,
        /// Which directions to shut.
        how: ShutdownHow,
    },
    /// Abort: a reset where the state calls for one, then the descriptor is closed
    /// (close() with SO_LINGER 0, or RFC 9293 ABORT).
    Abort {
        /// The socket's name.
        socket: String,
    },
    /// setsockopt().
    SetOption {
        /// The socket's name.
        socket: String,
        /// The option and its value.
        option: SockOpt,
    },
    /// The host crashes: its connections vanish without a segment and it stops answering.
    Crash,
    /// The host comes back up with no sockets (it answers old connections with RST).
    Restart,
}

impl Call {
    /// send() of `bytes` bytes whose content does not matter.
    pub fn send(socket: impl Into<String>, bytes: u64) -> Call {
        Call::Send {
            socket: socket.into(),
            bytes,
            data: None,
        }
    }

    /// send() of these bytes.
    pub fn send_data(socket: impl Into<String>, data: impl Into<Payload>) -> Call {
        let data = data.into();
        Call::Send {
            socket: socket.into(),
            bytes: data.len() as u64,
            data: Some(data),
        }
    }

    /// The socket name the call acts on, if any.
    pub fn socket(&self) -> Option<&str> {
        match self {
            Call::Listen { socket, .. }
            | Call::Connect { socket, .. }
            | Call::Send { socket, .. }
            | Call::Recv { socket, .. }
            | Call::Close { socket }
            | Call::Shutdown { socket, .. }
            | Call::Abort { socket }
            | Call::SetOption { socket, .. } => Some(socket),
            Call::Accept { listener, .. } => Some(listener),
            Call::Crash | Call::Restart => None,
        }
    }

    /// The same call with every socket name passed through `f` (a repeat's template filled in
    /// for one repetition).
    pub fn map_names(&self, mut f: impl FnMut(&str) -> String) -> Call {
        match self {
            Call::Listen {
                socket,
                port,
                backlog,
            } => Call::Listen {
                socket: f(socket),
                port: *port,
                backlog: *backlog,
            },
            Call::Connect {
                socket,
                remote,
                local_port,
            } => Call::Connect {
                socket: f(socket),
                remote: *remote,
                local_port: *local_port,
            },
            Call::Accept { listener, socket } => Call::Accept {
                listener: f(listener),
                socket: f(socket),
            },
            Call::Send {
                socket,
                bytes,
                data,
            } => Call::Send {
                socket: f(socket),
                bytes: *bytes,
                data: data.clone(),
            },
            Call::Recv { socket, max } => Call::Recv {
                socket: f(socket),
                max: *max,
            },
            Call::Close { socket } => Call::Close { socket: f(socket) },
            Call::Shutdown { socket, how } => Call::Shutdown {
                socket: f(socket),
                how: *how,
            },
            Call::Abort { socket } => Call::Abort { socket: f(socket) },
            Call::SetOption { socket, option } => Call::SetOption {
                socket: f(socket),
                option: *option,
            },
            Call::Crash => Call::Crash,
            Call::Restart => Call::Restart,
        }
    }

    /// The name of the system call.
    pub fn name(&self) -> &'static str {
        match self {
            Call::Listen { .. } => "listen",
            Call::Connect { .. } => "connect",
            Call::Accept { .. } => "accept",
            Call::Send { .. } => "send",
            Call::Recv { .. } => "recv",
            Call::Close { .. } => "close",
            Call::Shutdown { .. } => "shutdown",
            Call::Abort { .. } => "abort",
            Call::SetOption { .. } => "setsockopt",
            Call::Crash => "crash",
            Call::Restart => "restart",
        }
    }
}

/// A call the applications were scheduled to make: at `at`, or, when it reacts (`on`), at the
/// first moment from `at` on when its event holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledCall {
    /// When the call is made, or, for a reacting call, when it starts waiting.
    pub at: Instant,
    /// The host whose application makes it.
    pub host: HostId,
    /// What it does.
    pub call: Call,
    /// The event it waits for, if it reacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<Reaction>,
}

impl ScheduledCall {
    /// A call at a time.
    pub fn at(at: Instant, host: HostId, call: Call) -> ScheduledCall {
        ScheduledCall {
            at,
            host,
            call,
            on: None,
        }
    }
}

/// What a reacting call waits for: an event on the socket it names, then `delay`.
///
/// The call starts waiting at its time. Events are states, not moments: a call that starts
/// waiting for `Eof` after the peer's FIN has arrived is made at once. The socket watched is the
/// one the name denotes when the call starts waiting or, if it denotes none yet, the first
/// socket given that name afterwards (by connect(), listen() or accept()).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reaction {
    /// What the call waits for.
    pub event: SocketEvent,
    /// How long after the event the call is made.
    #[serde(default, skip_serializing_if = "no_delay")]
    pub delay: Duration,
}

fn no_delay(d: &Duration) -> bool {
    d.is_zero()
}

impl Reaction {
    /// As soon as `event` holds.
    pub const fn on(event: SocketEvent) -> Reaction {
        Reaction {
            event,
            delay: Duration::ZERO,
        }
    }
    /// `delay` after `event` holds.
    pub const fn after(event: SocketEvent, delay: Duration) -> Reaction {
        Reaction { event, delay }
    }
}

/// An event on a socket that a call may wait for instead of a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SocketEvent {
    /// The handshake completed: connect() returned, or accept() can hand the connection over.
    Connected,
    /// The name denotes a connection accept() handed over.
    Accepted,
    /// recv() would return something: data, or the end of the stream.
    Readable,
    /// The peer has finished sending: its FIN has arrived, and recv() returns 0 once the bytes
    /// before it are read. "Read all, then close" is a recv() and a close() both on `Eof`; a
    /// close() alone on `Eof` with bytes unread resets the connection, as Linux does.
    Eof,
    /// send() would take bytes: the connection can send and its send buffer has room.
    Writable,
    /// An error was raised on the connection: any, or this one.
    Error(Option<Errno>),
    /// The connection is CLOSED: it ended, was reset, or timed out.
    Closed,
}

impl SocketEvent {
    /// The name of the kind of event, without an errno: `error` for `error(ECONNRESET)`.
    pub const fn kind(self) -> &'static str {
        match self {
            SocketEvent::Connected => "connected",
            SocketEvent::Accepted => "accepted",
            SocketEvent::Readable => "readable",
            SocketEvent::Eof => "eof",
            SocketEvent::Writable => "writable",
            SocketEvent::Error(_) => "error",
            SocketEvent::Closed => "closed",
        }
    }

    /// Reads the spelling its `Display` writes: `connected`, `error(ECONNRESET)`, ...
    pub fn parse(s: &str) -> Option<SocketEvent> {
        Some(match s.trim() {
            "connected" => SocketEvent::Connected,
            "accepted" => SocketEvent::Accepted,
            "readable" => SocketEvent::Readable,
            "eof" => SocketEvent::Eof,
            "writable" => SocketEvent::Writable,
            "error" => SocketEvent::Error(None),
            "closed" => SocketEvent::Closed,
            other => {
                let errno = other.strip_prefix("error(")?.strip_suffix(')')?;
                SocketEvent::Error(Some(Errno::from_name(errno)?))
            }
        })
    }

    /// Every event without an errno, in the order above.
    pub const ALL: [SocketEvent; 7] = [
        SocketEvent::Connected,
        SocketEvent::Accepted,
        SocketEvent::Readable,
        SocketEvent::Eof,
        SocketEvent::Writable,
        SocketEvent::Error(None),
        SocketEvent::Closed,
    ];
}

/// The name used in scenario files: `connected`, `eof`, `error`, `error(ECONNRESET)`, ...
impl fmt::Display for SocketEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocketEvent::Error(Some(e)) => write!(f, "error({})", e.name()),
            other => f.write_str(other.kind()),
        }
    }
}

/// Why a reacting call was never made (in the trace at the end of the run).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotMade {
    /// The run ended while the call was still waiting.
    RunEnded,
    /// The connection it watched ended (CLOSED) without the event.
    ConnectionEnded,
    /// Its name never denoted a socket.
    NoSocket,
}

impl NotMade {
    /// Why, in English, as the trace's text dump and `tcpsim check` say it.
    pub const fn describe(self) -> &'static str {
        match self {
            NotMade::RunEnded => "the run ended first",
            NotMade::ConnectionEnded => "the connection ended without it",
            NotMade::NoSocket => {
                "no socket was ever given this name (its connect() or accept() never succeeded)"
            }
        }
    }
}

/// The result of an application call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallResult {
    /// The call succeeded (0 in C).
    Ok,
    /// send() accepted, or recv() read, this many bytes (at most a socket buffer, whose size
    /// is a `u32`).
    Bytes(u32),
    /// recv() returned 0: the peer closed its side.
    Eof,
    /// accept() returned this connection.
    Accepted(SocketId),
    /// The call failed with this errno.
    Error(Errno),
}

/// `Ok`, `Bytes(300)`, `Eof`, `Accepted(2)` (the socket's number), `Error(ECONNRESET)`: the
/// trace's text dump writes results so.
impl fmt::Display for CallResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallResult::Ok => f.write_str("Ok"),
            CallResult::Bytes(n) => write!(f, "Bytes({n})"),
            CallResult::Eof => f.write_str("Eof"),
            CallResult::Accepted(s) => write!(f, "Accepted({s})"),
            CallResult::Error(e) => write!(f, "Error({e:?})"),
        }
    }
}

impl CallResult {
    /// `Bytes(n)`; a count can never exceed a socket buffer, and saturates if it did.
    pub(crate) fn bytes(n: u64) -> CallResult {
        CallResult::Bytes(u32::try_from(n).unwrap_or(u32::MAX))
    }
    /// The errno of a failed call.
    pub fn errno(self) -> Option<Errno> {
        match self {
            CallResult::Error(e) => Some(e),
            _ => None,
        }
    }
    pub(crate) fn from_recv(r: Result<Received, Errno>) -> CallResult {
        match r {
            Ok(Received::Bytes(n)) => CallResult::bytes(n),
            Ok(Received::Eof) => CallResult::Eof,
            Err(e) => CallResult::Error(e),
        }
    }
}
