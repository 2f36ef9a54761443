//! The S256 `code_challenge` (RFC 7636 §4.2): `BASE64URL(SHA256(ASCII(code_verifier)))`.

use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};

use crate::ct::constant_time_eq;
use crate::verifier::CodeVerifier;

/// Length of every S256 challenge: 32 hash octets in unpadded base64url.
pub const CHALLENGE_LEN: usize = 43;

/// The transformation that turns a verifier into a challenge.
///
/// Only `S256` exists. `plain` sends the verifier itself through the browser, which is what
/// PKCE is meant to prevent (RFC 7636 §7.2); this crate offers no way to produce it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChallengeMethod {
    /// `BASE64URL(SHA256(ASCII(code_verifier)))`.
    S256,
}

impl ChallengeMethod {
    /// The value of the `code_challenge_method` parameter.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
        }
    }
}

impl fmt::Display for ChallengeMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An S256 code challenge, 43 base64url characters stored inline.
///
/// The challenge is public (it travels through the browser), so `Debug` shows it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodeChallenge {
    chars: [u8; CHALLENGE_LEN],
}

impl CodeChallenge {
    /// Computes `BASE64URL(SHA256(ASCII(verifier)))`: the hash is over the verifier's text,
    /// never over the random octets it was made from.
    #[must_use]
    pub fn s256(verifier: &CodeVerifier) -> Self {
        Self::s256_of_ascii(verifier.expose_secret().as_bytes())
    }

    fn s256_of_ascii(verifier: &[u8]) -> Self {
        // A generated verifier has 43 characters (the minimum): hashing it as a fixed-size
        // array lets the compiler fold the one-block padding into constants, about 10% of
        // the whole generate-and-challenge time (benches/versus.rs).
        let digest = match <&[u8; crate::MIN_VERIFIER_LEN]>::try_from(verifier) {
            Ok(generated) => Sha256::digest(generated),
            Err(_) => Sha256::digest(verifier),
        };
        let mut chars = [0u8; CHALLENGE_LEN];
        // 32 octets always encode to exactly 43 characters, so this cannot fail; the
        // fallback keeps the function total without a panic path.
        if Base64UrlUnpadded::encode(&digest, &mut chars).is_err() {
            chars = [b'A'; CHALLENGE_LEN];
        }
        Self { chars }
    }

    /// Parses a challenge received by an authorization server (43 base64url characters).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        let chars: [u8; CHALLENGE_LEN] = bytes.try_into().ok()?;
        chars
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
            .then_some(Self { chars })
    }

    /// The method, always [`ChallengeMethod::S256`].
    #[must_use]
    pub const fn method(&self) -> ChallengeMethod {
        ChallengeMethod::S256
    }

    /// The `code_challenge` parameter value.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only base64url characters are ever stored, so this is always ASCII.
        core::str::from_utf8(&self.chars).unwrap_or("")
    }

    /// Server side of PKCE (RFC 7636 §4.6): whether `verifier` is syntactically valid and
    /// hashes to this challenge. The comparison is constant-time.
    #[must_use]
    pub fn is_satisfied_by(&self, verifier: &str) -> bool {
        if crate::verifier::validate(verifier).is_err() {
            return false;
        }
        constant_time_eq(&Self::s256_of_ascii(verifier.as_bytes()).chars, &self.chars)
    }
}

impl fmt::Debug for CodeChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CodeChallenge")
            .field(&self.as_str())
            .finish()
    }
}

impl fmt::Display for CodeChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for CodeChallenge {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for CodeChallenge {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(crate::serde_str::Visitor::new(
            "an S256 code challenge",
            |s| Self::parse(s).ok_or("an invalid code challenge"),
        ))
    }
}
