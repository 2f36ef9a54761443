//! CORS for browser clients, over real HTTP: the configured origins are echoed on the
//! endpoints a page calls, preflights included; any other origin gets no CORS header and a
//! 403 preflight; preflights never reach an endpoint.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Reply, agent, get_with};
use pkce_testkit::{AuthServer, Endpoint, ServerConfig, clients};

const APP: &str = "http://127.0.0.1:8000";
const OTHER: &str = "http://127.0.0.1:8001";

fn server() -> AuthServer {
    AuthServer::start_with(ServerConfig {
        cors_allowed_origins: vec![APP.to_owned()],
        ..ServerConfig::default()
    })
    .unwrap()
}

/// A browser's preflight for a request with `Authorization` from `origin`.
fn preflight(url: &str, origin: &str, method: &str) -> Reply {
    let mut resp = agent()
        .options(url)
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .call()
        .unwrap();
    Reply {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.body_mut().read_to_string().unwrap(),
    }
}

#[test]
fn a_preflight_from_an_allowed_origin_is_answered_for_each_browser_endpoint() {
    let server = server();
    for (path, method) in [
        ("/.well-known/oauth-authorization-server", "GET"),
        ("/token", "POST"),
        ("/revoke", "POST"),
        ("/userinfo", "GET"),
    ] {
        let reply = preflight(&server.url(path), APP, method);
        assert_eq!(reply.status, 204, "{path}");
        assert_eq!(
            reply.header("access-control-allow-origin"),
            Some(APP),
            "{path}"
        );
        let methods = reply.header("access-control-allow-methods").unwrap();
        assert!(methods.contains(method), "{path}: {methods}");
        let headers = reply.header("access-control-allow-headers").unwrap();
        assert!(headers.contains("authorization"), "{path}: {headers}");
        assert!(headers.contains("dpop"), "{path}: {headers}");
        assert!(reply.header("access-control-allow-credentials").is_none());
    }
    // Answered before the endpoints: nothing was counted as a request to them.
    for endpoint in [
        Endpoint::Metadata,
        Endpoint::Token,
        Endpoint::Revocation,
        Endpoint::UserInfo,
    ] {
        assert_eq!(server.hits(endpoint), 0, "{endpoint:?}");
    }
}

#[test]
fn a_preflight_from_another_origin_is_refused_without_cors_headers() {
    let server = server();
    for path in [
        "/token",
        "/userinfo",
        "/revoke",
        "/.well-known/openid-configuration",
    ] {
        let reply = preflight(&server.url(path), OTHER, "POST");
        assert_eq!(reply.status, 403, "{path}");
        assert!(
            reply.header("access-control-allow-origin").is_none(),
            "{path}"
        );
        assert!(
            reply.header("access-control-allow-methods").is_none(),
            "{path}"
        );
    }
    assert_eq!(server.hits(Endpoint::Token), 0);
}

#[test]
fn responses_carry_the_allowed_origin_only() {
    let server = server();
    let metadata = server.url("/.well-known/oauth-authorization-server");
    let allowed = get_with(&metadata, ("origin", APP));
    assert_eq!(allowed.status, 200);
    assert_eq!(allowed.header("access-control-allow-origin"), Some(APP));
    assert_eq!(allowed.header("vary"), Some("Origin"));
    let exposed = allowed.header("access-control-expose-headers").unwrap();
    assert!(
        exposed.contains("www-authenticate") && exposed.contains("dpop-nonce"),
        "{exposed}"
    );

    // Another origin is served (the server cannot stop what it receives) but the browser
    // hides the answer: no CORS header.
    let foreign = get_with(&metadata, ("origin", OTHER));
    assert_eq!(foreign.status, 200);
    assert!(foreign.header("access-control-allow-origin").is_none());
    // A case variant of the allowed origin is another origin.
    let upper = get_with(&metadata, ("origin", "HTTP://127.0.0.1:8000"));
    assert!(upper.header("access-control-allow-origin").is_none());

    // An OAuth error answer is readable by the allowed page too.
    let mut resp = agent()
        .post(&server.url("/token"))
        .header("origin", APP)
        .send_form([
            ("grant_type", "authorization_code"),
            ("client_id", clients::PUBLIC_ID),
            ("code", "nope"),
            ("redirect_uri", clients::REDIRECT_URI_V4),
            ("code_verifier", &"v".repeat(43)),
        ])
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(
        resp.headers().get("access-control-allow-origin").unwrap(),
        APP
    );
    assert!(
        resp.body_mut()
            .read_to_string()
            .unwrap()
            .contains("invalid_")
    );
}

#[test]
fn endpoints_a_page_navigates_to_and_unconfigured_servers_send_no_cors() {
    let server = server();
    // The authorization endpoint is navigated to, never fetched: no CORS there.
    let reply = get_with(&server.url("/authorize"), ("origin", APP));
    assert!(reply.header("access-control-allow-origin").is_none());
    let reply = preflight(&server.url("/par"), APP, "POST");
    assert_eq!(reply.status, 403);

    let plain = AuthServer::start().unwrap();
    let metadata = plain.url("/.well-known/oauth-authorization-server");
    assert!(
        get_with(&metadata, ("origin", APP))
            .header("access-control-allow-origin")
            .is_none()
    );
    assert_eq!(preflight(&plain.url("/token"), APP, "POST").status, 403);
}
