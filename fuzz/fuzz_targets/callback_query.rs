//! `cargo +nightly fuzz run callback_query`: the body and its oracle are `pkce_fuzz::callback_query`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::callback_query(data));
