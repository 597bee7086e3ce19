//! Real bytes an application sends, when it gives them: a request, a frame, a line of a
//! protocol. Most runs give none: a segment's data is then only a length, and an exporter that
//! must write bytes uses [`filler`], a pattern that depends on the sequence number alone.
//!
//! ```
//! use tcpsim_core::payload::Payload;
//! let request = Payload::from("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
//! assert_eq!(request.len(), 27);
//! // Display escapes what is not printable ASCII, so a payload is inert on any terminal.
//! assert_eq!(request.to_string(), r#"GET / HTTP/1.1\r\nHost: a\r\n\r\n"#);
//! ```

use crate::seq::SeqNum;
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// Bytes given to send(), shared (a repeat's thousand sends of one request hold it once).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Payload(Arc<[u8]>);

impl Payload {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// How many bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The first `n` bytes (all of them when `n` is larger): what a send() that took only `n`
    /// put in the stream.
    pub fn prefix(&self, n: u64) -> Payload {
        match usize::try_from(n) {
            Ok(n) if n < self.0.len() => Payload(self.0[..n].into()),
            _ => self.clone(),
        }
    }
}

impl Payload {
    /// The first `max` bytes as [`Display`](fmt::Display) writes them, then `...` and the
    /// total when there are more: a line of a trace's text.
    pub fn preview(&self, max: usize) -> String {
        if self.0.len() <= max {
            return self.to_string();
        }
        format!(
            "{}... ({} bytes)",
            self.0[..max].escape_ascii(),
            self.0.len()
        )
    }
}

impl From<&[u8]> for Payload {
    fn from(b: &[u8]) -> Payload {
        Payload(b.into())
    }
}
impl From<Vec<u8>> for Payload {
    fn from(b: Vec<u8>) -> Payload {
        Payload(b.into())
    }
}
impl From<&str> for Payload {
    fn from(s: &str) -> Payload {
        Payload(s.as_bytes().into())
    }
}
impl From<String> for Payload {
    fn from(s: String) -> Payload {
        Payload::from(s.into_bytes())
    }
}

/// The bytes as Rust writes a byte string's contents: printable ASCII as is, `\r`, `\n`, `\t`,
/// `\"`, `\\` and `\xNN` for the rest. No control character or escape sequence gets through.
impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.escape_ascii())
    }
}

/// `b"GET / ..."`, as a byte string literal.
impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{self}\"")
    }
}

/// A string when the bytes are UTF-8 (text protocols read as text in JSON), otherwise an array
/// of numbers.
impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(&self.0) {
            Ok(text) => s.serialize_str(text),
            Err(_) => s.collect_seq(self.0.iter()),
        }
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Payload, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Payload;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of bytes")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Payload, E> {
                Ok(Payload::from(v))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Payload, E> {
                Ok(Payload::from(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Payload, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(b) = seq.next_element::<u8>()? {
                    v.push(b);
                }
                Ok(Payload::from(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// The byte a segment carries at sequence number `seq` where the application gave no bytes:
/// `a` to `z` in turn, so that a capture's payload is deterministic and readable.
pub const fn filler(seq: SeqNum) -> u8 {
    b'a' + (seq.0 % 26) as u8
}

/// `len` bytes of a stream from sequence number `start`: the bytes of the `chunks` (each from
/// its sequence number) where they cover, [`filler`] elsewhere. Chunks in stream order cost a
/// copy each and the gaps between them their filler; chunks in any other order are right too.
pub fn stream_bytes<'a>(
    start: SeqNum,
    len: u32,
    chunks: impl IntoIterator<Item = (SeqNum, &'a Payload)>,
) -> Vec<u8> {
    let mut out = vec![0u8; len as usize];
    // Everything before `done` holds its final byte, or filler a later chunk may overwrite.
    let mut done = 0usize;
    for (seq, p) in chunks {
        // Where the chunk starts relative to `start`, on the sequence circle (negative: before).
        let rel = i64::from(seq.0.wrapping_sub(start.0) as i32);
        let from = rel.max(0);
        let to = (rel + p.len() as i64).min(i64::from(len));
        if from < to {
            let (from_u, to_u) = (from as usize, to as usize);
            if from_u > done {
                fill(&mut out[done..from_u], start + done as u32);
            }
            let src = &p.as_bytes()[(from - rel) as usize..(to - rel) as usize];
            out[from_u..to_u].copy_from_slice(src);
            done = done.max(to_u);
        }
    }
    fill(&mut out[done..], start + done as u32);
    out
}

/// Writes the [`filler`] of the bytes from sequence number `seq` on: one division, then a
/// count that starts again at `a` where `z` ends and where the sequence space wraps.
fn fill(out: &mut [u8], mut seq: SeqNum) {
    let mut c = (seq.0 % 26) as u8;
    for b in out {
        *b = b'a' + c;
        seq = seq + 1;
        c = if seq.0 == 0 || c == 25 { 0 } else { c + 1 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_escapes_every_control_byte_and_non_ascii() {
        let p = Payload::from(&b"a\x1b[31m\"\\\r\n\x00\xff"[..]);
        let shown = p.to_string();
        assert!(shown.bytes().all(|b| (0x20..0x7f).contains(&b)), "{shown}");
        assert_eq!(shown, r#"a\x1b[31m\"\\\r\n\x00\xff"#);
        assert_eq!(format!("{p:?}"), format!("b\"{shown}\""));
    }

    #[test]
    fn serde_keeps_text_as_text_and_bytes_as_numbers() {
        let text = Payload::from("GET /");
        assert_eq!(serde_json::to_string(&text).unwrap(), r#""GET /""#);
        let bin = Payload::from(vec![0xff, 0]);
        assert_eq!(serde_json::to_string(&bin).unwrap(), "[255,0]");
        for p in [text, bin] {
            let back: Payload = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
            assert_eq!(back, p);
        }
    }

    #[test]
    fn stream_bytes_fills_gaps_and_clips_chunks() {
        let hello = Payload::from("hello");
        // 100 % 26 = 22, so the filler starts at 'w'.
        assert_eq!(
            stream_bytes(SeqNum(100), 5, [(SeqNum(102), &hello)]),
            b"wxhel"
        );
        // 107 % 26 = 3 and 108 % 26 = 4: 'd', 'e' after the chunk's end.
        assert_eq!(
            stream_bytes(SeqNum(105), 4, [(SeqNum(102), &hello)]),
            b"lode"
        );
        // Across the wrap of the sequence space.
        let got = stream_bytes(SeqNum(u32::MAX - 1), 4, [(SeqNum(u32::MAX), &hello)]);
        assert_eq!(&got[1..], b"hel");
        // A chunk wholly before or after changes nothing.
        let plain = stream_bytes(SeqNum(100), 3, []);
        assert_eq!(stream_bytes(SeqNum(100), 3, [(SeqNum(10), &hello)]), plain);
        assert_eq!(stream_bytes(SeqNum(100), 3, [(SeqNum(103), &hello)]), plain);
    }

    #[test]
    fn preview_cuts_long_payloads_and_says_how_long() {
        let p = Payload::from("x".repeat(100));
        assert_eq!(p.preview(4), "xxxx... (100 bytes)");
        assert_eq!(Payload::from("ab\n").preview(4), "ab\\n");
    }

    #[test]
    fn the_quick_filler_is_the_filler_everywhere_even_where_sequence_numbers_wrap() {
        for start in [0, 1, 25, 26, 1000, u32::MAX - 30, u32::MAX] {
            let mut out = [0u8; 64];
            fill(&mut out, SeqNum(start));
            for (i, b) in out.iter().enumerate() {
                assert_eq!(
                    *b,
                    filler(SeqNum(start) + i as u32),
                    "from {start}, byte {i}"
                );
            }
        }
        // Chunks out of order and overlapping give what laying them in turn over filler gives.
        let (a, b) = (Payload::from("abcdef"), Payload::from("XY"));
        let got = stream_bytes(SeqNum(10), 12, [(SeqNum(16), &b), (SeqNum(11), &a)]);
        let mut want: Vec<u8> = (0..12).map(|i| filler(SeqNum(10 + i))).collect();
        want[1..7].copy_from_slice(b"abcdef");
        want[6..8].copy_from_slice(b"XY");
        // `a` comes last, so it wins where the two overlap.
        want[6] = b'f';
        assert_eq!(got, want);
    }

    #[test]
    fn prefix_takes_what_a_short_send_took() {
        let p = Payload::from("abcdef");
        assert_eq!(p.prefix(3).as_bytes(), b"abc");
        assert_eq!(p.prefix(99), p);
    }
}
