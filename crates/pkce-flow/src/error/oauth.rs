//! OAuth error responses (RFC 6749 §4.1.2.1, §5.2): the codes and the errors that carry them.

use alloc::string::String;
use core::fmt;

use crate::text::UntrustedText;

/// Defines an error-code enum with its RFC spellings and an `Other` arm for extensions.
macro_rules! error_codes {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// An extension or unknown code, kept as untrusted text.
            Other(UntrustedText),
        }

        impl $name {
            /// Maps the wire value (case-sensitive, RFC 6749 §1.9).
            #[must_use]
            pub fn parse(code: &str) -> Self {
                match code {
                    $($text => Self::$variant,)*
                    other => Self::Other(UntrustedText::new(String::from(other))),
                }
            }
        }

        impl $name {
            /// The wire value (for `Other`, the raw text the server sent).
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)*
                    Self::Other(code) => code.raw(),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $(Self::$variant => f.write_str($text),)*
                    Self::Other(code) => code.fmt(f),
                }
            }
        }
    };
}

error_codes!(
    /// The `error` of an authorization error response (RFC 6749 §4.1.2.1).
    AuthorizationErrorCode {
        /// `invalid_request`
        InvalidRequest = "invalid_request",
        /// `unauthorized_client`
        UnauthorizedClient = "unauthorized_client",
        /// `access_denied`: the user (or the server) said no.
        AccessDenied = "access_denied",
        /// `unsupported_response_type`
        UnsupportedResponseType = "unsupported_response_type",
        /// `invalid_scope`
        InvalidScope = "invalid_scope",
        /// `server_error`: retry only with a new authorization request.
        ServerError = "server_error",
        /// `temporarily_unavailable`: retry only with a new authorization request.
        TemporarilyUnavailable = "temporarily_unavailable",
    }
);

error_codes!(
    /// The `error` of a token endpoint error response (RFC 6749 §5.2, RFC 7009 §2.2.1).
    TokenErrorCode {
        /// `invalid_request`
        InvalidRequest = "invalid_request",
        /// `invalid_client`: client authentication failed.
        InvalidClient = "invalid_client",
        /// `invalid_grant`: the code or refresh token is invalid, expired, revoked or was
        /// issued to another client, or the PKCE verifier does not match. The transaction
        /// is over; a refresh token that gets this is dead.
        InvalidGrant = "invalid_grant",
        /// `unauthorized_client`
        UnauthorizedClient = "unauthorized_client",
        /// `unsupported_grant_type`
        UnsupportedGrantType = "unsupported_grant_type",
        /// `invalid_scope`
        InvalidScope = "invalid_scope",
        /// `unsupported_token_type` (revocation, RFC 7009 §2.2.1)
        UnsupportedTokenType = "unsupported_token_type",
        /// `authorization_pending`: the user has not yet answered (RFC 8628 §3.5).
        AuthorizationPending = "authorization_pending",
        /// `slow_down`: poll less often, 5 s more between requests (RFC 8628 §3.5).
        SlowDown = "slow_down",
        /// `access_denied`: the user refused the device (RFC 8628 §3.5).
        AccessDenied = "access_denied",
        /// `expired_token`: the device code expired (RFC 8628 §3.5).
        ExpiredToken = "expired_token",
    }
);

/// An authorization error response whose state (and issuer) checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizationError {
    /// The error code.
    pub code: AuthorizationErrorCode,
    /// `error_description`, untrusted.
    pub description: Option<UntrustedText>,
    /// `error_uri`, untrusted; never opened automatically.
    pub uri: Option<UntrustedText>,
}

impl fmt::Display for AuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(d) = &self.description {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

/// An OAuth error from the token, PAR or revocation endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenError {
    /// The HTTP status it came with (400, 401, or 200 under the `ErrorWith200` quirk).
    pub status: u16,
    /// The error code.
    pub code: TokenErrorCode,
    /// `error_description`, untrusted.
    pub description: Option<UntrustedText>,
    /// `error_uri`, untrusted.
    pub uri: Option<UntrustedText>,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.code, self.status)?;
        if let Some(d) = &self.description {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}
