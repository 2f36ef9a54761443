//! DPoP (RFC 9449): proofs of possession of a client key, built without I/O.
//!
//! A proof is a compact JWS that a client sends in the `DPoP` header of a request to bind it
//! (and the tokens it obtains) to a key only the client holds. This module builds proofs from
//! what a request is (method, URL, an optional server nonce, an optional access token), the
//! time and the caller's randomness, like every other part of the crate; it signs through the
//! [`DpopSigner`] trait, so the private key can live in an HSM, a TPM or an OS keystore. With
//! the `dpop-es256` feature the crate ships `Es256Key`, a software ES256 key.
//!
//! It also reads what servers answer: [`DpopNonce`] (`DPoP-Nonce`, RFC 9449 §8),
//! [`dpop_challenge`] (the `DPoP` challenge of `WWW-Authenticate`, RFC 9449 §7.1),
//! [`nonce_retry`] (whether a response is a `use_dpop_nonce` answer, and with which nonce to
//! send the request again) and [`NonceMemory`] (the latest nonce per server origin). The
//! crate documentation has an example.
//!
//! Nonce retries are bounded by design: a `use_dpop_nonce` answer allows exactly one new
//! request with the new nonce; a second one in a row is an error, never a loop.

mod challenge;
#[cfg(feature = "dpop-es256")]
mod es256;
mod exchange;
mod json;
mod jwk;
mod key;
mod maybe;
mod nonce;
mod proof;
mod signer;

use core::fmt;

pub use challenge::{DpopChallenge, DpopErrorCode, DpopServer, dpop_challenge, nonce_retry};
#[cfg(feature = "dpop-es256")]
pub use es256::{Es256Key, Es256SecretBytes};
pub use exchange::{DpopBinding, DpopExchange, DpopTarget};
pub use jwk::{JwkThumbprint, PublicJwk, jwk_thumbprint};
pub use key::DpopKey;
pub use maybe::MaybeDpop;
pub use nonce::{DpopNonce, MAX_NONCE_BYTES, NonceError, NonceMemory, origin_of};
pub use proof::{DpopProof, JTI_OCTETS, ProofRequest, access_token_hash};
pub use signer::{DpopSigner, SignError};

/// What can go wrong building a proof or reading a server's DPoP answer. No variant carries a
/// key, a proof, a token or a nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DpopError {
    /// The signer could not sign (a hardware key unavailable, a keystore refusal …).
    Sign(SignError),
    /// The caller's random number generator failed; nothing was signed.
    Rng,
    /// The HTTP method is not a token (RFC 9110 §9.1).
    InvalidMethod,
    /// The URL is not an absolute `http`/`https` URL of printable ASCII with a host.
    InvalidUrl,
    /// The access token is empty or holds characters outside printable ASCII.
    InvalidAccessToken,
    /// The signer names no algorithm, or a symmetric one (`none`, `HS256` …), which
    /// RFC 9449 §4.2 forbids.
    UnsupportedAlgorithm,
    /// A JWK member name or value is unusable (empty, or a name repeated).
    InvalidJwk,
    /// The bytes given as a private key are not a valid key.
    InvalidKey,
    /// A `DPoP-Nonce` value breaks the RFC 9449 §8 grammar or the size cap.
    InvalidNonce(NonceError),
    /// A `use_dpop_nonce` answer without a usable `DPoP-Nonce` header: there is no nonce to
    /// send again with.
    NonceMissing,
    /// A `WWW-Authenticate` value could not be parsed, or repeats a DPoP parameter.
    MalformedChallenge,
    /// A second `use_dpop_nonce` answer in a row: the one retry with the server's nonce was
    /// refused too, and no other request is sent.
    NonceRetryExhausted,
    /// The token response's `token_type` is `Bearer` although the request carried a DPoP
    /// proof (RFC 9449 §5): the token is not bound to the key (quirk `BearerForDpop`
    /// accepts it).
    BearerForDpop,
    /// A `WWW-Authenticate` value is larger than the parser accepts.
    ChallengeTooLarge,
}

impl fmt::Display for DpopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sign(e) => write!(f, "the DPoP key could not sign: {e}"),
            Self::Rng => f.write_str("the random number generator failed"),
            Self::InvalidMethod => f.write_str("the HTTP method is not a token"),
            Self::InvalidUrl => f.write_str("the DPoP target URL is not an absolute http(s) URL"),
            Self::InvalidAccessToken => f.write_str("the access token has invalid characters"),
            Self::UnsupportedAlgorithm => {
                f.write_str("the DPoP key's algorithm is missing or not asymmetric")
            }
            Self::InvalidJwk => f.write_str("the JWK has an empty or repeated member"),
            Self::InvalidKey => f.write_str("the private key bytes are not a valid key"),
            Self::InvalidNonce(e) => write!(f, "invalid DPoP-Nonce: {e}"),
            Self::NonceMissing => {
                f.write_str("the server asked for a DPoP nonce but sent no usable DPoP-Nonce")
            }
            Self::MalformedChallenge => f.write_str("malformed DPoP WWW-Authenticate challenge"),
            Self::NonceRetryExhausted => {
                f.write_str("the server asked for a new DPoP nonce twice in a row")
            }
            Self::BearerForDpop => {
                f.write_str("the server answered a DPoP request with a Bearer token")
            }
            Self::ChallengeTooLarge => f.write_str("the WWW-Authenticate value is too large"),
        }
    }
}

impl core::error::Error for DpopError {}

impl From<SignError> for DpopError {
    fn from(e: SignError) -> Self {
        Self::Sign(e)
    }
}

impl From<NonceError> for DpopError {
    fn from(e: NonceError) -> Self {
        Self::InvalidNonce(e)
    }
}
