//! One error type for the whole flow, grouped by cause.
//!
//! No variant carries a secret: codes, verifiers, states, tokens and client secrets are never
//! copied into an error. Text that came from the server is [`crate::UntrustedText`]. One
//! file per category.

use core::fmt;

mod callback;
mod config;
mod misuse;
mod oauth;
mod response;

pub use callback::{CallbackError, Mismatch};
pub use config::{ConfigError, EndpointError};
pub use misuse::Misuse;
pub use oauth::{AuthorizationError, AuthorizationErrorCode, TokenError, TokenErrorCode};
pub use response::ResponseError;

/// Everything that can go wrong in the flow, grouped by cause.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The authorization server answered the authorization request with an error
    /// (RFC 6749 §4.1.2.1), after the state and issuer checked out.
    Authorization(AuthorizationError),
    /// The token, PAR or revocation endpoint answered with an OAuth error (RFC 6749 §5.2).
    Token(TokenError),
    /// The callback's `state` or `iss` does not match the pending authorization.
    Mismatch(Mismatch),
    /// The callback is malformed.
    Callback(CallbackError),
    /// A response from an endpoint is not what the protocol allows.
    Response(ResponseError),
    /// The configuration is invalid (reported by `build`, never at use).
    Config(ConfigError),
    /// The API was called out of order.
    Misuse(Misuse),
    /// The caller's random number generator failed; nothing was sent.
    Rng(pkce_core::RngError),
    /// A protected resource's URL may not carry a bearer token; nothing was sent.
    ResourceUrl(EndpointError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Authorization(e) => write!(f, "authorization failed: {e}"),
            Self::Token(e) => write!(f, "the server refused the request: {e}"),
            Self::Mismatch(e) => write!(f, "callback rejected: {e}"),
            Self::Callback(e) => write!(f, "invalid callback: {e}"),
            Self::Response(e) => write!(f, "invalid response: {e}"),
            Self::Config(e) => write!(f, "invalid configuration: {e}"),
            Self::Misuse(e) => write!(f, "API misuse: {e}"),
            Self::Rng(e) => e.fmt(f),
            Self::ResourceUrl(e) => write!(f, "the resource URL may not carry a token: {e}"),
        }
    }
}

impl core::error::Error for Error {}

macro_rules! from_impls {
    ($($ty:ident => $variant:ident),*) => {
        $(impl From<$ty> for Error {
            fn from(e: $ty) -> Self {
                Self::$variant(e)
            }
        })*
    };
}
from_impls!(
    AuthorizationError => Authorization,
    TokenError => Token,
    Mismatch => Mismatch,
    CallbackError => Callback,
    ResponseError => Response,
    ConfigError => Config,
    Misuse => Misuse
);

impl From<pkce_core::RngError> for Error {
    fn from(e: pkce_core::RngError) -> Self {
        Self::Rng(e)
    }
}
