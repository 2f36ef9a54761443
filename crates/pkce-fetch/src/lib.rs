//! Browser transport for `pkce-flow` (`wasm32-unknown-unknown`): the driver loop over
//! `fetch`, the request policy, one method per exchange, and the redirect round trip of a
//! single-page app through `sessionStorage`.
//!
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod bearer;
mod body;
mod error;
mod flows;
mod redirect;
mod scope;
mod transport;

pub use error::Error;
pub use pkce_flow;
pub use pkce_flow::BearerResponse;
pub use redirect::{DEFAULT_STORAGE_KEY, RedirectLogin};
pub use transport::Transport;
