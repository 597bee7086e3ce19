//! Errors the application sees, named after their POSIX errno.

use core::fmt;
use serde::{Deserialize, Serialize};

/// An error returned by a socket call, or raised on a connection and reported by the next call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[allow(clippy::upper_case_acronyms)]
pub enum Errno {
    /// The peer answered our SYN with a reset.
    ECONNREFUSED,
    /// The peer reset the connection.
    ECONNRESET,
    /// Writing to a connection that is closed for writing, or reset after the peer's FIN.
    EPIPE,
    /// Retransmissions, keep-alive or the user timeout gave up.
    ETIMEDOUT,
    /// The socket is not connected.
    ENOTCONN,
    /// The host's descriptor limit is reached: "Too many open files".
    EMFILE,
    /// Nothing to read now, or the send buffer is full.
    EAGAIN,
    /// The local address is already in use.
    EADDRINUSE,
    /// No free ephemeral port for that destination.
    EADDRNOTAVAIL,
    /// The socket is already connected.
    EISCONN,
    /// The call makes no sense for this socket (e.g. accept() on a connection).
    EINVAL,
    /// No such socket: never opened, or already closed.
    EBADF,
    /// The per-connection stream limit of the simulator was reached.
    ENOBUFS,
}

impl Errno {
    /// Every errno the simulator returns.
    pub const ALL: [Errno; 13] = [
        Errno::ECONNREFUSED,
        Errno::ECONNRESET,
        Errno::EPIPE,
        Errno::ETIMEDOUT,
        Errno::ENOTCONN,
        Errno::EMFILE,
        Errno::EAGAIN,
        Errno::EADDRINUSE,
        Errno::EADDRNOTAVAIL,
        Errno::EISCONN,
        Errno::EINVAL,
        Errno::EBADF,
        Errno::ENOBUFS,
    ];

    /// Parses a name such as `ECONNRESET` (any case).
    pub fn from_name(name: &str) -> Option<Errno> {
        Errno::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The C library's message for the error (`strerror`).
    pub const fn message(self) -> &'static str {
        match self {
            Errno::ECONNREFUSED => "Connection refused",
            Errno::ECONNRESET => "Connection reset by peer",
            Errno::EPIPE => "Broken pipe",
            Errno::ETIMEDOUT => "Connection timed out",
            Errno::ENOTCONN => "Transport endpoint is not connected",
            Errno::EMFILE => "Too many open files",
            Errno::EAGAIN => "Resource temporarily unavailable",
            Errno::EADDRINUSE => "Address already in use",
            Errno::EADDRNOTAVAIL => "Cannot assign requested address",
            Errno::EISCONN => "Transport endpoint is already connected",
            Errno::EINVAL => "Invalid argument",
            Errno::EBADF => "Bad file descriptor",
            Errno::ENOBUFS => "No buffer space available",
        }
    }

    /// The C name: `ECONNRESET`.
    pub const fn name(self) -> &'static str {
        match self {
            Errno::ECONNREFUSED => "ECONNREFUSED",
            Errno::ECONNRESET => "ECONNRESET",
            Errno::EPIPE => "EPIPE",
            Errno::ETIMEDOUT => "ETIMEDOUT",
            Errno::ENOTCONN => "ENOTCONN",
            Errno::EMFILE => "EMFILE",
            Errno::EAGAIN => "EAGAIN",
            Errno::EADDRINUSE => "EADDRINUSE",
            Errno::EADDRNOTAVAIL => "EADDRNOTAVAIL",
            Errno::EISCONN => "EISCONN",
            Errno::EINVAL => "EINVAL",
            Errno::EBADF => "EBADF",
            Errno::ENOBUFS => "ENOBUFS",
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.message())
    }
}

impl std::error::Error for Errno {}
