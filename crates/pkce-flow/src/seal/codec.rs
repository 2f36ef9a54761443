//! Sealing and opening in the version 1 format (the byte diagram is in the module docs).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use base64ct::{Base64UrlUnpadded, Encoding};
use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{Tag, XNonce};
use rand_core::TryCryptoRng;
use zeroize::Zeroizing;

use super::{SealError, SealKeys};
use crate::authorize::{PendingAuthorization, StoredAuthorization};
use crate::client::Client;

/// The format version written in the first byte; any other version is
/// [`SealError::Malformed`].
pub const SEAL_VERSION: u8 = 1;

/// The most characters of sealed text [`StoredAuthorization::open`] reads: 4096, what
/// browsers keep of one cookie. Longer input is refused before any decoding.
pub const MAX_SEALED_LEN: usize = 4096;

/// Seconds an issued-at may lie ahead of `now` (clocks of the instances of a fleet differ a
/// little); further ahead is [`SealError::IssuedInFuture`].
pub const MAX_CLOCK_SKEW: u64 = 60;

/// Associated data prefix: a value sealed here is never valid for another use of the key.
const LABEL: &[u8] = b"pkce-flow sealed authorization";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Version, key id, nonce.
const HEADER_LEN: usize = 2 + NONCE_LEN;
const ISSUED_AT_LEN: usize = 8;
const MIN_LEN: usize = HEADER_LEN + ISSUED_AT_LEN + TAG_LEN;
/// The bytes that [`MAX_SEALED_LEN`] base64url characters hold.
const MAX_BYTES: usize = MAX_SEALED_LEN / 4 * 3;

fn associated_data(version: u8, key_id: u8) -> [u8; LABEL.len() + 2] {
    let mut aad = [0u8; LABEL.len() + 2];
    aad[..LABEL.len()].copy_from_slice(LABEL);
    aad[LABEL.len()] = version;
    aad[LABEL.len() + 1] = key_id;
    aad
}

impl StoredAuthorization {
    /// Seals this authorization with the ring's sealing key: a fresh random nonce from
    /// `rng`, issued at `now` (seconds since the Unix epoch). The result is base64url
    /// without padding, safe in a URL and a cookie value, at most [`MAX_SEALED_LEN`]
    /// characters.
    ///
    /// # Errors
    /// [`SealError::Rng`] if the generator fails; [`SealError::TooLarge`] if the result
    /// would be longer than [`MAX_SEALED_LEN`].
    pub fn seal<R: TryCryptoRng + ?Sized>(
        &self,
        keys: &SealKeys,
        now: u64,
        rng: &mut R,
    ) -> Result<String, SealError> {
        let key = keys.sealing_key();
        let payload = super::payload::encoded_len(self).ok_or(SealError::TooLarge)?;
        let len = HEADER_LEN + ISSUED_AT_LEN + payload + TAG_LEN;
        if len > MAX_BYTES {
            return Err(SealError::TooLarge);
        }
        // Exactly sized: the plaintext is never reallocated, and is wiped on drop.
        let mut buf = Zeroizing::new(Vec::with_capacity(len));
        buf.extend_from_slice(&[SEAL_VERSION, key.id()]);
        buf.resize(HEADER_LEN, 0);
        rng.try_fill_bytes(&mut buf[2..HEADER_LEN])
            .map_err(|_| SealError::Rng)?;
        buf.extend_from_slice(&now.to_be_bytes());
        super::payload::encode(self, &mut buf);
        let (header, plaintext) = buf.split_at_mut(HEADER_LEN);
        let nonce = <&XNonce>::try_from(&header[2..]).map_err(|_| SealError::Malformed)?;
        let tag = key
            .aead
            .encrypt_inout_detached(
                nonce,
                &associated_data(SEAL_VERSION, key.id()),
                plaintext.into(),
            )
            // The AEAD refuses only a message longer than its block counter covers.
            .map_err(|_| SealError::TooLarge)?;
        buf.extend_from_slice(&tag);
        Ok(Base64UrlUnpadded::encode_string(&buf))
    }

    /// Opens a value made by [`seal`](Self::seal) with a key of the ring, at most `max_age`
    /// seconds old at `now` (seconds since the Unix epoch). Bind it to the client with
    /// [`Client::resume`], or use [`Client::open_pending`], which does both.
    ///
    /// # Errors
    /// [`SealError::TooLarge`] over [`MAX_SEALED_LEN`] bytes; [`SealError::Malformed`],
    /// [`SealError::UnknownKey`], [`SealError::AuthenticationFailed`],
    /// [`SealError::IssuedInFuture`] (beyond [`MAX_CLOCK_SKEW`]) or [`SealError::Expired`].
    pub fn open(
        sealed: impl AsRef<[u8]>,
        keys: &SealKeys,
        now: u64,
        max_age: u64,
    ) -> Result<Self, SealError> {
        let text = sealed.as_ref();
        if text.len() > MAX_SEALED_LEN {
            return Err(SealError::TooLarge);
        }
        let len = super::text::decoded_len(text.len()).ok_or(SealError::Malformed)?;
        let mut buf = Zeroizing::new(vec![0u8; len]);
        super::text::decode(text, &mut buf).ok_or(SealError::Malformed)?;
        if buf.first() != Some(&SEAL_VERSION) || buf.len() < MIN_LEN {
            return Err(SealError::Malformed);
        }
        let id = buf[1];
        let key = keys.get(id).ok_or(SealError::UnknownKey { id })?;
        let (header, rest) = buf.split_at_mut(HEADER_LEN);
        let (body, tag) = rest.split_at_mut(rest.len() - TAG_LEN);
        let nonce = <&XNonce>::try_from(&header[2..]).map_err(|_| SealError::Malformed)?;
        let tag = <&Tag>::try_from(&*tag).map_err(|_| SealError::Malformed)?;
        key.aead
            .decrypt_inout_detached(nonce, &associated_data(SEAL_VERSION, id), body.into(), tag)
            .map_err(|_| SealError::AuthenticationFailed)?;
        let (issued_at, payload) = body.split_at(ISSUED_AT_LEN);
        let mut be = [0u8; ISSUED_AT_LEN];
        be.copy_from_slice(issued_at);
        let issued_at = u64::from_be_bytes(be);
        if issued_at > now.saturating_add(MAX_CLOCK_SKEW) {
            return Err(SealError::IssuedInFuture);
        }
        if now.saturating_sub(issued_at) > max_age {
            return Err(SealError::Expired);
        }
        super::payload::decode(payload).ok_or(SealError::Malformed)
    }
}

impl PendingAuthorization {
    /// Seals this pending authorization (see [`StoredAuthorization::seal`]); open it with
    /// [`Client::open_pending`].
    ///
    /// # Errors
    /// As [`StoredAuthorization::seal`].
    pub fn seal<R: TryCryptoRng + ?Sized>(
        self,
        keys: &SealKeys,
        now: u64,
        rng: &mut R,
    ) -> Result<String, SealError> {
        self.into_stored().seal(keys, now, rng)
    }
}

impl Client {
    /// Opens a sealed pending authorization ([`StoredAuthorization::open`]) and binds it to
    /// this client ([`Client::resume`]).
    ///
    /// # Errors
    /// As [`StoredAuthorization::open`], and [`SealError::ForeignClient`] when the value was
    /// sealed for another client id, redirect URI, issuer or token endpoint.
    pub fn open_pending(
        &self,
        sealed: impl AsRef<[u8]>,
        keys: &SealKeys,
        now: u64,
        max_age: u64,
    ) -> Result<PendingAuthorization, SealError> {
        let stored = StoredAuthorization::open(sealed, keys, now, max_age)?;
        // `resume` fails only for an authorization of another client.
        self.resume(stored).map_err(|_| SealError::ForeignClient)
    }
}
