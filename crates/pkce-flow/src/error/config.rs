//! Configuration faults, reported when the configuration is built.

use core::fmt;

use crate::text::UntrustedText;

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
    /// The server's metadata lists `dpop_signing_alg_values_supported` without the
    /// algorithm of the client's DPoP key (RFC 9449 §5.1): its proofs would be refused.
    DpopAlgorithmUnsupported,
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
            Self::DpopAlgorithmUnsupported => f.write_str("the server's dpop_signing_alg_values_supported does not list the DPoP key's algorithm"),
        }
    }
}
