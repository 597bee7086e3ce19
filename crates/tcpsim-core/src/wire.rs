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

use crate::config::{Keepalive, Profile, TcpConfig};
use crate::endpoint::{ShutdownHow, SockOpt};
use crate::net::{ExpiredAction, FaultAction, FaultRule, LinkConfig, Middlebox, SegmentFilter};
use crate::segment::Flags;
use crate::sim::{Call, HostId, HostSpec, SimConfig, SimError, Simulator};
use crate::state::State;
use crate::time::{Duration, Instant};
use crate::trace::ScheduledCall;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};

/// Everything a run takes: what a scenario file compiles to, and what [`Simulator`] is built
/// from.
///
/// The calls the simulator is given are `calls`, in their order, then each repeat's, repetition
/// by repetition, each repetition's calls in their order; stably sorted by time, so a call's
/// [`CallId`](crate::trace::CallId) follows time and calls at the same time keep that order. A
/// repeated call that would fall after `duration` is left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Setup {
    pub cfg: SimConfig,
    /// How long the run lasts.
    pub duration: Duration,
    pub hosts: Vec<HostSpec>,
    pub links: Vec<(HostId, HostId, LinkConfig)>,
    pub faults: Vec<FaultRule>,
    pub middleboxes: Vec<Middlebox>,
    pub calls: Vec<ScheduledCall>,
    /// Calls repeated at a fixed period, kept as templates: ten thousand connections are a few
    /// hundred bytes here, and become calls only as the run reaches them.
    pub repeats: Vec<Repeat>,
}

/// The same calls made `count` times, `every` apart: "every 360 ms, connect `req{i}`".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Repeat {
    /// When repetition 0 begins.
    pub start: Instant,
    pub every: Duration,
    pub count: u64,
    /// Each repetition's calls; repetition `i` makes them at `start + i * every + after`, with
    /// `{i}` in their socket names replaced by `i` (`req{i}`: `req0`, `req1`, ...).
    pub calls: Vec<RepeatedCall>,
}

/// A call of a [`Repeat`].
#[derive(Clone, Debug, PartialEq)]
pub struct RepeatedCall {
    pub after: Duration,
    pub host: HostId,
    pub call: Call,
}

/// Where a call of a [`Setup`] comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallSource {
    /// `calls[i]`.
    Call(usize),
    /// `repeats[repeat].calls[call]`, in repetition `index`.
    Repeat {
        repeat: usize,
        call: usize,
        index: u64,
    },
}

/// Why a [`Setup`] could not become a simulator; `call` is the call at fault.
#[derive(Clone, Debug, PartialEq)]
pub struct SetupError {
    pub call: Option<CallSource>,
    pub error: SimError,
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for SetupError {}

impl Repeat {
    /// When repetition `i` makes call `k`, unless that is past `end` (or past what a time can
    /// hold).
    fn time(&self, i: u64, k: usize, end: Instant) -> Option<Instant> {
        let offset = self.every.as_micros().checked_mul(i)?;
        let after = self.calls.get(k)?.after.as_micros();
        let at = self
            .start
            .as_micros()
            .checked_add(offset)?
            .checked_add(after)?;
        (at <= end.as_micros()).then(|| Instant::from_micros(at))
    }
}

/// A repeated call's socket name in repetition `i`: each `{i}` replaced by the number
/// (`req{i}` in repetition 7: `req7`). The scenario compiler checks names with this, and the
/// simulator makes them with [`NameTemplate`], which must agree.
pub fn repetition_name(name: &str, i: u64) -> String {
    name.replace("{i}", &i.to_string())
}

/// A repeat's socket name, cut at each `{i}` once, so that filling it in for each of ten
/// thousand repetitions does not search the name again.
#[derive(Debug)]
struct NameTemplate {
    parts: Vec<String>,
}

impl NameTemplate {
    fn new(name: &str) -> NameTemplate {
        NameTemplate {
            parts: name.split("{i}").map(str::to_string).collect(),
        }
    }

    /// [`repetition_name`] of the name, for repetition `i`: one allocation, the number's digits
    /// written by hand (a run fills in tens of thousands of names, and formatting machinery
    /// and a joined temporary cost more than the rest of making the call).
    fn fill(&self, i: u64) -> String {
        let [first, rest @ ..] = &self.parts[..] else {
            return String::new();
        };
        let mut digits = [0u8; 20];
        let mut n = i;
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let number = &digits[start..];
        let len = self.parts.iter().map(String::len).sum::<usize>() + rest.len() * number.len();
        let mut out = String::with_capacity(len);
        out.push_str(first);
        for part in rest {
            out.extend(number.iter().map(|&d| char::from(d)));
            out.push_str(part);
        }
        out
    }
}

/// The names of a repeated call, in the order [`Call::map_names`] visits them, cut once.
fn name_templates(call: &Call) -> Vec<NameTemplate> {
    let mut names = Vec::new();
    let _ = call.map_names(|n| {
        names.push(NameTemplate::new(n));
        String::new()
    });
    names
}

/// A setup's calls, made one at a time as the run reaches them: a k-way merge of the calls as
/// listed and of each repeated call as a stream over the repetitions (its times never
/// decrease). The heap holds each stream's next call, keyed by (time, position in the order of
/// [`Setup`]'s docs), which is unique. Making calls as they come keeps the set-up of ten
/// thousand connections out of the way of the first frame, and spreads it over the run.
#[derive(Debug)]
pub(crate) struct CallMerge {
    end: Instant,
    max_events: u64,
    listed: std::collections::VecDeque<ScheduledCall>,
    /// Position of the next listed call.
    next_listed: u64,
    repeats: Vec<Repeat>,
    /// Per repeat: the position of its repetition 0's first call.
    bases: Vec<u64>,
    /// Per stream (stream 0 is the listed calls): the repeat and call, and its names.
    streams: Vec<(usize, usize, Vec<NameTemplate>)>,
    heap: BinaryHeap<Reverse<(Instant, u64, u32)>>,
    made: u64,
    /// How many calls there will be, about (for reserving room).
    expected: u64,
    /// How many sockets they will open, about (for reserving room).
    sockets: u64,
}

impl CallMerge {
    /// The time of the next call.
    pub(crate) fn peek(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, ..))| *at)
    }

    /// How many calls the merge expects to make, about.
    pub(crate) fn expected(&self) -> u64 {
        self.expected
    }

    /// How many sockets the calls will open, about.
    pub(crate) fn expected_sockets(&self) -> u64 {
        self.sockets
    }

    /// The next call: its time, host and call, names filled in.
    pub(crate) fn next(&mut self) -> Option<(Instant, HostId, Call)> {
        let Reverse((at, p, stream)) = self.heap.pop()?;
        self.made += 1;
        if stream == 0 {
            let c = self.listed.pop_front()?;
            self.next_listed += 1;
            if let Some(next) = self.listed.front() {
                self.heap.push(Reverse((next.at, self.next_listed, 0)));
            }
            return Some((at, c.host, c.call));
        }
        let (repeat, call, names) = self.streams.get(stream as usize)?;
        let r = self.repeats.get(*repeat)?;
        let c = r.calls.get(*call)?;
        let per = r.calls.len() as u64;
        let index = (p - self.bases.get(*repeat)?) / per;
        // A run can make no more calls than it has events: repeated calls past that can never
        // run, and a hostile count must not fill the memory.
        if self.made <= self.max_events
            && index + 1 < r.count
            && let Some(next) = r.time(index + 1, *call, self.end)
        {
            self.heap.push(Reverse((next, p + per, stream)));
        }
        let mut names = names.iter();
        let made = c
            .call
            .map_names(|_| names.next().map_or_else(String::new, |n| n.fill(index)));
        Some((at, c.host, made))
    }
}

impl Setup {
    /// Builds the simulator: hosts, links, faults, middleboxes, then the calls (see
    /// [`Setup`] for their order), which the simulator makes as the run reaches them.
    pub fn simulator(self) -> Result<Simulator, SetupError> {
        let whole = |error| SetupError { call: None, error };
        let mut sim = Simulator::new(self.cfg);
        for h in self.hosts {
            sim.add_host(h).map_err(whole)?;
        }
        for (a, b, l) in self.links {
            sim.set_link(a, b, l).map_err(whole)?;
        }
        for f in self.faults {
            sim.add_fault(f).map_err(whole)?;
        }
        for m in self.middleboxes {
            sim.add_middlebox(m).map_err(whole)?;
        }
        // What scheduling a call would refuse, refused now.
        for (i, c) in self.calls.iter().enumerate() {
            sim.check_call(c.at, c.host).map_err(|error| SetupError {
                call: Some(CallSource::Call(i)),
                error,
            })?;
        }
        for (repeat, r) in self.repeats.iter().enumerate() {
            for (call, c) in r.calls.iter().enumerate() {
                sim.check_call(Instant::ZERO, c.host)
                    .map_err(|error| SetupError {
                        call: Some(CallSource::Repeat {
                            repeat,
                            call,
                            index: 0,
                        }),
                        error,
                    })?;
            }
        }
        let end = Instant::ZERO + self.duration;
        let max_events = sim.config().max_events;
        let too_many = || SetupError {
            call: None,
            error: SimError::InvalidConfig(
                "the repeats schedule more calls than positions can number: repeat fewer times"
                    .into(),
            ),
        };
        let mut bases = Vec::with_capacity(self.repeats.len());
        let mut pos = self.calls.len() as u64;
        for r in &self.repeats {
            bases.push(pos);
            pos = r
                .count
                .checked_mul(r.calls.len() as u64)
                .and_then(|n| pos.checked_add(n))
                .ok_or_else(too_many)?;
        }
        let mut heap = BinaryHeap::new();
        let mut streams = vec![(usize::MAX, usize::MAX, Vec::new())];
        if let Some(c) = self.calls.first() {
            heap.push(Reverse((c.at, 0, 0)));
        }
        for (r, rep) in self.repeats.iter().enumerate() {
            for k in 0..rep.calls.len() {
                let stream = streams.len() as u32;
                streams.push((r, k, name_templates(&rep.calls[k].call)));
                if rep.count > 0
                    && let Some(at) = rep.time(0, k, end)
                {
                    heap.push(Reverse((at, bases[r] + k as u64, stream)));
                }
            }
        }
        // Sockets a call opens, about: a connect() one, and one more if the listener is in the
        // run (a passive open); a listen() one.
        let opens = |c: &Call| match c {
            Call::Connect { .. } => 2u64,
            Call::Listen { .. } => 1,
            _ => 0,
        };
        let (mut repeated, mut sockets) = (0u64, 0u64);
        for r in &self.repeats {
            let within = end
                .as_micros()
                .checked_sub(r.start.as_micros())
                .map_or(0, |d| {
                    d.checked_div(r.every.as_micros())
                        .map_or(u64::MAX, |k| k.saturating_add(1))
                });
            let times = r.count.min(within);
            repeated = repeated.saturating_add(times.saturating_mul(r.calls.len() as u64));
            let per = r.calls.iter().map(|c| opens(&c.call)).sum::<u64>();
            sockets = sockets.saturating_add(times.saturating_mul(per));
        }
        let expected = (self.calls.len() as u64).saturating_add(repeated.min(max_events));
        let sockets = self
            .calls
            .iter()
            .map(|c| opens(&c.call))
            .sum::<u64>()
            .saturating_add(sockets);
        sim.set_calls(CallMerge {
            end,
            max_events,
            listed: self.calls.into(),
            next_listed: 0,
            repeats: self.repeats,
            bases,
            streams,
            heap,
            made: 0,
            expected,
            sockets,
        });
        Ok(sim)
    }

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
const VERSION: u8 = 2;

/// An input that is not a setup written by this version of [`Setup::encode`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset where reading failed.
    pub at: usize,
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
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

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
            return self.fail("format version 2");
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
    fn put(&self, w: &mut Vec<u8>);
    fn get(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
}

/// Writes the magic bytes and the version, which [`Reader::header`] checks.
pub fn put_header(w: &mut Vec<u8>) {
    w.extend_from_slice(MAGIC);
    w.push(VERSION);
}

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
        impl $crate::wire::Wire for $t {
            fn put(&self, w: &mut Vec<u8>) {
                let $t { $($f),* } = self;
                $( $crate::wire::Wire::put($f, w); )*
            }
            fn get(r: &mut $crate::wire::Reader<'_>) -> Result<Self, $crate::wire::DecodeError> {
                Ok($t { $($f: $crate::wire::Wire::get(r)?),* })
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
    max_sockets
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
wire_struct!(ScheduledCall { at, host, call });
wire_struct!(RepeatedCall { after, host, call });
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
            Call::Send { socket, bytes } => {
                w.push(3);
                socket.put(w);
                bytes.put(w);
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_name_template_fills_in_as_repetition_name_does() {
        for name in [
            "req{i}",
            "listener",
            "{i}",
            "a{i}-b{i}",
            "{i}{i}",
            "",
            "x{i",
            "{I}",
        ] {
            let t = super::NameTemplate::new(name);
            for i in [
                0,
                7,
                9,
                10,
                99,
                100,
                12_345,
                1_000_000,
                u64::MAX / 10,
                u64::MAX,
            ] {
                assert_eq!(t.fill(i), super::repetition_name(name, i), "{name} {i}");
            }
        }
    }
}
