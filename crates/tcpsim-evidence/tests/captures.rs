//! Hostile and damaged captures end with a place or a warning, never a panic, and a length
//! field of 2^31 allocates nothing near it.

use tcpsim_evidence::capture::{self, CaptureError};

/// A pcap of one Ethernet/IPv4/TCP SYN and its SYN,ACK.
fn small_pcap() -> Vec<u8> {
    let mut f = Vec::new();
    f.extend(0xa1b2_c3d4u32.to_le_bytes());
    f.extend(2u16.to_le_bytes());
    f.extend(4u16.to_le_bytes());
    f.extend([0; 8]);
    f.extend(65535u32.to_le_bytes());
    f.extend(1u32.to_le_bytes()); // Ethernet
    for (i, (src, dst, flags)) in [
        ([10, 0, 0, 1], [10, 0, 0, 2], 0x02u8),
        ([10, 0, 0, 2], [10, 0, 0, 1], 0x12),
    ]
    .into_iter()
    .enumerate()
    {
        let mut frame = vec![0u8; 12];
        frame.extend([0x08, 0x00]);
        let mut ip = vec![0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0];
        ip.extend(src);
        ip.extend(dst);
        let (sp, dp): (u16, u16) = if i == 0 { (40000, 80) } else { (80, 40000) };
        let mut tcp = Vec::new();
        tcp.extend(sp.to_be_bytes());
        tcp.extend(dp.to_be_bytes());
        tcp.extend(1000u32.to_be_bytes());
        tcp.extend(if i == 0 { 0u32 } else { 1001u32 }.to_be_bytes());
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
