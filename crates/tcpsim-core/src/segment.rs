//! TCP segments as the simulator sees them: header fields plus a payload length.
//!
//! Payload bytes are not carried. A segment's data is identified by its sequence numbers, which
//! is all the state machines and every view need; the bytes an application gave are kept once,
//! in the trace ([`Trace::data`](crate::trace::Trace::data)), and an exporter that must write
//! bytes (pcap) finds them there ([`SegmentBytes`](crate::trace::SegmentBytes)), or a
//! deterministic [`filler`](crate::payload::filler). Options (MSS, window scale, SACK,
//! timestamps) are not modelled: both ends use the configured MSS and an unscaled window.

use crate::seq::SeqNum;
use core::fmt;
use core::str::FromStr;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::net::SocketAddrV4;

/// The TCP control bits the simulator models. `Debug` and `Display` both name them: `SYN,ACK`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Flags(u8);

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Flags {
    /// No more data from the sender.
    pub const FIN: Flags = Flags(0x01);
    /// Synchronize sequence numbers.
    pub const SYN: Flags = Flags(0x02);
    /// Reset the connection.
    pub const RST: Flags = Flags(0x04);
    /// Push.
    pub const PSH: Flags = Flags(0x08);
    /// The acknowledgment field is significant.
    pub const ACK: Flags = Flags(0x10);
    /// No flag.
    pub const NONE: Flags = Flags(0);

    /// The order flags are written in, as Wireshark lists them: `SYN,ACK`, `FIN,PSH,ACK`.
    const NAMES: [(Flags, &'static str); 5] = [
        (Flags::SYN, "SYN"),
        (Flags::FIN, "FIN"),
        (Flags::RST, "RST"),
        (Flags::PSH, "PSH"),
        (Flags::ACK, "ACK"),
    ];

    /// The bits as in the TCP header.
    pub const fn bits(self) -> u8 {
        self.0
    }
    /// From header bits (those not modelled are dropped).
    pub const fn from_bits(bits: u8) -> Flags {
        Flags(bits & 0x1f)
    }
    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
    /// Whether any flag of `other` is set.
    pub const fn intersects(self, other: Flags) -> bool {
        self.0 & other.0 != 0
    }
    /// These flags and those of `other`.
    pub const fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }
    /// These flags without those of `other`.
    pub const fn without(self, other: Flags) -> Flags {
        Flags(self.0 & !other.0)
    }
    /// SYN is set.
    pub const fn syn(self) -> bool {
        self.contains(Flags::SYN)
    }
    /// FIN is set.
    pub const fn fin(self) -> bool {
        self.contains(Flags::FIN)
    }
    /// RST is set.
    pub const fn rst(self) -> bool {
        self.contains(Flags::RST)
    }
    /// ACK is set.
    pub const fn ack(self) -> bool {
        self.contains(Flags::ACK)
    }
}

impl core::ops::BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        self.union(rhs)
    }
}

impl fmt::Display for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (flag, name) in Flags::NAMES {
            if self.contains(flag) {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

/// The error of parsing a flag list such as `"SYN,ACK"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFlagsError(pub String);

impl fmt::Display for ParseFlagsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown TCP flag `{}`: use SYN, FIN, RST, PSH or ACK, joined with `,` or `+` (e.g. `SYN,ACK`)",
            self.0
        )
    }
}
impl std::error::Error for ParseFlagsError {}

impl FromStr for Flags {
    type Err = ParseFlagsError;
    /// Accepts `SYN,ACK`, `syn+ack`, `FIN|ACK`, and tcpdump's letters (`S.`, `F.`, `R`, `P.`).
    fn from_str(s: &str) -> Result<Flags, ParseFlagsError> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("none") || s.is_empty() {
            return Ok(Flags::NONE);
        }
        let mut out = Flags::NONE;
        let parts: Vec<&str> = s
            .split([',', '+', '|', ' '])
            .filter(|p| !p.is_empty())
            .collect();
        for part in parts {
            let upper = part.to_ascii_uppercase();
            let flag = match upper.as_str() {
                "SYN" => Flags::SYN,
                "FIN" => Flags::FIN,
                "RST" | "RESET" => Flags::RST,
                "PSH" | "PUSH" => Flags::PSH,
                "ACK" => Flags::ACK,
                // tcpdump style: letters, "." for ACK.
                other if other.chars().all(|c| "SFRP.".contains(c)) => {
                    let mut f = Flags::NONE;
                    for c in other.chars() {
                        f = f | match c {
                            'S' => Flags::SYN,
                            'F' => Flags::FIN,
                            'R' => Flags::RST,
                            'P' => Flags::PSH,
                            _ => Flags::ACK,
                        };
                    }
                    f
                }
                _ => return Err(ParseFlagsError(part.to_string())),
            };
            out = out | flag;
        }
        Ok(out)
    }
}

impl Serialize for Flags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Flags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Flags, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A TCP segment: addresses, header fields, and the number of payload bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Segment {
    /// Source address and port.
    pub src: SocketAddrV4,
    /// Destination address and port.
    pub dst: SocketAddrV4,
    /// Sequence number (SEG.SEQ).
    pub seq: SeqNum,
    /// Meaningful only when `flags` has ACK; zero otherwise.
    pub ack: SeqNum,
    /// Control bits.
    pub flags: Flags,
    /// The advertised receive window (unscaled).
    pub wnd: u16,
    /// Payload length in bytes.
    pub len: u32,
}

impl Segment {
    /// SEG.LEN of RFC 9293: payload plus one for SYN and one for FIN.
    pub const fn seg_len(&self) -> u32 {
        self.len + self.flags.syn() as u32 + self.flags.fin() as u32
    }

    /// The reset RFC 9293 section 3.5.2 prescribes as the answer to `self` when there is no
    /// connection for it (or it carries an unacceptable ACK in a non-synchronized state).
    /// A reset is never answered, so this is `None` for a segment that has RST set.
    pub fn reset_reply(&self) -> Option<Segment> {
        if self.flags.rst() {
            return None;
        }
        let mut rst = Segment {
            src: self.dst,
            dst: self.src,
            seq: SeqNum(0),
            ack: SeqNum(0),
            flags: Flags::RST,
            wnd: 0,
            len: 0,
        };
        if self.flags.ack() {
            // <SEQ=SEG.ACK><CTL=RST>
            rst.seq = self.ack;
        } else {
            // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
            rst.ack = self.seq + self.seg_len();
            rst.flags = Flags::RST | Flags::ACK;
        }
        Some(rst)
    }
}

impl fmt::Display for Segment {
    /// `10.0.0.1:40000 > 10.0.0.2:80 [SYN,ACK] seq=1 ack=2 win=65535 len=0`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} > {} [{}] seq={}",
            self.src, self.dst, self.flags, self.seq
        )?;
        if self.flags.ack() {
            write!(f, " ack={}", self.ack)?;
        }
        write!(f, " win={} len={}", self.wnd, self.len)
    }
}

/// Why an endpoint (or a host with no socket) sent a segment. Carried in the trace so that
/// every view can explain an arrow without re-deriving the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SendReason {
    /// Active OPEN (3.10.1).
    Syn,
    /// Answer to a SYN in LISTEN, or simultaneous open (3.10.7.2, 3.10.7.3).
    SynAck,
    /// Acknowledgement of received data, SYN or FIN.
    Ack,
    /// New data.
    Data,
    /// Our FIN, after CLOSE or shutdown(write) (3.10.4).
    Fin,
    /// A retransmission after the retransmission timer expired (3.10.8, RFC 6298 5.4).
    Retransmit,
    /// The receive window opened after the application read (3.8.6.2.2).
    WindowUpdate,
    /// RFC 5961 challenge ACK for an in-window RST or any SYN (3.10.7.4).
    ChallengeAck,
    /// Answer to an unacceptable segment: `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>` (3.10.7.4 first).
    DupAck,
    /// Keep-alive probe, SEQ=SND.NXT-1 with no data (3.8.4).
    KeepaliveProbe,
    /// Zero-window probe while the peer advertises no window (3.8.6.1).
    ZeroWindowProbe,
    /// RST for a segment that matches no connection (3.10.7.1, 3.5.2).
    RstNoSocket,
    /// RST for an unacceptable ACK in a non-synchronized state (3.10.7.2-4, 3.5.2).
    RstBadAck,
    /// RST from ABORT (3.10.5).
    RstAbort,
    /// RST from close() while received data is unread (3.6.1 SHLD-3, RFC 2525 2.17).
    RstUnreadData,
    /// RST from close() with SO_LINGER on and a zero timeout.
    RstLingerZero,
    /// RST for new data arriving after the application closed (3.6.1 SHLD-3).
    RstDataAfterClose,
    /// RST when keep-alive gives up on a dead peer (Linux tcp_keepalive_timer).
    RstKeepalive,
    /// RST to a connection still in the accept queue when its listener closed.
    RstListenerClosed,
    /// Observed: a reset seen in a capture, whose reason the wire does not show.
    RstSeen,
}

impl SendReason {
    /// Every send reason, in declaration order (the binary form of an observed trace numbers
    /// them by their place here).
    pub const ALL: [SendReason; 20] = {
        use SendReason::*;
        [
            Syn,
            SynAck,
            Ack,
            Data,
            Fin,
            Retransmit,
            WindowUpdate,
            ChallengeAck,
            DupAck,
            KeepaliveProbe,
            ZeroWindowProbe,
            RstNoSocket,
            RstBadAck,
            RstAbort,
            RstUnreadData,
            RstLingerZero,
            RstDataAfterClose,
            RstKeepalive,
            RstListenerClosed,
            RstSeen,
        ]
    };

    /// Whether this segment is a reset.
    pub const fn is_reset(self) -> bool {
        matches!(
            self,
            SendReason::RstNoSocket
                | SendReason::RstBadAck
                | SendReason::RstAbort
                | SendReason::RstUnreadData
                | SendReason::RstLingerZero
                | SendReason::RstDataAfterClose
                | SendReason::RstKeepalive
                | SendReason::RstListenerClosed
                | SendReason::RstSeen
        )
    }

    /// The RFC 9293 section (or other source) of the rule that sent the segment.
    pub const fn rfc_section(self) -> &'static str {
        match self {
            SendReason::Syn => "3.10.1",
            SendReason::SynAck => "3.10.7.2",
            SendReason::Ack | SendReason::Data => "3.10.7.4",
            SendReason::Fin => "3.10.4",
            SendReason::Retransmit => "3.10.8",
            SendReason::WindowUpdate => "3.8.6.2.2",
            SendReason::ChallengeAck => "3.10.7.4 (RFC 5961)",
            SendReason::DupAck => "3.10.7.4",
            SendReason::KeepaliveProbe => "3.8.4",
            SendReason::ZeroWindowProbe => "3.8.6.1",
            SendReason::RstNoSocket => "3.10.7.1",
            SendReason::RstBadAck => "3.5.2",
            SendReason::RstAbort => "3.10.5",
            SendReason::RstUnreadData | SendReason::RstDataAfterClose => "3.6.1",
            SendReason::RstLingerZero => "3.10.5 (SO_LINGER 0)",
            SendReason::RstKeepalive => "3.8.4 (Linux)",
            SendReason::RstListenerClosed => "3.10.4 (Linux)",
            SendReason::RstSeen => "3.5.2",
        }
    }

    /// One English sentence saying why the segment was sent.
    pub const fn describe(self) -> &'static str {
        match self {
            SendReason::Syn => "active open: the first SYN of the handshake",
            SendReason::SynAck => "answer to a SYN: SYN,ACK",
            SendReason::Ack => "acknowledges what arrived",
            SendReason::Data => "application data",
            SendReason::Fin => "the application closed its sending side: FIN",
            SendReason::Retransmit => "the retransmission timer expired: sent again",
            SendReason::WindowUpdate => "the application read data: the window opens again",
            SendReason::ChallengeAck => {
                "challenge ACK (RFC 5961): a RST or SYN that is not exactly expected is questioned, not obeyed"
            }
            SendReason::DupAck => {
                "the segment was not acceptable: ACK with what is expected instead"
            }
            SendReason::KeepaliveProbe => "keep-alive probe: is the idle peer still there?",
            SendReason::ZeroWindowProbe => "zero-window probe: has the peer's window opened?",
            SendReason::RstNoSocket => "no socket matches this segment: reset",
            SendReason::RstBadAck => "the segment acknowledges something never sent: reset",
            SendReason::RstAbort => "the application aborted the connection: reset",
            SendReason::RstUnreadData => {
                "close() with unread received data: reset instead of FIN (data loss is signalled)"
            }
            SendReason::RstLingerZero => "close() with SO_LINGER 0: reset, no TIME-WAIT",
            SendReason::RstDataAfterClose => "data arrived after the application closed: reset",
            SendReason::RstKeepalive => "keep-alive probes went unanswered: reset",
            SendReason::RstListenerClosed => "the listening socket closed before accept(): reset",
            SendReason::RstSeen => "a reset, seen on the wire (a capture does not show why)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_print_and_parse_in_every_spelling() {
        assert_eq!((Flags::SYN | Flags::ACK).to_string(), "SYN,ACK");
        assert_eq!(
            (Flags::FIN | Flags::PSH | Flags::ACK).to_string(),
            "FIN,PSH,ACK"
        );
        for s in ["SYN,ACK", "syn+ack", "ACK|SYN", "S."] {
            assert_eq!(s.parse::<Flags>().unwrap(), Flags::SYN | Flags::ACK, "{s}");
        }
        assert_eq!("R".parse::<Flags>().unwrap(), Flags::RST);
        let err = "SYNACK".parse::<Flags>().unwrap_err();
        assert!(err.to_string().contains("SYNACK"));
    }

    fn seg(flags: Flags, seq: u32, ack: u32, len: u32) -> Segment {
        Segment {
            src: "10.0.0.1:1000".parse().unwrap(),
            dst: "10.0.0.2:80".parse().unwrap(),
            seq: SeqNum(seq),
            ack: SeqNum(ack),
            flags,
            wnd: 100,
            len,
        }
    }

    #[test]
    fn send_reason_all_lists_every_reason_once() {
        // No wildcard: a new reason fails to compile here until it has its place in `ALL`.
        let index = |r: SendReason| match r {
            SendReason::Syn => 0,
            SendReason::SynAck => 1,
            SendReason::Ack => 2,
            SendReason::Data => 3,
            SendReason::Fin => 4,
            SendReason::Retransmit => 5,
            SendReason::WindowUpdate => 6,
            SendReason::ChallengeAck => 7,
            SendReason::DupAck => 8,
            SendReason::KeepaliveProbe => 9,
            SendReason::ZeroWindowProbe => 10,
            SendReason::RstNoSocket => 11,
            SendReason::RstBadAck => 12,
            SendReason::RstAbort => 13,
            SendReason::RstUnreadData => 14,
            SendReason::RstLingerZero => 15,
            SendReason::RstDataAfterClose => 16,
            SendReason::RstKeepalive => 17,
            SendReason::RstListenerClosed => 18,
            SendReason::RstSeen => 19,
        };
        for (i, r) in SendReason::ALL.iter().enumerate() {
            assert_eq!(index(*r), i, "{r:?}");
        }
    }

    #[test]
    fn reset_reply_follows_rfc_9293_3_5_2() {
        // ACK bit on: <SEQ=SEG.ACK><CTL=RST>
        let r = seg(Flags::ACK, 5, 77, 10).reset_reply().unwrap();
        assert_eq!((r.seq, r.flags), (SeqNum(77), Flags::RST));
        assert_eq!(
            (r.src, r.dst),
            (seg(Flags::ACK, 0, 0, 0).dst, seg(Flags::ACK, 0, 0, 0).src)
        );
        // ACK bit off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SYN counts in SEG.LEN.
        let r = seg(Flags::SYN, 1000, 0, 0).reset_reply().unwrap();
        assert_eq!(
            (r.seq, r.ack, r.flags),
            (SeqNum(0), SeqNum(1001), Flags::RST | Flags::ACK)
        );
        // A reset is never answered.
        assert_eq!(seg(Flags::RST, 1, 0, 0).reset_reply(), None);
    }
}
