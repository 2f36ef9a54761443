//! `cargo +nightly fuzz run loopback_head`: the body and its oracle are `pkce_fuzz::loopback_head`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::loopback_head(data));
