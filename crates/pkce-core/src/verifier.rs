//! The PKCE `code_verifier` (RFC 7636 §4.1): a secret, generated per authorization request.

use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use rand_core::TryCryptoRng;

use crate::challenge::CodeChallenge;
use crate::error::{GenerateError, InvalidVerifier, RngError};

/// The shortest valid verifier, in characters.
pub const MIN_VERIFIER_LEN: usize = 43;
/// The longest valid verifier, in characters.
pub const MAX_VERIFIER_LEN: usize = 128;
/// Random octets drawn by [`CodeVerifier::generate`]: 256 bits, the RFC's recommendation.
pub const DEFAULT_VERIFIER_OCTETS: usize = 32;
/// The fewest random octets whose base64url encoding is a valid verifier (43 characters).
pub const MIN_VERIFIER_OCTETS: usize = 32;
/// The most random octets whose base64url encoding is a valid verifier (128 characters).
pub const MAX_VERIFIER_OCTETS: usize = 96;

/// A PKCE code verifier: 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`, stored inline.
///
/// It is a secret. `Debug` prints `CodeVerifier(<redacted>)`, there is no `Display`, and the
/// text is read only through [`CodeVerifier::expose_secret`], whose name makes every use
/// visible in review. With the `zeroize` feature it is wiped when dropped. It is not `Clone`:
/// one authorization request has exactly one verifier, and it moves from the pending
/// authorization into the token request.
///
/// ```
/// use pkce_core::CodeVerifier;
///
/// let v = CodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
/// assert_eq!(v.challenge().as_str(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
/// assert_eq!(format!("{v:?}"), "CodeVerifier(<redacted>)");
/// # Ok::<(), pkce_core::InvalidVerifier>(())
/// ```
pub struct CodeVerifier {
    text: heapless::String<MAX_VERIFIER_LEN>,
}

impl CodeVerifier {
    /// Draws 32 octets from `rng` and encodes them as a 43-character verifier.
    ///
    /// # Errors
    /// [`RngError`] when the generator fails; there is no fallback.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, RngError> {
        // The common case on its own path: a fixed-size draw and no `Result` layers to move
        // the verifier through (it is 136 bytes).
        let mut raw = [0u8; DEFAULT_VERIFIER_OCTETS];
        let filled = rng.try_fill_bytes(&mut raw).map_err(|_| RngError);
        let verifier = filled.map(|()| Self::encode::<MIN_VERIFIER_LEN>(&raw));
        wipe(&mut raw);
        verifier
    }

    /// Draws `octets` random octets (32..=96) and encodes them: the verifier has
    /// `ceil(octets * 4 / 3)` characters, 43 to 128.
    ///
    /// # Errors
    /// [`GenerateError::OctetCount`] outside 32..=96, [`GenerateError::Rng`] when the generator
    /// fails.
    pub fn generate_from_octets<R: TryCryptoRng + ?Sized>(
        rng: &mut R,
        octets: usize,
    ) -> Result<Self, GenerateError> {
        if !(MIN_VERIFIER_OCTETS..=MAX_VERIFIER_OCTETS).contains(&octets) {
            return Err(GenerateError::OctetCount(octets));
        }
        let mut raw = [0u8; MAX_VERIFIER_OCTETS];
        let raw = &mut raw[..octets];
        let filled = rng.try_fill_bytes(raw).map_err(|_| RngError.into());
        let verifier = filled.map(|()| Self::encode::<MAX_VERIFIER_LEN>(raw));
        wipe(raw);
        verifier
    }

    /// Base64url of `raw` through an `N`-character buffer: 43 for the default 32 octets (a
    /// size the compiler sees), 128 for up to 96 octets. Nothing is encoded if `raw` does
    /// not fit, which the callers rule out.
    fn encode<const N: usize>(raw: &[u8]) -> Self {
        let mut chars = [0u8; N];
        let mut text = heapless::String::new();
        if let Ok(encoded) = Base64UrlUnpadded::encode(raw, &mut chars) {
            // Cannot fail: the capacity is the longest encoding.
            let _ = text.push_str(encoded);
        }
        wipe(&mut chars);
        Self { text }
    }

    /// Validates a verifier received or stored elsewhere (RFC 7636 §4.1:
    /// `code-verifier = 43*128unreserved`).
    ///
    /// # Errors
    /// [`InvalidVerifier`] with the length or the first character that is not allowed.
    pub fn new(text: &str) -> Result<Self, InvalidVerifier> {
        validate(text)?;
        heapless::String::try_from(text)
            .map(|text| Self { text })
            .map_err(|_| InvalidVerifier::TooLong(text.len()))
    }

    /// The verifier's text, for the token request's `code_verifier` parameter and nothing else.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        self.text.as_str()
    }

    /// The S256 challenge of this verifier.
    #[must_use]
    pub fn challenge(&self) -> CodeChallenge {
        CodeChallenge::s256(self)
    }
}

/// Checks the RFC 7636 grammar without copying: length first, then every byte.
///
/// # Errors
/// The first violation found.
pub fn validate(text: &str) -> Result<(), InvalidVerifier> {
    // Any non-ASCII character is invalid, so counting bytes is exact for every valid input.
    let len = text.len();
    // Every byte, without stopping early (a loop the compiler turns into vector
    // instructions: a sealed authorization's verifier is checked on every open); the
    // character is looked for only when one is not allowed.
    if !text
        .bytes()
        .fold(true, |all, b| all & is_unreserved(char::from(b)))
    {
        let c = text.chars().find(|c| !is_unreserved(*c));
        return Err(InvalidVerifier::Char(
            c.unwrap_or(char::REPLACEMENT_CHARACTER),
        ));
    }
    if len < MIN_VERIFIER_LEN {
        return Err(InvalidVerifier::TooShort(len));
    }
    if len > MAX_VERIFIER_LEN {
        return Err(InvalidVerifier::TooLong(len));
    }
    Ok(())
}

/// RFC 3986 `unreserved`: `ALPHA / DIGIT / "-" / "." / "_" / "~"`.
#[must_use]
pub const fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

fn wipe(bytes: &mut [u8]) {
    #[cfg(feature = "zeroize")]
    zeroize::Zeroize::zeroize(bytes);
    #[cfg(not(feature = "zeroize"))]
    let _ = bytes;
}

impl fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeVerifier(<redacted>)")
    }
}

#[cfg(feature = "zeroize")]
impl Drop for CodeVerifier {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.text);
    }
}

#[cfg(feature = "zeroize")]
impl zeroize::ZeroizeOnDrop for CodeVerifier {}

#[cfg(feature = "serde")]
impl serde::Serialize for CodeVerifier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.expose_secret())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for CodeVerifier {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(crate::serde_str::Visitor::new(
            "a PKCE code verifier",
            |s| Self::new(s).map_err(|_| "an invalid code verifier"),
        ))
    }
}
