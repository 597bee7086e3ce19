//! Captures (pcap and pcapng; Ethernet, Linux cooked SLL and SLL2, raw IP, BSD loopback; IPv4
//! and IPv6) read in one pass into TCP connections, and each endpoint's states inferred from
//! what it sent and received, the way a middlebox tracker does (Linux conntrack, Zeek's
//! `conn_state`): a capture shows segments, never an application's calls, so a close() is seen
//! as a FIN, and a socket dropped by a timer (TIME-WAIT's end, an orphan's `tcp_fin_timeout`)
//! is not seen at all. The formats are read by `pcap-parser` and the headers by `etherparse`.
//!
//! Memory is bounded by the connections, not the packets: a connection keeps counts and the
//! times of its state changes, and the packets go as they are read.

use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use pcap_parser::data::{PacketData, get_packetdata};
use pcap_parser::pcapng::Block;
use pcap_parser::{Linktype, PcapBlockOwned, PcapError};
use serde::Serialize;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use tcpsim_core::state::{Cause, State};
use tcpsim_core::trace::TcpOptions;
pub use tcpsim_words::evidence::Story;

/// The most connections a capture is read into (each takes a few hundred bytes): past it, new
/// connections are counted and not followed.
pub const MAX_CONNECTIONS: usize = 1_000_000;
/// The largest block a capture may hold: a packet is at most 256 KiB even with a huge snap
/// length; a length field of 2^31 is an error at its place, not an allocation.
pub const MAX_BLOCK: usize = 16 << 20;

/// One TCP segment as the capture shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Seen {
    /// µs from the capture's first packet.
    pub(crate) t_us: u64,
    pub(crate) src: SocketAddr,
    pub(crate) dst: SocketAddr,
    pub(crate) syn: bool,
    pub(crate) ack: bool,
    pub(crate) fin: bool,
    pub(crate) rst: bool,
    pub(crate) psh: bool,
    pub(crate) seq: u32,
    pub(crate) ack_no: u32,
    pub(crate) len: u32,
    /// The advertised window, unscaled, as on the wire.
    pub(crate) wnd: u16,
    /// Its options, read only when a trace is made (`read_packets`).
    pub(crate) options: TcpOptions,
}

/// How an endpoint's state change was seen: in a segment it sent, in one it received, or not
/// at all (the capture began later; a timer dropped it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    Sent,
    Received,
    Inferred,
}

/// What a capture could not use, counted, with the first packet of each kind (from 1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Packets that are not TCP (ARP, UDP, ICMP, ...).
    pub not_tcp: u64,
    /// Packets cut by the snap length before their TCP header ends, or whose headers do not
    /// read.
    pub unreadable: u64,
    /// The first unreadable packet.
    pub first_unreadable: Option<u64>,
    /// Packets of a link type not read (their number, and the link type of the first).
    pub other_link: u64,
    /// The first such link type.
    pub link_type: Option<i32>,
    /// Connections past [`MAX_CONNECTIONS`], not followed.
    pub connections_not_followed: u64,
}

/// Why a capture could not be read at all, or stopped early.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaptureError {
    /// Neither pcap nor pcapng.
    NotACapture,
    /// A block's length is over [`MAX_BLOCK`] or past the file's end: at which byte.
    BadBlock {
        /// The file offset of the block.
        offset: u64,
    },
    /// The file could not be read.
    Io(String),
}

/// What one endpoint did, as the wire shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Side {
    /// Its address.
    #[serde(serialize_with = "display")]
    pub addr: Option<SocketAddr>,
    /// Segments and payload bytes it sent.
    pub segments: u64,
    /// Payload bytes it sent.
    pub bytes: u64,
    /// When it sent its first FIN, and that FIN's sequence number.
    #[serde(skip)]
    fin: Option<(u64, u32)>,
    /// When its FIN was acknowledged.
    #[serde(skip)]
    fin_acked: Option<u64>,
    /// When it sent a RST.
    #[serde(skip)]
    pub(crate) rst: Option<u64>,
    /// It sent a SYN,ACK; it received one (both: a simultaneous open's end).
    #[serde(skip)]
    synack: (bool, bool),
    /// The longest silence of the connection before that RST, µs.
    #[serde(skip)]
    idle_before_rst: u64,
    /// Its states as inferred, with the time each began (µs from the capture's first packet).
    pub states: Vec<(u64, State)>,
    /// Why each of `states` was entered, and how it was seen.
    #[serde(skip)]
    pub(crate) how: Vec<(Cause, Dir)>,
}

fn story_key<S: serde::Serializer>(story: &Story, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(story.key())
}

fn display<S: serde::Serializer>(a: &Option<SocketAddr>, s: S) -> Result<S::Ok, S::Error> {
    match a {
        Some(a) => s.collect_str(a),
        None => s.serialize_none(),
    }
}

impl Side {
    /// Its last state.
    pub fn state(&self) -> Option<State> {
        self.states.last().map(|(_, s)| *s)
    }
    /// Enters state `s`, by Figure 5's arcs: where the capture missed a segment (a handshake
    /// seen only from its end, a SYN,ACK lost to the capture), the states the side must have
    /// passed through are entered first; a change no arc can reach is not made.
    fn enter(&mut self, t: u64, s: State, cause: Cause, dir: Dir) {
        use State::*;
        let from = self.state();
        if from == Some(s) || from == Some(Closed) || (from.is_none() && s == Closed) {
            // Nothing follows CLOSED (a new connection on the same ports is another), and a
            // reset with no state seen before it shows no socket.
            return;
        }
        let now = from.unwrap_or(Closed);
        if !State::is_legal_transition(now, s) {
            // The way to ESTABLISHED from where it stands, with what each step shows.
            let path: &[(State, Cause)] = match now {
                _ if s == SynReceived && from.is_none() => &[(Listen, Cause::PassiveOpen)],
                _ if matches!(s, SynReceived | SynSent | Listen) => &[],
                Closed => &[(Established, Cause::CaptureBegan)],
                Listen => &[
                    (SynReceived, Cause::RcvSyn),
                    (Established, Cause::RcvAckOfSyn),
                ],
                SynSent => &[(Established, Cause::RcvSynAck)],
                SynReceived => &[(Established, Cause::RcvAckOfSyn)],
                _ => &[],
            };
            let mut at = now;
            for (mid, why) in path {
                self.states.push((t, *mid));
                self.how.push((*why, Dir::Inferred));
                at = *mid;
            }
            if at == s || !State::is_legal_transition(at, s) {
                return;
            }
        }
        self.states.push((t, s));
        self.how.push((cause, dir));
    }
}

/// A connection, with both endpoints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Connection {
    /// The side that sent the first SYN (else the one with the higher port: an ephemeral one).
    pub client: Side,
    /// The other side.
    pub server: Side,
    /// When its first and last packets were seen (µs from the capture's first packet).
    pub first_us: u64,
    /// See `first_us`.
    pub last_us: u64,
    /// Whether the handshake was seen.
    pub handshake_seen: bool,
    /// How it went.
    #[serde(serialize_with = "story_key")]
    pub story: Story,
    /// Half the round trips between the client and the capture point, and between the capture
    /// point and the server, µs, from the handshake's times (when it was seen).
    #[serde(skip)]
    pub(crate) delays: Option<(u64, u64)>,
}

/// A capture, read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Capture {
    /// Packets read.
    pub packets: u64,
    /// Its connections, in the order their first packet came.
    pub connections: Vec<Connection>,
    /// What was skipped.
    pub skipped: Skipped,
    /// Where the file ended early or broke, after what was read before.
    pub stopped: Option<CaptureError>,
    /// When its first packet was taken, µs since the Unix epoch.
    #[serde(skip)]
    pub start_unix_us: u64,
}

/// Whether bytes start as a capture does: pcap (either byte order, micro- or nanosecond
/// stamps) or pcapng.
pub fn is_capture(start: &[u8]) -> bool {
    start.get(..4).is_some_and(|m| {
        matches!(
            u32::from_le_bytes([m[0], m[1], m[2], m[3]]),
            0xa1b2_c3d4 | 0xd4c3_b2a1 | 0xa1b2_3c4d | 0x4d3c_b2a1 | 0x0a0d_0d0a
        )
    })
}

/// Reads a capture from `input` in one pass.
pub fn read(input: impl Read + Send) -> Result<Capture, CaptureError> {
    read_packets(input, false, |_, _| {})
}

/// Reads a capture, handing each TCP segment to `packet` with its connection's index in
/// [`Capture::connections`]; with `options`, the segments' TCP options are read too.
pub(crate) fn read_packets(
    input: impl Read + Send,
    options: bool,
    mut on_packet: impl FnMut(usize, &Seen),
) -> Result<Capture, CaptureError> {
    let mut reading = Reading::new(input, options)?;
    while !reading.step(usize::MAX, &mut on_packet) {}
    reading.finish()
}

/// A capture being read, a few blocks at a time ([`Reading::advance`]), so that a page can show
/// its progress and paint between slices.
pub struct Reading<'a> {
    reader: Box<dyn pcap_parser::traits::PcapReaderIterator + Send + 'a>,
    cap: Capture,
    tracker: Tracker,
    /// pcapng: per interface, its link type and time resolution (units per second).
    interfaces: Vec<(Linktype, u64)>,
    legacy: (Linktype, u64),
    origin: Option<u64>,
    options: bool,
    /// Bytes of the input consumed, for progress.
    consumed: u64,
    done: bool,
}

impl<'a> Reading<'a> {
    /// Starts reading `input`; reads the TCP options too with `options`.
    pub fn new(input: impl Read + Send + 'a, options: bool) -> Result<Reading<'a>, CaptureError> {
        let reader = match pcap_parser::create_reader(1 << 16, input) {
            Ok(r) => r,
            Err(PcapError::HeaderNotRecognized) | Err(PcapError::Eof) => {
                return Err(CaptureError::NotACapture);
            }
            Err(e) => return Err(CaptureError::Io(format!("{e:?}"))),
        };
        Ok(Reading {
            reader,
            cap: Capture::default(),
            tracker: Tracker::default(),
            interfaces: Vec::new(),
            legacy: (Linktype::ETHERNET, 1_000_000),
            origin: None,
            options,
            consumed: 0,
            done: false,
        })
    }

    /// Bytes of the input read so far.
    pub fn bytes_read(&self) -> u64 {
        self.consumed
    }

    /// Packets read so far.
    pub fn packets(&self) -> u64 {
        self.cap.packets
    }

    /// Reads up to `blocks` blocks; whether the capture is over.
    pub fn advance(&mut self, blocks: usize) -> bool {
        self.step(blocks, &mut |_, _| {})
    }

    /// Reads up to `blocks` blocks, handing each TCP segment to `on_packet`; whether the
    /// capture is over.
    pub(crate) fn step(&mut self, blocks: usize, on_packet: &mut impl FnMut(usize, &Seen)) -> bool {
        let Reading {
            reader,
            cap,
            tracker,
            interfaces,
            legacy,
            origin,
            options,
            consumed,
            done,
        } = self;
        let mut packet = |link: Linktype, t_us: u64, data: &[u8], caplen: usize| {
            cap.packets += 1;
            let t0 = *origin.get_or_insert(t_us);
            let t = t_us.saturating_sub(t0);
            match decode(link, data, caplen, t, *options) {
                Decoded::Tcp(seen) => {
                    if let Some(i) = tracker.see(seen, &mut cap.skipped) {
                        on_packet(i, &seen);
                    }
                }
                Decoded::NotTcp => cap.skipped.not_tcp += 1,
                Decoded::Unreadable => {
                    cap.skipped.unreadable += 1;
                    cap.skipped.first_unreadable.get_or_insert(cap.packets);
                }
                Decoded::OtherLink => {
                    cap.skipped.other_link += 1;
                    cap.skipped.link_type.get_or_insert(link.0);
                }
            }
        };
        let mut left = blocks;
        let mut stopped = None;
        while !*done && left > 0 {
            left -= 1;
            match reader.next() {
                Ok((offset, block)) => {
                    match block {
                        PcapBlockOwned::LegacyHeader(h) => {
                            let per_sec = if h.is_nanosecond_precision() {
                                1_000_000_000
                            } else {
                                1_000_000
                            };
                            *legacy = (h.network, per_sec);
                        }
                        PcapBlockOwned::Legacy(b) => {
                            let frac = u64::from(b.ts_usec) * 1_000_000 / legacy.1;
                            let t = u64::from(b.ts_sec) * 1_000_000 + frac;
                            packet(legacy.0, t, b.data, b.caplen as usize);
                        }
                        PcapBlockOwned::NG(Block::SectionHeader(_)) => interfaces.clear(),
                        PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                            let res = idb.ts_resolution().filter(|r| *r > 0).unwrap_or(1_000_000);
                            interfaces.push((idb.linktype, res));
                        }
                        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                            let (link, res) = interfaces
                                .get(epb.if_id as usize)
                                .copied()
                                .unwrap_or((Linktype(-1), 1_000_000));
                            let ts = (u128::from(epb.ts_high) << 32) | u128::from(epb.ts_low);
                            let t =
                                u64::try_from(ts * 1_000_000 / u128::from(res)).unwrap_or(u64::MAX);
                            packet(link, t, epb.data, epb.caplen as usize);
                        }
                        PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                            let link = interfaces.first().map_or(Linktype(-1), |i| i.0);
                            packet(link, 0, spb.data, spb.data.len());
                        }
                        PcapBlockOwned::NG(_) => {}
                    }
                    *consumed += offset as u64;
                    reader.consume(offset);
                }
                Err(PcapError::Eof) => *done = true,
                Err(e) => {
                    // What went wrong, kept apart from the error, which borrows the reader's buffer.
                    let (incomplete, too_small, read_error) = (
                        matches!(e, PcapError::Incomplete(_)),
                        matches!(e, PcapError::BufferTooSmall),
                        matches!(e, PcapError::ReadError),
                    );
                    // A block cut short with more to read, or larger than the buffer: read on.
                    let more = if incomplete {
                        !reader.reader_exhausted()
                    } else if too_small {
                        let size = reader.data().len().max(1 << 16) * 2;
                        size <= MAX_BLOCK && reader.grow(size)
                    } else {
                        false
                    };
                    let stop = if !more && read_error {
                        Some(CaptureError::Io("read error".into()))
                    } else if !more {
                        Some(CaptureError::BadBlock {
                            offset: reader.consumed() as u64,
                        })
                    } else {
                        reader
                            .refill()
                            .err()
                            .map(|e| CaptureError::Io(format!("{e:?}")))
                    };
                    if stop.is_some() {
                        stopped = stop;
                        *done = true;
                    }
                }
            }
        }
        if stopped.is_some() {
            cap.stopped = stopped;
        }
        *done
    }

    /// The capture as read: its connections with their stories.
    pub fn finish(mut self) -> Result<Capture, CaptureError> {
        let mut cap = std::mem::take(&mut self.cap);
        if cap.packets == 0 && cap.stopped.is_some() {
            return Err(cap.stopped.take().unwrap_or(CaptureError::NotACapture));
        }
        cap.connections = std::mem::take(&mut self.tracker).finish();
        cap.start_unix_us = self.origin.unwrap_or(0);
        Ok(cap)
    }
}

enum Decoded {
    Tcp(Seen),
    NotTcp,
    Unreadable,
    OtherLink,
}

fn decode(link: Linktype, data: &[u8], caplen: usize, t_us: u64, options: bool) -> Decoded {
    let caplen = caplen.min(data.len());
    let sliced = match get_packetdata(&data[..caplen], link, caplen) {
        Some(PacketData::L2(frame)) => SlicedPacket::from_ethernet(frame),
        Some(PacketData::L3(_, ip)) => SlicedPacket::from_ip(ip),
        Some(PacketData::L4(..)) => return Decoded::NotTcp,
        Some(PacketData::Unsupported(_)) => return Decoded::OtherLink,
        None => return Decoded::Unreadable,
    };
    let Ok(p) = sliced else {
        return Decoded::Unreadable;
    };
    let (src, dst): (IpAddr, IpAddr) = match &p.net {
        Some(NetSlice::Ipv4(v4)) => (
            v4.header().source_addr().into(),
            v4.header().destination_addr().into(),
        ),
        Some(NetSlice::Ipv6(v6)) => (
            v6.header().source_addr().into(),
            v6.header().destination_addr().into(),
        ),
        _ => return Decoded::NotTcp,
    };
    let Some(TransportSlice::Tcp(tcp)) = &p.transport else {
        return Decoded::NotTcp;
    };
    Decoded::Tcp(Seen {
        t_us,
        src: SocketAddr::new(src, tcp.source_port()),
        dst: SocketAddr::new(dst, tcp.destination_port()),
        syn: tcp.syn(),
        ack: tcp.ack(),
        fin: tcp.fin(),
        rst: tcp.rst(),
        psh: tcp.psh(),
        seq: tcp.sequence_number(),
        ack_no: tcp.acknowledgment_number(),
        len: tcp.payload().len() as u32,
        wnd: tcp.window_size(),
        options: if options {
            tcp_options(tcp)
        } else {
            TcpOptions::default()
        },
    })
}

fn tcp_options(tcp: &etherparse::TcpSlice<'_>) -> TcpOptions {
    use etherparse::TcpOptionElement as O;
    let mut o = TcpOptions::default();
    // A malformed option ends the list: what came before it stands.
    for e in tcp.options_iterator().map_while(Result::ok) {
        match e {
            O::MaximumSegmentSize(m) => o.mss = Some(m),
            O::WindowScale(w) => o.wscale = Some(w),
            O::SelectiveAcknowledgementPermitted => o.sack_permitted = true,
            O::Timestamp(v, e) => o.timestamps = Some((v, e)),
            _ => {}
        }
    }
    o
}

/// Connections in the order they began, and their index by their two ends (the smaller
/// first): a hash table with a fixed hasher, for lookups only (never iterated, so no hash order
/// reaches a report). A search tree's comparisons of address pairs were two thirds of a large
/// capture's reading (PERFORMANCE.md).
#[derive(Default)]
struct Tracker {
    index: rustc_hash::FxHashMap<(SocketAddr, SocketAddr), usize>,
    conns: Vec<Track>,
}

struct Track {
    conn: Connection,
    /// A SYN without ACK was seen from the client.
    syn: bool,
    synack: bool,
    /// The server sent data or a FIN after the client's FIN, and the client answered RST.
    data_after_client_fin: bool,
    data_after_server_fin: bool,
    /// Each side received payload it acknowledged (for "closed with unread data").
    client_got_data: bool,
    server_got_data: bool,
    /// When the packet before this one came.
    last_before: u64,
    /// The silence before that packet.
    gap_before_last: u64,
    /// The client's initial sequence number, from its SYN.
    isn: Option<u32>,
    /// When the handshake's SYN, SYN,ACK and ACK were first seen.
    handshake: (Option<u64>, Option<u64>, Option<u64>),
}

impl Tracker {
    /// Follows one segment; its connection's index, or `None` past [`MAX_CONNECTIONS`].
    fn see(&mut self, s: Seen, skipped: &mut Skipped) -> Option<usize> {
        let key = if s.src <= s.dst {
            (s.src, s.dst)
        } else {
            (s.dst, s.src)
        };
        // A SYN from the same client with another initial sequence number is a new connection
        // on the same ports (after TIME-WAIT, or with SO_REUSEADDR); a SYN from the other side
        // is a simultaneous open.
        let reused = |t: &Track| {
            let sender = if t.conn.client.addr == Some(s.src) {
                &t.conn.client
            } else {
                &t.conn.server
            };
            s.syn
                && !s.ack
                && ((t.conn.client.addr == Some(s.src) && t.isn.is_some_and(|isn| isn != s.seq))
                    // A SYN from a side past its handshake opens a new connection.
                    || !matches!(
                        sender.state(),
                        None | Some(State::Listen | State::SynSent | State::SynReceived)
                    ))
        };
        let i = match self.index.get(&key) {
            Some(i) if !reused(&self.conns[*i]) => *i,
            _ => {
                if self.conns.len() >= MAX_CONNECTIONS {
                    skipped.connections_not_followed += 1;
                    return None;
                }
                // The client: the sender of a SYN without ACK; else the sender of a SYN,ACK is
                // the server; else the side with the higher port (an ephemeral one).
                let client_is_src = if s.syn {
                    !s.ack
                } else {
                    s.src.port() >= s.dst.port()
                };
                let (c, v) = if client_is_src {
                    (s.src, s.dst)
                } else {
                    (s.dst, s.src)
                };
                self.conns.push(Track {
                    conn: Connection {
                        client: Side {
                            addr: Some(c),
                            ..Side::default()
                        },
                        server: Side {
                            addr: Some(v),
                            ..Side::default()
                        },
                        first_us: s.t_us,
                        last_us: s.t_us,
                        handshake_seen: false,
                        story: Story::Open,
                        delays: None,
                    },
                    syn: false,
                    synack: false,
                    data_after_client_fin: false,
                    data_after_server_fin: false,
                    client_got_data: false,
                    server_got_data: false,
                    last_before: s.t_us,
                    gap_before_last: 0,
                    isn: None,
                    handshake: (None, None, None),
                });
                self.index.insert(key, self.conns.len() - 1);
                self.conns.len() - 1
            }
        };
        self.conns[i].see(s);
        Some(i)
    }

    fn finish(self) -> Vec<Connection> {
        self.conns
            .into_iter()
            .map(|mut t| {
                t.conn.story = t.story();
                match t.conn.story {
                    Story::LateFinReset => t.gone_before_late_fin(),
                    // No socket listened: the server's reset came from no socket.
                    Story::Refused => {
                        t.conn.server.states.clear();
                        t.conn.server.how.clear();
                    }
                    Story::ResetDataAfterClose => t.reset_cause(Cause::DataAfterClose),
                    Story::ResetUnreadData => t.reset_cause(Cause::CloseWithUnreadData),
                    _ => {}
                }
                if let (Some(syn), Some(synack), Some(ack)) = t.handshake {
                    t.conn.delays = Some((
                        ack.saturating_sub(synack) / 2,
                        synack.saturating_sub(syn) / 2,
                    ));
                }
                t.conn
            })
            .collect()
    }
}

impl Track {
    /// One segment: the sender's and the receiver's states move as the segment shows they
    /// must have (the receiver's at the time the capture saw it on its way).
    fn see(&mut self, s: Seen) {
        let t = s.t_us;
        self.gap_before_last = self.conn.last_us.saturating_sub(self.last_before);
        self.last_before = self.conn.last_us;
        self.conn.last_us = t;
        let from_client = Some(s.src) == self.conn.client.addr;
        let (me, peer) = if from_client {
            (&mut self.conn.client, &mut self.conn.server)
        } else {
            (&mut self.conn.server, &mut self.conn.client)
        };
        me.segments += 1;
        me.bytes += u64::from(s.len);
        if s.len > 0 {
            // Data after the receiver's FIN: what a closed socket answers with RST.
            if peer.fin.is_some() {
                if from_client {
                    self.data_after_server_fin = true;
                } else {
                    self.data_after_client_fin = true;
                }
            }
        }
        if s.rst {
            if me.rst.is_none() {
                me.rst = Some(t);
                // The silence before the RST, or before the segment it answers.
                me.idle_before_rst = t.saturating_sub(self.last_before).max(self.gap_before_last);
            }
            me.enter(t, State::Closed, Cause::SentReset, Dir::Sent);
            peer.enter(t, State::Closed, Cause::RcvRst, Dir::Received);
            return;
        }
        if s.syn && !s.ack {
            self.syn = true;
            self.isn.get_or_insert(s.seq);
            if from_client {
                self.handshake.0.get_or_insert(t);
            }
            // Taken for a listener when the peer's SYN came first, it opened too: a
            // simultaneous open, and it never listened.
            if me.states.len() == 1 && me.state() == Some(State::Listen) {
                me.states.clear();
                me.how.clear();
            }
            me.enter(t, State::SynSent, Cause::ActiveOpen, Dir::Sent);
            if peer.state().is_none() {
                peer.enter(t, State::Listen, Cause::PassiveOpen, Dir::Received);
            }
        }
        if s.syn && s.ack {
            self.synack = true;
            if !from_client {
                self.handshake.1.get_or_insert(t);
            }
            me.synack.0 = true;
            peer.synack.1 = true;
            // A side that sent its SYN,ACK is SYN-RECEIVED; one that also received the peer's
            // (a simultaneous open) has its SYN acknowledged: ESTABLISHED.
            for (side, dir) in [(&mut *me, Dir::Sent), (&mut *peer, Dir::Received)] {
                // A SYN,ACK from SYN-SENT answers the peer's SYN: a simultaneous open.
                let (to_syn_received, cause) = match side.state() {
                    Some(State::SynSent) => (true, Cause::SimultaneousOpen),
                    _ => (side.synack.0, Cause::RcvSyn),
                };
                if side.synack.0 && to_syn_received {
                    side.enter(t, State::SynReceived, cause, dir);
                }
                if side.synack == (true, true) {
                    side.enter(t, State::Established, Cause::RcvAckOfSyn, dir);
                }
            }
        }
        // The ACK of the handshake, or anything acknowledging after it.
        if s.ack && !s.syn {
            if me.state() == Some(State::SynSent) && self.synack {
                me.enter(t, State::Established, Cause::RcvSynAck, Dir::Sent);
                self.conn.handshake_seen = self.syn;
                if from_client && self.handshake.1.is_some() {
                    self.handshake.2.get_or_insert(t);
                }
            }
            if peer.state() == Some(State::SynReceived) {
                peer.enter(t, State::Established, Cause::RcvAckOfSyn, Dir::Received);
            }
            // Its FIN acknowledged.
            if let Some((_, fin_seq)) = peer.fin
                && peer.fin_acked.is_none()
                && s.ack_no == fin_seq.wrapping_add(1)
            {
                peer.fin_acked = Some(t);
                let to = match peer.state() {
                    Some(State::FinWait1) => Some(State::FinWait2),
                    Some(State::Closing) => Some(State::TimeWait),
                    Some(State::LastAck) => Some(State::Closed),
                    _ => None,
                };
                if let Some(to) = to {
                    peer.enter(t, to, Cause::RcvAckOfFin, Dir::Received);
                }
            }
        }
        // A capture that began mid-connection: both were established.
        if me.state().is_none() && !s.syn {
            me.enter(t, State::Established, Cause::CaptureBegan, Dir::Inferred);
        }
        if peer.state().is_none() && !s.syn {
            peer.enter(t, State::Established, Cause::CaptureBegan, Dir::Inferred);
        }
        if s.len > 0 && s.ack {
            if from_client {
                self.server_got_data = true;
            } else {
                self.client_got_data = true;
            }
        }
        if s.fin && me.fin.is_none() {
            let fin_seq = s.seq.wrapping_add(s.len);
            me.fin = Some((t, fin_seq));
            match me.state() {
                Some(State::CloseWait) => me.enter(t, State::LastAck, Cause::Close, Dir::Sent),
                _ => me.enter(t, State::FinWait1, Cause::Close, Dir::Sent),
            }
            let to = match peer.state() {
                Some(State::FinWait1) => Some(State::Closing),
                Some(State::FinWait2) => Some(State::TimeWait),
                Some(State::Closed) | Some(State::TimeWait) => None,
                _ => Some(State::CloseWait),
            };
            if let Some(to) = to {
                peer.enter(t, to, Cause::RcvFin, Dir::Received);
            }
        }
    }

    /// A side that answered its peer's late FIN with RST had no socket any more: its states
    /// after FIN-WAIT-2 (the TIME-WAIT the FIN seemed to bring) become CLOSED when Linux's
    /// `tcp_fin_timeout` (60 s) dropped it, or at the FIN, whichever came first. Inferred: the
    /// wire shows nothing when an orphan is dropped.
    fn gone_before_late_fin(&mut self) {
        const FIN_TIMEOUT_US: u64 = 60_000_000;
        let (c, v) = (&mut self.conn.client, &mut self.conn.server);
        let by_client = c.rst.is_some_and(|r| v.rst.is_none_or(|vr| r <= vr));
        let (resetter, other) = if by_client { (c, v) } else { (v, c) };
        let (Some(fw2), Some((late_fin, _))) = (
            resetter
                .states
                .iter()
                .find(|(_, s)| *s == State::FinWait2)
                .map(|(t, _)| *t),
            other.fin,
        ) else {
            return;
        };
        let kept = resetter
            .states
            .iter()
            .position(|(_, s)| *s == State::FinWait2)
            .map_or(0, |i| i + 1);
        resetter.states.truncate(kept);
        resetter.how.truncate(kept);
        let gone = (fw2 + FIN_TIMEOUT_US).min(late_fin);
        resetter.states.push((gone, State::Closed));
        resetter.how.push((Cause::FinWait2Timeout, Dir::Inferred));
    }

    /// The resetter's reset, explained by what the connection shows.
    fn reset_cause(&mut self, cause: Cause) {
        for side in [&mut self.conn.client, &mut self.conn.server] {
            for how in &mut side.how {
                if how.0 == Cause::SentReset {
                    how.0 = cause;
                }
            }
        }
    }

    fn story(&self) -> Story {
        let (c, v) = (&self.conn.client, &self.conn.server);
        if self.syn && !self.synack {
            return match v.rst {
                Some(_) => Story::Refused,
                None => Story::NeverAnswered,
            };
        }
        if let Some(rst_at) = c.rst.or(v.rst) {
            let by_client = c.rst.is_some_and(|r| v.rst.is_none_or(|vr| r <= vr));
            let (resetter, other) = if by_client { (c, v) } else { (v, c) };
            // The resetter had closed long before the other's FIN, which its reset answers.
            if let (Some((closed, _)), Some((other_fin, _))) = (resetter.fin, other.fin)
                && other_fin > closed
                && other_fin <= rst_at
            {
                return Story::LateFinReset;
            }
            // A minute of silence, then a RST with no FIN before it: an idle timeout.
            if resetter.fin.is_none()
                && other.fin.is_none()
                && resetter.idle_before_rst >= 60_000_000
            {
                return Story::IdleReset;
            }
            if resetter.fin.is_some()
                && (if by_client {
                    self.data_after_client_fin
                } else {
                    self.data_after_server_fin
                })
            {
                return Story::ResetDataAfterClose;
            }
            if resetter.fin.is_none()
                && (if by_client {
                    self.client_got_data
                } else {
                    self.server_got_data
                })
            {
                return Story::ResetUnreadData;
            }
            return Story::Reset;
        }
        if !self.syn && !self.synack && c.fin.is_none() && v.fin.is_none() {
            return Story::Incomplete;
        }
        match (c.fin, v.fin) {
            (Some(_), Some(_)) if c.fin_acked.is_some() && v.fin_acked.is_some() => Story::Graceful,
            (Some(_), None) => Story::LeftOpenByServer,
            (None, Some(_)) => Story::LeftOpenByClient,
            (Some(_), Some(_)) => Story::Graceful,
            (None, None) => {
                if self.syn {
                    Story::Open
                } else {
                    Story::Incomplete
                }
            }
        }
    }
}
