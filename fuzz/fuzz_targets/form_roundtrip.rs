//! `cargo +nightly fuzz run form_roundtrip`: the body and its oracle are `pkce_fuzz::form_roundtrip`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::form_roundtrip(data));
