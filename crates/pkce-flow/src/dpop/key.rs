//! `DpopKey`: a shareable signer with its thumbprint, the key a client is configured with.

use alloc::sync::Arc;
use core::fmt;

use super::jwk::JwkThumbprint;
use super::signer::DpopSigner;
use crate::builder::ClientBuilder;

/// A DPoP key as a client holds it: the signer, shared (`Arc`), and the RFC 7638 thumbprint
/// of its public key, computed once. `ClientBuilder::dpop_key` configures a client with
/// one; [`super::DpopExchange`] signs every request of an exchange with it. `Debug` shows
/// the thumbprint only.
#[derive(Clone)]
pub struct DpopKey {
    signer: Arc<dyn DpopSigner + Send + Sync>,
    jkt: JwkThumbprint,
}

impl DpopKey {
    /// Wraps a signer.
    #[must_use]
    pub fn new(signer: Arc<dyn DpopSigner + Send + Sync>) -> Self {
        let jkt = signer.public_jwk().thumbprint();
        Self { signer, jkt }
    }

    /// The signer.
    #[must_use]
    pub fn signer(&self) -> &(dyn DpopSigner + Send + Sync) {
        &*self.signer
    }

    /// The thumbprint of the public key: the `dpop_jkt` of an authorization request
    /// (RFC 9449 §10) and the `cnf.jkt` the server binds tokens to.
    #[must_use]
    pub fn thumbprint(&self) -> JwkThumbprint {
        self.jkt
    }
}

impl ClientBuilder {
    /// Signs the client's PAR, code exchange and refresh requests with `key` (driven through
    /// [`super::DpopExchange`]), sends its thumbprint as `dpop_jkt` in every authorization
    /// request (RFC 9449 §10), and requires `DPoP` as the `token_type` of token responses
    /// (a `Bearer` answer is [`super::DpopError::BearerForDpop`] unless the quirk
    /// `BearerForDpop` is on). When the server metadata (`Self::metadata`) lists
    /// `dpop_signing_alg_values_supported`, `build` refuses a key whose algorithm is not in
    /// it ([`crate::ConfigError::DpopAlgorithmUnsupported`]).
    pub fn dpop_key(mut self, key: DpopKey) -> Self {
        self.dpop = Some(key);
        self
    }
}

impl fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopKey").field("jkt", &self.jkt).finish()
    }
}
