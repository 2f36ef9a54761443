//! The authorization code flow with PKCE over real HTTP: the happy path for each client
//! authentication method, and every way the server must refuse a code exchange.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Authz, KINDS, Kind, authorize, exchange, login, query_param, str_field, userinfo};
use pkce_testkit::{AuthServer, ServerConfig, UserAgent, clients};

#[test]
fn full_flow_for_each_client_authentication_method() {
    let server = AuthServer::start().unwrap();
    for kind in KINDS {
        let authz = Authz::new(kind.id(), "openid profile");
        let code = authorize(&server, &authz);
        let reply = exchange(
            &server,
            kind,
            &code,
            &authz.redirect_uri,
            authz.verifier.expose_secret(),
        );
        assert_eq!(reply.status, 200, "{kind:?}: {}", reply.body);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        let tokens = reply.json();
        assert_eq!(str_field(&tokens, "token_type"), "Bearer");
        assert_eq!(tokens["expires_in"], 3600);
        assert_eq!(str_field(&tokens, "scope"), "openid profile");
        assert!(!str_field(&tokens, "refresh_token").is_empty());
        let me = userinfo(&server, str_field(&tokens, "access_token"));
        assert_eq!(me.status, 200, "{}", me.body);
        assert_eq!(me.json()["sub"], "alice");
    }
}

#[test]
fn wrong_verifier_is_invalid_grant() {
    let server = AuthServer::start().unwrap();
    let authz = Authz::new(clients::PUBLIC_ID, "openid");
    let code = authorize(&server, &authz);
    let other = Authz::new(clients::PUBLIC_ID, "openid");
    let reply = exchange(
        &server,
        Kind::Public,
        &code,
        &authz.redirect_uri,
        other.verifier.expose_secret(),
    );
    assert_eq!(
        (reply.status, reply.error().as_str()),
        (400, "invalid_grant")
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    // The failed attempt consumed the code: the right verifier comes too late.
    let reply = exchange(
        &server,
        Kind::Public,
        &code,
        &authz.redirect_uri,
        authz.verifier.expose_secret(),
    );
    assert_eq!(reply.error(), "invalid_grant");
}

#[test]
fn missing_verifier_is_invalid_grant() {
    let server = AuthServer::start().unwrap();
    let authz = Authz::new(clients::PUBLIC_ID, "openid");
    let code = authorize(&server, &authz);
    let reply = Kind::Public.post(
        &server,
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &authz.redirect_uri),
        ],
    );
    assert_eq!(reply.error(), "invalid_grant");
}

#[test]
fn replayed_code_is_refused_and_revokes_what_it_issued() {
    let server = AuthServer::start().unwrap();
    let authz = Authz::new(clients::BASIC_ID, "openid offline_access");
    let code = authorize(&server, &authz);
    let first = exchange(
        &server,
        Kind::Basic,
        &code,
        &authz.redirect_uri,
        authz.verifier.expose_secret(),
    );
    assert_eq!(first.status, 200);
    let tokens = first.json();
    let access = str_field(&tokens, "access_token");
    assert_eq!(userinfo(&server, access).status, 200);

    let replay = exchange(
        &server,
        Kind::Basic,
        &code,
        &authz.redirect_uri,
        authz.verifier.expose_secret(),
    );
    assert_eq!(
        (replay.status, replay.error().as_str()),
        (400, "invalid_grant")
    );
    let me = userinfo(&server, access);
    assert_eq!(me.status, 401);
    assert!(
        me.header("www-authenticate")
            .unwrap()
            .contains(r#"error="invalid_token""#)
    );
    let refreshed = common::refresh(&server, Kind::Basic, str_field(&tokens, "refresh_token"));
    assert_eq!(refreshed.error(), "invalid_grant");
}

#[test]
fn redirect_uri_must_be_identical() {
    let server = AuthServer::start().unwrap();
    for sent in [
        "http://127.0.0.1:43211/callback",
        "http://127.0.0.1:43210/callback/",
        "",
    ] {
        let authz = Authz::new(clients::PUBLIC_ID, "openid");
        let code = authorize(&server, &authz);
        let reply = exchange(
            &server,
            Kind::Public,
            &code,
            sent,
            authz.verifier.expose_secret(),
        );
        assert_eq!(reply.error(), "invalid_grant", "{sent:?}");
    }
}

#[test]
fn code_issued_to_another_client_is_refused() {
    let server = AuthServer::start().unwrap();
    let authz = Authz::new(clients::PUBLIC_ID, "openid");
    let code = authorize(&server, &authz);
    let reply = exchange(
        &server,
        Kind::Post,
        &code,
        &authz.redirect_uri,
        authz.verifier.expose_secret(),
    );
    assert_eq!(reply.error(), "invalid_grant");
}

#[test]
fn expired_code_is_refused() {
    let server = AuthServer::start_with(ServerConfig {
        code_ttl_secs: 0,
        ..Default::default()
    })
    .unwrap();
    let authz = Authz::new(clients::PUBLIC_ID, "openid");
    let code = authorize(&server, &authz);
    let reply = exchange(
        &server,
        Kind::Public,
        &code,
        &authz.redirect_uri,
        authz.verifier.expose_secret(),
    );
    assert_eq!(reply.error(), "invalid_grant");
    assert!(
        reply.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[test]
fn login_helper_covers_every_client() {
    let server = AuthServer::start().unwrap();
    for kind in KINDS {
        let tokens = login(&server, kind, "read write");
        assert_eq!(str_field(&tokens, "scope"), "read write");
    }
    let unscoped = Authz::new(clients::PUBLIC_ID, "openid");
    let url = unscoped.url_without(&server, &["scope"]);
    let code = query_param(&UserAgent::new().approve(&url).unwrap(), "code").unwrap();
    let reply = exchange(
        &server,
        Kind::Public,
        &code,
        &unscoped.redirect_uri,
        unscoped.verifier.expose_secret(),
    );
    assert_eq!(str_field(&reply.json(), "scope"), "openid");
}
