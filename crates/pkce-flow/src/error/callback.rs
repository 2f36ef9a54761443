//! Callback faults: a callback that is not this authorization's, or is malformed.

use core::fmt;

/// The callback (or a stored authorization) does not belong to this pending authorization
/// or client, or came from another issuer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mismatch {
    /// No `state` although one was sent. The pending authorization stays usable.
    StateMissing,
    /// A `state` other than the one sent (CSRF or a stale tab). The pending authorization
    /// stays usable.
    StateMismatch,
    /// The server advertises RFC 9207 `iss` (or the client requires it), and it is absent.
    IssuerMissing,
    /// `iss` is not the expected issuer, compared as exact strings (mix-up attack,
    /// RFC 9207 §2.4); reported even when the response is an error.
    IssuerMismatch,
    /// A stored authorization was resumed with a client configured for another client id,
    /// redirect URI, issuer or token endpoint (RFC 9700 §4.4.2).
    ForeignAuthorization,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::StateMissing => "the state parameter is missing",
            Self::StateMismatch => "the state does not match the one sent (possible CSRF)",
            Self::IssuerMissing => {
                "the iss parameter is missing, but the server promised to send it (RFC 9207)"
            }
            Self::IssuerMismatch => {
                "the response comes from another issuer than the one asked (possible mix-up attack)"
            }
            Self::ForeignAuthorization => {
                "the stored authorization belongs to another client or server"
            }
        })
    }
}

/// A malformed callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackError {
    /// An OAuth parameter appears more than once (RFC 6749 §3.1).
    DuplicateParameter(&'static str),
    /// An OAuth parameter has a malformed `%` escape or is not UTF-8.
    MalformedEncoding(&'static str),
    /// The query, or one value, is larger than the limits (64 KiB, 16 KiB).
    TooLarge,
    /// Neither a non-empty `code` nor an `error`.
    MissingCode,
    /// The `code` has characters outside `VSCHAR` (control characters, non-ASCII).
    InvalidCode,
    /// Both a `code` and an `error`, or OAuth parameters in the fragment.
    AmbiguousResponse,
    /// The text handed in is not a URL.
    InvalidUrl,
    /// The callback URL is not the redirect URI the request named (RFC 8252 §8.10).
    RedirectUriMismatch,
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateParameter(p) => write!(f, "the parameter {p} appears more than once"),
            Self::MalformedEncoding(p) => write!(f, "the parameter {p} is not correctly encoded"),
            Self::TooLarge => f.write_str("the callback is larger than allowed"),
            Self::MissingCode => f.write_str("the callback has no authorization code"),
            Self::InvalidCode => {
                f.write_str("the authorization code has characters outside VSCHAR")
            }
            Self::AmbiguousResponse => f.write_str(
                "the callback carries both a success and an error, or parameters in the fragment",
            ),
            Self::InvalidUrl => f.write_str("the callback URL cannot be parsed"),
            Self::RedirectUriMismatch => {
                f.write_str("the callback arrived on another URI than the redirect URI sent")
            }
        }
    }
}
