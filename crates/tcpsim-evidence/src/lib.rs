//! A user's own evidence, read and explained: the socket tables that `ss`, `netstat` (Linux,
//! macOS, Windows) and `/proc/net/tcp` print ([`table`]), and what they show ([`findings`]):
//! which side holds CLOSE-WAIT and why, FIN-WAIT-2 and TIME-WAIT piling up, half-open
//! handshakes, unread data, descriptors running out, each with its evidence, what to do and
//! the bundled lesson that shows it happening.
//!
//! Nothing here simulates: the readers take text and give values, and every word a person
//! reads comes from `tcpsim-words` ([`tcpsim_words::evidence`]).
#![warn(missing_docs)]

pub mod capture;
pub mod findings;
pub mod html;
pub mod observed;
pub mod replay;
pub mod report;
pub mod table;
