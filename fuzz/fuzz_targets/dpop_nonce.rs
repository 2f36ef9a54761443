//! `cargo +nightly fuzz run dpop_nonce`: the body and its oracle are `pkce_fuzz::dpop_nonce`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::dpop_nonce(data));
