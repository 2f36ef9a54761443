//! `cargo +nightly fuzz run www_authenticate`: the body and its oracle are `pkce_fuzz::www_authenticate`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::www_authenticate(data));
