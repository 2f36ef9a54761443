//! What an application can do about an error: the small classification every error of the
//! workspace offers, and the questions asked most often.

use crate::error::{AuthorizationErrorCode, Error, MetadataError, ResponseError, TokenErrorCode};

/// What an application can do about an error.
///
/// ```
/// use pkce_flow::{Action, Error, TokenError, TokenErrorCode};
///
/// let refused = Error::Token(TokenError {
///     status: 400,
///     code: TokenErrorCode::InvalidGrant,
///     description: None,
///     uri: None,
/// });
/// assert_eq!(refused.action(), Action::LoginAgain);
/// assert!(refused.is_invalid_grant());
/// assert_eq!(refused.oauth_error_code(), Some("invalid_grant"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// A transient failure (a timeout, a 429 or 5xx, a server that says "later"): the same
    /// request may succeed later. For a code exchange, "later" means a new login: a code is
    /// single-use.
    RetryLater,
    /// The grant is over (an expired or revoked refresh token, a denied or expired login):
    /// send the user through a new authorization.
    LoginAgain,
    /// The client's configuration or the calling program is wrong (an unknown client, a
    /// missing endpoint, a scope the server refuses): retrying cannot help.
    FixConfiguration,
    /// Something is wrong in a way that may be an attack or a broken server (a forged
    /// callback, a mix-up, a redirect from an endpoint, a malformed response): stop, and do
    /// not retry automatically.
    Stop,
}

impl Error {
    /// What an application can do about this error.
    #[must_use]
    pub fn action(&self) -> Action {
        match self {
            Self::Authorization(e) => match e.code {
                AuthorizationErrorCode::ServerError
                | AuthorizationErrorCode::TemporarilyUnavailable => Action::RetryLater,
                AuthorizationErrorCode::InvalidRequest
                | AuthorizationErrorCode::UnauthorizedClient
                | AuthorizationErrorCode::UnsupportedResponseType
                | AuthorizationErrorCode::InvalidScope => Action::FixConfiguration,
                _ => Action::LoginAgain,
            },
            Self::Token(e) => match e.code {
                TokenErrorCode::InvalidGrant
                | TokenErrorCode::AccessDenied
                | TokenErrorCode::ExpiredToken => Action::LoginAgain,
                TokenErrorCode::AuthorizationPending | TokenErrorCode::SlowDown => {
                    Action::RetryLater
                }
                TokenErrorCode::Other(_) => Action::Stop,
                _ => Action::FixConfiguration,
            },
            Self::Response(ResponseError::UnexpectedStatus { status, .. })
                if *status == 429 || (500..600).contains(status) =>
            {
                Action::RetryLater
            }
            Self::Response(ResponseError::RevocationUnavailable { .. }) => Action::RetryLater,
            Self::Metadata(MetadataError::IssuerMismatch | MetadataError::ResourceMismatch) => {
                Action::Stop
            }
            Self::DeviceCodeExpired => Action::LoginAgain,
            Self::Metadata(_)
            | Self::Config(_)
            | Self::NotConfigured(_)
            | Self::ParRequired
            | Self::ResourceUrl(_) => Action::FixConfiguration,
            Self::Mismatch(_)
            | Self::Callback(_)
            | Self::Response(_)
            | Self::Misuse(_)
            | Self::Rng(_)
            | Self::Dpop(_) => Action::Stop,
        }
    }

    /// The OAuth `error` code of an error response (authorization or token endpoint), as
    /// sent.
    #[must_use]
    pub fn oauth_error_code(&self) -> Option<&str> {
        match self {
            Self::Authorization(e) => Some(e.code.as_str()),
            Self::Token(e) => Some(e.code.as_str()),
            _ => None,
        }
    }

    /// Whether the token endpoint answered `invalid_grant`: the code or refresh token is
    /// dead (RFC 6749 §5.2).
    #[must_use]
    pub fn is_invalid_grant(&self) -> bool {
        matches!(self, Self::Token(e) if e.code == TokenErrorCode::InvalidGrant)
    }
}
