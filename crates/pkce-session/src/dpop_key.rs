//! The DPoP key stored with a session: a DPoP-bound refresh token works only with the key
//! it was issued to (RFC 9449 §5), so the key lives and dies with the session.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A session's DPoP private key, as stored: its JWS algorithm and the private key in
/// base64url. It is as secret as the refresh token beside it and stored under the same rules
/// (the file store writes mode 0600); `Debug` shows the algorithm only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDpopKey {
    alg: String,
    d: String,
}

impl StoredDpopKey {
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
            .finish()
    }
}
