//! The numbers a run gives its hosts, sockets, segments and calls: each its own type, so that a
//! socket's number can never be passed where a host's is meant.
//!
//! Each is the position of its thing in the order the run made it (hosts in the order they
//! were added, sockets in creation order, segments in the order they were sent, calls in the
//! order they were scheduled), which is also its index in the [`Trace`](crate::trace::Trace)'s
//! tables. In JSON each is a plain number.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident($int:ty), $what:literal) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub $int);

        impl $name {
            /// Its position in the run's table of these.
            pub const fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($what, " {}"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id!(
    /// A host, numbered from 0 in the order hosts were added.
    HostId(u32),
    "host"
);
id!(
    /// A socket, numbered from 0 in creation order across the whole run.
    SocketId(u32),
    "socket"
);
id!(
    /// A segment put on the wire, numbered from 0 in the order segments were sent (a
    /// duplicate's copy has a number of its own).
    SegmentId(u64),
    "segment"
);
id!(
    /// An application call, numbered from 0 in the order calls were scheduled.
    CallId(u32),
    "call"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_as_what_they_number() {
        assert_eq!(format!("{:?}", HostId(1)), "host 1");
        assert_eq!(format!("{:?}", Some(SocketId(7))), "Some(socket 7)");
        assert_eq!(SegmentId(12).to_string(), "12");
        assert_eq!(serde_json::to_string(&CallId(3)).unwrap(), "3");
        assert_eq!(CallId(3).index(), 3);
    }
}
