//! `MemoryStore`: sessions in this process's memory, locked per key with a condition variable.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::error::SessionError;
use crate::session::{SessionKey, StoredSession};
use crate::store::{SessionLock, SessionStore};

#[derive(Default)]
struct Inner {
    sessions: HashMap<SessionKey, StoredSession>,
    locked: HashSet<SessionKey>,
}

#[derive(Default)]
struct Shared {
    inner: Mutex<Inner>,
    released: Condvar,
}

impl Shared {
    /// The maps, even after a panic elsewhere: every critical section is one map operation.
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Sessions kept in memory, for one process (its threads and tasks). Cloning shares them.
#[derive(Clone, Default)]
pub struct MemoryStore {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

/// The lock on one key of a [`MemoryStore`].
#[derive(Debug)]
pub struct MemoryLock {
    store: MemoryStore,
    key: SessionKey,
}

impl SessionStore for MemoryStore {
    type Lock = MemoryLock;

    fn read(&self, key: &SessionKey) -> Result<Option<StoredSession>, SessionError> {
        Ok(self.shared.inner().sessions.get(key).cloned())
    }

    fn lock(&self, key: &SessionKey, wait: Duration) -> Result<MemoryLock, SessionError> {
        let deadline = Instant::now() + wait;
        let mut inner = self.shared.inner();
        while inner.locked.contains(key) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(SessionError::LockTimeout);
            }
            inner = self
                .shared
                .released
                .wait_timeout(inner, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        inner.locked.insert(key.clone());
        Ok(MemoryLock {
            store: self.clone(),
            key: key.clone(),
        })
    }
}

impl SessionLock for MemoryLock {
    fn read(&mut self) -> Result<Option<StoredSession>, SessionError> {
        self.store.read(&self.key)
    }

    fn write(&mut self, session: &StoredSession) -> Result<(), SessionError> {
        let mut inner = self.store.shared.inner();
        inner.sessions.insert(self.key.clone(), session.clone());
        Ok(())
    }

    fn delete_on_logout(&mut self) -> Result<bool, SessionError> {
        Ok(self
            .store
            .shared
            .inner()
            .sessions
            .remove(&self.key)
            .is_some())
    }
}

impl Drop for MemoryLock {
    fn drop(&mut self) {
        self.store.shared.inner().locked.remove(&self.key);
        self.store.shared.released.notify_all();
    }
}
