//! The session store chosen at run time: Redis when configured (a fleet), this process's
//! memory otherwise. One enum so the app has one `Sessions` type either way.

use std::time::Duration;

use pkce_session::{
    MemoryLock, MemoryStore, RedisLock, RedisStore, SessionError, SessionKey, SessionLock,
    SessionStore, StoredSession,
};

/// Where the app keeps its sessions.
#[derive(Debug, Clone)]
pub enum AppStore {
    /// One process: sessions are lost when it stops and not seen by other instances.
    Memory(MemoryStore),
    /// Shared by every instance that uses the same Redis and prefix.
    Redis(RedisStore),
}

/// The lock of either store.
#[derive(Debug)]
pub enum AppLock {
    /// A [`MemoryStore`] lock.
    Memory(MemoryLock),
    /// A [`RedisStore`] lease.
    Redis(RedisLock),
}

impl SessionStore for AppStore {
    type Lock = AppLock;

    fn read(&self, key: &SessionKey) -> Result<Option<StoredSession>, SessionError> {
        match self {
            Self::Memory(s) => s.read(key),
            Self::Redis(s) => s.read(key),
        }
    }

    fn lock(&self, key: &SessionKey, wait: Duration) -> Result<AppLock, SessionError> {
        match self {
            Self::Memory(s) => s.lock(key, wait).map(AppLock::Memory),
            Self::Redis(s) => s.lock(key, wait).map(AppLock::Redis),
        }
    }
}

impl SessionLock for AppLock {
    fn read(&mut self) -> Result<Option<StoredSession>, SessionError> {
        match self {
            Self::Memory(l) => l.read(),
            Self::Redis(l) => l.read(),
        }
    }

    fn write(&mut self, session: &StoredSession) -> Result<(), SessionError> {
        match self {
            Self::Memory(l) => l.write(session),
            Self::Redis(l) => l.write(session),
        }
    }

    fn delete_on_logout(&mut self) -> Result<bool, SessionError> {
        match self {
            Self::Memory(l) => l.delete_on_logout(),
            Self::Redis(l) => l.delete_on_logout(),
        }
    }
}
