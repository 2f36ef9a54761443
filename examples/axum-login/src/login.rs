//! `/login` and `/callback`: the pending authorization travels sealed in a cookie, so the
//! instance that finishes a login need not be the one that started it.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use base64ct::{Base64UrlUnpadded, Encoding};
use pkce_flow::OsRng;
use pkce_flow::oidc::{IdTokenSignature, IdTokenValidation};
use pkce_session::{SessionKey, unix_now};

use crate::app::App;
use crate::cookie;
use crate::page::Page;

/// `GET /login`: a fresh authorization, its pending half sealed into the login cookie, and
/// a redirect to the authorization server.
pub(crate) async fn start(State(app): State<Arc<App>>) -> Page {
    let mut rng = OsRng::default();
    let (url, pending) = match app.client.authorize(&mut rng) {
        Ok(started) => started,
        Err(e) => return Page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    match pending.seal(&app.keys, unix_now(), &mut rng) {
        Ok(sealed) => {
            Page::redirect(url.as_str()).cookie(app.cookies.set_login(&sealed, app.login_max_age))
        }
        Err(e) => Page::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// `GET /callback`: opens the login cookie (refused when missing, forged, expired or made
/// for another client), validates the callback against it (state, `iss`, error), redeems
/// the code with the client's secret, validates the ID token when one came back, and
/// stores the tokens under a new random session id.
pub(crate) async fn callback(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Page {
    let cookies = app.cookies;
    let refuse = |status, message: &str| Page::error(status, message).cookie(cookies.clear_login());
    let sealed = match cookie::read(&headers, &cookies.login_name()) {
        Ok(Some(sealed)) => sealed,
        Ok(None) => {
            let why = "This sign-in was not started in this browser (no login cookie).";
            return Page::error(StatusCode::BAD_REQUEST, why);
        }
        Err(cookie::Ambiguous) => {
            return refuse(StatusCode::BAD_REQUEST, "The login cookie was sent twice.");
        }
    };
    let now = unix_now();
    let pending = match app
        .client
        .open_pending(sealed, &app.keys, now, app.login_max_age)
    {
        Ok(pending) => pending,
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                &format!("Login cookie refused: {e}"),
            );
        }
    };
    let exchange = match pending.callback(query.as_deref().unwrap_or_default()) {
        Ok(exchange) => exchange,
        // A callback that does not belong to this login (another state) leaves the
        // browser's own login cookie in place, so its real callback can still finish.
        Err(rejected) if rejected.is_recoverable() => {
            return Page::error(StatusCode::BAD_REQUEST, &rejected.error().to_string());
        }
        Err(rejected) => return refuse(StatusCode::BAD_REQUEST, &rejected.error().to_string()),
    };
    let tokens = match app.transport.exchange(exchange).await {
        Ok(tokens) => tokens,
        Err(e) => {
            return refuse(
                StatusCode::BAD_GATEWAY,
                &format!("Code exchange failed: {e}"),
            );
        }
    };
    // With `openid`, the ID token is validated before anything is stored: issuer,
    // audience, times and the nonce sealed with the pending authorization. Read straight
    // from the token endpoint, its issuer is established by TLS (`https`, or loopback
    // `http` only under --dangerously-allow-loopback-http).
    let id_token = match tokens.id_token() {
        None => None,
        Some(_) => {
            let validation = IdTokenValidation::new(now, IdTokenSignature::IssuerEstablishedByTls);
            match app.client.validate_id_token(&tokens, &validation) {
                Ok(claims) => Some(claims),
                Err(e) => {
                    return refuse(StatusCode::BAD_GATEWAY, &format!("ID token refused: {e}"));
                }
            }
        }
    };
    let Some(id) = new_session_id() else {
        let why = "The system's random generator failed.";
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, why);
    };
    let saved = {
        let app = Arc::clone(&app);
        let id = id.clone();
        // The stores block (a Redis round trip, a lock): off the async workers.
        tokio::task::spawn_blocking(move || {
            let key = SessionKey::new(&id)?;
            let saved = match &id_token {
                Some(claims) => app
                    .sessions
                    .save_validated_login(&key, &tokens, claims, now),
                None => app.sessions.save_login(&key, &tokens, now),
            };
            saved.map(drop)
        })
        .await
    };
    match saved {
        Ok(Ok(())) => Page::redirect("/me")
            .cookie(cookies.clear_login())
            .cookie(cookies.set_session(&id)),
        Ok(Err(e)) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("Session store: {e}"),
        ),
        Err(_) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Session store: task failed.",
        ),
    }
}

/// 32 random bytes in base64url (43 characters, a valid session key).
fn new_session_id() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(Base64UrlUnpadded::encode_string(&bytes))
}
