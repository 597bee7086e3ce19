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
use std::collections::BTreeMap;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use tcpsim_core::state::State;
pub use tcpsim_words::evidence::Story;

/// The most connections a capture is read into (each takes a few hundred bytes): past it, new
/// connections are counted and not followed.
pub const MAX_CONNECTIONS: usize = 1_000_000;
/// The largest block a capture may hold: a packet is at most 256 KiB even with a huge snap
/// length; a length field of 2^31 is an error at its place, not an allocation.
pub const MAX_BLOCK: usize = 16 << 20;

/// One TCP segment as the capture shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seen {
    t_us: u64,
    src: SocketAddr,
    dst: SocketAddr,
    syn: bool,
    ack: bool,
    fin: bool,
    rst: bool,
    seq: u32,
    ack_no: u32,
    len: u32,
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
    fn enter(&mut self, t: u64, s: State) {
        if self.state() != Some(s) {
            self.states.push((t, s));
        }
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
    let mut reader = match pcap_parser::create_reader(1 << 16, input) {
        Ok(r) => r,
        Err(PcapError::HeaderNotRecognized) | Err(PcapError::Eof) => {
            return Err(CaptureError::NotACapture);
        }
        Err(e) => return Err(CaptureError::Io(format!("{e:?}"))),
    };
    let mut cap = Capture::default();
    let mut tracker = Tracker::default();
    // pcapng: per interface, its link type and time resolution (units per second).
    let mut interfaces: Vec<(Linktype, u64)> = Vec::new();
    let mut legacy: (Linktype, u64) = (Linktype::ETHERNET, 1_000_000);
    let mut origin: Option<u64> = None;
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                let mut packet = |link: Linktype, t_us: u64, data: &[u8], caplen: usize| {
                    cap.packets += 1;
                    let t0 = *origin.get_or_insert(t_us);
                    let t = t_us.saturating_sub(t0);
                    match decode(link, data, caplen, t) {
                        Decoded::Tcp(seen) => tracker.see(seen, &mut cap.skipped),
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
                match block {
                    PcapBlockOwned::LegacyHeader(h) => {
                        let per_sec = if h.is_nanosecond_precision() {
                            1_000_000_000
                        } else {
                            1_000_000
                        };
                        legacy = (h.network, per_sec);
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
                        let t = u64::try_from(ts * 1_000_000 / u128::from(res)).unwrap_or(u64::MAX);
                        packet(link, t, epb.data, epb.caplen as usize);
                    }
                    PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                        let link = interfaces.first().map_or(Linktype(-1), |i| i.0);
                        packet(link, 0, spb.data, spb.data.len());
                    }
                    PcapBlockOwned::NG(_) => {}
                }
                reader.consume(offset);
            }
            Err(PcapError::Eof) => break,
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
                    cap.stopped = stop;
                    break;
                }
            }
        }
    }
    if cap.packets == 0 && cap.stopped.is_some() {
        return Err(cap.stopped.take().unwrap_or(CaptureError::NotACapture));
    }
    cap.connections = tracker.finish();
    Ok(cap)
}

enum Decoded {
    Tcp(Seen),
    NotTcp,
    Unreadable,
    OtherLink,
}

fn decode(link: Linktype, data: &[u8], caplen: usize, t_us: u64) -> Decoded {
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
        seq: tcp.sequence_number(),
        ack_no: tcp.acknowledgment_number(),
        len: tcp.payload().len() as u32,
    })
}

/// Connections by their two ends (the smaller first), in a search tree: the report lists
/// them in the order they began, whatever the hash of their addresses.
#[derive(Default)]
struct Tracker {
    index: BTreeMap<(SocketAddr, SocketAddr), usize>,
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
}

impl Tracker {
    fn see(&mut self, s: Seen, skipped: &mut Skipped) {
        let key = if s.src <= s.dst {
            (s.src, s.dst)
        } else {
            (s.dst, s.src)
        };
        // A SYN from the same client with another initial sequence number is a new connection
        // on the same ports (after TIME-WAIT, or with SO_REUSEADDR); a SYN from the other side
        // is a simultaneous open.
        let reused = |t: &Track| {
            s.syn
                && !s.ack
                && t.conn.client.addr == Some(s.src)
                && t.isn.is_some_and(|isn| isn != s.seq)
        };
        let i = match self.index.get(&key) {
            Some(i) if !reused(&self.conns[*i]) => *i,
            _ => {
                if self.conns.len() >= MAX_CONNECTIONS {
                    skipped.connections_not_followed += 1;
                    return;
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
                });
                self.index.insert(key, self.conns.len() - 1);
                self.conns.len() - 1
            }
        };
        self.conns[i].see(s);
    }

    fn finish(self) -> Vec<Connection> {
        self.conns
            .into_iter()
            .map(|mut t| {
                t.conn.story = t.story();
                if t.conn.story == Story::LateFinReset {
                    t.gone_before_late_fin();
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
            me.enter(t, State::Closed);
            peer.enter(t, State::Closed);
            return;
        }
        if s.syn && !s.ack {
            self.syn = true;
            self.isn.get_or_insert(s.seq);
            me.enter(t, State::SynSent);
            if peer.state().is_none() {
                peer.enter(t, State::Listen);
            }
        }
        if s.syn && s.ack {
            self.synack = true;
            me.synack.0 = true;
            peer.synack.1 = true;
            // A side that sent its SYN,ACK is SYN-RECEIVED; one that also received the peer's
            // (a simultaneous open) has its SYN acknowledged: ESTABLISHED.
            for side in [&mut *me, &mut *peer] {
                match side.synack {
                    (true, true) => side.enter(t, State::Established),
                    (true, false) => side.enter(t, State::SynReceived),
                    _ => {}
                }
            }
        }
        // The ACK of the handshake, or anything acknowledging after it.
        if s.ack && !s.syn {
            if me.state() == Some(State::SynSent) && self.synack {
                me.enter(t, State::Established);
                self.conn.handshake_seen = self.syn;
            }
            if peer.state() == Some(State::SynReceived) {
                peer.enter(t, State::Established);
            }
            // Its FIN acknowledged.
            if let Some((_, fin_seq)) = peer.fin
                && peer.fin_acked.is_none()
                && s.ack_no == fin_seq.wrapping_add(1)
            {
                peer.fin_acked = Some(t);
                match peer.state() {
                    Some(State::FinWait1) => peer.enter(t, State::FinWait2),
                    Some(State::Closing) => peer.enter(t, State::TimeWait),
                    Some(State::LastAck) => peer.enter(t, State::Closed),
                    _ => {}
                }
            }
        }
        // A capture that began mid-connection: both were established.
        if me.state().is_none() && !s.syn {
            me.enter(t, State::Established);
        }
        if peer.state().is_none() && !s.syn {
            peer.enter(t, State::Established);
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
                Some(State::CloseWait) => me.enter(t, State::LastAck),
                _ => me.enter(t, State::FinWait1),
            }
            match peer.state() {
                Some(State::FinWait1) => peer.enter(t, State::Closing),
                Some(State::FinWait2) => peer.enter(t, State::TimeWait),
                Some(State::Closed) | Some(State::TimeWait) => {}
                _ => peer.enter(t, State::CloseWait),
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
        resetter.states.retain(|(t, _)| *t <= fw2);
        let gone = (fw2 + FIN_TIMEOUT_US).min(late_fin);
        resetter.states.push((gone, State::Closed));
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
