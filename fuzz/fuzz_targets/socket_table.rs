//! Socket tables, as `tcpsim diagnose` reads and explains them.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tcpsim::fuzz::socket_table(data);
});
