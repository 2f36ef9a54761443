//! `cargo +nightly fuzz run dpop_challenge`: the body and its oracle are `pkce_fuzz::dpop_challenge`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::dpop_challenge(data));
