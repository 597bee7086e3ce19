//! Replays what the fuzzers (`fuzz/`, `cargo fuzz`) found interesting: every input of each
//! reader's corpus goes through the same function the fuzzer drives, on the stable toolchain,
//! so that a change that panics on one of them fails here without a fuzzer on the machine.

use std::path::Path;
use tcpsim::fuzz::{self, Outcome};

/// Every file of `fuzz/corpus/<target>`, sorted.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

/// Runs `read` on every input of `target`'s corpus; a panic names the input.
fn replay(target: &str, read: fn(&[u8]) -> Outcome) -> (usize, usize) {
    let inputs = corpus(target);
    let (mut refused, mut ran) = (0, 0);
    for (name, bytes) in &inputs {
        let outcome = std::panic::catch_unwind(|| read(bytes)).unwrap_or_else(|_| {
            panic!("{target}: {name} panics: `cargo fuzz run {target} {name}`")
        });
        match outcome {
            Outcome::Refused => refused += 1,
            Outcome::Ran => ran += 1,
        }
    }
    (refused, ran)
}

#[test]
fn the_scenario_readers_corpus_replays_without_a_panic() {
    let (refused, ran) = replay("scenario_toml", fuzz::scenario_toml);
    // The seeds alone are 19 bundled files that run and 35 broken or hostile ones; the corpus
    // the fuzzer grew holds both kinds by the hundred.
    assert!(ran >= 19 && refused >= 35, "{ran} ran, {refused} refused");
}

#[test]
fn the_scenario_runs_corpus_replays_without_a_panic_or_a_broken_invariant() {
    let (refused, ran) = replay("scenario_run", fuzz::scenario_run);
    assert!(ran >= 19 && refused >= 35, "{ran} ran, {refused} refused");
}

#[test]
fn the_wire_readers_corpus_replays_without_a_panic() {
    let (refused, ran) = replay("wire", fuzz::wire);
    // The seeds: the bundled scenarios compiled for the page and encoded as setups.
    assert!(ran >= 38, "{ran} ran, {refused} refused");
}

#[test]
fn the_socket_table_readers_corpus_replays_without_a_panic() {
    let (refused, ran) = replay("socket_table", fuzz::socket_table);
    // The seeds: the evidence crate's tables, real and written.
    assert!(ran >= 12, "{ran} ran, {refused} refused");
}

#[test]
fn the_capture_readers_corpus_replays_without_a_panic() {
    let (refused, ran) = replay("capture", fuzz::capture);
    // The seeds: the bundled scenarios' captures under 64 KiB.
    assert!(ran >= 15, "{ran} ran, {refused} refused");
}
