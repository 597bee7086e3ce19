//! Scenario files, as the page and `tcpsim check` read and compile them.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tcpsim::fuzz::scenario_toml(data);
});
