//! The run's segments as a pcap file (Ethernet, IPv4, TCP with correct checksums), stamped with
//! the simulated time, for Wireshark and tshark. One frame per segment, as a capture on the wire
//! between the hosts would see it when it was sent (lost segments included: they were sent).
//!
//! A segment carries the bytes its application gave (`data` on a send: an HTTP request shows as
//! HTTP), and where it gave only a count, bytes derived from the sequence number; either way a
//! retransmission carries the same bytes as the original.

use tcpsim_core::segment::Segment;
use tcpsim_core::trace::{EventKind, SegmentBytes, Trace};

/// A locally administered MAC address derived from an IPv4 address: 02:00:a:b:c:d.
fn mac(ip: std::net::Ipv4Addr) -> [u8; 6] {
    let o = ip.octets();
    [0x02, 0x00, o[0], o[1], o[2], o[3]]
}

/// The Internet checksum (RFC 1071) of some 16-bit words, folded.
fn checksum(chunks: &[&[u8]]) -> u16 {
    let mut sum: u32 = 0;
    for c in chunks {
        let mut i = 0;
        while i + 1 < c.len() {
            sum += u32::from(u16::from_be_bytes([c[i], c[i + 1]]));
            i += 2;
        }
        if i < c.len() {
            sum += u32::from(c[i]) << 8;
        }
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The Ethernet frame of a segment carrying `payload` (`seg.len` bytes, from
/// [`SegmentBytes`]). `ip_id` fills the IPv4 identification field.
pub fn frame(seg: &Segment, payload: &[u8], ip_id: u16) -> Vec<u8> {
    let mut tcp = Vec::with_capacity(20 + payload.len());
    tcp.extend_from_slice(&seg.src.port().to_be_bytes());
    tcp.extend_from_slice(&seg.dst.port().to_be_bytes());
    tcp.extend_from_slice(&seg.seq.0.to_be_bytes());
    let ack = if seg.flags.ack() { seg.ack.0 } else { 0 };
    tcp.extend_from_slice(&ack.to_be_bytes());
    tcp.push(5 << 4); // data offset: 20 bytes, no options
    tcp.push(seg.flags.bits());
    tcp.extend_from_slice(&seg.wnd.to_be_bytes());
    tcp.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent pointer
    tcp.extend_from_slice(payload);
    let tcp_len = tcp.len() as u16;
    let (src, dst) = (seg.src.ip().octets(), seg.dst.ip().octets());
    let pseudo = [&src[..], &dst[..], &[0, 6], &tcp_len.to_be_bytes()[..]].concat();
    let c = checksum(&[&pseudo, &tcp]);
    tcp[16..18].copy_from_slice(&c.to_be_bytes());

    let total = 20 + tcp_len;
    let mut ip = vec![0x45, 0];
    ip.extend_from_slice(&total.to_be_bytes());
    ip.extend_from_slice(&ip_id.to_be_bytes());
    ip.extend_from_slice(&[0x40, 0x00, 64, 6, 0, 0]); // DF, TTL 64, TCP, checksum 0
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&dst);
    let c = checksum(&[&ip]);
    ip[10..12].copy_from_slice(&c.to_be_bytes());

    let mut eth = Vec::with_capacity(14 + ip.len() + tcp.len());
    eth.extend_from_slice(&mac(*seg.dst.ip()));
    eth.extend_from_slice(&mac(*seg.src.ip()));
    eth.extend_from_slice(&[0x08, 0x00]);
    eth.extend_from_slice(&ip);
    eth.extend_from_slice(&tcp);
    eth
}

/// The whole run as a pcap file (microsecond timestamps, Ethernet link type).
pub fn pcap(trace: &Trace) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&65_535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    let bytes = SegmentBytes::new(trace);
    for e in &trace.events {
        if let EventKind::SegmentSent { id, socket, .. } = &e.kind
            && let Some(seg) = trace.segment(*id)
        {
            let f = frame(seg, &bytes.of(*socket, seg), id.0 as u16);
            let us = e.t.as_micros();
            out.extend_from_slice(&((us / 1_000_000) as u32).to_le_bytes());
            out.extend_from_slice(&((us % 1_000_000) as u32).to_le_bytes());
            out.extend_from_slice(&(f.len() as u32).to_le_bytes());
            out.extend_from_slice(&(f.len() as u32).to_le_bytes());
            out.extend_from_slice(&f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_verify_to_zero() {
        let seg = Segment {
            src: "10.0.0.1:40000".parse().unwrap(),
            dst: "10.0.0.2:80".parse().unwrap(),
            seq: tcpsim_core::seq::SeqNum(1000),
            ack: tcpsim_core::seq::SeqNum(77),
            flags: tcpsim_core::segment::Flags::ACK | tcpsim_core::segment::Flags::PSH,
            wnd: 65_535,
            len: 11,
        };
        let f = frame(&seg, b"hello world", 1);
        let ip = &f[14..34];
        assert_eq!(
            checksum(&[ip]),
            0,
            "the IPv4 header sums to zero with its checksum"
        );
        let tcp = &f[34..];
        let pseudo = [
            &ip[12..16],
            &ip[16..20],
            &[0, 6],
            &(tcp.len() as u16).to_be_bytes()[..],
        ]
        .concat();
        assert_eq!(
            checksum(&[&pseudo, tcp]),
            0,
            "so does the TCP segment with its pseudo-header"
        );
        assert_eq!(f.len(), 14 + 20 + 20 + 11);
    }
}
