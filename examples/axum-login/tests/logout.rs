//! Deletion of stored sessions in the app, on a real Redis: `POST /logout` deletes the
//! session (and its lease) on every instance, and a refused refresh at `/me` keeps it,
//! marked stale.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{App, Browser, redis_session, signed_in};
use pkce_testkit::{AuthServer, Endpoint, RedisServer, ServerConfig};

const SESSION: &str = "pkce-session";

/// A logged-in browser on an instance with Redis; access tokens live 30 s, under the
/// sessions' 60 s minimum, so every `/me` refreshes.
fn logged_in() -> (AuthServer, RedisServer, App, Browser, String) {
    signed_in(ServerConfig {
        access_token_ttl: 30,
        ..ServerConfig::default()
    })
}

#[test]
fn logout_deletes_the_stored_session() {
    let (server, redis, app, mut browser, id) = logged_in();
    let out = browser.post(&app.at("/logout"));
    assert_eq!(out.status, 200, "{out:?}");
    assert!(!out.body.contains("warning"), "{}", out.body);
    assert_eq!(server.hits(Endpoint::Revocation), 1);
    assert_eq!(redis_session(redis.addr(), &id), None, "deleted");
    browser.put_cookie(SESSION, Some(&id));
    assert_eq!(browser.get(&app.at("/me")).status, 401);
}

#[test]
fn a_refused_refresh_keeps_the_stored_session_marked_stale() {
    let (server, redis, app, mut browser, id) = logged_in();
    server.expire_refresh_tokens();
    let me = browser.get(&app.at("/me"));
    assert_eq!(me.status, 401, "{me:?}");
    let kept = redis_session(redis.addr(), &id).expect("kept after invalid_grant");
    assert!(kept.stale);
    assert!(kept.refresh_token.is_some(), "kept as it was");
    // Asked again: still a login required, still stored.
    browser.put_cookie(SESSION, Some(&id));
    assert_eq!(browser.get(&app.at("/me")).status, 401);
    assert!(redis_session(redis.addr(), &id).is_some());
}
