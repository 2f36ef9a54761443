//! `cargo +nightly fuzz run error_response`: the body and its oracle are `pkce_fuzz::error_response`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::error_response(data));
