//! Why a sealed authorization could not be made or opened.

use core::fmt;

/// Why [`seal`](crate::StoredAuthorization::seal) or
/// [`open`](crate::StoredAuthorization::open) failed. No variant holds any part of the
/// sealed value or of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealError {
    /// Not base64url without padding, an unknown format version, shorter than the header
    /// and tag, or authenticated content that is not a stored authorization.
    Malformed,
    /// Sealed with a key id that is not in the key ring (rotated out, or forged).
    UnknownKey {
        /// The key id from the value's clear header.
        id: u8,
    },
    /// The tag does not match: the value was altered, or sealed with another key.
    AuthenticationFailed,
    /// Older than the maximum age.
    Expired,
    /// Issued further in the future than the allowed clock skew.
    IssuedInFuture,
    /// Longer than [`MAX_SEALED_LEN`](super::MAX_SEALED_LEN) (checked before any decoding),
    /// or, when sealing, an authorization too large to fit in it.
    TooLarge,
    /// Authentic, but made for another client id, redirect URI, issuer or token endpoint.
    ForeignClient,
    /// A key ring was given two keys with the same id.
    DuplicateKeyId {
        /// The repeated id.
        id: u8,
    },
    /// The random generator failed while drawing a nonce.
    Rng,
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => f.write_str("sealed authorization is malformed"),
            Self::UnknownKey { id } => write!(f, "sealed authorization uses unknown key id {id}"),
            Self::AuthenticationFailed => f.write_str("sealed authorization failed authentication"),
            Self::Expired => f.write_str("sealed authorization has expired"),
            Self::IssuedInFuture => f.write_str("sealed authorization is issued in the future"),
            Self::TooLarge => f.write_str("sealed authorization is too large"),
            Self::ForeignClient => f.write_str("sealed authorization was made for another client"),
            Self::DuplicateKeyId { id } => write!(f, "seal key id {id} is given twice"),
            Self::Rng => f.write_str("random generator failed"),
        }
    }
}

impl core::error::Error for SealError {}
