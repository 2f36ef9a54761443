//! Saving a login: the tokens of a code exchange stored as a new session, replacing whatever
//! was under its key (stale or not), with the login's validated identity and its DPoP key
//! when it has them.

use pkce_flow::TokenResponse;
use pkce_flow::oidc::IdToken;

use crate::StoredDpopKey;
use crate::decide;
use crate::error::SessionError;
use crate::protocol::Sessions;
use crate::session::{SessionKey, StoredSession};
use crate::store::SessionStore;

/// The optional parts of a login stored by [`Sessions::save_login_with`]: the ID token
/// `Client::validate_id_token` validated, and the DPoP key the tokens are bound to.
#[derive(Debug, Default)]
pub struct LoginParts<'t> {
    id_token: Option<&'t IdToken>,
    dpop_key: Option<StoredDpopKey>,
}

impl<'t> LoginParts<'t> {
    /// Neither part: a plain login.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the identity of the login's validated ID token (`iss`, `sub`, `aud`, `azp`,
    /// `auth_time`), which later refreshed ID tokens must repeat.
    #[must_use]
    pub fn validated(mut self, id_token: &'t IdToken) -> Self {
        self.id_token = Some(id_token);
        self
    }

    /// Stores the DPoP key the login's tokens are bound to.
    #[must_use]
    pub fn dpop_key(mut self, key: StoredDpopKey) -> Self {
        self.dpop_key = Some(key);
        self
    }
}

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
        self.save_login_with(key, response, now, LoginParts::new().validated(id_token))
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
        dpop_key: StoredDpopKey,
    ) -> Result<StoredSession, SessionError> {
        self.save_login_with(key, response, now, LoginParts::new().dpop_key(dpop_key))
    }

    /// As [`Self::save_login`], with the optional parts of a login given together: the
    /// validated identity of its ID token (as [`Self::save_validated_login`]) and its DPoP
    /// key (as [`Self::save_login_with_dpop_key`]), either, both or none.
    ///
    /// ```no_run
    /// # fn f(sessions: &pkce_session::Sessions<pkce_session::FileStore>,
    /// #      key: &pkce_session::SessionKey, tokens: &pkce_flow::TokenResponse,
    /// #      id: &pkce_flow::oidc::IdToken, dpop_key: pkce_session::StoredDpopKey)
    /// #      -> Result<(), pkce_session::SessionError> {
    /// use pkce_session::LoginParts;
    /// let parts = LoginParts::new().validated(id).dpop_key(dpop_key);
    /// let stored = sessions.save_login_with(key, tokens, pkce_session::unix_now(), parts)?;
    /// assert!(stored.identity.is_some() && stored.dpop_key.is_some());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The store's errors.
    pub fn save_login_with(
        &self,
        key: &SessionKey,
        response: &TokenResponse,
        now: u64,
        parts: LoginParts<'_>,
    ) -> Result<StoredSession, SessionError> {
        let mut session = decide::from_login(&self.binding, &self.resources, response, now);
        session.identity = parts.id_token.map(IdToken::identity);
        session.dpop_key = parts.dpop_key;
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
