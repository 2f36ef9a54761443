//! Seal keys and the key ring: one key seals, every key in the ring opens (rotation).

use alloc::vec::Vec;
use core::fmt;

use chacha20poly1305::aead::KeyInit;
use chacha20poly1305::{Key, XChaCha20Poly1305};
use rand_core::TryCryptoRng;
use zeroize::Zeroize;

use super::SealError;

/// One 256-bit XChaCha20-Poly1305 key and its id (sent in clear, to pick the opening key).
/// The key is wiped from memory when dropped; `Debug` shows only the id.
pub struct SealKey {
    id: u8,
    // With chacha20poly1305's `zeroize` feature (always on here), dropping the cipher
    // wipes the key it holds.
    pub(super) aead: XChaCha20Poly1305,
}

impl SealKey {
    /// A key from 32 secret bytes (load them from your secret store; never derive them from
    /// a password). This function wipes the copy it is given; keep yours in
    /// `zeroize::Zeroizing` or wipe it too.
    #[must_use]
    pub fn new(id: u8, mut bytes: [u8; 32]) -> Self {
        let mut key = Key::from(bytes);
        let aead = XChaCha20Poly1305::new(&key);
        key.as_mut_slice().zeroize();
        bytes.zeroize();
        Self { id, aead }
    }

    /// A fresh random key from the caller's CSPRNG.
    ///
    /// # Errors
    /// [`SealError::Rng`] if the generator fails.
    pub fn generate<R: TryCryptoRng + ?Sized>(id: u8, rng: &mut R) -> Result<Self, SealError> {
        let mut bytes = [0u8; 32];
        if rng.try_fill_bytes(&mut bytes).is_err() {
            bytes.zeroize();
            return Err(SealError::Rng);
        }
        Ok(Self::new(id, bytes))
    }

    /// The key id.
    #[must_use]
    pub fn id(&self) -> u8 {
        self.id
    }
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The keys of a deployment: the current key seals, and it and the older keys open. To
/// rotate, make the new key the sealing key and keep the old one as an opening key for the
/// maximum age of a sealed value, then drop it.
pub struct SealKeys {
    sealing: SealKey,
    opening: Vec<SealKey>,
}

impl SealKeys {
    /// A ring whose only key seals and opens.
    #[must_use]
    pub fn new(sealing: SealKey) -> Self {
        Self {
            sealing,
            opening: Vec::new(),
        }
    }

    /// Adds a key that opens values but never seals (a previous key, during rotation).
    ///
    /// # Errors
    /// [`SealError::DuplicateKeyId`] when the ring already has a key with that id.
    pub fn with_opening_key(mut self, key: SealKey) -> Result<Self, SealError> {
        if self.get(key.id).is_some() {
            return Err(SealError::DuplicateKeyId { id: key.id });
        }
        self.opening.push(key);
        Ok(self)
    }

    /// The key that seals.
    #[must_use]
    pub fn sealing_key(&self) -> &SealKey {
        &self.sealing
    }

    /// The key with this id, if the ring has it.
    #[must_use]
    pub fn get(&self, id: u8) -> Option<&SealKey> {
        core::iter::once(&self.sealing)
            .chain(&self.opening)
            .find(|k| k.id == id)
    }
}

impl fmt::Debug for SealKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opening: Vec<u8> = self.opening.iter().map(|k| k.id).collect();
        f.debug_struct("SealKeys")
            .field("sealing", &self.sealing.id)
            .field("opening", &opening)
            .finish()
    }
}
