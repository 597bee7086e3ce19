//! The numbers a run gives its hosts, sockets, segments and calls.

/// A host, numbered from 0 in the order hosts were added.
pub type HostId = u32;
/// A socket, numbered from 0 in creation order across the whole run.
pub type SocketId = u32;
/// A segment transmission, numbered from 0 in the order segments were sent.
pub type SegmentId = u64;
/// An application call, numbered from 0 in the order calls were scheduled.
pub type CallId = u32;
