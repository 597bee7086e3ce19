//! Scenario files as `tcpsim check` takes them: read, run and checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tcpsim::fuzz::scenario_run(data);
});
