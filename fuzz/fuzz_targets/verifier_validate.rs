//! `cargo +nightly fuzz run verifier_validate`: the body and its oracle are `pkce_fuzz::verifier_validate`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pkce_fuzz::verifier_validate(data));
