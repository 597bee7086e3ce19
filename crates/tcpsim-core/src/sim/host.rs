//! What the simulator keeps per host and per socket.

use super::lookup::{ConnTable, SocketNames};
use crate::config::TcpConfig;
use crate::endpoint::Endpoint;
use crate::errno::Errno;
use crate::id::{CallId, HostId, SocketId};
use crate::time::Instant;
use std::collections::{BTreeMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub(super) struct Host {
    pub(super) addr: Ipv4Addr,
    pub(super) fd_limit: u32,
    pub(super) cfg: Arc<TcpConfig>,
    pub(super) ephemeral: (u16, u16),
    pub(super) next_port: u16,
    /// Ports freed so far (a connection or a listener gone): a count that tells whether a
    /// search that found no free port could find one now.
    pub(super) frees: u64,
    /// The remote address for which the last search found every ephemeral port taken, and
    /// `frees` then: until a port is freed, a connect() to it fails at once instead of
    /// searching the whole range again (a leak at scale makes tens of thousands of them).
    pub(super) ports_full: Option<(SocketAddrV4, u64)>,
    pub(super) isn_secret: u64,
    pub(super) boots: u64,
    pub(super) up: bool,
    pub(super) fds: u32,
    /// (local, remote) -> socket, for every connection not in CLOSED.
    pub(super) conns: ConnTable,
    pub(super) listeners: BTreeMap<u16, SocketId>,
    /// Socket names, looked up by every call.
    pub(super) labels: SocketNames,
}

#[derive(Clone, Debug)]
pub(super) struct Listener {
    pub(super) backlog: u32,
    pub(super) queue: VecDeque<SocketId>,
    pub(super) waiting: VecDeque<(CallId, String)>,
}

#[derive(Clone, Debug)]
pub(super) struct Sock {
    pub(super) host: HostId,
    pub(super) ep: Endpoint,
    pub(super) fd_open: bool,
    pub(super) released: bool,
    pub(super) listener: Option<Listener>,
    pub(super) parent: Option<SocketId>,
    pub(super) accepted: bool,
    pub(super) pending_connect: Option<CallId>,
    pub(super) wake: Option<Instant>,
    /// The handshake completed (SYN-SENT or SYN-RECEIVED to ESTABLISHED).
    pub(super) connected: bool,
    /// The last error raised on the connection.
    pub(super) error: Option<Errno>,
    /// Reacting calls waiting for an event on this socket, in the order they began to wait.
    pub(super) waiters: Vec<CallId>,
    /// Which [`SocketEvent::ALL`](crate::call::SocketEvent::ALL) held when an application was
    /// last told (bit i for event i).
    pub(super) held: u8,
    /// Where the real bytes its send()s took are in `trace.data`, in stream order.
    pub(super) sent: Vec<usize>,
}
