//! The protocol's decisions as pure functions: no lock, no I/O, time passed in.

use pkce_flow::{RefreshToken, TokenResponse};

use crate::error::LoginReason;
use crate::session::{Binding, FORMAT_VERSION, StoredSession};

/// The default minimum remaining lifetime of a returned access token, in seconds.
pub const DEFAULT_MIN_REMAINING: u64 = 60;

/// What to do with a stored session, read at `now`.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Its access token is good for at least the minimum remaining lifetime: use it.
    Fresh,
    /// Its access token is expiring or expired and it has a refresh token: refresh.
    Refresh,
    /// No usable session: a new login is needed.
    LoginRequired(LoginReason),
}

/// Whether the access token of `session` has at least `min_remaining` seconds left at `now`.
/// A token without a known expiry counts as fresh.
#[must_use]
pub fn is_fresh(session: &StoredSession, now: u64, min_remaining: u64) -> bool {
    session
        .expires_at
        .is_none_or(|at| at.saturating_sub(now) >= min_remaining.max(1))
}

/// The verdict on a session read at `now`: before the lock (fresh means no lock at all) and
/// again under it (fresh then means a sibling refreshed meanwhile: adopt its token).
#[must_use]
pub fn verdict(session: Option<&StoredSession>, now: u64, min_remaining: u64) -> Verdict {
    match session {
        None => Verdict::LoginRequired(LoginReason::NoSession),
        Some(s) if s.stale => Verdict::LoginRequired(LoginReason::Stale),
        Some(s) if is_fresh(s, now, min_remaining) => Verdict::Fresh,
        Some(s) if s.refresh_token.is_none() => Verdict::LoginRequired(LoginReason::NoRefreshToken),
        Some(_) => Verdict::Refresh,
    }
}

/// After `invalid_grant` for the refresh token `used`, with the session re-read under the
/// lock.
#[derive(Debug, PartialEq, Eq)]
pub enum AfterRefusal {
    /// The stored refresh token changed meanwhile (another holder refreshed): use the stored
    /// session.
    Adopt,
    /// Nobody else refreshed: the refresh token is dead. Keep the session, marked stale.
    MarkStale,
}

/// Lost race or revoked? Decided by whether the stored refresh token is still the one used.
#[must_use]
pub fn after_refusal(used: &RefreshToken, reread: Option<&StoredSession>) -> AfterRefusal {
    match reread {
        Some(s) if !s.stale && s.refresh_token.as_ref().is_some_and(|rt| rt != used) => {
            AfterRefusal::Adopt
        }
        _ => AfterRefusal::MarkStale,
    }
}

/// Whether a flow error is the token endpoint's `invalid_grant` (RFC 6749 §5.2). The one
/// place that looks inside pkce-flow's error.
#[must_use]
pub fn is_invalid_grant(error: &pkce_flow::Error) -> bool {
    matches!(error, pkce_flow::Error::Token(t) if t.code == pkce_flow::TokenErrorCode::InvalidGrant)
}

/// The session after a successful refresh of `old` answered at `now`. Members the response
/// leaves out (scope, ID token) keep their old values; pkce-flow already keeps the old
/// refresh token when the server did not rotate.
#[must_use]
pub fn refreshed(old: &StoredSession, response: &TokenResponse, now: u64) -> StoredSession {
    StoredSession {
        access_token: response.access_token().clone(),
        expires_at: response.expires_at(now),
        refresh_token: response
            .refresh_token()
            .cloned()
            .or_else(|| old.refresh_token.clone()),
        scope: response
            .granted_scope()
            .map(str::to_owned)
            .or_else(|| old.scope.clone()),
        id_token: response
            .id_token()
            .map(str::to_owned)
            .or_else(|| old.id_token.clone()),
        stale: false,
        ..old.clone()
    }
}

/// `session` kept as it is but marked stale: its refresh was refused (`invalid_grant`) or
/// answered with an ID token for another user; only a new login replaces it.
#[must_use]
pub fn marked_stale(session: &StoredSession) -> StoredSession {
    StoredSession {
        stale: true,
        ..session.clone()
    }
}

/// A new session from a login's token response received at `now`.
#[must_use]
pub fn from_login(
    binding: &Binding,
    resources: &[String],
    response: &TokenResponse,
    now: u64,
) -> StoredSession {
    StoredSession {
        version: FORMAT_VERSION,
        issuer: binding.issuer.clone(),
        client_id: binding.client_id.clone(),
        token_endpoint: binding.token_endpoint.clone(),
        access_token: response.access_token().clone(),
        expires_at: response.expires_at(now),
        refresh_token: response.refresh_token().cloned(),
        scope: response.granted_scope().map(str::to_owned),
        resources: resources.to_vec(),
        id_token: response.id_token().map(str::to_owned),
        identity: None,
        stale: false,
        dpop_key: None,
    }
}

#[cfg(test)]
mod tests {
    use pkce_flow::{AccessToken, Client, Exchange, HttpResponse, Poll};

    use super::*;

    fn session(expires_at: Option<u64>, rt: Option<&str>) -> StoredSession {
        StoredSession {
            version: FORMAT_VERSION,
            issuer: Some("https://as.example".into()),
            client_id: "c".into(),
            token_endpoint: "https://as.example/token".into(),
            access_token: AccessToken::new("at".into()),
            expires_at,
            refresh_token: rt.map(|r| RefreshToken::new(r.into())),
            scope: Some("openid".into()),
            resources: vec![],
            id_token: Some("id".into()),
            identity: None,
            stale: false,
            dpop_key: None,
        }
    }

    /// The outcome of a refresh answered with `status` and `body`, through pkce-flow.
    fn answered(status: u16, body: &str) -> Result<TokenResponse, pkce_flow::Error> {
        let client = Client::builder("c")
            .authorization_endpoint("https://as.example/authorize")
            .token_endpoint("https://as.example/token")
            .redirect_uri("http://127.0.0.1/callback")
            .build()?;
        let mut exchange = client.refresh(&RefreshToken::new("rt".into()));
        loop {
            match exchange.poll_output()? {
                Poll::Request(_) => {
                    let response = HttpResponse::new(status, body.as_bytes())
                        .with_header("content-type", "application/json");
                    exchange.handle_response(response)?;
                }
                Poll::Done(response) => return Ok(response),
            }
        }
    }

    fn response(body: &str) -> Result<TokenResponse, pkce_flow::Error> {
        answered(200, body)
    }

    #[test]
    fn a_token_with_enough_lifetime_left_is_fresh_and_one_about_to_expire_is_not() {
        let s = session(Some(1_000), Some("rt"));
        assert_eq!(verdict(Some(&s), 900, 60), Verdict::Fresh);
        assert_eq!(verdict(Some(&s), 940, 60), Verdict::Fresh);
        assert_eq!(verdict(Some(&s), 941, 60), Verdict::Refresh);
        assert_eq!(verdict(Some(&s), 5_000, 60), Verdict::Refresh);
    }

    #[test]
    fn an_expired_token_is_never_fresh_even_with_no_minimum_lifetime() {
        let s = session(Some(1_000), Some("rt"));
        assert_eq!(verdict(Some(&s), 1_000, 0), Verdict::Refresh);
        assert_eq!(verdict(Some(&s), 999, 0), Verdict::Fresh);
    }

    #[test]
    fn a_token_without_an_expiry_counts_as_fresh() {
        assert_eq!(
            verdict(Some(&session(None, None)), u64::MAX, 60),
            Verdict::Fresh
        );
    }

    #[test]
    fn no_session_a_stale_one_or_one_without_refresh_token_needs_a_login() {
        assert_eq!(
            verdict(None, 0, 60),
            Verdict::LoginRequired(LoginReason::NoSession)
        );
        let mut stale = session(Some(10_000), Some("rt"));
        stale.stale = true;
        assert_eq!(
            verdict(Some(&stale), 0, 60),
            Verdict::LoginRequired(LoginReason::Stale)
        );
        assert_eq!(
            verdict(Some(&session(Some(10), None)), 100, 60),
            Verdict::LoginRequired(LoginReason::NoRefreshToken)
        );
    }

    #[test]
    fn a_refusal_after_a_sibling_rotated_the_refresh_token_is_a_lost_race_to_adopt() {
        let used = RefreshToken::new("old".into());
        let reread = session(Some(10), Some("new"));
        assert_eq!(after_refusal(&used, Some(&reread)), AfterRefusal::Adopt);
    }

    #[test]
    fn a_refusal_with_the_stored_refresh_token_unchanged_marks_the_session_stale() {
        let used = RefreshToken::new("old".into());
        let same = session(Some(10), Some("old"));
        assert_eq!(after_refusal(&used, Some(&same)), AfterRefusal::MarkStale);
        assert_eq!(after_refusal(&used, None), AfterRefusal::MarkStale);
        let mut stale = session(Some(10), Some("new"));
        stale.stale = true;
        assert_eq!(after_refusal(&used, Some(&stale)), AfterRefusal::MarkStale);
    }

    #[test]
    fn only_the_invalid_grant_error_code_counts_as_invalid_grant() {
        let refused = |code: &str| answered(400, &format!(r#"{{"error":"{code}"}}"#)).err();
        assert!(
            refused("invalid_grant")
                .as_ref()
                .is_some_and(is_invalid_grant)
        );
        assert!(
            !refused("invalid_client")
                .as_ref()
                .is_some_and(is_invalid_grant)
        );
    }

    #[test]
    fn a_refresh_keeps_what_the_response_leaves_out_and_clears_the_stale_mark() {
        let mut old = session(Some(10), Some("rt"));
        old.stale = true;
        let r = response(r#"{"access_token":"new","token_type":"Bearer","expires_in":30}"#);
        let new = refreshed(&old, &r.expect("a valid response"), 100);
        assert_eq!(new.access_token.expose_secret(), "new");
        assert_eq!(new.expires_at, Some(130));
        assert_eq!(new.refresh_token, old.refresh_token);
        assert_eq!(new.scope, old.scope);
        assert_eq!(new.id_token, old.id_token);
        assert!(!new.stale);
    }

    #[test]
    fn a_rotating_refresh_stores_the_new_refresh_token_and_scope() {
        let old = session(Some(10), Some("rt"));
        let body =
            r#"{"access_token":"a2","token_type":"Bearer","refresh_token":"rt2","scope":"s"}"#;
        let new = refreshed(&old, &response(body).expect("a valid response"), 100);
        assert_eq!(
            new.refresh_token.as_ref().map(RefreshToken::expose_secret),
            Some("rt2")
        );
        assert_eq!(new.scope.as_deref(), Some("s"));
        assert_eq!(new.expires_at, None);
    }
}
