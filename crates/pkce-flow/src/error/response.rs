//! Responses that break the protocol.

use core::fmt;

use crate::error::TokenErrorCode;
use crate::text::UntrustedText;

/// A response that breaks the protocol: its status, media type, JSON framing or members.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseError {
    /// A redirect from an endpoint that must never redirect; it was not followed.
    UnexpectedRedirect {
        /// The 3xx status.
        status: u16,
    },
    /// A status this exchange does not accept (a 2xx other than 200, a 5xx, a 429 …).
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// `Retry-After` in seconds, when given as a number (clamped to one day).
        retry_after: Option<u64>,
    },
    /// The revocation endpoint is unavailable (503): the token may still be valid
    /// (RFC 7009 §2.2.1).
    RevocationUnavailable {
        /// `Retry-After` in seconds, when given as a number (clamped to one day).
        retry_after: Option<u64>,
    },
    /// The `Content-Type` is not `application/json`.
    UnexpectedContentType,
    /// The body is larger than the policy's cap (the transports report the same fault, met
    /// while reading, under the same name).
    BodyTooLarge,
    /// The `WWW-Authenticate` values together pass their cap.
    ChallengeTooLarge,
    /// The body is not one JSON object in UTF-8 (syntax, depth, or not an object).
    Json,
    /// A required member is absent.
    MissingField(&'static str),
    /// A member appears twice in the JSON object (no "last one wins", RFC 8259 §4).
    DuplicateField,
    /// A member has the wrong JSON type.
    InvalidType(&'static str),
    /// A member has a value the protocol forbids (an empty or non-VSCHAR token, a negative
    /// or fractional `expires_in` …).
    InvalidValue(&'static str),
    /// The `token_type` is not `Bearer` (compared case-insensitively).
    UnsupportedTokenType(UntrustedText),
    /// A 200 response carrying an OAuth `error` member (quirk `ErrorWith200` not enabled).
    ErrorWithSuccessStatus(TokenErrorCode),
    /// A `WWW-Authenticate` header could not be parsed.
    MalformedChallenge,
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnexpectedRedirect { status } => {
                write!(f, "HTTP {status} redirect, not followed")
            }
            Self::UnexpectedStatus {
                status,
                retry_after: Some(s),
            } => write!(f, "unexpected HTTP status {status} (retry after {s} s)"),
            Self::UnexpectedStatus {
                status,
                retry_after: None,
            } => write!(f, "unexpected HTTP status {status}"),
            Self::RevocationUnavailable { .. } => f.write_str(
                "the revocation endpoint is unavailable (503); the token may still be valid",
            ),
            Self::UnexpectedContentType => f.write_str("the content type is not application/json"),
            Self::BodyTooLarge => f.write_str("the response body is larger than allowed"),
            Self::ChallengeTooLarge => {
                f.write_str("the WWW-Authenticate header is larger than allowed")
            }
            Self::Json => {
                f.write_str("the body is not a well-formed JSON object with unique members")
            }
            Self::MissingField(name) => write!(f, "the member {name} is missing"),
            Self::DuplicateField => f.write_str("a member appears more than once"),
            Self::InvalidType(name) => write!(f, "the member {name} has the wrong JSON type"),
            Self::InvalidValue(name) => write!(f, "the member {name} has an invalid value"),
            Self::UnsupportedTokenType(t) => write!(f, "unsupported token_type {t}"),
            Self::ErrorWithSuccessStatus(code) => write!(f, "HTTP 200 carrying the error {code}"),
            Self::MalformedChallenge => f.write_str("malformed WWW-Authenticate challenge"),
        }
    }
}
