//! Every misbehaviour is observable by a plain client, counts as a hit, and can be undone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{Authz, Kind, Reply, agent, authorize, exchange, get, str_field, userinfo};
use pkce_testkit::{AuthServer, Endpoint, Misbehavior, clients};

/// Logs in as far as the code, sets `m` on the token endpoint, then exchanges the code.
fn exchange_with(server: &AuthServer, m: Misbehavior) -> Reply {
    let authz = Authz::new(clients::PUBLIC_ID, "openid profile");
    let code = authorize(server, &authz);
    server.set_misbehavior(Endpoint::Token, Some(m));
    let reply = exchange(
        server,
        Kind::Public,
        &code,
        &authz.redirect_uri,
        authz.verifier.expose_secret(),
    );
    server.set_misbehavior(Endpoint::Token, None);
    reply
}

#[test]
fn redirect_answers_with_location_and_keeps_the_code_unused() {
    let server = AuthServer::start().unwrap();
    let elsewhere = AuthServer::start().unwrap();
    let authz = Authz::new(clients::PUBLIC_ID, "openid");
    let code = authorize(&server, &authz);
    for status in [302, 307, 308] {
        let location = elsewhere.url("/token");
        server.set_misbehavior(
            Endpoint::Token,
            Some(Misbehavior::Redirect {
                status,
                location: location.clone(),
            }),
        );
        let reply = exchange(
            &server,
            Kind::Public,
            &code,
            &authz.redirect_uri,
            authz.verifier.expose_secret(),
        );
        assert_eq!(
            (reply.status, reply.header("location")),
            (status, Some(location.as_str()))
        );
    }
    assert_eq!(
        (
            server.hits(Endpoint::Token),
            elsewhere.hits(Endpoint::Token)
        ),
        (3, 0)
    );
    server.set_misbehavior(Endpoint::Token, None);
    let reply = exchange(
        &server,
        Kind::Public,
        &code,
        &authz.redirect_uri,
        authz.verifier.expose_secret(),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[test]
fn huge_body_is_exactly_that_big_and_streamed() {
    let server = AuthServer::start().unwrap();
    let bytes = 2 * 1024 * 1024 + 7;
    server.set_misbehavior(Endpoint::Metadata, Some(Misbehavior::HugeBody { bytes }));
    let url = server.url("/.well-known/oauth-authorization-server");
    let mut resp = agent().get(&url).call().unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("content-length").is_none());
    assert!(
        resp.body_mut()
            .with_config()
            .limit(1024 * 1024)
            .read_to_vec()
            .is_err()
    );
    let mut resp = agent().get(&url).call().unwrap();
    let body = resp
        .body_mut()
        .with_config()
        .limit(4 * 1024 * 1024)
        .read_to_vec()
        .unwrap();
    assert_eq!(body.len() as u64, bytes);
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok());
    server.set_misbehavior(Endpoint::Metadata, Some(Misbehavior::HugeBody { bytes: 3 }));
    assert_eq!(get(&url).body, "   ");
}

#[test]
fn endless_body_never_ends_and_the_server_survives() {
    let server = AuthServer::start().unwrap();
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::EndlessBody));
    for _ in 0..3 {
        let mut resp = agent()
            .post(&server.url("/token"))
            .send_form([("a", "b")])
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.body_mut()
                .with_config()
                .limit(8 * 1024 * 1024)
                .read_to_vec()
                .is_err()
        );
    }
    assert_eq!(server.hits(Endpoint::Token), 3);
    server.set_misbehavior(Endpoint::Token, None);
    assert_eq!(get(&server.url("/token")).status, 405);
}

#[test]
fn stall_sends_nothing_then_answers() {
    let server = AuthServer::start().unwrap();
    server.set_misbehavior(Endpoint::Metadata, Some(Misbehavior::Stall { secs: 2 }));
    let url = server.url("/.well-known/openid-configuration");
    let impatient = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_millis(300)))
        .build()
        .new_agent();
    let started = Instant::now();
    let err = impatient.get(&url).call().unwrap_err();
    assert!(matches!(err, ureq::Error::Timeout(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let started = Instant::now();
    assert_eq!(get(&url).status, 200);
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_eq!(server.hits(Endpoint::Metadata), 2);
}

#[test]
fn reset_mid_body_is_a_read_error() {
    let server = AuthServer::start().unwrap();
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::ResetMidBody));
    let mut resp = agent()
        .post(&server.url("/token"))
        .send_form([("a", "b")])
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers().get("content-length").unwrap(), "4096");
    let err = resp.body_mut().read_to_vec().unwrap_err();
    assert!(!matches!(err, ureq::Error::Timeout(_)), "{err:?}");
}

#[test]
fn canned_bodies() {
    let server = AuthServer::start().unwrap();
    let url = server.url("/token");
    let post = || common::post_form(&url, None, &[("grant_type", "refresh_token")]);
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::NotJson));
    let reply = post();
    assert_eq!(
        (reply.status, reply.header("content-type")),
        (200, Some("application/json"))
    );
    assert_eq!(reply.body, "<html>captive portal</html>");
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::ServerError));
    let reply = post();
    assert_eq!(reply.status, 500);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::ErrorWith200));
    let reply = post();
    assert_eq!(
        (reply.status, reply.error().as_str()),
        (200, "invalid_grant")
    );
    // Quirks elsewhere than the token endpoint send a canned token-shaped body.
    server.set_misbehavior(Endpoint::UserInfo, Some(Misbehavior::CommaScope));
    assert_eq!(
        get(&server.url("/userinfo")).json()["scope"],
        "openid,profile"
    );
    assert_eq!(server.hits(Endpoint::Token), 3);
}

#[test]
fn token_quirks_mangle_a_real_success() {
    let server = AuthServer::start().unwrap();
    let reply = exchange_with(&server, Misbehavior::WrongContentType);
    assert_eq!(
        (reply.status, reply.header("content-type")),
        (200, Some("text/html"))
    );
    let tokens = reply.json();
    assert_eq!(tokens["token_type"], "Bearer");
    // The tokens are real: a lenient client could use them.
    assert_eq!(
        userinfo(&server, str_field(&tokens, "access_token")).status,
        200
    );

    let tokens = exchange_with(&server, Misbehavior::StringExpiresIn).json();
    assert_eq!(tokens["expires_in"], "3600");
    let tokens = exchange_with(&server, Misbehavior::ExpiresInsteadOfExpiresIn).json();
    assert_eq!(
        (tokens.get("expires_in"), &tokens["expires"]),
        (None, &serde_json::json!(3600))
    );
    let tokens = exchange_with(&server, Misbehavior::MissingTokenType).json();
    assert!(tokens.get("token_type").is_none() && tokens.get("access_token").is_some());
    let reply = exchange_with(&server, Misbehavior::Status201);
    assert_eq!(reply.status, 201);
    assert_eq!(reply.json()["token_type"], "Bearer");
    let tokens = exchange_with(&server, Misbehavior::ScopeArray).json();
    assert_eq!(tokens["scope"], serde_json::json!(["openid", "profile"]));
    let tokens = exchange_with(&server, Misbehavior::CommaScope).json();
    assert_eq!(tokens["scope"], "openid,profile");
}

#[test]
fn metadata_quirks_serve_the_real_document() {
    let server = AuthServer::start().unwrap();
    let url = server.url("/.well-known/oauth-authorization-server");
    server.set_misbehavior(Endpoint::Metadata, Some(Misbehavior::WrongContentType));
    let reply = get(&url);
    assert_eq!(reply.header("content-type"), Some("text/html"));
    assert_eq!(reply.json()["issuer"], server.issuer());
    server.set_misbehavior(Endpoint::Metadata, Some(Misbehavior::Status201));
    assert_eq!(get(&url).status, 201);
    server.set_misbehavior(Endpoint::Metadata, None);
    assert_eq!(get(&url).status, 200);
}
