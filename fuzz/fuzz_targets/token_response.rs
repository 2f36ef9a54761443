//! `cargo +nightly fuzz run token_response`: the body and its oracle are `pkce_fuzz::token_response`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::token_response(data));
