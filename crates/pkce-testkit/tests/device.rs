//! The device flow endpoints (RFC 8628) spoken to directly: the device authorization
//! response, the verification page a person uses, polling answers, and client binding.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{KINDS, Kind, get, post_form};
use pkce_testkit::{AuthServer, ServerConfig};

const GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

fn start(server: &AuthServer, kind: Kind) -> serde_json::Value {
    let reply = kind.post(server, "/device_authorization", &[("scope", "openid")]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    reply.json()
}

fn poll(server: &AuthServer, kind: Kind, device_code: &str) -> common::Reply {
    kind.post(
        server,
        "/token",
        &[("grant_type", GRANT), ("device_code", device_code)],
    )
}

fn instant_server() -> AuthServer {
    AuthServer::start_with(ServerConfig {
        device_interval_secs: 0,
        ..ServerConfig::default()
    })
    .unwrap()
}

#[test]
fn device_authorization_answers_every_member_for_every_client_kind() {
    let server = AuthServer::start().unwrap();
    for kind in KINDS {
        let doc = start(&server, kind);
        let user_code = doc["user_code"].as_str().unwrap();
        assert_eq!(user_code.len(), 9, "{user_code}");
        assert_eq!(doc["verification_uri"], server.url("/device"));
        assert_eq!(
            doc["verification_uri_complete"],
            format!("{}?user_code={user_code}", server.url("/device"))
        );
        assert_eq!(
            (doc["expires_in"].as_u64(), doc["interval"].as_u64()),
            (Some(600), Some(5))
        );
        assert!(doc["device_code"].as_str().unwrap().len() >= 43);
    }
}

#[test]
fn the_verification_page_approves_and_the_next_poll_gets_tokens() {
    let server = instant_server();
    let doc = start(&server, Kind::Public);
    let (device_code, user_code) = (
        doc["device_code"].as_str().unwrap(),
        doc["user_code"].as_str().unwrap(),
    );
    assert_eq!(
        poll(&server, Kind::Public, device_code).error(),
        "authorization_pending"
    );
    let page = get(doc["verification_uri_complete"].as_str().unwrap());
    assert!(
        page.body.contains(&format!("value=\"{user_code}\"")),
        "{}",
        page.body
    );
    let done = post_form(
        &server.url("/device"),
        None,
        &[("user_code", user_code), ("decision", "approve")],
    );
    assert!(done.body.contains("Device approved"), "{}", done.body);
    let tokens = poll(&server, Kind::Public, device_code);
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    assert_eq!(tokens.json()["token_type"], "Bearer");
    assert_eq!(
        poll(&server, Kind::Public, device_code).error(),
        "invalid_grant",
        "used once"
    );
}

#[test]
fn a_denied_device_gets_access_denied_once() {
    let server = instant_server();
    let doc = start(&server, Kind::Basic);
    assert!(server.deny_device(doc["user_code"].as_str().unwrap()));
    let device_code = doc["device_code"].as_str().unwrap();
    assert_eq!(
        poll(&server, Kind::Basic, device_code).error(),
        "access_denied"
    );
    assert_eq!(
        poll(&server, Kind::Basic, device_code).error(),
        "invalid_grant"
    );
}

#[test]
fn a_device_code_is_bound_to_its_client() {
    let server = instant_server();
    let doc = start(&server, Kind::Post);
    assert_eq!(
        poll(&server, Kind::Public, doc["device_code"].as_str().unwrap()).error(),
        "invalid_grant"
    );
}

#[test]
fn polling_faster_than_the_interval_gets_slow_down() {
    let server = AuthServer::start().unwrap();
    let doc = start(&server, Kind::Public);
    let device_code = doc["device_code"].as_str().unwrap();
    assert_eq!(
        poll(&server, Kind::Public, device_code).error(),
        "authorization_pending"
    );
    assert_eq!(
        poll(&server, Kind::Public, device_code).error(),
        "slow_down"
    );
    assert_eq!(
        server
            .device_polls(doc["user_code"].as_str().unwrap())
            .len(),
        2
    );
}

#[test]
fn expired_and_ordered_slow_down_answers() {
    let server = instant_server();
    let doc = start(&server, Kind::Public);
    let device_code = doc["device_code"].as_str().unwrap();
    server.slow_down_device_polls(1);
    assert_eq!(
        poll(&server, Kind::Public, device_code).error(),
        "slow_down"
    );
    server.expire_device_codes();
    assert_eq!(
        poll(&server, Kind::Public, device_code).error(),
        "expired_token"
    );
}

#[test]
fn with_dpop_required_a_poll_without_a_proof_is_refused_and_not_counted() {
    let server = AuthServer::start_with(ServerConfig {
        device_interval_secs: 0,
        dpop_required: true,
        dpop_nonce_required: true,
        ..ServerConfig::default()
    })
    .unwrap();
    // The device authorization request needs no proof (RFC 9449 defines none there).
    let doc = start(&server, Kind::Public);
    let user_code = doc["user_code"].as_str().unwrap();
    assert!(server.approve_device(user_code));
    let reply = poll(&server, Kind::Public, doc["device_code"].as_str().unwrap());
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.error(), "invalid_dpop_proof");
    assert!(reply.header("dpop-nonce").is_some(), "the nonce to use");
    assert!(
        server.device_polls(user_code).is_empty(),
        "a refused proof is not a poll"
    );
}
