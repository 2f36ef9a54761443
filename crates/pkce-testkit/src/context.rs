//! The state one running server shares between its connections.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::config::ServerConfig;
use crate::device::DeviceStore;
use crate::misbehavior::{Endpoint, Misbehavior};
use crate::store::Store;

/// Configuration, memory, misbehaviours and hit counters of one server. Each server has its
/// own, so tests running in parallel cannot see each other.
pub(crate) struct Ctx {
    pub(crate) config: ServerConfig,
    /// `http://127.0.0.1:PORT` or `https://…`, without a trailing slash.
    pub(crate) issuer: String,
    /// The DPoP verifier and the current server nonce.
    pub(crate) dpop: crate::dpop_gate::DpopState,
    /// The ID token signing key, made at start when `config.id_tokens`.
    pub(crate) id_token_key: Option<crate::id_token::IdTokenKey>,
    store: Mutex<Store>,
    devices: Mutex<DeviceStore>,
    misbehavior: Mutex<[Option<Misbehavior>; Endpoint::COUNT]>,
    hits: [AtomicUsize; Endpoint::COUNT],
}

/// Locks a mutex even if a holder panicked: the data stays consistent (every critical
/// section is a handful of map operations), and the server must keep answering.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Ctx {
    pub(crate) fn new(config: ServerConfig, issuer: String) -> Self {
        Self {
            id_token_key: config
                .id_tokens
                .then(crate::id_token::IdTokenKey::generate)
                .flatten(),
            config,
            issuer,
            dpop: crate::dpop_gate::DpopState::new(),
            store: Mutex::default(),
            devices: Mutex::default(),
            misbehavior: Mutex::default(),
            hits: Default::default(),
        }
    }

    /// The server's memory.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// The device authorizations (RFC 8628).
    pub(crate) fn devices(&self) -> MutexGuard<'_, DeviceStore> {
        lock(&self.devices)
    }

    /// Counts a request to `endpoint` and returns its current misbehaviour.
    pub(crate) fn hit(&self, endpoint: Endpoint) -> Option<Misbehavior> {
        if let Some(h) = self.hits.get(endpoint.index()) {
            h.fetch_add(1, Ordering::SeqCst);
        }
        lock(&self.misbehavior)
            .get(endpoint.index())
            .cloned()
            .flatten()
    }

    pub(crate) fn hits(&self, endpoint: Endpoint) -> usize {
        self.hits
            .get(endpoint.index())
            .map_or(0, |h| h.load(Ordering::SeqCst))
    }

    pub(crate) fn set_misbehavior(&self, endpoint: Endpoint, m: Option<Misbehavior>) {
        if let Some(slot) = lock(&self.misbehavior).get_mut(endpoint.index()) {
            *slot = m;
        }
    }

    /// The `iss` authorization response parameter (RFC 9207), when configured.
    pub(crate) fn iss(&self) -> Option<&str> {
        self.config.send_iss.then_some(self.issuer.as_str())
    }
}
