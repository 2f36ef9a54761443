//! Async transport for `pkce-flow` on reqwest 0.13: the driver loop, the request policy, and
//! one method per exchange.
//!
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod bearer;
mod device;
mod error;
mod flows;
#[cfg(feature = "session")]
mod session;
mod transport;

pub use error::Error;
pub use pkce_flow;
pub use pkce_flow::BearerResponse;
pub use reqwest;
pub use transport::{Transport, USER_AGENT_VALUE};
