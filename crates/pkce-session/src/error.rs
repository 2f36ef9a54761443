//! The one error type of sessions and stores. No variant carries a token or stored bytes.

use std::error::Error as StdError;
use std::{fmt, io};

/// A transport's own error, passed through as the source of a refresh that failed on the
/// wire. Transports' errors print no secret.
pub type TransportError = Box<dyn StdError + Send + Sync + 'static>;

/// Why a new login is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginReason {
    /// Nothing is stored under the key.
    NoSession,
    /// The stored session has no refresh token.
    NoRefreshToken,
    /// The stored session was marked stale by an earlier refused refresh.
    Stale,
    /// The server refused the refresh token (`invalid_grant`) and no other process had
    /// refreshed meanwhile: the token is revoked, expired, or was spent by a refresh whose
    /// result was lost. The stored session is kept, marked stale.
    Refused,
}

/// Everything that can go wrong while getting a fresh token or using a store.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionError {
    /// A new login is needed; the stored session, if any, is kept.
    LoginRequired(LoginReason),
    /// The refresh request failed after it may have reached the server: the server may have
    /// rotated the refresh token and the answer is lost. Never retried automatically (a second
    /// attempt with the old token revokes the whole grant on a strict server); the stored
    /// session is unchanged.
    RefreshOutcomeUnknown(TransportError),
    /// The refresh request failed before anything reached the server (connection refused,
    /// TLS handshake failed): nothing changed, a later call may try again.
    RefreshNotSent(TransportError),
    /// The server or the flow refused the refresh for another reason than `invalid_grant`
    /// (`invalid_client`, a malformed response, …); the stored session is unchanged.
    RefreshFailed(pkce_flow::Error),
    /// The refresh response carried an ID token that pkce-flow refused against the identity
    /// stored at login (another `sub`, `iss`, `aud` or `azp`; OpenID Connect Core §12.2), or
    /// for any check of §3.1.3.7. The refreshed tokens were not stored; the stored session is
    /// kept, marked stale, so the user signs in again.
    RefreshedIdTokenRefused(pkce_flow::oidc::IdTokenError),
    /// The session's lock was not obtained within the configured wait.
    LockTimeout,
    /// A Redis lease ran out before the write: another holder may have written since, so
    /// this one's result was not stored.
    LockLost,
    /// The key breaks the [`crate::SessionKey`] rule.
    InvalidKey,
    /// The stored session was made for another issuer, client or token endpoint (the member
    /// named); it is left as it is.
    WrongBinding {
        /// `issuer`, `client_id` or `token_endpoint`.
        field: &'static str,
    },
    /// The stored bytes are not a session (truncated, garbage, wrong types or shape).
    Corrupt,
    /// The stored session is larger than the limit and was not read.
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The stored session has a format version this build does not read.
    UnsupportedVersion {
        /// The version found.
        found: u32,
    },
    /// The store's directory or a file in it can be written by other users (or is not a
    /// regular file/directory): refused, not used.
    InsecurePermissions,
    /// The API was used out of order (the refresh exchange taken twice).
    Misuse,
    /// The session's tokens are bound to a DPoP key (RFC 9449) that cannot sign here: the
    /// stored key is not a valid key of a known algorithm, or this build lacks the feature
    /// `dpop` that restores it. Nothing was sent: a DPoP-bound refresh token is never sent
    /// without a proof of its key. The stored session is unchanged.
    DpopKeyUnusable(Option<pkce_flow::dpop::DpopError>),
    /// A file system error.
    Io(io::Error),
    /// The Redis server answered with an error or broke the protocol.
    Redis(String),
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LoginRequired(reason) => {
                let why = match reason {
                    LoginReason::NoSession => "no session is stored",
                    LoginReason::NoRefreshToken => "the session has no refresh token",
                    LoginReason::Stale => "the session was marked stale by a refused refresh",
                    LoginReason::Refused => "the server refused the refresh token",
                };
                write!(f, "login required: {why}")
            }
            Self::RefreshOutcomeUnknown(_) => f.write_str(
                "the refresh request failed after it may have reached the server; not retried",
            ),
            Self::RefreshNotSent(_) => f.write_str("the refresh request could not be sent"),
            Self::RefreshFailed(e) => write!(f, "the refresh failed: {e}"),
            Self::RefreshedIdTokenRefused(e) => write!(
                f,
                "the refreshed ID token was refused ({e}); the session is kept, marked stale: sign in again"
            ),
            Self::LockTimeout => f.write_str("timed out waiting for the session lock"),
            Self::LockLost => f.write_str("the session lock's lease ran out before the write"),
            Self::InvalidKey => f.write_str("invalid session key"),
            Self::WrongBinding { field } => {
                write!(f, "the stored session belongs to another {field}")
            }
            Self::Corrupt => f.write_str("the stored session is corrupt"),
            Self::TooLarge { limit } => {
                write!(f, "the stored session is larger than {limit} bytes")
            }
            Self::UnsupportedVersion { found } => {
                write!(f, "the stored session has unsupported format version {found}")
            }
            Self::InsecurePermissions => f.write_str(
                "the session store can be written by other users (or is not a plain file or directory)",
            ),
            Self::Misuse => f.write_str("session API misuse: the refresh exchange was taken twice"),
            Self::DpopKeyUnusable(Some(e)) => write!(
                f,
                "the session's tokens are bound to a DPoP key that cannot sign: {e}"
            ),
            Self::DpopKeyUnusable(None) => f.write_str(
                "the session's tokens are bound to a DPoP key and this build cannot restore it (pkce-session feature `dpop`)",
            ),
            Self::Io(e) => write!(f, "session store I/O error: {}", e.kind()),
            Self::Redis(e) => write!(f, "Redis error: {e}"),
        }
    }
}

impl StdError for SessionError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::RefreshOutcomeUnknown(e) | Self::RefreshNotSent(e) => Some(&**e),
            Self::RefreshFailed(e) => Some(e),
            Self::RefreshedIdTokenRefused(e) => Some(e),
            Self::DpopKeyUnusable(Some(e)) => Some(e),
            Self::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for SessionError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}
