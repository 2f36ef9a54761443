//! The DPoP key stored with a session: a DPoP-bound refresh token works only with the key
//! it was issued to (RFC 9449 §5), so the key lives and dies with the session.

use std::fmt;

use pkce_flow::dpop::{DpopKey, DpopNonce, NonceMemory};
use serde::{Deserialize, Serialize};

use crate::error::SessionError;

/// A session's DPoP private key, as stored: its JWS algorithm, the private key in base64url,
/// and the servers' latest `DPoP-Nonce` per origin (public values, kept so the next proof
/// carries the nonce without a `use_dpop_nonce` round trip). The key is as secret as the
/// refresh token beside it and stored under the same rules (the file store writes mode
/// 0600); `Debug` shows the algorithm only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDpopKey {
    alg: String,
    d: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    nonces: Vec<StoredNonce>,
}

/// One remembered nonce: the origin (`scheme://host:port`) and the `DPoP-Nonce` value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StoredNonce {
    origin: String,
    nonce: String,
}

impl StoredDpopKey {
    /// The remembered nonces as a [`NonceMemory`]. A stored value that is no longer a valid
    /// nonce (a hand-edited file) is left out: it never reaches a proof.
    #[must_use]
    pub fn nonce_memory(&self) -> NonceMemory {
        let mut memory = NonceMemory::new();
        for n in &self.nonces {
            if let Ok(nonce) = DpopNonce::parse(&n.nonce) {
                // An origin that does not parse is left out the same way.
                let _ = memory.remember(&n.origin, nonce);
            }
        }
        memory
    }

    /// Replaces the remembered nonces with those of `memory`.
    pub fn set_nonces(&mut self, memory: &NonceMemory) {
        self.nonces = memory
            .iter()
            .map(|(origin, nonce)| StoredNonce {
                origin: origin.to_owned(),
                nonce: nonce.as_str().to_owned(),
            })
            .collect();
    }

    /// The key as a signer: with the feature `dpop`, an ES256 key; otherwise
    /// [`SessionError::DpopKeyUnusable`], as for a key that is not valid.
    ///
    /// # Errors
    /// [`SessionError::DpopKeyUnusable`].
    pub fn to_dpop_key(&self) -> Result<DpopKey, SessionError> {
        #[cfg(feature = "dpop")]
        {
            let key = self
                .to_es256()
                .map_err(|e| SessionError::DpopKeyUnusable(Some(e)))?;
            Ok(DpopKey::new(std::sync::Arc::new(key)))
        }
        #[cfg(not(feature = "dpop"))]
        {
            Err(SessionError::DpopKeyUnusable(None))
        }
    }

    /// The JWS algorithm (`ES256`).
    #[must_use]
    pub fn algorithm(&self) -> &str {
        &self.alg
    }

    /// The key to store for `key` (feature `dpop`).
    #[cfg(feature = "dpop")]
    #[must_use]
    pub fn from_es256(key: &pkce_flow::dpop::Es256Key) -> Self {
        use base64ct::{Base64UrlUnpadded, Encoding};
        let secret = key.to_secret_bytes();
        Self {
            alg: "ES256".to_owned(),
            d: Base64UrlUnpadded::encode_string(secret.expose_secret()),
            nonces: Vec::new(),
        }
    }

    /// The stored key, restored for signing (feature `dpop`).
    ///
    /// # Errors
    /// [`pkce_flow::dpop::DpopError::UnsupportedAlgorithm`] for another algorithm,
    /// [`pkce_flow::dpop::DpopError::InvalidKey`] for key bytes that are not a P-256 key.
    #[cfg(feature = "dpop")]
    pub fn to_es256(&self) -> Result<pkce_flow::dpop::Es256Key, pkce_flow::dpop::DpopError> {
        use base64ct::{Base64UrlUnpadded, Encoding};
        use pkce_flow::dpop::{DpopError, Es256Key};
        if self.alg != "ES256" {
            return Err(DpopError::UnsupportedAlgorithm);
        }
        let mut bytes = [0u8; 32];
        let decoded =
            Base64UrlUnpadded::decode(&self.d, &mut bytes).map_err(|_| DpopError::InvalidKey)?;
        let key = Es256Key::from_secret_bytes(decoded);
        bytes.fill(0);
        key
    }
}

impl fmt::Debug for StoredDpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredDpopKey")
            .field("alg", &self.alg)
            .field("d", &"<redacted>")
            .field("nonces", &self.nonces.len())
            .finish()
    }
}
