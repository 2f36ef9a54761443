//! Refresh (rotation, replay, expiry, scope), revocation and the bearer-protected resource.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{KINDS, Kind, get, get_with, login, post_form, refresh, str_field, userinfo};
use pkce_testkit::{AuthServer, ServerConfig, clients};

#[test]
fn refresh_rotates_and_a_reused_token_revokes_the_grant() {
    let server = AuthServer::start().unwrap();
    for kind in KINDS {
        let first = login(&server, kind, "openid offline_access");
        let rt1 = str_field(&first, "refresh_token");
        let second = refresh(&server, kind, rt1);
        assert_eq!(second.status, 200, "{}", second.body);
        assert_eq!(second.header("cache-control"), Some("no-store"));
        let second = second.json();
        let rt2 = str_field(&second, "refresh_token");
        assert_ne!(rt1, rt2);
        assert_eq!(str_field(&second, "scope"), "openid offline_access");
        let at2 = str_field(&second, "access_token");
        assert_eq!(userinfo(&server, at2).status, 200);

        // The rotated-out token is a replay: refused, and the whole grant dies with it.
        assert_eq!(
            refresh(&server, kind, rt1).error(),
            "invalid_grant",
            "{kind:?}"
        );
        assert_eq!(refresh(&server, kind, rt2).error(), "invalid_grant");
        assert_eq!(userinfo(&server, at2).status, 401);
        assert_eq!(
            userinfo(&server, str_field(&first, "access_token")).status,
            401
        );
    }
}

#[test]
fn without_rotation_the_refresh_token_is_kept() {
    let config = ServerConfig {
        rotate_refresh_tokens: false,
        ..Default::default()
    };
    let server = AuthServer::start_with(config).unwrap();
    let tokens = login(&server, Kind::Public, "openid");
    let rt = str_field(&tokens, "refresh_token");
    for _ in 0..2 {
        let reply = refresh(&server, Kind::Public, rt);
        assert_eq!(reply.status, 200);
        assert!(reply.json().get("refresh_token").is_none());
    }
}

#[test]
fn refresh_scope_must_be_within_the_grant() {
    let server = AuthServer::start().unwrap();
    let tokens = login(&server, Kind::Post, "openid read");
    let rt = str_field(&tokens, "refresh_token");
    let narrower = |scope: &str| {
        Kind::Post.post(
            &server,
            "/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", rt),
                ("scope", scope),
            ],
        )
    };
    assert_eq!(narrower("openid write").error(), "invalid_scope");
    assert_eq!(narrower("bogus").error(), "invalid_scope");
    // Refused requests did not rotate the token, so it still works.
    let reply = narrower("read");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = reply.json();
    assert_eq!(str_field(&reply, "scope"), "read");
    let me = userinfo(&server, str_field(&reply, "access_token")).json();
    assert_eq!(me["scope"], "read");
}

#[test]
fn refresh_tokens_of_other_clients_and_expired_ones_are_refused() {
    let server = AuthServer::start().unwrap();
    let tokens = login(&server, Kind::Basic, "openid");
    let rt = str_field(&tokens, "refresh_token");
    assert_eq!(refresh(&server, Kind::Public, rt).error(), "invalid_grant");
    server.expire_refresh_tokens();
    let reply = refresh(&server, Kind::Basic, rt);
    assert_eq!(reply.error(), "invalid_grant");
    assert!(
        reply.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    // Tokens issued afterwards are fresh.
    let later = login(&server, Kind::Basic, "openid");
    assert_eq!(
        refresh(&server, Kind::Basic, str_field(&later, "refresh_token")).status,
        200
    );
}

#[test]
fn revoking_an_access_token_kills_only_it() {
    let server = AuthServer::start().unwrap();
    let tokens = login(&server, Kind::Basic, "openid");
    let at = str_field(&tokens, "access_token");
    let reply = Kind::Basic.post(
        &server,
        "/revoke",
        &[("token", at), ("token_type_hint", "access_token")],
    );
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));
    assert_eq!(userinfo(&server, at).status, 401);
    assert_eq!(
        refresh(&server, Kind::Basic, str_field(&tokens, "refresh_token")).status,
        200
    );
}

#[test]
fn revoking_a_refresh_token_kills_its_grant() {
    let server = AuthServer::start().unwrap();
    let tokens = login(&server, Kind::Public, "openid");
    let rt = str_field(&tokens, "refresh_token");
    // The hint is only a hint: a wrong one still finds the token (RFC 7009 §2.1).
    let reply = Kind::Public.post(
        &server,
        "/revoke",
        &[("token", rt), ("token_type_hint", "access_token")],
    );
    assert_eq!(reply.status, 200);
    assert_eq!(refresh(&server, Kind::Public, rt).error(), "invalid_grant");
    assert_eq!(
        userinfo(&server, str_field(&tokens, "access_token")).status,
        401
    );
}

#[test]
fn revocation_edge_cases() {
    let server = AuthServer::start().unwrap();
    let tokens = login(&server, Kind::Post, "openid");
    let at = str_field(&tokens, "access_token");
    assert_eq!(
        Kind::Public
            .post(&server, "/revoke", &[("token", "never-issued")])
            .status,
        200
    );
    // Another client's token is left alone, and the answer is the same.
    assert_eq!(
        Kind::Public
            .post(&server, "/revoke", &[("token", at)])
            .status,
        200
    );
    assert_eq!(userinfo(&server, at).status, 200);
    let hint = Kind::Post.post(
        &server,
        "/revoke",
        &[("token", at), ("token_type_hint", "id_token")],
    );
    assert_eq!(
        (hint.status, hint.error().as_str()),
        (400, "unsupported_token_type")
    );
    assert_eq!(
        Kind::Post.post(&server, "/revoke", &[]).error(),
        "invalid_request"
    );
    let unauthenticated = post_form(
        &server.url("/revoke"),
        None,
        &[("token", at), ("client_id", clients::POST_ID)],
    );
    assert_eq!(
        (unauthenticated.status, unauthenticated.error().as_str()),
        (401, "invalid_client")
    );
    assert_eq!(userinfo(&server, at).status, 200);
}

#[test]
fn userinfo_follows_rfc_6750() {
    let config = ServerConfig {
        access_token_ttl: 0,
        ..Default::default()
    };
    let expiring = AuthServer::start_with(config).unwrap();
    let expired = login(&expiring, Kind::Public, "openid");
    let reply = userinfo(&expiring, str_field(&expired, "access_token"));
    assert_eq!(reply.status, 401);
    let challenge = reply.header("www-authenticate").unwrap();
    assert!(
        challenge.starts_with(
            r#"Bearer realm="pkce-testkit", error="invalid_token", error_description=""#
        )
    );
    assert!(challenge.contains("expired"), "{challenge}");

    let server = AuthServer::start().unwrap();
    let tokens = login(&server, Kind::Public, "openid email");
    let at = str_field(&tokens, "access_token");
    let url = server.url("/userinfo");
    let me = get_with(&url, ("authorization", &format!("bEaReR {at}")));
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["scope"], "openid email");
    let post = post_form(&url, Some(&format!("Bearer {at}")), &[]);
    assert_eq!(post.status, 200);

    let missing = get(&url);
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.header("www-authenticate"),
        Some(r#"Bearer realm="pkce-testkit""#)
    );
    let unknown = userinfo(&server, "nope");
    assert_eq!(unknown.status, 401);
    assert!(
        unknown
            .header("www-authenticate")
            .unwrap()
            .contains(r#"error="invalid_token""#)
    );
    let in_query = get(&format!("{url}?access_token={at}"));
    assert_eq!(
        (in_query.status, in_query.error().as_str()),
        (400, "invalid_request")
    );
}
