//! One error type for the whole flow, grouped by cause.
//!
//! No variant carries a secret: codes, verifiers, states, tokens and client secrets are never
//! copied into an error. Text that came from the server is [`crate::UntrustedText`]. One
//! file per category.

use core::fmt;

mod action;
mod callback;
mod config;
mod metadata;
mod misuse;
mod oauth;
mod response;

pub use action::Action;
pub use callback::{CallbackError, Mismatch};
pub use config::{ConfigError, EndpointError};
pub use metadata::MetadataError;
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
    /// The callback's `state` or `iss` does not match the pending authorization, or a stored
    /// authorization belongs to another client.
    Mismatch(Mismatch),
    /// The callback is malformed.
    Callback(CallbackError),
    /// A response is not what the protocol allows (status, media type, JSON framing, members).
    Response(ResponseError),
    /// A metadata document cannot be used (discovery).
    Metadata(MetadataError),
    /// The configuration is invalid. Reported by the constructors (`ClientBuilder::build`,
    /// `Discovery::new`, `Client::refresh_with_scope` for its scope), never while an exchange
    /// runs.
    Config(ConfigError),
    /// The client was asked for an exchange its configuration has no endpoint for (the
    /// endpoint's name: `revocation_endpoint`, `pushed_authorization_request_endpoint`).
    NotConfigured(&'static str),
    /// The server requires pushed authorization requests
    /// (`require_pushed_authorization_requests`): use `Client::push_authorization`.
    ParRequired,
    /// The API was called out of order.
    Misuse(Misuse),
    /// The caller's random number generator failed; nothing was sent.
    Rng(pkce_core::RngError),
    /// A protected resource's URL may not carry a bearer token; nothing was sent.
    ResourceUrl(EndpointError),
    /// A DPoP proof could not be made, or a server's DPoP answer is unusable (RFC 9449).
    Dpop(crate::dpop::DpopError),
    /// The device code's lifetime (`expires_in`, RFC 8628 §3.2) ran out before the user
    /// answered; nothing more was sent.
    DeviceCodeExpired,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Authorization(e) => write!(f, "authorization failed: {e}"),
            Self::Token(e) => write!(f, "the server refused the request: {e}"),
            Self::Mismatch(e) => write!(f, "callback rejected: {e}"),
            Self::Callback(e) => write!(f, "invalid callback: {e}"),
            Self::Response(e) => write!(f, "invalid response: {e}"),
            Self::Metadata(e) => write!(f, "unusable metadata: {e}"),
            Self::Config(e) => write!(f, "invalid configuration: {e}"),
            Self::NotConfigured(endpoint) => write!(f, "no {endpoint} is configured"),
            Self::ParRequired => f.write_str("the server requires pushed authorization requests"),
            Self::Misuse(e) => write!(f, "API misuse: {e}"),
            Self::Rng(e) => e.fmt(f),
            Self::ResourceUrl(e) => write!(f, "the resource URL may not carry a token: {e}"),
            Self::Dpop(e) => write!(f, "DPoP: {e}"),
            Self::DeviceCodeExpired => {
                f.write_str("the device code expired before the user answered")
            }
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
    MetadataError => Metadata,
    ConfigError => Config,
    Misuse => Misuse
);

impl From<pkce_core::RngError> for Error {
    fn from(e: pkce_core::RngError) -> Self {
        Self::Rng(e)
    }
}
