//! `/`, `/me` and `/logout`: what a signed-in browser sees. Tokens stay on the server; the
//! browser holds only the random session id.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use pkce_session::{
    DEFAULT_LOCK_WAIT, SessionError, SessionKey, SessionLock, SessionStore, StoredSession, unix_now,
};

use crate::app::App;
use crate::cookie;
use crate::page::{Page, escape};

/// `GET /`: links to sign in and to the account page.
pub(crate) async fn home() -> Page {
    let body = "<p><a href=\"/login\">Sign in</a> · <a href=\"/me\">My account</a></p>";
    Page::html(StatusCode::OK, "pkce axum login", body)
}

/// The session key in the request's session cookie, if any.
fn session_key(app: &App, headers: &HeaderMap) -> Option<SessionKey> {
    let id = cookie::read(headers, &app.cookies.session_name()).ok()??;
    SessionKey::new(id).ok()
}

fn signed_out(app: &App) -> Page {
    let body =
        "<p id=\"signed-out\">You are not signed in.</p><p><a href=\"/login\">Sign in</a></p>";
    Page::html(StatusCode::UNAUTHORIZED, "Not signed in", body).cookie(app.cookies.clear_session())
}

/// `GET /me`: a fresh access token for the session (refreshed single-flight when due), sent
/// to the protected resource; the page shows the subject it names.
pub(crate) async fn me(State(app): State<Arc<App>>, headers: HeaderMap) -> Page {
    let Some(key) = session_key(&app, &headers) else {
        return signed_out(&app);
    };
    let token = match app
        .transport
        .fresh_access_token(&app.sessions, &key, unix_now())
        .await
    {
        Ok(token) => token,
        Err(SessionError::LoginRequired(_)) => return signed_out(&app),
        Err(e) => return Page::error(StatusCode::BAD_GATEWAY, &format!("Session: {e}")),
    };
    let answer = match app.transport.bearer_get(&app.resource_url, &token).await {
        Ok(answer) => answer,
        Err(e) => return Page::error(StatusCode::BAD_GATEWAY, &format!("Resource: {e}")),
    };
    if answer.status != 200 {
        let why = format!("The resource answered HTTP {}.", answer.status);
        return Page::error(StatusCode::BAD_GATEWAY, &why);
    }
    let subject = serde_json::from_slice::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| v.get("sub").and_then(|s| s.as_str().map(str::to_owned)));
    let Some(subject) = subject else {
        return Page::error(StatusCode::BAD_GATEWAY, "The resource named no subject.");
    };
    let body = format!(
        "<p>Signed in as <strong id=\"user\">{}</strong>.</p>\n\
         <form method=\"post\" action=\"/logout\"><button>Sign out</button></form>",
        escape(&subject)
    );
    Page::html(StatusCode::OK, "My account", &body)
}

/// `POST /logout` (a cross-site form cannot send the `SameSite=Lax` cookie with it):
/// revokes the grant at the authorization server, replaces the stored session by an empty
/// stale one (which only a new login replaces) and deletes the session cookie.
pub(crate) async fn logout(State(app): State<Arc<App>>, headers: HeaderMap) -> Page {
    let Some(key) = session_key(&app, &headers) else {
        return signed_out(&app);
    };
    let loaded = {
        let (app, key) = (Arc::clone(&app), key.clone());
        tokio::task::spawn_blocking(move || app.sessions.load(&key)).await
    };
    let revoked = match loaded {
        Ok(Ok(Some(session))) => revoke(&app, &session).await,
        Ok(Ok(None)) => Ok(()),
        Ok(Err(e)) => Err(format!("Session store: {e}")),
        Err(_) => Err("Session store: task failed.".to_owned()),
    };
    let emptied = {
        let app = Arc::clone(&app);
        tokio::task::spawn_blocking(move || empty_session(&app, &key)).await
    };
    let note = match (revoked, emptied) {
        (Ok(()), Ok(Ok(()))) => String::new(),
        (Err(e), _) => format!("<p id=\"warning\">Revocation failed: {}</p>", escape(&e)),
        (_, Ok(Err(e))) => format!(
            "<p id=\"warning\">Session store: {}</p>",
            escape(&e.to_string())
        ),
        (_, Err(_)) => "<p id=\"warning\">Session store: task failed.</p>".to_owned(),
    };
    let body = format!(
        "<p id=\"signed-out\">You are signed out.</p>{note}<p><a href=\"/login\">Sign in</a></p>"
    );
    Page::html(StatusCode::OK, "Signed out", &body).cookie(app.cookies.clear_session())
}

/// Revokes the refresh token (and with it the grant), or the access token when there is none.
async fn revoke(app: &App, session: &StoredSession) -> Result<(), String> {
    let result = match &session.refresh_token {
        Some(refresh) => {
            app.transport
                .revoke_refresh_token(&app.client, refresh)
                .await
        }
        None => {
            app.transport
                .revoke_access_token(&app.client, &session.access_token)
                .await
        }
    };
    result.map_err(|e| e.to_string())
}

/// Replaces the session under `key` by one with no tokens, marked stale: every later
/// `/me` with that id is a login required.
fn empty_session(app: &App, key: &SessionKey) -> Result<(), SessionError> {
    let mut lock = app.sessions.store().lock(key, DEFAULT_LOCK_WAIT)?;
    let Some(mut session) = lock.read()? else {
        return Ok(());
    };
    session.access_token = pkce_flow::AccessToken::new(String::new());
    session.refresh_token = None;
    session.id_token = None;
    session.expires_at = Some(0);
    session.stale = true;
    lock.write(&session)
}
