//! `Es256Key`: a software DPoP key, ECDSA on P-256 with SHA-256 (RFC 7518 §3.4), on
//! RustCrypto's `p256`.

use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::Generate;
use rand_core::TryCryptoRng;

use super::DpopError;
use super::jwk::PublicJwk;
use super::signer::{DpopSigner, SignError};

/// An ES256 key pair held in memory. The private scalar is wiped when the key is dropped
/// (`p256` zeroizes it), `Debug` shows only the public key, and the private key leaves the
/// type only through [`Self::to_secret_bytes`], for storage with a session.
///
/// Signing costs one P-256 scalar multiplication. Where `std` is available, enabling
/// `p256`'s `precomputed-tables` feature in the application makes it about three times
/// faster; this crate leaves it off because it needs `std` or `critical-section`.
#[derive(Clone)]
pub struct Es256Key {
    signing: SigningKey,
    jwk: PublicJwk,
}

impl Es256Key {
    /// A new key from the caller's CSPRNG.
    ///
    /// # Errors
    /// [`DpopError::Rng`] when the generator fails.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, DpopError> {
        // Rejection sampling of a non-zero scalar below the group order, inside `p256`.
        let signing = SigningKey::try_generate_from_rng(rng).map_err(|_| DpopError::Rng)?;
        Ok(Self::from_signing_key(signing))
    }

    /// Restores a key from the 32-octet big-endian private scalar that
    /// [`Self::to_secret_bytes`] gave.
    ///
    /// # Errors
    /// [`DpopError::InvalidKey`] unless `bytes` is 32 octets encoding a scalar in
    /// `1..n`.
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, DpopError> {
        // Exactly 32 octets: `p256` would also take shorter input and pad it, which would
        // accept a truncated stored key as another key.
        let bytes: &[u8; 32] = bytes.try_into().map_err(|_| DpopError::InvalidKey)?;
        let signing = SigningKey::from_bytes(bytes.into()).map_err(|_| DpopError::InvalidKey)?;
        Ok(Self::from_signing_key(signing))
    }

    /// The private scalar (32 octets, big-endian), to store the key with a session. The
    /// returned value wipes itself when dropped.
    #[must_use]
    pub fn to_secret_bytes(&self) -> Es256SecretBytes {
        Es256SecretBytes(self.signing.to_bytes().into())
    }

    fn from_signing_key(signing: SigningKey) -> Self {
        let point = signing.verifying_key().to_sec1_point(false);
        let mut x = [0u8; 43];
        let mut y = [0u8; 43];
        // An uncompressed point of a valid key always has both coordinates, 32 octets each.
        let x = point
            .x()
            .and_then(|c| Base64UrlUnpadded::encode(c, &mut x).ok())
            .unwrap_or("");
        let y = point
            .y()
            .and_then(|c| Base64UrlUnpadded::encode(c, &mut y).ok())
            .unwrap_or("");
        let jwk = PublicJwk::ec("P-256", x, y);
        Self { signing, jwk }
    }
}

impl DpopSigner for Es256Key {
    fn algorithm(&self) -> &str {
        "ES256"
    }

    fn public_jwk(&self) -> &PublicJwk {
        &self.jwk
    }

    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError> {
        // Deterministic ECDSA (RFC 6979): no randomness needed at signing time.
        let signature: Signature = self
            .signing
            .try_sign(signing_input)
            .map_err(|_| SignError::Failed)?;
        Ok(signature.to_bytes().to_vec())
    }
}

impl fmt::Debug for Es256Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Es256Key")
            .field("private", &"<redacted>")
            .field("jwk", &self.jwk)
            .finish()
    }
}

/// The private scalar of an [`Es256Key`], for storage. Wiped on drop; `Debug` is redacted.
pub struct Es256SecretBytes([u8; 32]);

impl Es256SecretBytes {
    /// The 32 octets. Every call site is a place where the private key leaves the type.
    #[must_use]
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }
}

impl Drop for Es256SecretBytes {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl fmt::Debug for Es256SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Es256SecretBytes(<redacted>)")
    }
}
