//! `cargo +nightly fuzz run device_authorization`: the body and its oracle are
//! `pkce_fuzz::device_authorization`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::device_authorization(data));
