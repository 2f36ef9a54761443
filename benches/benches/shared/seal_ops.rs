//! The fixture and floors of `seal.rs`, shared with `seal_allocations.rs` so both look at
//! the same authorization and the same work.
//!
//! The floor is the bare XChaCha20-Poly1305 (the same crate, key and associated data) on
//! the same bytes as ours: for sealing, 24 nonce bytes from the same generator, the same
//! plaintext copied into a buffer and encrypted in place, the tag appended; for opening, the
//! same sealed bytes copied into a buffer and decrypted in place, tag checked. The buffer is
//! made once, outside the timing, and reused: the floor neither allocates nor zeroes memory
//! per call. What ours does beyond the floor is its own cost: the base64url text, the field
//! encoding and decoding (with the validation of the verifier, state and nonce), the time
//! checks, the exactly sized buffer and its wipe, and the returned value.
// Each binary uses a part of this file; a broken fixture panics at bench set-up.
#![allow(dead_code, clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use base64ct::{Base64UrlUnpadded, Encoding};
use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use pkce_flow::StoredAuthorization;
use pkce_flow::seal::{SealKey, SealKeys};
use rand_chacha::ChaCha20Rng;
use rand_core::{SeedableRng, TryRng};

pub(crate) const NOW: u64 = 1_700_000_000;
const KEY: [u8; 32] = [0x11; 32];
/// Associated data as the format defines it (label, version 1, key id 1).
const AAD: &[u8] = b"pkce-flow sealed authorization\x01\x01";
/// Version, key id, nonce.
const HEADER: usize = 26;

/// Everything the seal benches work on.
pub(crate) struct SealFixture {
    pub(crate) keys: SealKeys,
    pub(crate) aead: XChaCha20Poly1305,
    pub(crate) rng: ChaCha20Rng,
    /// A typical authorization with a nonce, from a real `authorize`.
    pub(crate) stored: StoredAuthorization,
    /// `stored` sealed.
    pub(crate) sealed: String,
    /// `sealed`'s bytes (base64url decoded).
    pub(crate) bytes: Vec<u8>,
    /// The exact plaintext `seal` encrypts, recovered with the bare AEAD.
    pub(crate) plaintext: Vec<u8>,
}

impl SealFixture {
    pub(crate) fn new() -> Self {
        let keys = SealKeys::new(SealKey::new(1, KEY));
        let aead = XChaCha20Poly1305::new(&KEY.into());
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let client = pkce_flow::Client::builder(super::floors::CLIENT_ID)
            .issuer("https://as.example")
            .authorization_endpoint(super::floors::AUTHORIZE)
            .token_endpoint(super::floors::TOKEN)
            .redirect_uri(super::floors::REDIRECT)
            .scopes("openid profile")
            .send_nonce()
            .build()
            .unwrap();
        let stored = client.authorize(&mut rng).unwrap().1.into_stored();
        let sealed = stored.seal(&keys, NOW, &mut rng).unwrap();
        let bytes = Base64UrlUnpadded::decode_vec(&sealed).unwrap();
        let mut opened = bytes.clone();
        let len = aead_open(&aead, &mut opened);
        let plaintext = opened[HEADER..HEADER + len].to_vec();
        Self {
            keys,
            aead,
            rng,
            stored,
            sealed,
            bytes,
            plaintext,
        }
    }

    /// A buffer large enough for either floor, made once.
    pub(crate) fn buffer(&self) -> Vec<u8> {
        Vec::with_capacity(self.bytes.len())
    }
}

/// The floor of sealing: a nonce and the plaintext encrypted in place in `buf`, the tag
/// appended; returns the sealed length.
pub(crate) fn floor_seal(
    aead: &XChaCha20Poly1305,
    rng: &mut ChaCha20Rng,
    plaintext: &[u8],
    buf: &mut Vec<u8>,
) -> usize {
    buf.clear();
    buf.extend_from_slice(&[1, 1]);
    let mut nonce = [0u8; 24];
    let _ = rng.try_fill_bytes(&mut nonce);
    buf.extend_from_slice(&nonce);
    buf.extend_from_slice(plaintext);
    let (header, body) = buf.split_at_mut(HEADER);
    let nonce = <&XNonce>::try_from(&header[2..]).unwrap();
    let tag = aead
        .encrypt_inout_detached(nonce, AAD, body.into())
        .unwrap();
    buf.extend_from_slice(&tag);
    buf.len()
}

/// The floor of opening: the sealed bytes copied into `buf` and decrypted in place; returns
/// the plaintext length.
pub(crate) fn floor_open(aead: &XChaCha20Poly1305, bytes: &[u8], buf: &mut Vec<u8>) -> usize {
    buf.clear();
    buf.extend_from_slice(bytes);
    aead_open(aead, buf)
}

/// Decrypts sealed bytes in place; returns the plaintext length.
pub(crate) fn aead_open(aead: &XChaCha20Poly1305, bytes: &mut [u8]) -> usize {
    let (header, rest) = bytes.split_at_mut(HEADER);
    let (body, tag) = rest.split_at_mut(rest.len() - 16);
    let nonce = <&XNonce>::try_from(&header[2..]).unwrap();
    let tag = <&Tag>::try_from(&*tag).unwrap();
    aead.decrypt_inout_detached(nonce, AAD, body.into(), tag)
        .unwrap();
    body.len()
}

/// The floor of sealing, then base64ct's text of the result.
pub(crate) fn floor_seal_text(
    aead: &XChaCha20Poly1305,
    rng: &mut ChaCha20Rng,
    plaintext: &[u8],
    buf: &mut Vec<u8>,
    text: &mut [u8],
) -> usize {
    let len = floor_seal(aead, rng, plaintext, buf);
    Base64UrlUnpadded::encode(&buf[..len], text).unwrap().len()
}

/// base64ct's decoding of the text into `buf`, then the floor's decryption.
pub(crate) fn floor_open_text(aead: &XChaCha20Poly1305, text: &[u8], buf: &mut Vec<u8>) -> usize {
    buf.resize(text.len() * 3 / 4, 0);
    let len = Base64UrlUnpadded::decode(text, buf).unwrap().len();
    aead_open(aead, &mut buf[..len])
}
