//! The refresh protocol as steps: `begin` reads and, when a refresh is due, takes the lock;
//! the caller's transport drives the `RefreshExchange`; `finish` writes and releases.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use pkce_flow::{AccessToken, Client, RefreshExchange, RefreshToken, TokenResponse};

use crate::refreshed_id::{self, SharedIdTokenVerifier};
use crate::signed_refresh::{SessionRefresh, Signing, plan_refresh, session_refresh};

use crate::decide::{self, AfterRefusal, DEFAULT_MIN_REMAINING, Verdict};
use crate::error::{LoginReason, SessionError, TransportError};
use crate::session::{Binding, SessionKey, StoredSession};
use crate::store::{SessionLock, SessionStore};

/// The default bound on waiting for a session's lock.
pub const DEFAULT_LOCK_WAIT: Duration = Duration::from_secs(10);

/// Called with every session written (refreshed, logged in, marked stale), after the write
/// and before the lock is released: keep it short, other processes may be waiting. A
/// deletion ([`Sessions::delete_on_logout`]) writes nothing and is not announced.
pub type ChangeHook = Arc<dyn Fn(&SessionKey, &StoredSession) + Send + Sync>;

/// Sessions of one client in one store: the entry point of the protocol.
pub struct Sessions<S> {
    store: S,
    client: Client,
    pub(crate) binding: Binding,
    pub(crate) resources: Vec<String>,
    min_remaining: u64,
    pub(crate) lock_wait: Duration,
    on_change: Option<ChangeHook>,
    /// Checks the signature of refreshed ID tokens; `None`: the issuer established by TLS.
    id_token_verifier: Option<SharedIdTokenVerifier>,
}

impl<S> fmt::Debug for Sessions<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("binding", &self.binding)
            .field("min_remaining", &self.min_remaining)
            .field("lock_wait", &self.lock_wait)
            .finish_non_exhaustive()
    }
}

/// The first step: a fresh token at once, or a refresh to drive under the held lock.
#[derive(Debug)]
pub enum Begin<'a, S: SessionStore> {
    /// The stored access token, good for at least the minimum remaining lifetime.
    Fresh(AccessToken),
    /// A refresh is due; the plan holds the session's lock. Boxed: the fast path's result
    /// stays small, and the slow path sends an HTTP request anyway.
    NeedRefresh(Box<RefreshPlan<'a, S>>),
}

/// A verdict with what it needs: the token to return, or the session and refresh token to
/// refresh with.
enum Judged {
    Fresh(AccessToken),
    Refresh(Box<StoredSession>, RefreshToken),
}

/// How the refresh request went, as the transport saw it.
#[derive(Debug)]
pub enum RefreshResult {
    /// A successful token response.
    Response(TokenResponse),
    /// The server answered and the flow refused the answer (an OAuth error such as
    /// `invalid_grant`, or a response that breaks the protocol).
    Refused(pkce_flow::Error),
    /// Nothing reached the server (connection refused, TLS handshake failed, bad setup).
    NotSent(TransportError),
    /// The request may have reached the server and the answer was lost (reset, timeout,
    /// oversized or unreadable body).
    OutcomeUnknown(TransportError),
}

impl<S: SessionStore> Sessions<S> {
    /// Sessions of `client` in `store`. `token_endpoint` is the client's token endpoint, the
    /// one its refresh requests go to: stored sessions are bound to it.
    #[must_use]
    pub fn new(store: S, client: Client, token_endpoint: &str) -> Self {
        let binding = Binding {
            issuer: client.issuer().map(str::to_owned),
            client_id: client.client_id().to_owned(),
            token_endpoint: token_endpoint.to_owned(),
        };
        Self {
            store,
            client,
            binding,
            resources: Vec::new(),
            min_remaining: DEFAULT_MIN_REMAINING,
            lock_wait: DEFAULT_LOCK_WAIT,
            on_change: None,
            id_token_verifier: None,
        }
    }

    /// A returned access token has at least this many seconds left (default 60).
    #[must_use]
    pub fn min_remaining(mut self, secs: u64) -> Self {
        self.min_remaining = secs;
        self
    }

    /// The longest wait for a session's lock before [`SessionError::LockTimeout`]
    /// (default 10 s).
    #[must_use]
    pub fn lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// The RFC 8707 resource indicators recorded in sessions saved from now on (the client
    /// sends them itself, configured with `ClientBuilder::resource`).
    #[must_use]
    pub fn resources(mut self, resources: &[&str]) -> Self {
        self.resources = resources.iter().map(|r| (*r).to_owned()).collect();
        self
    }

    /// Verifies the signature of ID tokens in refresh responses with `verifier` (the
    /// issuer's keys) instead of relying on the token endpoint's TLS for who issued them.
    #[must_use]
    pub fn id_token_verifier(mut self, verifier: SharedIdTokenVerifier) -> Self {
        self.id_token_verifier = Some(verifier);
        self
    }

    /// Calls `hook` with every session written, so an app can mirror it elsewhere.
    #[must_use]
    pub fn on_change(
        mut self,
        hook: impl Fn(&SessionKey, &StoredSession) + Send + Sync + 'static,
    ) -> Self {
        self.on_change = Some(Arc::new(hook));
        self
    }

    /// The store.
    #[must_use]
    pub fn store(&self) -> &S {
        &self.store
    }

    /// What stored sessions must be bound to.
    #[must_use]
    pub fn binding(&self) -> &Binding {
        &self.binding
    }

    /// Reads the session under `key` without a lock, checking its binding.
    ///
    /// # Errors
    /// The store's errors; [`SessionError::WrongBinding`].
    pub fn load(&self, key: &SessionKey) -> Result<Option<StoredSession>, SessionError> {
        let session = self.store.read(key)?;
        if let Some(s) = &session {
            s.check_binding(&self.binding)?;
        }
        Ok(session)
    }

    /// The first step of "give me a fresh access token" at `now` (seconds since the Unix
    /// epoch). Fresh: no lock was taken. Otherwise the lock is held by the returned plan,
    /// the session re-read under it, and a sibling's fresh token adopted without a request.
    ///
    /// Traced with `tracing`: one `DEBUG` event with the key and the outcome (a fresh
    /// token, a sibling's refresh adopted, a refresh due with the time spent waiting for the
    /// lock, or the reason a login is required); never a token.
    ///
    /// # Errors
    /// [`SessionError::LoginRequired`] (no session, stale, no refresh token), the store's
    /// errors, [`SessionError::LockTimeout`], [`SessionError::WrongBinding`].
    pub fn begin(&self, key: &SessionKey, now: u64) -> Result<Begin<'_, S>, SessionError> {
        self.begin_untraced(key, now).inspect(|begun| match begun {
            Begin::Fresh(_) => tracing::debug!(key = key.as_str(), "session: fresh token"),
            Begin::NeedRefresh(plan) => tracing::debug!(
                key = key.as_str(),
                lock_wait_ms = plan.lock_wait_ms,
                "session: refresh due, lock held"
            ),
        })
        .inspect_err(|e| match e {
            SessionError::LoginRequired(reason) => {
                tracing::debug!(key = key.as_str(), reason = ?reason, "session: login required");
            }
            e => tracing::warn!(key = key.as_str(), error = %e, "session: begin failed"),
        })
    }

    fn begin_untraced(&self, key: &SessionKey, now: u64) -> Result<Begin<'_, S>, SessionError> {
        if let Judged::Fresh(token) = self.judge(self.load(key)?, now)? {
            return Ok(Begin::Fresh(token));
        }
        let asked = std::time::Instant::now();
        let mut lock = self.store.lock(key, self.lock_wait)?;
        let lock_wait_ms = u64::try_from(asked.elapsed().as_millis()).unwrap_or(u64::MAX);
        // The re-read is judged at the time the lock was obtained, not when it was asked for.
        let now = now.saturating_add(asked.elapsed().as_secs());
        let current = lock.read()?;
        if let Some(s) = &current {
            s.check_binding(&self.binding)?;
        }
        let (current, used) = match self.judge(current, now)? {
            Judged::Fresh(adopted) => {
                tracing::debug!(key = key.as_str(), "session: adopted a sibling's refresh");
                return Ok(Begin::Fresh(adopted));
            }
            Judged::Refresh(current, used) => (current, used),
        };
        crate::hooks::pause_at("locked");
        let (exchange, signing) = plan_refresh(&self.client, &current, &used)?;
        Ok(Begin::NeedRefresh(Box::new(RefreshPlan {
            exchange: Some(exchange),
            signing,
            used,
            current: *current,
            sessions: self,
            key: key.clone(),
            lock,
            lock_wait_ms,
        })))
    }

    /// The verdict on `session` at `now`, with what each outcome needs.
    fn judge(&self, session: Option<StoredSession>, now: u64) -> Result<Judged, SessionError> {
        let verdict = decide::verdict(session.as_ref(), now, self.min_remaining);
        match (verdict, session) {
            (Verdict::LoginRequired(reason), _) => Err(SessionError::LoginRequired(reason)),
            (Verdict::Fresh, Some(s)) => Ok(Judged::Fresh(s.access_token)),
            (Verdict::Refresh, Some(s)) => match s.refresh_token.clone() {
                Some(used) => Ok(Judged::Refresh(Box::new(s), used)),
                None => Err(SessionError::LoginRequired(LoginReason::NoRefreshToken)),
            },
            (_, None) => Err(SessionError::LoginRequired(LoginReason::NoSession)),
        }
    }

    pub(crate) fn write(
        &self,
        key: &SessionKey,
        lock: &mut S::Lock,
        session: &StoredSession,
    ) -> Result<(), SessionError> {
        lock.write(session)?;
        if let Some(hook) = &self.on_change {
            hook(key, session);
        }
        Ok(())
    }
}

/// A refresh that is due, holding the session's lock: the only way to get the
/// `RefreshExchange` of a stored session, so no refresh happens outside the lock.
///
/// Dropping a plan without [`RefreshPlan::finish`] (an async task cancelled mid-request)
/// releases the lock and leaves the stored session unchanged; if the request had reached the
/// server, that is the unknown outcome of [`SessionError::RefreshOutcomeUnknown`], unreported.
pub struct RefreshPlan<'a, S: SessionStore> {
    sessions: &'a Sessions<S>,
    key: SessionKey,
    lock: S::Lock,
    current: StoredSession,
    used: RefreshToken,
    exchange: Option<RefreshExchange>,
    /// The DPoP key (and nonces) the refresh is signed with, when it is.
    signing: Option<Signing>,
    /// How long `begin` waited for the lock, for the trace.
    lock_wait_ms: u64,
}

impl<S: SessionStore> fmt::Debug for RefreshPlan<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshPlan")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl<S: SessionStore> RefreshPlan<'_, S> {
    /// The session being refreshed, as read under the lock: its `dpop_key` signs the refresh
    /// of DPoP-bound tokens.
    #[must_use]
    pub fn session(&self) -> &StoredSession {
        &self.current
    }

    /// The refresh exchange to drive with a transport; once. A session bound to a DPoP key
    /// is refreshed with proofs of that key (RFC 9449 §5), signed at the system clock's
    /// time, whatever key the client has; a session without one as the client is
    /// configured. The servers' nonces seen while driving it are stored with the session by
    /// [`Self::finish`].
    ///
    /// # Errors
    /// [`SessionError::Misuse`] on a second call.
    pub fn exchange(&mut self) -> Result<SessionRefresh<'_>, SessionError> {
        let exchange = self.exchange.take().ok_or(SessionError::Misuse)?;
        session_refresh(exchange, self.signing.as_mut(), crate::unix_now())
    }

    /// The last step: stores a successful refresh, adopts a sibling's rotation after
    /// `invalid_grant`, or keeps the session marked stale; then releases the lock.
    ///
    /// Traced with `tracing`: one event with the key and the outcome (`DEBUG` when
    /// refreshed or adopted, `WARN` with the error otherwise); never a token.
    ///
    /// # Errors
    /// [`SessionError::LoginRequired`] (refused), [`SessionError::RefreshedIdTokenRefused`]
    /// (the session is kept, marked stale), [`SessionError::RefreshOutcomeUnknown`],
    /// [`SessionError::RefreshNotSent`], [`SessionError::RefreshFailed`], the store's errors.
    pub fn finish(self, result: RefreshResult, now: u64) -> Result<AccessToken, SessionError> {
        let key = self.key.clone();
        self.finish_untraced(result, now)
            .inspect(|_| tracing::debug!(key = key.as_str(), "session: refresh finished"))
            .inspect_err(
                |e| tracing::warn!(key = key.as_str(), error = %e, "session: refresh failed"),
            )
    }

    fn finish_untraced(
        mut self,
        result: RefreshResult,
        now: u64,
    ) -> Result<AccessToken, SessionError> {
        crate::hooks::pause_at("answered");
        match result {
            RefreshResult::Response(response) => {
                let sessions = self.sessions;
                let verifier = sessions.id_token_verifier.as_ref();
                if let Err(e) =
                    refreshed_id::check(&sessions.client, verifier, &self.current, &response, now)
                {
                    // Another user (or issuer, or audience) than the login's: the refreshed
                    // tokens are dropped and the session kept, marked stale, so the next
                    // request asks for a new login instead of refreshing again.
                    let stale = decide::marked_stale(&self.current);
                    sessions.write(&self.key, &mut self.lock, &stale)?;
                    return Err(SessionError::RefreshedIdTokenRefused(e));
                }
                let mut new = decide::refreshed(&self.current, &response, now);
                if let (Some(stored), Some(signing)) = (&mut new.dpop_key, &self.signing) {
                    stored.set_nonces(&signing.nonces);
                }
                self.sessions.write(&self.key, &mut self.lock, &new)?;
                Ok(new.access_token)
            }
            RefreshResult::Refused(e) if decide::is_invalid_grant(&e) => {
                let reread = self.lock.read()?;
                match (decide::after_refusal(&self.used, reread.as_ref()), reread) {
                    (AfterRefusal::Adopt, Some(s)) => {
                        tracing::debug!(
                            key = self.key.as_str(),
                            "session: invalid_grant after a sibling's rotation, adopted"
                        );
                        Ok(s.access_token)
                    }
                    _ => {
                        let stale = decide::marked_stale(&self.current);
                        self.sessions.write(&self.key, &mut self.lock, &stale)?;
                        Err(SessionError::LoginRequired(LoginReason::Refused))
                    }
                }
            }
            RefreshResult::Refused(e) => Err(SessionError::RefreshFailed(e)),
            RefreshResult::NotSent(e) => Err(SessionError::RefreshNotSent(e)),
            RefreshResult::OutcomeUnknown(e) => Err(SessionError::RefreshOutcomeUnknown(e)),
        }
    }
}
