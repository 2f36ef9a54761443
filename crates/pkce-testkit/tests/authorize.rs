//! The front channel: authorization request validation, error redirects, the pages that
//! must not redirect, consent, and the exact echo of `state` and `iss`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Authz, get, post_form, query_param};
use pkce_testkit::{AuthServer, ServerConfig, UaError, UserAgent, clients};

/// The error redirect for an authorization request, with state and iss checked.
fn error_redirect(server: &AuthServer, authz: &Authz, url: &str) -> (String, String) {
    let location = UserAgent::new().approve(url).unwrap();
    assert!(
        location.starts_with(&format!("{}?", authz.redirect_uri)),
        "{location}"
    );
    assert_eq!(
        query_param(&location, "state").as_deref(),
        Some(authz.state.expose_secret())
    );
    assert_eq!(
        query_param(&location, "iss").as_deref(),
        Some(server.issuer())
    );
    assert_eq!(query_param(&location, "code"), None);
    let description = query_param(&location, "error_description").unwrap_or_default();
    (query_param(&location, "error").unwrap(), description)
}

#[test]
fn authorization_request_errors_are_redirected() {
    let server = AuthServer::start().unwrap();
    let authz = Authz::new(clients::PUBLIC_ID, "openid");
    for omit in ["code_challenge_method", "code_challenge", "response_type"] {
        let (error, description) =
            error_redirect(&server, &authz, &authz.url_without(&server, &[omit]));
        assert_eq!(error, "invalid_request", "without {omit}");
        assert!(description.contains(omit), "{description}");
    }
    let base = authz.url_without(&server, &["code_challenge_method", "scope"]);
    for (extra, expected) in [
        ("&code_challenge_method=plain", "invalid_request"),
        ("&code_challenge_method=S256&scope=admin", "invalid_scope"),
        (
            "&code_challenge_method=S256&scope=openid++profile",
            "invalid_scope",
        ),
        (
            "&code_challenge_method=S256&code_challenge_method=S256",
            "invalid_request",
        ),
        ("&code_challenge_method=S256&nonce=%zz", "invalid_request"),
    ] {
        assert_eq!(
            error_redirect(&server, &authz, &format!("{base}{extra}")).0,
            expected,
            "{extra}"
        );
    }
    let token = authz.url_without(&server, &["response_type"]) + "&response_type=token";
    assert_eq!(
        error_redirect(&server, &authz, &token).0,
        "unsupported_response_type"
    );
    let short = authz.url_without(&server, &["code_challenge"]) + "&code_challenge=tooshort";
    assert_eq!(error_redirect(&server, &authz, &short).0, "invalid_request");
}

#[test]
fn bad_client_or_redirect_uri_gets_a_page_and_no_redirect() {
    let server = AuthServer::start().unwrap();
    let ua = UserAgent::new();
    let mut authz = Authz::new("nobody", "openid");
    let mut refused = vec![authz.url(&server)];
    authz.client_id = clients::PUBLIC_ID.to_owned();
    refused.push(authz.url_without(&server, &["redirect_uri"]));
    refused.push(authz.url_without(&server, &["client_id"]));
    refused.push(format!("{}&redirect_uri=x", authz.url(&server)));
    for uri in [
        "http://127.0.0.1:1/other",
        "http://localhost:1/callback",
        "https://evil.example/callback",
    ] {
        authz.redirect_uri = uri.to_owned();
        refused.push(authz.url(&server));
    }
    for url in refused {
        match ua.approve(&url) {
            Err(UaError::Status { status: 400, body }) => {
                assert!(body.contains("invalid_request"), "{body}")
            }
            other => panic!("{url}: {other:?}"),
        }
    }
}

#[test]
fn state_is_echoed_exactly_and_ipv6_loopback_works() {
    let server = AuthServer::start_with(ServerConfig {
        auto_approve: true,
        ..Default::default()
    })
    .unwrap();
    let authz = Authz::new(clients::PUBLIC_ID, "openid");
    let odd_state = "a b+c&d=e%f/ü\"<";
    let url = authz.url_without(&server, &["state", "redirect_uri"]);
    let url = format!(
        "{url}&{}",
        pkce_core::form::encode_pairs_string([
            ("state", odd_state),
            ("redirect_uri", "http://[::1]:5555/callback")
        ])
    );
    let location = UserAgent::new().approve(&url).unwrap();
    assert!(
        location.starts_with("http://[::1]:5555/callback?code="),
        "{location}"
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some(odd_state));
}

#[test]
fn deny_sends_access_denied() {
    let server = AuthServer::start().unwrap();
    let authz = Authz::new(clients::POST_ID, "openid");
    let location = UserAgent::new().deny(&authz.url(&server)).unwrap();
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(
        query_param(&location, "state").as_deref(),
        Some(authz.state.expose_secret())
    );
    assert_eq!(
        query_param(&location, "iss").as_deref(),
        Some(server.issuer())
    );
    assert_eq!(query_param(&location, "code"), None);
}

#[test]
fn consent_page_is_single_use() {
    let server = AuthServer::start().unwrap();
    let authz = Authz::new(clients::PUBLIC_ID, "openid");
    let page = get(&authz.url(&server));
    assert_eq!(page.status, 200);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let id_at = page.body.find(r#"name="interaction" value=""#).unwrap() + 26;
    let id = &page.body[id_at..id_at + page.body[id_at..].find('"').unwrap()];
    let decide = || {
        post_form(
            &server.url("/authorize/decision"),
            None,
            &[("interaction", id), ("decision", "approve")],
        )
    };
    let first = decide();
    assert_eq!(first.status, 303);
    assert!(first.header("location").unwrap().contains("code="));
    assert_eq!(decide().status, 400);
}

#[test]
fn without_iss_when_not_configured() {
    let config = ServerConfig {
        send_iss: false,
        auto_approve: true,
        ..Default::default()
    };
    let server = AuthServer::start_with(config).unwrap();
    let authz = Authz::new(clients::PUBLIC_ID, "openid");
    let location = UserAgent::new().approve(&authz.url(&server)).unwrap();
    assert!(query_param(&location, "code").is_some());
    assert_eq!(query_param(&location, "iss"), None);
    let metadata = get(&server.url("/.well-known/oauth-authorization-server")).json();
    assert_eq!(
        metadata["authorization_response_iss_parameter_supported"],
        false
    );
}

#[test]
fn require_par_refuses_front_channel_requests() {
    let server = AuthServer::start_with(ServerConfig {
        require_par: true,
        ..Default::default()
    })
    .unwrap();
    let authz = Authz::new(clients::PUBLIC_ID, "openid");
    let (error, _) = error_redirect(&server, &authz, &authz.url(&server));
    assert_eq!(error, "invalid_request");
    let metadata = get(&server.url("/.well-known/openid-configuration")).json();
    assert_eq!(metadata["require_pushed_authorization_requests"], true);
}
