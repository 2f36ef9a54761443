//! Saving a login: the tokens of a code exchange stored as a new session, replacing whatever
//! was under its key (stale or not), with the login's validated identity or its DPoP key.

use pkce_flow::TokenResponse;
use pkce_flow::oidc::IdToken;

use crate::decide;
use crate::error::SessionError;
use crate::protocol::Sessions;
use crate::session::{SessionKey, StoredSession};
use crate::store::SessionStore;

impl<S: SessionStore> Sessions<S> {
    /// Stores the result of a successful login (received at `now`, seconds since the Unix
    /// epoch) under `key`, replacing whatever was there, stale or not.
    ///
    /// # Errors
    /// The store's errors.
    pub fn save_login(
        &self,
        key: &SessionKey,
        response: &TokenResponse,
        now: u64,
    ) -> Result<StoredSession, SessionError> {
        let session = decide::from_login(&self.binding, &self.resources, response, now);
        self.store_login(key, session)
    }

    /// As [`Self::save_login`], recording the identity of the login's ID token (`iss`,
    /// `sub`, `aud`, `azp`, `auth_time`), which `Client::validate_id_token` validated (an
    /// [`IdToken`] exists only as its result). An ID token in a later refresh response of
    /// this session must repeat it (OpenID Connect Core §12.2), or the refresh is not
    /// stored: [`SessionError::RefreshedIdTokenRefused`].
    ///
    /// # Errors
    /// The store's errors.
    pub fn save_validated_login(
        &self,
        key: &SessionKey,
        response: &TokenResponse,
        id_token: &IdToken,
        now: u64,
    ) -> Result<StoredSession, SessionError> {
        let mut session = decide::from_login(&self.binding, &self.resources, response, now);
        session.identity = Some(id_token.identity());
        self.store_login(key, session)
    }

    /// As [`Self::save_login`], for tokens bound to a DPoP key: the key is stored with the
    /// session, kept by every refresh, and replaced only by the next login.
    ///
    /// # Errors
    /// The store's errors.
    pub fn save_login_with_dpop_key(
        &self,
        key: &SessionKey,
        response: &TokenResponse,
        now: u64,
        dpop_key: crate::StoredDpopKey,
    ) -> Result<StoredSession, SessionError> {
        let mut session = decide::from_login(&self.binding, &self.resources, response, now);
        session.dpop_key = Some(dpop_key);
        self.store_login(key, session)
    }

    /// Writes a new login's session under `key`, under its lock.
    fn store_login(
        &self,
        key: &SessionKey,
        session: StoredSession,
    ) -> Result<StoredSession, SessionError> {
        let mut lock = self.store().lock(key, self.lock_wait)?;
        self.write(key, &mut lock, &session)?;
        tracing::debug!(key = key.as_str(), "session: login saved");
        Ok(session)
    }
}
