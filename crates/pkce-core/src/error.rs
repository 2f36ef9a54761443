//! Small `Copy` error types, one per kind of failure, in the style of `base64ct`.
//!
//! None of them carries secret material: an invalid verifier reports its length or the one
//! character that is not allowed, never the verifier itself.

use core::fmt;

/// The caller's random number generator reported a failure.
///
/// PKCE never falls back to another source of randomness: a verifier or state that is not
/// drawn from a working CSPRNG is worse than no login at all (RFC 7636 §4.1, §7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RngError;

impl fmt::Display for RngError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the random number generator failed")
    }
}

impl core::error::Error for RngError {}

/// Why a code verifier could not be generated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GenerateError {
    /// The random number generator failed.
    Rng(RngError),
    /// The number of random octets is outside 32..=96, the sizes whose base64url encoding
    /// is a valid verifier length (43..=128 characters).
    OctetCount(usize),
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rng(e) => e.fmt(f),
            Self::OctetCount(n) => write!(
                f,
                "a code verifier needs 32 to 96 random octets, {n} were asked for"
            ),
        }
    }
}

impl core::error::Error for GenerateError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Rng(e) => Some(e),
            Self::OctetCount(_) => None,
        }
    }
}

impl From<RngError> for GenerateError {
    fn from(e: RngError) -> Self {
        Self::Rng(e)
    }
}

/// Why a string is not a valid `code_verifier` (RFC 7636 §4.1: `43*128unreserved`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidVerifier {
    /// Fewer than 43 characters (the count is in bytes; any non-ASCII byte is also invalid).
    TooShort(usize),
    /// More than 128 characters.
    TooLong(usize),
    /// A character outside `A-Z a-z 0-9 - . _ ~`.
    Char(char),
}

impl fmt::Display for InvalidVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort(n) => write!(
                f,
                "code verifier too short: {n} characters, at least 43 needed"
            ),
            Self::TooLong(n) => write!(
                f,
                "code verifier too long: {n} characters, at most 128 allowed"
            ),
            Self::Char(c) => write!(
                f,
                "code verifier contains the character {c:?}, outside the unreserved set"
            ),
        }
    }
}

impl core::error::Error for InvalidVerifier {}

/// A stored `state` or `nonce` is not one this crate could have generated
/// (exactly 43 base64url characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidToken;

impl fmt::Display for InvalidToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a generated state or nonce: expected 43 base64url characters")
    }
}

impl core::error::Error for InvalidToken {}

/// The caller's buffer is too small; `needed` is the size that would have been enough.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BufferTooSmall {
    /// The number of bytes the whole output needs.
    pub needed: usize,
}

impl fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "output buffer too small: {} bytes needed", self.needed)
    }
}

impl core::error::Error for BufferTooSmall {}

/// Why a form-encoded component could not be decoded strictly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormError {
    /// A `%` not followed by two hexadecimal digits, at this byte offset of the component.
    MalformedEscape {
        /// Byte offset of the `%` within the encoded component.
        offset: usize,
    },
    /// The decoded octets are not UTF-8.
    InvalidUtf8,
    /// The output buffer is too small.
    BufferTooSmall(BufferTooSmall),
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MalformedEscape { offset } => {
                write!(f, "malformed percent-escape at byte {offset}")
            }
            Self::InvalidUtf8 => f.write_str("decoded value is not valid UTF-8"),
            Self::BufferTooSmall(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for FormError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::BufferTooSmall(e) => Some(e),
            _ => None,
        }
    }
}

impl From<BufferTooSmall> for FormError {
    fn from(e: BufferTooSmall) -> Self {
        Self::BufferTooSmall(e)
    }
}
