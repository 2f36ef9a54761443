//! The signing trait behind every DPoP proof, so a key can live anywhere.

use alloc::vec::Vec;
use core::fmt;

use super::jwk::PublicJwk;

/// A DPoP key: its public half as a JWK, its JWS algorithm, and a signing function.
///
/// Implement it over an HSM, a TPM, a platform keystore or a software key; the crate's
/// `Es256Key` (feature `dpop-es256`) is one. The proof builder never sees the private key.
/// The algorithm must be asymmetric (RFC 9449 §4.2): never `none`, never an HMAC.
pub trait DpopSigner {
    /// The JWS `alg` (RFC 7518 §3.1), such as `ES256`.
    fn algorithm(&self) -> &str;

    /// The public key, written into every proof's header.
    fn public_jwk(&self) -> &PublicJwk;

    /// Signs the JWS signing input (`base64url(header) "." base64url(claims)`) and returns the
    /// signature in its JWS form (for ES256: `R || S`, 64 octets, RFC 7518 §3.4).
    ///
    /// # Errors
    /// [`SignError`] when the key cannot sign.
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError>;
}

impl<S: DpopSigner + ?Sized> DpopSigner for &S {
    fn algorithm(&self) -> &str {
        (**self).algorithm()
    }

    fn public_jwk(&self) -> &PublicJwk {
        (**self).public_jwk()
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError> {
        (**self).sign(signing_input)
    }
}

/// Why a signer could not sign. It says nothing about the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// The key is unavailable (a token removed, a keystore locked, a device busy).
    KeyUnavailable,
    /// The key refused the operation (policy, user cancelled a prompt).
    Refused,
    /// The signature could not be computed.
    Failed,
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::KeyUnavailable => "the key is unavailable",
            Self::Refused => "the key refused to sign",
            Self::Failed => "the signature could not be computed",
        })
    }
}

impl core::error::Error for SignError {}
