//! The one way a stored session is deleted: an explicit logout.
//!
//! Every other path keeps a stored session: a failed or refused refresh marks it stale at
//! most, a damaged or foreign one is a typed error and left in place, and only a successful
//! login or refresh replaces it. A tidy test keeps every call of `delete_on_logout` in
//! logout code.

use crate::error::SessionError;
use crate::protocol::Sessions;
use crate::session::SessionKey;
use crate::store::{SessionLock, SessionStore};

impl<S: SessionStore> Sessions<S> {
    /// Deletes the session under `key` because its user logged out; `true` when one was
    /// there. Taken under the session's lock (so a refresh in flight cannot write it back)
    /// after re-reading it: a session bound to another client, issuer or token endpoint is
    /// [`SessionError::WrongBinding`] and kept, as a damaged one is kept with its error.
    /// Revoke its tokens at the server first (RFC 7009); this deletes only the stored copy.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let client = pkce_flow::Client::builder("app").token_endpoint("https://as.example/token")
    /// #     .authorization_endpoint("https://as.example/authorize")
    /// #     .redirect_uri("http://127.0.0.1/callback").build()?;
    /// use pkce_session::{FileStore, SessionKey, Sessions};
    /// let sessions = Sessions::new(FileStore::open("/home/me/.cache/app")?, client, "https://as.example/token");
    /// // `pkce logout`: the tokens were revoked; now the stored session goes.
    /// sessions.delete_on_logout(&SessionKey::new("default")?)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`SessionError::LockTimeout`], [`SessionError::WrongBinding`], the store's read
    /// errors (the session is kept), I/O errors, [`SessionError::LockLost`].
    pub fn delete_on_logout(&self, key: &SessionKey) -> Result<bool, SessionError> {
        let mut lock = self.store().lock(key, self.lock_wait)?;
        if let Some(session) = lock.read()? {
            session.check_binding(self.binding())?;
        }
        let deleted = lock.delete_on_logout()?;
        tracing::debug!(key = key.as_str(), deleted, "session: deleted on logout");
        Ok(deleted)
    }
}
