//! Hostile and damaged captures end with a place or a warning, never a panic, and a length
//! field of 2^31 allocates nothing near it.

use tcpsim_evidence::capture::{self, CaptureError};

/// A pcap (Ethernet, IPv4) of segments: (from the client?, flags, seq, ack), between
/// 10.0.0.1:40000 and 10.0.0.2:80, a second apart.
fn pcap_of(segments: &[(bool, u8, u32, u32)]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend(0xa1b2_c3d4u32.to_le_bytes());
    f.extend(2u16.to_le_bytes());
    f.extend(4u16.to_le_bytes());
    f.extend([0; 8]);
    f.extend(65535u32.to_le_bytes());
    f.extend(1u32.to_le_bytes()); // Ethernet
    for (i, &(from_client, flags, seq, ack)) in segments.iter().enumerate() {
        let (src, dst, sp, dp) = if from_client {
            ([10, 0, 0, 1], [10, 0, 0, 2], 40000u16, 80u16)
        } else {
            ([10, 0, 0, 2], [10, 0, 0, 1], 80, 40000)
        };
        let mut frame = vec![0u8; 12];
        frame.extend([0x08, 0x00]);
        let mut ip = vec![0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0];
        ip.extend(src);
        ip.extend(dst);
        let mut tcp = Vec::new();
        tcp.extend(sp.to_be_bytes());
        tcp.extend(dp.to_be_bytes());
        tcp.extend(seq.to_be_bytes());
        tcp.extend(ack.to_be_bytes());
        tcp.extend([0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        frame.extend(ip);
        frame.extend(tcp);
        f.extend((i as u32).to_le_bytes());
        f.extend(0u32.to_le_bytes());
        f.extend((frame.len() as u32).to_le_bytes());
        f.extend((frame.len() as u32).to_le_bytes());
        f.extend(frame);
    }
    f
}

const SYN: u8 = 0x02;
const SYN_ACK: u8 = 0x12;
const ACK: u8 = 0x10;
const FIN_ACK: u8 = 0x11;

/// A SYN and its SYN,ACK.
fn small_pcap() -> Vec<u8> {
    pcap_of(&[(true, SYN, 1000, 0), (false, SYN_ACK, 5000, 1001)])
}

#[test]
fn a_new_syn_on_the_same_ports_is_a_new_connection_and_a_repeated_one_is_not() {
    let close = [
        (true, SYN, 1000, 0),
        (true, SYN, 1000, 0), // retransmitted: the same connection
        (false, SYN_ACK, 5000, 1001),
        (true, ACK, 1001, 5001),
        (true, FIN_ACK, 1001, 5001),
        (false, FIN_ACK, 5001, 1002),
        (true, ACK, 1002, 5002),
    ];
    let mut twice = close.to_vec();
    // The same ports again, after TIME-WAIT: another initial sequence number.
    twice.extend([(true, SYN, 900_000, 0), (false, SYN_ACK, 70_000, 900_001)]);
    let cap = capture::read(&pcap_of(&twice)[..]).unwrap();
    assert_eq!(cap.connections.len(), 2);
    assert_eq!(cap.connections[0].story, capture::Story::Graceful);
    assert_eq!(cap.connections[1].story, capture::Story::Open);
}

#[test]
fn a_small_capture_reads() {
    let cap = capture::read(&small_pcap()[..]).unwrap();
    assert_eq!(cap.packets, 2);
    assert_eq!(cap.connections.len(), 1);
    assert_eq!(
        cap.connections[0].client.addr.unwrap().to_string(),
        "10.0.0.1:40000"
    );
}

#[test]
fn damaged_captures_say_where_they_break() {
    assert_eq!(capture::read(&b""[..]), Err(CaptureError::NotACapture));
    assert_eq!(
        capture::read(&b"not a capture at all, just text"[..]),
        Err(CaptureError::NotACapture)
    );
    let whole = small_pcap();
    // Cut in the second packet: the first is reported, and where the file broke.
    let cut = &whole[..whole.len() - 10];
    let cap = capture::read(cut).unwrap();
    assert_eq!(cap.packets, 1);
    assert!(
        matches!(cap.stopped, Some(CaptureError::BadBlock { .. })),
        "{:?}",
        cap.stopped
    );
    // A length field of 2^31 in the first packet's record.
    let mut huge = whole.clone();
    huge[24 + 8..24 + 12].copy_from_slice(&0x8000_0000u32.to_le_bytes());
    let read = capture::read(&huge[..]);
    assert!(
        matches!(
            read,
            Err(CaptureError::BadBlock { .. })
                | Ok(capture::Capture {
                    stopped: Some(_),
                    ..
                })
        ),
        "{read:?}"
    );
    // Every prefix of a capture reads or is refused; none panics.
    for n in 0..whole.len() {
        let _ = capture::read(&whole[..n]);
    }
}
