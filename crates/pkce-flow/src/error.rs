//! One error type for the whole flow, grouped by cause.
//!
//! No variant carries a secret: codes, verifiers, states, tokens and client secrets are never
//! copied into an error. Text that came from the server is [`UntrustedText`].

use alloc::string::String;
use core::fmt;

use crate::text::UntrustedText;

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

/// The callback does not belong to the pending authorization, or came from another issuer.
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

/// A response that breaks the protocol.
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
    /// The body is larger than the policy's cap.
    TooLarge,
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
    /// The metadata's `issuer` is not the issuer the document was fetched for.
    IssuerMismatch,
    /// The metadata lacks `"code"` in `response_types_supported`.
    CodeFlowUnsupported,
    /// An endpoint in the metadata is unacceptable.
    InvalidEndpoint(&'static str, EndpointError),
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
            Self::TooLarge => f.write_str("the response body is larger than allowed"),
            Self::Json => {
                f.write_str("the body is not a well-formed JSON object with unique members")
            }
            Self::MissingField(name) => write!(f, "the member {name} is missing"),
            Self::DuplicateField => f.write_str("a member appears more than once"),
            Self::InvalidType(name) => write!(f, "the member {name} has the wrong JSON type"),
            Self::InvalidValue(name) => write!(f, "the member {name} has an invalid value"),
            Self::UnsupportedTokenType(t) => write!(f, "unsupported token_type {t}"),
            Self::ErrorWithSuccessStatus(code) => write!(f, "HTTP 200 carrying the error {code}"),
            Self::IssuerMismatch => {
                f.write_str("the metadata's issuer differs from the expected issuer")
            }
            Self::CodeFlowUnsupported => {
                f.write_str("the server does not support response_type=code")
            }
            Self::InvalidEndpoint(name, e) => write!(f, "{name}: {e}"),
            Self::MalformedChallenge => f.write_str("malformed WWW-Authenticate challenge"),
        }
    }
}

/// Why an endpoint URL is unacceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointError {
    /// Not an absolute URL.
    NotAbsolute,
    /// Not `https` (and not an allowed loopback `http`).
    Insecure,
    /// It has a fragment (RFC 6749 §3.1).
    Fragment,
    /// It has user information (`user:pass@`).
    UserInfo,
    /// Its query already holds a parameter the client sends itself.
    ReservedParameter,
    /// It holds a space, a control character, a backslash or non-ASCII text, which a URL
    /// parser would silently repair but the raw text, which is what gets sent, keeps.
    InvalidCharacter,
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotAbsolute => "not an absolute URL",
            Self::Insecure => "not https (plain http is allowed only for loopback IP literals, with the dangerous opt-in)",
            Self::Fragment => "has a fragment",
            Self::UserInfo => "has user information",
            Self::ReservedParameter => "its query holds a parameter the client sends itself",
            Self::InvalidCharacter => "holds a space, control character, backslash or non-ASCII character",
        })
    }
}

/// A configuration error, reported when the configuration is built.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// `client_id` is empty or has characters outside VSCHAR.
    InvalidClientId,
    /// The client secret has characters outside VSCHAR.
    InvalidClientSecret,
    /// A required setting is absent.
    Missing(&'static str),
    /// An endpoint (named) is unacceptable.
    Endpoint(&'static str, EndpointError),
    /// The issuer is not an https URL without query and fragment.
    InvalidIssuer,
    /// The redirect URI is relative.
    RedirectRelative,
    /// The redirect URI has a fragment.
    RedirectFragment,
    /// The redirect URI holds a space, a control character, a backslash or non-ASCII text.
    RedirectInvalidCharacter,
    /// `http` redirect URIs are allowed only for loopback IP literals (RFC 8252 §7.3).
    InsecureRedirect,
    /// `localhost` is not recommended (RFC 8252 §8.3); use `127.0.0.1` or `[::1]`.
    LocalhostRedirect,
    /// A private-use scheme must be a reversed domain name (RFC 8252 §7.1).
    PrivateSchemeNotReverseDns,
    /// A scope token is empty or has characters outside NQCHAR (RFC 6749 §3.3).
    InvalidScope,
    /// An extra parameter has an empty name, a reserved name, or repeats one that may
    /// not repeat.
    InvalidExtraParameter(UntrustedText),
    /// The server's metadata does not list `S256` in `code_challenge_methods_supported`
    /// (policy P-2); opt in with `assume_s256_supported`.
    S256Unsupported,
    /// `require_iss` without an issuer to compare with.
    IssuerRequiredForIss,
    /// The server's metadata does not list this client authentication method in
    /// `token_endpoint_auth_methods_supported`.
    AuthMethodUnsupported(&'static str),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidClientId => f.write_str("client_id must be non-empty printable ASCII"),
            Self::InvalidClientSecret => f.write_str("the client secret must be printable ASCII"),
            Self::Missing(what) => write!(f, "{what} is required"),
            Self::Endpoint(name, e) => write!(f, "{name} {e}"),
            Self::InvalidIssuer => f.write_str("the issuer must be an https URL without query or fragment"),
            Self::RedirectRelative => f.write_str("the redirect URI must be absolute"),
            Self::RedirectFragment => f.write_str("the redirect URI must not have a fragment"),
            Self::RedirectInvalidCharacter => {
                f.write_str("the redirect URI must be printable ASCII without spaces or backslashes")
            }
            Self::InsecureRedirect => f.write_str("an http redirect URI must use a loopback IP literal (127.0.0.1 or [::1])"),
            Self::LocalhostRedirect => f.write_str("use 127.0.0.1 or [::1] instead of localhost in the redirect URI"),
            Self::PrivateSchemeNotReverseDns => f.write_str("a private-use redirect scheme must be a reversed domain name, e.g. com.example.app"),
            Self::InvalidScope => f.write_str("a scope token is empty or has a space, quote, backslash or non-ASCII character"),
            Self::InvalidExtraParameter(name) => write!(f, "the extra parameter {name} is empty, reserved or repeated"),
            Self::S256Unsupported => f.write_str("the server does not advertise PKCE S256"),
            Self::IssuerRequiredForIss => f.write_str("requiring iss needs an expected issuer"),
            Self::AuthMethodUnsupported(m) => write!(f, "the server does not support the client authentication method {m}"),
        }
    }
}

/// The API was used out of order. Never a panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misuse {
    /// `poll_output` was called while a response is awaited.
    ResponseAwaited,
    /// `handle_response` was called with no request outstanding.
    NoRequestOutstanding,
    /// The exchange already finished (or failed) and was used again.
    Finished,
    /// No revocation endpoint is configured.
    NoRevocationEndpoint,
    /// No PAR endpoint is configured.
    NoParEndpoint,
    /// The server requires PAR (`require_pushed_authorization_requests`); use it.
    ParRequired,
    /// A stored authorization was resumed with a client configured for another server.
    ForeignAuthorization,
}

impl fmt::Display for Misuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ResponseAwaited => {
                "poll_output called while a response is awaited; call handle_response first"
            }
            Self::NoRequestOutstanding => {
                "handle_response called with no request outstanding; call poll_output first"
            }
            Self::Finished => "the exchange is finished and cannot be used again",
            Self::NoRevocationEndpoint => "no revocation endpoint is configured",
            Self::NoParEndpoint => "no pushed authorization request endpoint is configured",
            Self::ParRequired => "the server requires pushed authorization requests",
            Self::ForeignAuthorization => {
                "the stored authorization belongs to another client or server"
            }
        })
    }
}
