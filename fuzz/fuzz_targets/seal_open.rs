//! `cargo +nightly fuzz run seal_open`: the body and its oracle are `pkce_fuzz::seal_open`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::seal_open(data));
