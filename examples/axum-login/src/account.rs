//! `/` and `/me`: what a signed-in browser sees. Tokens stay on the server; the browser
//! holds only the random session id.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use pkce_session::{SessionError, SessionKey, unix_now};

use crate::app::App;
use crate::cookie;
use crate::page::Page;
use pkce_flow::pkce_core::HtmlEscaped;

/// `GET /`: links to sign in and to the account page.
pub(crate) async fn home() -> Page {
    let body = "<p><a href=\"/login\">Sign in</a> · <a href=\"/me\">My account</a></p>";
    Page::html(StatusCode::OK, "pkce axum login", body)
}

/// The session key in the request's session cookie, if any.
pub(crate) fn session_key(app: &App, headers: &HeaderMap) -> Option<SessionKey> {
    let id = cookie::read(headers, &app.cookies.session_name()).ok()??;
    SessionKey::new(id).ok()
}

pub(crate) fn signed_out(app: &App) -> Page {
    let body =
        "<p id=\"signed-out\">You are not signed in.</p><p><a href=\"/login\">Sign in</a></p>";
    Page::html(StatusCode::UNAUTHORIZED, "Not signed in", body).cookie(app.cookies.clear_session())
}

/// `GET /me`: a fresh access token for the session (refreshed single-flight when due, an ID
/// token in the refresh response validated by pkce-session against the login's identity),
/// sent to the protected resource. The page shows the `sub` of the ID token validated at login;
/// a session without one (no `openid`) shows the subject the resource names. When the
/// resource is the userinfo endpoint, its `sub` must equal the ID token's (OpenID Connect
/// Core §5.3.2).
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
        // The refresh answered with an ID token for another user (or issuer, or audience)
        // than the login's: pkce-session did not store the refreshed tokens and kept the
        // session marked stale, so the next visit asks for a new login.
        Err(SessionError::RefreshedIdTokenRefused(e)) => {
            let why = format!("ID token refused on refresh: {e}");
            return Page::error(StatusCode::BAD_GATEWAY, &why);
        }
        Err(e) => return Page::error(StatusCode::BAD_GATEWAY, &format!("Session: {e}")),
    };
    let validated = {
        let app = Arc::clone(&app);
        tokio::task::spawn_blocking(move || app.sessions.load(&key)).await
    };
    let validated = match validated {
        Ok(Ok(session)) => session.and_then(|s| s.subject().map(str::to_owned)),
        Ok(Err(e)) => return Page::error(StatusCode::BAD_GATEWAY, &format!("Session: {e}")),
        Err(_) => return Page::error(StatusCode::BAD_GATEWAY, "Session store: task failed."),
    };
    let answer = match app.transport.bearer_get(&app.resource_url, &token).await {
        Ok(answer) => answer,
        Err(e) => return Page::error(StatusCode::BAD_GATEWAY, &format!("Resource: {e}")),
    };
    if answer.status != 200 {
        let why = format!("The resource answered HTTP {}.", answer.status);
        return Page::error(StatusCode::BAD_GATEWAY, &why);
    }
    let named = serde_json::from_slice::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| v.get("sub").and_then(|s| s.as_str().map(str::to_owned)));
    let is_userinfo = app.client.userinfo_endpoint() == Some(app.resource_url.as_str());
    let subject = match (validated, named) {
        (Some(sub), Some(named)) if is_userinfo && named != sub => {
            let why = "The userinfo endpoint named another subject than the ID token.";
            return Page::error(StatusCode::BAD_GATEWAY, why);
        }
        (Some(sub), _) => sub,
        (None, Some(named)) => named,
        (None, None) => {
            return Page::error(StatusCode::BAD_GATEWAY, "The resource named no subject.");
        }
    };
    let body = format!(
        "<p>Signed in as <strong id=\"user\">{}</strong>.</p>\n\
         <form method=\"post\" action=\"/logout\"><button>Sign out</button></form>",
        HtmlEscaped(&subject)
    );
    Page::html(StatusCode::OK, "My account", &body)
}
