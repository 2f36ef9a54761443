//! PKCE primitives for OAuth 2.0 clients: `no_std`, no heap, no I/O.
#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;

mod basic;
mod challenge;
mod ct;
mod error;
pub mod form;
mod html;
#[cfg(feature = "serde")]
mod serde_str;
mod sink;
mod token;
mod verifier;

#[cfg(feature = "alloc")]
pub use basic::client_secret_basic_string;
pub use basic::{client_secret_basic, client_secret_basic_len};
pub use challenge::{CHALLENGE_LEN, ChallengeMethod, CodeChallenge};
pub use ct::constant_time_eq;
pub use error::{
    BufferTooSmall, FormError, GenerateError, InvalidToken, InvalidVerifier, RngError,
};
pub use html::HtmlEscaped;
pub use sink::SliceWriter;
pub use token::{Nonce, State, TOKEN_LEN};
pub use verifier::{
    CodeVerifier, DEFAULT_VERIFIER_OCTETS, MAX_VERIFIER_LEN, MAX_VERIFIER_OCTETS, MIN_VERIFIER_LEN,
    MIN_VERIFIER_OCTETS, is_unreserved, validate as validate_verifier,
};

/// The `rand_core` version this crate's RNG bounds come from, re-exported so callers name
/// the same traits.
pub use rand_core;

/// The workspace README's examples, compiled and run as doctests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct WorkspaceReadmeDoctests;
