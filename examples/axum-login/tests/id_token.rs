//! The app validates the ID token of an `openid` login before it stores anything: the
//! nonce sealed in the login cookie, the audience, the issuer and the times, with the
//! issuer established by the token endpoint's transport (loopback `http` under the app's
//! opt-in). `/me` shows the validated `sub`; an ID token in a refresh response must name the
//! same user (and audience, and issuer) before the refreshed session is stored.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{
    App, Browser, app_on_redis, assert_shows_user, redis_key_count, redis_session, signed_in,
};
use pkce_testkit::{AuthServer, Endpoint, Misbehavior, RedisServer, ServerConfig};

const LOGIN: &str = "pkce-login";
const SESSION: &str = "pkce-session";

/// A server that issues ID tokens, and one app instance on Redis.
fn app_with_id_tokens() -> (AuthServer, RedisServer, App) {
    app_on_redis(ServerConfig {
        id_tokens: true,
        ..ServerConfig::default()
    })
}

#[test]
fn a_valid_id_token_is_kept_as_the_sessions_subject_and_me_shows_it() {
    let (_server, redis, app) = app_with_id_tokens();
    let mut browser = Browser::new();
    let callback = browser.start_login(&app);
    let answer = browser.get(&callback);
    assert_eq!(answer.status, 303, "{answer:?}");
    let id = browser.cookie(SESSION).unwrap().to_owned();
    let stored = redis_session(redis.addr(), &id).expect("stored");
    assert!(stored.id_token.is_some());
    assert_eq!(stored.subject(), Some("alice"));
    let me = browser.get(&app.at("/me"));
    assert_shows_user(&me, "alice");
}

/// An ID token the server mangled: the callback shows the escaped error page, clears the
/// login cookie and stores nothing.
fn refused(misbehavior: Misbehavior, reason: &str) {
    let (server, redis, app) = app_with_id_tokens();
    let mut browser = Browser::new();
    let callback = browser.start_login(&app);
    server.set_misbehavior(Endpoint::Token, Some(misbehavior));
    let answer = browser.get(&callback);
    assert_eq!(answer.status, 502, "{answer:?}");
    assert!(
        answer.body.contains("<p id=\"error\">ID token refused: "),
        "{}",
        answer.body
    );
    assert!(answer.body.contains(reason), "{}", answer.body);
    assert_eq!(server.hits(Endpoint::Token), 1, "the code was redeemed");
    assert_eq!(browser.cookie(SESSION), None, "no session cookie");
    assert_eq!(browser.cookie(LOGIN), None, "the login is over");
    assert_eq!(redis_key_count(redis.addr()), 0, "nothing stored");
    assert_eq!(browser.get(&app.at("/me")).status, 401);
}

#[test]
fn an_id_token_with_another_nonce_creates_no_session() {
    // The apostrophe arrives escaped: the message is text, not markup.
    refused(
        Misbehavior::IdTokenWrongNonce,
        "the ID token&#39;s nonce is not the one sent",
    );
}

#[test]
fn an_id_token_for_another_audience_creates_no_session() {
    refused(
        Misbehavior::IdTokenWrongAudience,
        "the ID token is not meant for this client",
    );
}

/// A server that issues ID tokens on login and refresh, with access tokens under the
/// sessions' 60 s minimum (every `/me` refreshes), one app instance on Redis, and a browser
/// signed in.
fn signed_in_refreshing() -> (AuthServer, RedisServer, App, Browser, String) {
    signed_in(ServerConfig {
        id_tokens: true,
        access_token_ttl: 30,
        ..ServerConfig::default()
    })
}

#[test]
fn a_refresh_with_a_consistent_id_token_is_stored_and_me_still_shows_the_subject() {
    let (server, redis, app, mut browser, id) = signed_in_refreshing();
    let login = redis_session(redis.addr(), &id).expect("stored");
    let me = browser.get(&app.at("/me"));
    assert_shows_user(&me, "alice");
    assert_eq!(server.rotation_counters().refreshes_served, 1);
    let refreshed = redis_session(redis.addr(), &id).expect("stored");
    assert_ne!(refreshed.access_token, login.access_token);
    assert_ne!(
        refreshed.id_token, login.id_token,
        "the new ID token is kept"
    );
    assert_eq!(refreshed.identity, login.identity);
    assert!(!refreshed.stale);
}

#[test]
fn a_refreshed_id_token_for_another_subject_is_refused_at_me_and_the_session_not_replaced() {
    let (server, redis, app, mut browser, id) = signed_in_refreshing();
    let login = redis_session(redis.addr(), &id).expect("stored");
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::IdTokenOtherSubject));
    let me = browser.get(&app.at("/me"));
    assert_eq!(me.status, 502, "{me:?}");
    // The apostrophe arrives escaped: the message is text, not markup.
    assert!(
        me.body.contains(
            "<p id=\"error\">ID token refused on refresh: the refreshed ID token&#39;s `sub` differs"
        ),
        "{}",
        me.body
    );
    assert!(!me.body.contains("mallory"), "no claim value is shown");
    assert_eq!(
        server.rotation_counters().refreshes_served,
        1,
        "it was sent"
    );
    let kept = redis_session(redis.addr(), &id).expect("the session is not deleted");
    assert_eq!(
        kept,
        pkce_session::StoredSession {
            stale: true,
            ..login
        },
        "the login's tokens and identity are kept, marked stale; the refreshed ones dropped"
    );
    server.set_misbehavior(Endpoint::Token, None);
    assert_eq!(
        browser.get(&app.at("/me")).status,
        401,
        "a new login is asked for"
    );
    assert_eq!(
        server.rotation_counters().refreshes_served,
        1,
        "no second refresh"
    );
    assert_eq!(
        redis_session(redis.addr(), &id).map(|s| s.stale),
        Some(true),
        "still stored, stale, after the browser was signed out"
    );
}
