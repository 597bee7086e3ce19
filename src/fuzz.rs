//! The readers as the fuzzers drive them (`fuzz/`), and as `tests/fuzz_corpus.rs` replays the
//! corpus the fuzzers grew: one function per reader, so the two cannot drift apart. Each takes
//! any bytes and must return without panicking; what it returns is only for the replay's
//! counts.

use crate::core::prelude::*;
use crate::scenario::Scenario;

/// The most queue events a fuzzed scenario runs: the reader and compiler are the target, and
/// a run to the file's own limits would make one input take seconds.
pub const FUZZ_MAX_EVENTS: u64 = 20_000;

/// The most calls a fuzzed scenario may schedule, as in the page: a file may ask for a
/// million, and checking each repetition of a repeat would make one input take seconds.
pub const FUZZ_MAX_CALLS: u64 = 1_000;

/// What one input came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Refused with errors (each located and printed in both languages).
    Refused,
    /// Read, set up and run (to its end or a limit), and its expectations checked.
    Ran,
}

/// A scenario file: read and compiled as the page does (at most [`FUZZ_MAX_CALLS`] calls),
/// every error rendered in both languages, and a file that reads set up as a simulator.
pub fn scenario_toml(data: &[u8]) -> Outcome {
    match parse(data) {
        Err(errors) => {
            render(&errors);
            Outcome::Refused
        }
        Ok(s) => {
            if let Err(e) = s.simulator() {
                std::hint::black_box((e.render(false), e.render(true)));
            }
            Outcome::Ran
        }
    }
}

/// A scenario file as `tcpsim check` takes it: read, compiled, run (to [`FUZZ_MAX_EVENTS`]),
/// its expectations checked and the trace held to the core's invariants.
pub fn scenario_run(data: &[u8]) -> Outcome {
    match parse(data) {
        Err(errors) => {
            render(&errors);
            Outcome::Refused
        }
        Ok(mut s) => {
            s.max_events = s.max_events.min(FUZZ_MAX_EVENTS);
            if let Ok(trace) = s.run() {
                std::hint::black_box(s.check(&trace));
                let broken = crate::core::check::all(&trace);
                assert!(
                    broken.is_empty(),
                    "a fuzzed run broke invariants: {broken:?}"
                );
            }
            Outcome::Ran
        }
    }
}

fn parse(data: &[u8]) -> Result<Scenario, crate::scenario::ScenarioErrors> {
    match std::str::from_utf8(data) {
        Ok(text) => Scenario::parse_capped("fuzz.toml", text, FUZZ_MAX_CALLS),
        Err(_) => Scenario::parse_bytes("fuzz.toml", data),
    }
}

fn render(errors: &crate::scenario::ScenarioErrors) {
    for e in &errors.0 {
        std::hint::black_box((e.render(false), e.render(true)));
    }
}

/// The wire forms: the web app's compiled scenario (`compiled::decode`), the core's binary
/// setup (`Setup::decode`) and observed trace (`Trace::decode_observed`), from the same bytes.
pub fn wire(data: &[u8]) -> Outcome {
    let compiled = crate::scenario::compiled::decode(data);
    let setup = Setup::decode(data);
    // An observed trace read back is drawn as the page draws it.
    let observed = crate::core::trace::Trace::decode_observed(data);
    if let Ok(t) = &observed
        && let Some(l) = crate::render::layout::layout(t, None)
    {
        std::hint::black_box(crate::render::svg::ladder_svg(&l, &Default::default()));
    }
    match (compiled, setup, observed) {
        (Ok(_), _, _) | (_, Ok(_), _) | (_, _, Ok(_)) => Outcome::Ran,
        _ => Outcome::Refused,
    }
}

/// A socket table (`tcpsim diagnose`): decoded, read, diagnosed, and reported as text in both
/// languages and as JSON.
pub fn socket_table(data: &[u8]) -> Outcome {
    use crate::evidence::{findings, report, table};
    let text = table::decode(data);
    match table::read(&text) {
        Err(_) => Outcome::Refused,
        Ok(t) => {
            let r = findings::diagnose(&t, &findings::Options { fd_limit: Some(64) });
            for lang in [crate::render::i18n::Lang::En, crate::render::i18n::Lang::Zh] {
                std::hint::black_box(report::text("fuzz.txt", &t, &r, lang));
            }
            std::hint::black_box(report::json(&t, &r));
            Outcome::Ran
        }
    }
}

/// A capture (`tcpsim diagnose x.pcap`): read in one pass, and reported as text in both
/// languages and as JSON; and read as an observed trace (`tcpsim run x.pcap`) and drawn.
pub fn capture(data: &[u8]) -> Outcome {
    use crate::evidence::{capture, report};
    match capture::read(data) {
        Err(_) => Outcome::Refused,
        Ok(cap) => {
            for lang in [crate::render::i18n::Lang::En, crate::render::i18n::Lang::Zh] {
                std::hint::black_box(report::capture_text("fuzz.pcap", &cap, lang));
            }
            std::hint::black_box(report::capture_json(&cap));
            // The same bytes as an observed trace, held to the core's invariants, and drawn.
            if let Ok(drawn) = crate::evidence::observed::read_trace(data, "fuzz.pcap", 1 << 16) {
                let t = &drawn.trace;
                let broken = crate::core::check::all(t);
                assert!(broken.is_empty(), "{broken:?}");
                if let Some(l) = crate::render::layout::layout(t, None) {
                    std::hint::black_box(crate::render::svg::ladder_svg(&l, &Default::default()));
                }
            }
            Outcome::Ran
        }
    }
}
