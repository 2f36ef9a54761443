//! Why an ID token was refused. No variant carries the token, a claim value or the nonce.

use core::fmt;

/// An ID token refused by OpenID Connect Core §3.1.3.7 (or §12.2 after a refresh).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdTokenError {
    /// The token response holds no `id_token`.
    Missing,
    /// The token is longer than [`crate::oidc::MAX_ID_TOKEN_BYTES`].
    TooLarge,
    /// Five parts: an encrypted ID token (JWE), which this crate does not decrypt.
    Encrypted,
    /// Not a compact JWS: the named part is not three dot-separated base64url parts, or
    /// does not decode to a JSON object.
    Malformed(&'static str),
    /// A member of the header or the claims is given twice.
    DuplicateMember,
    /// `alg` is `none`: an unsigned token is never accepted.
    AlgNone,
    /// The header names `crit` extensions, none of which this crate understands
    /// (RFC 7515 §4.1.11).
    CriticalHeader,
    /// The verifier refused the signature.
    BadSignature,
    /// [`crate::oidc::IdTokenSignature::IssuerEstablishedByTls`] with a token endpoint that is
    /// not `https` (nor a loopback one the client was told to allow).
    TlsModeWithoutTls,
    /// The client has no issuer configured to compare `iss` with.
    NoIssuerConfigured,
    /// A required claim is absent.
    MissingClaim(&'static str),
    /// A claim has the wrong type or an impossible value.
    InvalidClaim(&'static str),
    /// `iss` is not exactly the configured issuer.
    IssuerMismatch,
    /// `aud` does not contain the client id.
    AudienceMismatch,
    /// Several audiences and no `azp` (authorized party).
    AuthorizedPartyMissing,
    /// `azp` is present and is not the client id.
    AuthorizedPartyMismatch,
    /// `exp` is past, beyond the leeway.
    Expired,
    /// `iat` is in the future, beyond the leeway.
    IssuedInFuture,
    /// A nonce was sent and the token carries none.
    NonceMissing,
    /// The token's nonce is not the one sent.
    NonceMismatch,
    /// After a refresh, the named claim differs from the first ID token's (§12.2).
    RefreshChanged(&'static str),
}

impl fmt::Display for IdTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("the token response holds no ID token"),
            Self::TooLarge => f.write_str("the ID token is too large"),
            Self::Encrypted => {
                f.write_str("the ID token is encrypted (JWE), which is not supported")
            }
            Self::Malformed(part) => write!(f, "the ID token's {part} is malformed"),
            Self::DuplicateMember => f.write_str("the ID token repeats a member"),
            Self::AlgNone => f.write_str("the ID token is unsigned (alg none)"),
            Self::CriticalHeader => f.write_str("the ID token has critical header extensions"),
            Self::BadSignature => f.write_str("the ID token's signature was refused"),
            Self::TlsModeWithoutTls => f.write_str(
                "the issuer can be established by TLS only with an https token endpoint",
            ),
            Self::NoIssuerConfigured => f.write_str("no issuer configured to check the ID token"),
            Self::MissingClaim(c) => write!(f, "the ID token lacks the `{c}` claim"),
            Self::InvalidClaim(c) => write!(f, "the ID token's `{c}` claim is invalid"),
            Self::IssuerMismatch => f.write_str("the ID token's issuer is not the expected one"),
            Self::AudienceMismatch => f.write_str("the ID token is not meant for this client"),
            Self::AuthorizedPartyMissing => {
                f.write_str("the ID token has several audiences and no authorized party")
            }
            Self::AuthorizedPartyMismatch => {
                f.write_str("the ID token's authorized party is another client")
            }
            Self::Expired => f.write_str("the ID token has expired"),
            Self::IssuedInFuture => f.write_str("the ID token is issued in the future"),
            Self::NonceMissing => f.write_str("the ID token carries no nonce"),
            Self::NonceMismatch => f.write_str("the ID token's nonce is not the one sent"),
            Self::RefreshChanged(c) => {
                write!(
                    f,
                    "the refreshed ID token's `{c}` differs from the original"
                )
            }
        }
    }
}

impl core::error::Error for IdTokenError {}
