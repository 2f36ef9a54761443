//! The RFC 8252 loopback redirect listener for apps using `pkce-flow`.
//!
#![doc = include_str!("../README.md")]
//!
//! # Cargo features
//!
//! None: the crate is `std` only and always the same.
#![forbid(unsafe_code)]

mod connection;
mod error;
mod listener;
mod page;
mod route;
mod wait;

pub use error::WaitError;
pub use listener::{Limits, Listener, LoopbackHost};
pub use route::{Route, route};
