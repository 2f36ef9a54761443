//! `cargo +nightly fuzz run callback_url`: the body and its oracle are `pkce_fuzz::callback_url`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::callback_url(data));
