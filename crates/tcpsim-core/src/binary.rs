//! A compact binary form of a run's inputs ([`Setup`]), so that a compiled scenario can be
//! stored (the web page carries its bundled scenarios precompiled) and handed across a module
//! boundary (the page's scenario compiler is a separate, lazily loaded module).
//!
//! The format: the bytes `TSIM`, a version byte, then each value in declaration order. Integers
//! are LEB128 varints, `f64` its 8 little-endian bytes, strings a length and UTF-8, options a
//! 0/1 byte, sequences a length, enums a tag byte. It is not self-describing: both ends are
//! this module, and the version byte changes with the layout.
//!
//! Reading never panics and never allocates more than the input could hold: a truncated or
//! hostile input is a [`DecodeError`] that says at which byte and what was expected. Serde's
//! formats were not an option here: the JSON form of [`Call`] is internally tagged, which a
//! non-self-describing format such as postcard cannot read back, and JSON itself is large.

use crate::call::{Call, Reaction, ScheduledCall, SocketEvent};
use crate::config::{Keepalive, Profile, TcpConfig};
use crate::endpoint::{ShutdownHow, SockOpt};
use crate::errno::Errno;
use crate::id::{CallId, HostId, SegmentId, SocketId};
use crate::net::{ExpiredAction, FaultAction, FaultRule, LinkConfig, Middlebox, SegmentFilter};
use crate::payload::Payload;
use crate::repeat::{Repeat, RepeatedCall};
use crate::segment::{Flags, Segment, SendReason};
use crate::seq::SeqNum;
use crate::setup::Setup;
use crate::sim::{HostSpec, SimConfig};
use crate::state::{Cause, State};
use crate::time::{Duration, Instant};
use crate::trace::{
    EventKind, HostInfo, Observed, ObservedConnection, RunStats, SocketInfo, TcpOptions, Trace,
    TraceEvent,
};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};

impl Setup {
    /// The setup in the binary form described in the [module docs](self).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Vec::with_capacity(64 + 16 * self.calls.len());
        put_header(&mut w);
        self.put(&mut w);
        w
    }

    /// Reads what [`Setup::encode`] wrote. Trailing bytes are an error.
    pub fn decode(bytes: &[u8]) -> Result<Setup, DecodeError> {
        let mut r = Reader::new(bytes);
        r.header()?;
        let s = Setup::get(&mut r)?;
        r.end()?;
        Ok(s)
    }
}

const MAGIC: &[u8; 4] = b"TSIM";
/// Changes whenever the layout of any encoded type changes.
const VERSION: u8 = 5;
/// What [`Reader::header`] expects where the version is (written out: a `&'static str`).
const VERSION_EXPECTED: &str = "format version 5";

/// An input that is not a setup written by this version of [`Setup::encode`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset where reading failed.
    pub at: usize,
    /// What was expected there.
    pub expected: &'static str,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "byte {}: expected {} (the data is damaged or from another version of tcpsim)",
            self.at, self.expected
        )
    }
}

impl std::error::Error for DecodeError {}

/// A cursor over encoded bytes.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.at..).unwrap_or_default()
    }

    /// An error at the current byte: `expected` was not found.
    pub fn fail<T>(&self, expected: &'static str) -> Result<T, DecodeError> {
        Err(DecodeError {
            at: self.at,
            expected,
        })
    }

    /// Checks the magic bytes and the version.
    pub fn header(&mut self) -> Result<(), DecodeError> {
        if self.bytes.get(..4) != Some(&MAGIC[..]) {
            return self.fail("the tcpsim header");
        }
        self.at = 4;
        if self.byte()? != VERSION {
            self.at -= 1;
            return self.fail(VERSION_EXPECTED);
        }
        Ok(())
    }

    /// Checks that nothing is left.
    pub fn end(&self) -> Result<(), DecodeError> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            self.fail("the end of the data")
        }
    }

    // Not inlined: every field of every type reads through these, and the page carries the
    // reader in its first module, where size counts more than speed.
    /// The next byte.
    #[inline(never)]
    pub fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = self.bytes.get(self.at).copied();
        match b {
            Some(b) => {
                self.at += 1;
                Ok(b)
            }
            None => self.fail("a byte"),
        }
    }

    // Not inlined: every field of every type reads through these, and the page carries the
    // reader in its first module, where size counts more than speed.
    #[inline(never)]
    fn take(&mut self, n: u64) -> Result<&'a [u8], DecodeError> {
        let left = (self.bytes.len() - self.at) as u64;
        if n > left {
            return self.fail("more bytes");
        }
        let s = &self.bytes[self.at..self.at + n as usize];
        self.at += n as usize;
        Ok(s)
    }

    // Not inlined: every field of every type reads through these, and the page carries the
    // reader in its first module, where size counts more than speed.
    /// The next LEB128 varint (at most ten bytes, no overflow).
    #[inline(never)]
    pub fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                return self.fail("a number below 2^64");
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        self.fail("the end of a number")
    }

    /// A sequence length, bounded by the bytes left (every element takes at least one byte),
    /// so that a hostile length cannot make the reader allocate.
    // Not inlined: every field of every type reads through these, and the page carries the
    // reader in its first module, where size counts more than speed.
    #[inline(never)]
    pub fn seq_len(&mut self) -> Result<usize, DecodeError> {
        let n = self.varint()?;
        if n > (self.bytes.len() - self.at) as u64 {
            return self.fail("a length that fits the data");
        }
        Ok(n as usize)
    }
}

/// A value with a binary form. Implemented for every type a [`Setup`] holds; other crates use
/// it for what they carry beside one (the page's titles and error lists).
pub trait Wire: Sized {
    /// Appends the value to `w`.
    fn put(&self, w: &mut Vec<u8>);
    /// Reads a value that [`Wire::put`] wrote.
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
}

/// Writes the magic bytes and the version, which [`Reader::header`] checks.
pub fn put_header(w: &mut Vec<u8>) {
    w.extend_from_slice(MAGIC);
    w.push(VERSION);
}

/// Appends `v` as an LEB128 varint.
pub fn put_varint(w: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        w.push((v as u8) | 0x80);
        v >>= 7;
    }
    w.push(v as u8);
}

macro_rules! wire_uint {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn put(&self, w: &mut Vec<u8>) {
                put_varint(w, u64::from(*self));
            }
            fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                let v = r.varint()?;
                <$t>::try_from(v).or_else(|_| r.fail(concat!("a ", stringify!($t))))
            }
        }
    )*};
}
wire_uint!(u8, u16, u32, u64);

// An id is its number: the same bytes as before ids had types of their own, and (inlined)
// the same code.
macro_rules! wire_id {
    ($($t:ident),*) => {$(
        impl Wire for $t {
            #[inline]
            fn put(&self, w: &mut Vec<u8>) {
                self.0.put(w);
            }
            #[inline]
            fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                Wire::get(r).map($t)
            }
        }
    )*};
}
wire_id!(HostId, SocketId, CallId, SegmentId);

impl Wire for bool {
    fn put(&self, w: &mut Vec<u8>) {
        w.push(u8::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => r.fail("0 or 1"),
        }
    }
}

impl Wire for f64 {
    fn put(&self, w: &mut Vec<u8>) {
        w.extend_from_slice(&self.to_le_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let b = r.take(8)?;
        let mut a = [0; 8];
        a.copy_from_slice(b);
        Ok(f64::from_le_bytes(a))
    }
}

impl Wire for String {
    fn put(&self, w: &mut Vec<u8>) {
        put_varint(w, self.len() as u64);
        w.extend_from_slice(self.as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.varint()?;
        let start = r.at;
        let b = r.take(n)?;
        match std::str::from_utf8(b) {
            Ok(s) => Ok(s.to_string()),
            Err(_) => Err(DecodeError {
                at: start,
                expected: "UTF-8 text",
            }),
        }
    }
}

impl Wire for Payload {
    fn put(&self, w: &mut Vec<u8>) {
        put_varint(w, self.len() as u64);
        w.extend_from_slice(self.as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.varint()?;
        r.take(n).map(Payload::from)
    }
}

impl<T: Wire> Wire for Option<T> {
    fn put(&self, w: &mut Vec<u8>) {
        match self {
            None => w.push(0),
            Some(v) => {
                w.push(1);
                v.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.byte()? {
            0 => Ok(None),
            1 => T::get(r).map(Some),
            _ => r.fail("0 or 1"),
        }
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn put(&self, w: &mut Vec<u8>) {
        put_varint(w, self.len() as u64);
        for v in self {
            v.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.seq_len()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(T::get(r)?);
        }
        Ok(v)
    }
}

impl<A: Wire, B: Wire> Wire for (A, B) {
    fn put(&self, w: &mut Vec<u8>) {
        self.0.put(w);
        self.1.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok((A::get(r)?, B::get(r)?))
    }
}

impl<A: Wire, B: Wire, C: Wire> Wire for (A, B, C) {
    fn put(&self, w: &mut Vec<u8>) {
        self.0.put(w);
        self.1.put(w);
        self.2.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok((A::get(r)?, B::get(r)?, C::get(r)?))
    }
}

impl Wire for Duration {
    fn put(&self, w: &mut Vec<u8>) {
        self.as_micros().put(w);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        u64::get(r).map(Duration::from_micros)
    }
}

impl Wire for Instant {
    fn put(&self, w: &mut Vec<u8>) {
        self.as_micros().put(w);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        u64::get(r).map(Instant::from_micros)
    }
}

impl Wire for Ipv4Addr {
    fn put(&self, w: &mut Vec<u8>) {
        w.extend_from_slice(&self.octets());
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let b = r.take(4)?;
        Ok(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
    }
}

impl Wire for SocketAddrV4 {
    fn put(&self, w: &mut Vec<u8>) {
        self.ip().put(w);
        self.port().put(w);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(SocketAddrV4::new(Ipv4Addr::get(r)?, u16::get(r)?))
    }
}

impl Wire for Flags {
    fn put(&self, w: &mut Vec<u8>) {
        w.push(self.bits());
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.byte().map(Flags::from_bits)
    }
}

/// Implements [`Wire`] for a struct, field by field in the order given. The destructuring and
/// the struct literal name every field, so a field added to the struct and not here is a
/// compile error, not a silently dropped value.
#[macro_export]
macro_rules! wire_struct {
    ($t:ident { $($f:ident),* $(,)? }) => {
        impl $crate::binary::Wire for $t {
            fn put(&self, w: &mut Vec<u8>) {
                let $t { $($f),* } = self;
                $( $crate::binary::Wire::put($f, w); )*
            }
            fn get(r: &mut $crate::binary::Reader<'_>) -> Result<Self, $crate::binary::DecodeError> {
                Ok($t { $($f: $crate::binary::Wire::get(r)?),* })
            }
        }
    };
}

/// Implements [`Wire`] for an enum of unit variants, tagged by their position in the list.
macro_rules! wire_unit_enum {
    ($t:ident { $($v:ident),* $(,)? }) => {
        impl Wire for $t {
            fn put(&self, w: &mut Vec<u8>) {
                let all = [$($t::$v),*];
                w.push(all.iter().position(|v| v == self).unwrap_or(0) as u8);
            }
            fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
                let all = [$($t::$v),*];
                // Exhaustive: a new variant must be listed above.
                let _ = |x: $t| match x { $($t::$v => ()),* };
                let b = r.byte()?;
                match all.get(usize::from(b)) {
                    Some(v) => Ok(*v),
                    None => {
                        r.at -= 1;
                        r.fail(concat!("a ", stringify!($t)))
                    }
                }
            }
        }
    };
}

wire_unit_enum!(Profile { Rfc9293, Linux });
// States by their index in `State::ALL` (which a test keeps complete).
impl Wire for State {
    fn put(&self, w: &mut Vec<u8>) {
        w.push(State::ALL.iter().position(|s| s == self).unwrap_or(0) as u8);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let b = r.byte()?;
        match State::ALL.get(usize::from(b)) {
            Some(s) => Ok(*s),
            None => {
                r.at -= 1;
                r.fail("a state")
            }
        }
    }
}
wire_unit_enum!(ShutdownHow { Read, Write, Both });
wire_unit_enum!(ExpiredAction { Drop, Reset });

wire_struct!(Keepalive {
    enabled,
    idle,
    interval,
    probes
});
wire_struct!(TcpConfig {
    profile,
    mss,
    rcv_buf,
    snd_buf,
    msl,
    time_wait,
    fin_timeout,
    rto_initial,
    rto_min,
    rto_max,
    rto_syn_fallback,
    syn_retries,
    synack_retries,
    retries2,
    orphan_retries,
    keepalive,
    user_timeout,
    linger_zero,
    rfc5961,
    rfc1337,
    invalid_ratelimit,
    rst_carries_ack,
});
wire_struct!(LinkConfig {
    latency,
    jitter,
    loss,
    duplicate,
    reorder,
    reorder_delay
});
wire_struct!(SimConfig {
    seed,
    tcp,
    default_link,
    max_events,
    max_duration,
    max_sockets,
    max_memory
});
wire_struct!(HostSpec {
    name,
    addr,
    fd_limit,
    tcp,
    ephemeral_ports
});
wire_struct!(SegmentFilter {
    from,
    to,
    flags,
    not_flags,
    with_data,
    after,
    before
});
wire_struct!(FaultRule {
    filter,
    first,
    count,
    action
});
wire_struct!(Middlebox {
    between,
    idle_timeout,
    on_expired
});
wire_struct!(ScheduledCall { at, host, call, on });
wire_struct!(RepeatedCall {
    after,
    host,
    call,
    on
});
// A reaction or none in one tag byte (0 none; 1 to 7 the events of `SocketEvent::ALL`; from 8
// an error with the errno of that index in `Errno::ALL`), then the delay: one small decoder,
// not four generic ones (the page's first module has a size budget).
impl Wire for Option<Reaction> {
    fn put(&self, w: &mut Vec<u8>) {
        let Some(r) = self else {
            w.push(0);
            return;
        };
        fn index<T: PartialEq>(all: &[T], x: &T) -> u8 {
            all.iter().position(|y| y == x).unwrap_or(0) as u8
        }
        w.push(match r.event {
            SocketEvent::Error(Some(e)) => 8 + index(&Errno::ALL, &e),
            other => 1 + index(&SocketEvent::ALL, &other),
        });
        r.delay.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let tag = usize::from(r.byte()?);
        let event = match tag {
            0 => return Ok(None),
            1..=7 => SocketEvent::ALL[tag - 1],
            _ => match Errno::ALL.get(tag - 8) {
                Some(e) => SocketEvent::Error(Some(*e)),
                None => {
                    r.at -= 1;
                    return r.fail("a socket event");
                }
            },
        };
        let delay = Duration::get(r)?;
        Ok(Some(Reaction { event, delay }))
    }
}
wire_struct!(Repeat {
    start,
    every,
    count,
    calls
});
wire_struct!(Setup {
    cfg,
    duration,
    hosts,
    links,
    faults,
    middleboxes,
    calls,
    repeats
});

impl Wire for FaultAction {
    fn put(&self, w: &mut Vec<u8>) {
        match self {
            FaultAction::Drop => w.push(0),
            FaultAction::Delay(d) => {
                w.push(1);
                d.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.byte()? {
            0 => Ok(FaultAction::Drop),
            1 => Duration::get(r).map(FaultAction::Delay),
            _ => r.fail("a fault action"),
        }
    }
}

impl Wire for SockOpt {
    fn put(&self, w: &mut Vec<u8>) {
        match self {
            SockOpt::LingerZero(b) => {
                w.push(0);
                b.put(w);
            }
            SockOpt::Keepalive(b) => {
                w.push(1);
                b.put(w);
            }
            SockOpt::KeepIdle(d) => {
                w.push(2);
                d.put(w);
            }
            SockOpt::KeepIntvl(d) => {
                w.push(3);
                d.put(w);
            }
            SockOpt::KeepCnt(n) => {
                w.push(4);
                n.put(w);
            }
            SockOpt::UserTimeout(d) => {
                w.push(5);
                d.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match r.byte()? {
            0 => SockOpt::LingerZero(bool::get(r)?),
            1 => SockOpt::Keepalive(bool::get(r)?),
            2 => SockOpt::KeepIdle(Duration::get(r)?),
            3 => SockOpt::KeepIntvl(Duration::get(r)?),
            4 => SockOpt::KeepCnt(u32::get(r)?),
            5 => SockOpt::UserTimeout(Duration::get(r)?),
            _ => return r.fail("a socket option"),
        })
    }
}

impl Wire for Call {
    fn put(&self, w: &mut Vec<u8>) {
        match self {
            Call::Listen {
                socket,
                port,
                backlog,
            } => {
                w.push(0);
                socket.put(w);
                port.put(w);
                backlog.put(w);
            }
            Call::Connect {
                socket,
                remote,
                local_port,
            } => {
                w.push(1);
                socket.put(w);
                remote.put(w);
                local_port.put(w);
            }
            Call::Accept { listener, socket } => {
                w.push(2);
                listener.put(w);
                socket.put(w);
            }
            Call::Send {
                socket,
                bytes,
                data,
            } => {
                w.push(3);
                socket.put(w);
                bytes.put(w);
                data.put(w);
            }
            Call::Recv { socket, max } => {
                w.push(4);
                socket.put(w);
                max.put(w);
            }
            Call::Close { socket } => {
                w.push(5);
                socket.put(w);
            }
            Call::Shutdown { socket, how } => {
                w.push(6);
                socket.put(w);
                how.put(w);
            }
            Call::Abort { socket } => {
                w.push(7);
                socket.put(w);
            }
            Call::SetOption { socket, option } => {
                w.push(8);
                socket.put(w);
                option.put(w);
            }
            Call::Crash => w.push(9),
            Call::Restart => w.push(10),
        }
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let s = String::get;
        Ok(match r.byte()? {
            0 => Call::Listen {
                socket: s(r)?,
                port: u16::get(r)?,
                backlog: u32::get(r)?,
            },
            1 => Call::Connect {
                socket: s(r)?,
                remote: SocketAddrV4::get(r)?,
                local_port: Option::get(r)?,
            },
            2 => Call::Accept {
                listener: s(r)?,
                socket: s(r)?,
            },
            3 => Call::Send {
                socket: s(r)?,
                bytes: u64::get(r)?,
                data: Option::get(r)?,
            },
            4 => Call::Recv {
                socket: s(r)?,
                max: u64::get(r)?,
            },
            5 => Call::Close { socket: s(r)? },
            6 => Call::Shutdown {
                socket: s(r)?,
                how: ShutdownHow::get(r)?,
            },
            7 => Call::Abort { socket: s(r)? },
            8 => Call::SetOption {
                socket: s(r)?,
                option: SockOpt::get(r)?,
            },
            9 => Call::Crash,
            10 => Call::Restart,
            _ => return r.fail("a call"),
        })
    }
}

// An observed trace (a capture's, see `Trace::observed`) crosses the page's module boundary in
// this form: the reader of captures lives in the second module, the views in the first, where
// size counts. So it is written out by hand, field by field, in one function each way: the
// generic `Wire` impls, inlined per type, were 7 KB of the first module's wasm. Only the
// events a capture gives have a form; a simulated trace is made where it is shown.
//
// Numbers are varints; an optional number is 0 for none, else the number plus one; enums are
// their index in their `ALL` table.

fn put_opt(w: &mut Vec<u8>, v: Option<u64>) {
    put_varint(w, v.map_or(0, |v| v + 1));
}

fn put_addr(w: &mut Vec<u8>, a: SocketAddrV4) {
    put_varint(w, u64::from(u32::from(*a.ip())));
    put_varint(w, u64::from(a.port()));
}

fn index_of<T: PartialEq>(all: &[T], v: &T) -> u8 {
    all.iter().position(|x| x == v).unwrap_or(0) as u8
}

impl Reader<'_> {
    #[inline(never)]
    fn int<T: TryFrom<u64>>(&mut self) -> Result<T, DecodeError> {
        let v = self.varint()?;
        T::try_from(v).or_else(|_| self.fail("a number in range"))
    }
    #[inline(never)]
    fn opt<T: TryFrom<u64>>(&mut self) -> Result<Option<T>, DecodeError> {
        match self.varint()?.checked_sub(1) {
            None => Ok(None),
            Some(v) => T::try_from(v)
                .map(Some)
                .or_else(|_| self.fail("a number in range")),
        }
    }
    #[inline(never)]
    fn pick<T: Copy>(&mut self, all: &[T]) -> Result<T, DecodeError> {
        let b = self.byte()?;
        match all.get(usize::from(b)) {
            Some(v) => Ok(*v),
            None => self.fail("a known value"),
        }
    }
    #[inline(never)]
    fn addr(&mut self) -> Result<SocketAddrV4, DecodeError> {
        Ok(SocketAddrV4::new(
            Ipv4Addr::from(self.int::<u32>()?),
            self.int()?,
        ))
    }
    fn text(&mut self) -> Result<String, DecodeError> {
        String::get(self)
    }
}

impl Trace {
    /// An observed trace (one with [`Trace::observed`]) in a binary form (see the
    /// [module docs](self) for the encoding of values); `None` for a trace with events a
    /// capture never gives (calls, timers, drops), which is made where it is shown instead.
    pub fn encode_observed(&self) -> Option<Vec<u8>> {
        let observed = self.observed.as_deref()?;
        let mut w = Vec::with_capacity(64 + 16 * self.events.len() + 24 * self.segments.len());
        put_header(&mut w);
        let v = put_varint;
        v(&mut w, self.hosts.len() as u64);
        for h in &self.hosts {
            h.name.put(&mut w);
            v(&mut w, u64::from(u32::from(h.addr)));
            v(&mut w, u64::from(h.fd_limit));
            w.push(index_of(&[Profile::Rfc9293, Profile::Linux], &h.profile));
        }
        v(&mut w, self.sockets.len() as u64);
        for s in &self.sockets {
            v(&mut w, u64::from(s.host.0));
            s.label.put(&mut w);
            put_addr(&mut w, s.local);
            match s.remote {
                Some(r) => {
                    w.push(1);
                    put_addr(&mut w, r);
                }
                None => w.push(0),
            }
            put_opt(&mut w, s.parent.map(|p| u64::from(p.0)));
            v(&mut w, s.created.as_micros());
        }
        v(&mut w, self.segments.len() as u64);
        for g in &self.segments {
            put_addr(&mut w, g.src);
            put_addr(&mut w, g.dst);
            v(&mut w, u64::from(g.seq.0));
            v(&mut w, u64::from(g.ack.0));
            w.push(g.flags.bits());
            v(&mut w, u64::from(g.wnd));
            v(&mut w, u64::from(g.len));
        }
        v(&mut w, self.events.len() as u64);
        for e in &self.events {
            v(&mut w, e.t.as_micros());
            match e.kind {
                EventKind::SegmentSent {
                    id,
                    host,
                    socket,
                    reason,
                } => {
                    w.push(0);
                    v(&mut w, id.0);
                    v(&mut w, u64::from(host.0));
                    put_opt(&mut w, socket.map(|s| u64::from(s.0)));
                    w.push(index_of(&SendReason::ALL, &reason));
                }
                EventKind::SegmentDelivered { id, host, socket } => {
                    w.push(1);
                    v(&mut w, id.0);
                    v(&mut w, u64::from(host.0));
                    put_opt(&mut w, socket.map(|s| u64::from(s.0)));
                }
                EventKind::StateChanged {
                    host,
                    socket,
                    from,
                    to,
                    cause,
                } => {
                    w.push(2);
                    v(&mut w, u64::from(host.0));
                    v(&mut w, u64::from(socket.0));
                    w.push(index_of(&State::ALL, &from));
                    w.push(index_of(&State::ALL, &to));
                    w.push(index_of(&Cause::ALL, &cause));
                }
                EventKind::ConnectionError {
                    host,
                    socket,
                    errno,
                } => {
                    w.push(3);
                    v(&mut w, u64::from(host.0));
                    v(&mut w, u64::from(socket.0));
                    w.push(index_of(&Errno::ALL, &errno));
                }
                _ => return None,
            }
        }
        v(&mut w, self.end.as_micros());
        observed.source.put(&mut w);
        v(&mut w, observed.start_unix_us);
        v(&mut w, observed.connections.len() as u64);
        for c in &observed.connections {
            v(&mut w, u64::from(c.number));
            v(&mut w, u64::from(c.client.0));
            put_opt(&mut w, c.server.map(|s| u64::from(s.0)));
            v(&mut w, c.client_delay_us);
            v(&mut w, c.server_delay_us);
            w.push(u8::from(c.handshake_seen));
        }
        v(&mut w, observed.options.len() as u64);
        for (id, o) in &observed.options {
            v(&mut w, id.0);
            put_opt(&mut w, o.mss.map(u64::from));
            put_opt(&mut w, o.wscale.map(u64::from));
            w.push(u8::from(o.sack_permitted));
            match o.timestamps {
                Some((a, b)) => {
                    w.push(1);
                    v(&mut w, u64::from(a));
                    v(&mut w, u64::from(b));
                }
                None => w.push(0),
            }
        }
        Some(w)
    }

    /// Reads what [`Trace::encode_observed`] wrote. Trailing bytes are an error.
    pub fn decode_observed(bytes: &[u8]) -> Result<Trace, DecodeError> {
        let r = &mut Reader::new(bytes);
        r.header()?;
        let mut t = Trace::default();
        for _ in 0..r.seq_len()? {
            t.hosts.push(HostInfo {
                name: r.text()?,
                addr: Ipv4Addr::from(r.int::<u32>()?),
                fd_limit: r.int()?,
                profile: r.pick(&[Profile::Rfc9293, Profile::Linux])?,
            });
        }
        for i in 0..r.seq_len()? {
            t.sockets.push(SocketInfo {
                id: SocketId(i as u32),
                host: HostId(r.int()?),
                label: Option::get(r)?,
                local: r.addr()?,
                remote: if r.byte()? == 1 {
                    Some(r.addr()?)
                } else {
                    None
                },
                parent: r.opt()?.map(SocketId),
                created: Instant::from_micros(r.varint()?),
            });
        }
        for _ in 0..r.seq_len()? {
            t.segments.push(Segment {
                src: r.addr()?,
                dst: r.addr()?,
                seq: SeqNum(r.int()?),
                ack: SeqNum(r.int()?),
                flags: Flags::from_bits(r.byte()?),
                wnd: r.int()?,
                len: r.int()?,
            });
        }
        for _ in 0..r.seq_len()? {
            let at = Instant::from_micros(r.varint()?);
            let tag = r.byte()?;
            let kind = match tag {
                0 | 1 => {
                    let id = SegmentId(r.varint()?);
                    let host = HostId(r.int()?);
                    let socket = r.opt()?.map(SocketId);
                    if tag == 0 {
                        EventKind::SegmentSent {
                            id,
                            host,
                            socket,
                            reason: r.pick(&SendReason::ALL)?,
                        }
                    } else {
                        EventKind::SegmentDelivered { id, host, socket }
                    }
                }
                2 => EventKind::StateChanged {
                    host: HostId(r.int()?),
                    socket: SocketId(r.int()?),
                    from: r.pick(&State::ALL)?,
                    to: r.pick(&State::ALL)?,
                    cause: r.pick(&Cause::ALL)?,
                },
                3 => EventKind::ConnectionError {
                    host: HostId(r.int()?),
                    socket: SocketId(r.int()?),
                    errno: r.pick(&Errno::ALL)?,
                },
                _ => return r.fail("an event of an observed trace"),
            };
            t.events.push(TraceEvent { t: at, kind });
        }
        t.end = Instant::from_micros(r.varint()?);
        let mut o = Observed {
            source: r.text()?,
            start_unix_us: r.varint()?,
            ..Observed::default()
        };
        for _ in 0..r.seq_len()? {
            o.connections.push(ObservedConnection {
                number: r.int()?,
                client: SocketId(r.int()?),
                server: r.opt()?.map(SocketId),
                client_delay_us: r.varint()?,
                server_delay_us: r.varint()?,
                handshake_seen: r.byte()? == 1,
            });
        }
        for _ in 0..r.seq_len()? {
            let id = SegmentId(r.varint()?);
            let mss = r.opt()?;
            let wscale = r.opt()?;
            let sack_permitted = r.byte()? == 1;
            let timestamps = if r.byte()? == 1 {
                Some((r.int()?, r.int()?))
            } else {
                None
            };
            o.options.push((
                id,
                TcpOptions {
                    mss,
                    wscale,
                    sack_permitted,
                    timestamps,
                },
            ));
        }
        r.end()?;
        observed_refs(&t, &o).map_err(|expected| DecodeError {
            at: bytes.len(),
            expected,
        })?;
        let n = t.segments.len() as u64;
        t.stats = RunStats {
            segments_sent: n,
            segments_delivered: n,
            ..RunStats::default()
        };
        t.observed = Some(Box::new(o));
        Ok(t)
    }
}

/// Whether every host, socket and segment an observed trace names is one of its own, and its
/// events are in time order: what the views take for granted of a trace the simulator made.
/// What is wrong, if anything.
fn observed_refs(t: &Trace, o: &Observed) -> Result<(), &'static str> {
    let host = |h: HostId| h.index() < t.hosts.len();
    let socket = |s: SocketId| s.index() < t.sockets.len();
    let segment = |g: SegmentId| g.0 < t.segments.len() as u64;
    let sockets_ok = t
        .sockets
        .iter()
        .all(|s| host(s.host) && s.parent.is_none_or(socket));
    let events_ok = t.events.iter().all(|e| match e.kind {
        EventKind::SegmentSent {
            id,
            host: h,
            socket: s,
            ..
        }
        | EventKind::SegmentDelivered {
            id,
            host: h,
            socket: s,
        } => segment(id) && host(h) && s.is_none_or(socket),
        EventKind::StateChanged {
            host: h, socket: s, ..
        }
        | EventKind::ConnectionError {
            host: h, socket: s, ..
        } => host(h) && socket(s),
        _ => false,
    });
    let ordered = t.events.windows(2).all(|w| w[0].t <= w[1].t)
        && t.events.last().is_none_or(|e| e.t <= t.end);
    let observed_ok = o
        .connections
        .iter()
        .all(|c| socket(c.client) && c.server.is_none_or(socket))
        && o.options.iter().all(|(id, _)| segment(*id));
    match (sockets_ok, events_ok, ordered, observed_ok) {
        (false, ..) => Err("sockets on the trace's own hosts"),
        (_, false, ..) => Err("events naming the trace's own hosts, sockets and segments"),
        (_, _, false, _) => Err("events in time order, before the trace's end"),
        (.., false) => Err("connections and options naming the trace's own sockets and segments"),
        _ => Ok(()),
    }
}
