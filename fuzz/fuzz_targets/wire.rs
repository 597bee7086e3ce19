//! The wire forms: the web app's compiled scenario and the core's binary setup.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tcpsim::fuzz::wire(data);
});
