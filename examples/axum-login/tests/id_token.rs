//! The app validates the ID token of an `openid` login before it stores anything: the
//! nonce sealed in the login cookie, the audience, the issuer and the times, with the
//! issuer established by the token endpoint's transport (loopback `http` under the app's
//! opt-in). `/me` shows the validated `sub`.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{App, Browser, app_on_redis, redis_key_count, redis_session};
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
    assert_eq!(stored.subject.as_deref(), Some("alice"));
    let me = browser.get(&app.at("/me"));
    assert_eq!(me.status, 200, "{me:?}");
    assert!(
        me.body.contains("<strong id=\"user\">alice</strong>"),
        "{}",
        me.body
    );
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
