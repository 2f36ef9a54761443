//! `cargo +nightly fuzz run par_response`: the body and its oracle are `pkce_fuzz::par_response`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::par_response(data));
