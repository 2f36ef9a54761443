//! The store trait: an unlocked read for the fast path, and a per-key exclusive lock under
//! which the session is re-read and written.

use std::time::Duration;

use crate::error::SessionError;
use crate::session::{SessionKey, StoredSession};

/// Where sessions live. Implementations: [`crate::MemoryStore`], [`crate::FileStore`] and,
/// with the `redis` feature, `RedisStore`.
///
/// A store moves sessions and holds locks; it makes no protocol decision.
pub trait SessionStore {
    /// The exclusive lock on one key. Dropping it releases the lock.
    type Lock: SessionLock;

    /// Reads the session under `key` without any lock. A reader never sees a torn write:
    /// the result is a whole old session or a whole new one.
    ///
    /// # Errors
    /// The store's I/O errors, and the parse errors of [`StoredSession::from_slice`].
    fn read(&self, key: &SessionKey) -> Result<Option<StoredSession>, SessionError>;

    /// Takes the exclusive lock on `key`, waiting at most `wait`.
    ///
    /// # Errors
    /// [`SessionError::LockTimeout`] when another holder kept it for `wait`; I/O errors.
    fn lock(&self, key: &SessionKey, wait: Duration) -> Result<Self::Lock, SessionError>;
}

/// A held lock on one key.
pub trait SessionLock {
    /// Re-reads the session under the lock.
    ///
    /// # Errors
    /// As [`SessionStore::read`].
    fn read(&mut self) -> Result<Option<StoredSession>, SessionError>;

    /// Replaces the session atomically: readers see the old one or the new one, never a mix.
    ///
    /// # Errors
    /// I/O errors; [`SessionError::LockLost`] when the lock ran out (a Redis lease) and the
    /// write was refused.
    fn write(&mut self, session: &StoredSession) -> Result<(), SessionError>;

    /// Deletes the session under the held lock; `true` when there was one. For an explicit
    /// logout only: no stored session is ever deleted except by the user's logout or
    /// replaced except by a successful login or refresh. A failed refresh, a refused
    /// refresh token, a damaged or foreign session all leave it in place (at most marked
    /// stale). Call it through [`crate::Sessions::delete_on_logout`], which re-reads and
    /// checks the session's binding first; a tidy test keeps every call in logout code.
    ///
    /// # Errors
    /// I/O errors; [`SessionError::LockLost`] when the lock ran out (a Redis lease) and the
    /// deletion was refused.
    fn delete_on_logout(&mut self) -> Result<bool, SessionError>;
}

/// How long to sleep between two attempts at a lock held elsewhere: short at first (a refresh
/// takes a few milliseconds on a LAN), then up to 50 ms.
pub(crate) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(u64::from(attempt.clamp(1, 10)) * 5)
}

/// Whether the test hook that switches every lock off is set (never in normal builds).
pub(crate) fn locking_disabled() -> bool {
    #[cfg(feature = "test-hooks")]
    {
        std::env::var_os("PKCE_SESSION_TEST_NO_LOCK").is_some()
    }
    #[cfg(not(feature = "test-hooks"))]
    {
        false
    }
}
