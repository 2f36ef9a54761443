//! `cargo +nightly fuzz run form_decode`: the body and its oracle are `pkce_fuzz::form_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::form_decode(data));
