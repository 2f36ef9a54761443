//! `cargo +nightly fuzz run metadata`: the body and its oracle are `pkce_fuzz::metadata`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::metadata(data));
