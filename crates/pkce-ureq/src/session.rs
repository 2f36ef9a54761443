//! Sessions (feature `session`): a fresh access token from a stored session in one call,
//! the refresh driven over this transport under the session's lock. No OAuth decision here:
//! pkce-session decides, this file only moves the refresh's bytes and says whether a failed
//! request may have reached the server.

use pkce_flow::AccessToken;
use pkce_session::{Begin, RefreshResult, SessionError, SessionKey, SessionStore, Sessions};

use crate::{Error, Transport};

impl Transport {
    /// An access token of the session `key` with at least the sessions' minimum remaining
    /// lifetime at `now` (seconds since the Unix epoch, e.g. `pkce_session::unix_now()`):
    /// the stored one when fresh (no lock taken), else one refresh under the session's
    /// lock, shared with every process waiting at the same expiry.
    ///
    /// The lock is taken by blocking the calling thread for at most the sessions' lock wait,
    /// and only when a refresh is due.
    ///
    /// A session bound to a DPoP key (RFC 9449) is refreshed with proofs of its stored key,
    /// as pkce-session's `RefreshPlan::exchange` decides; this transport only sends them.
    ///
    /// # Errors
    /// [`SessionError::LoginRequired`] when only a new login can help (the stored session
    /// is kept); [`SessionError::RefreshOutcomeUnknown`] when the refresh request failed after
    /// it may have reached the server (not retried); [`SessionError::DpopKeyUnusable`] when
    /// the session's DPoP key cannot sign (nothing sent); the other [`SessionError`]s.
    pub fn fresh_access_token<S: SessionStore>(
        &self,
        sessions: &Sessions<S>,
        key: &SessionKey,
        now: u64,
    ) -> Result<AccessToken, SessionError> {
        match sessions.begin(key, now)? {
            Begin::Fresh(token) => Ok(token),
            Begin::NeedRefresh(mut plan) => {
                let result = refresh_result(self.drive(plan.exchange()?));
                plan.finish(result, now)
            }
        }
    }
}

/// Sorts the outcome of a refresh request by what the server may have seen.
fn refresh_result(outcome: Result<pkce_flow::TokenResponse, Error>) -> RefreshResult {
    match outcome {
        Ok(response) => RefreshResult::Response(response),
        Err(Error::Flow(e)) => RefreshResult::Refused(e),
        // Nothing left this process: no connection, no TLS session, or refused before sending.
        Err(e @ (Error::ConnectionRefused(_) | Error::Tls(_) | Error::ClientSetup { .. })) => {
            RefreshResult::NotSent(Box::new(e))
        }
        // The request may have been received and acted on.
        Err(e) => RefreshResult::OutcomeUnknown(Box::new(e)),
    }
}
