//! `POST /logout`: the grant revoked at the authorization server, then the stored session
//! deleted (the only place the app deletes one) and the session cookie cleared.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use pkce_session::StoredSession;

use crate::account::{session_key, signed_out};
use crate::app::App;
use crate::page::Page;
use pkce_flow::pkce_core::HtmlEscaped;

/// `POST /logout` (a cross-site form cannot send the `SameSite=Lax` cookie with it):
/// revokes the grant at the authorization server, deletes the stored session under its
/// lock (`Sessions::delete_on_logout`) and deletes the session cookie. The session is
/// deleted even when the revocation fails: the user asked to be signed out here.
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
    let deleted = {
        let app = Arc::clone(&app);
        tokio::task::spawn_blocking(move || app.sessions.delete_on_logout(&key)).await
    };
    let note = match (revoked, deleted) {
        (Ok(()), Ok(Ok(_))) => String::new(),
        (Err(e), _) => format!(
            "<p id=\"warning\">Revocation failed: {}</p>",
            HtmlEscaped(&e)
        ),
        (_, Ok(Err(e))) => format!(
            "<p id=\"warning\">Session store: {}</p>",
            HtmlEscaped(&e.to_string())
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
