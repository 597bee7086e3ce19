//! Captures, as `tcpsim diagnose` reads them.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tcpsim::fuzz::capture(data);
});
