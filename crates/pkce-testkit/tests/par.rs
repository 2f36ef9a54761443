//! Pushed authorization requests (RFC 9126).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{Authz, KINDS, Kind, exchange, query_param, str_field};
use pkce_core::form::encode_pairs_string;
use pkce_testkit::{AuthServer, ServerConfig, UaError, UserAgent};

/// Pushes `authz` for `kind`; returns the `request_uri`.
fn push(server: &AuthServer, kind: Kind, authz: &Authz) -> String {
    let pairs = authz.pairs();
    // RFC 9126 §2.1: client_id is in the body like every authorization parameter. The
    // public and client_secret_post helpers add it with the credentials; Basic does not.
    let body: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(n, _)| *n != "client_id" || kind == Kind::Basic)
        .map(|(n, v)| (*n, v.as_str()))
        .collect();
    let reply = kind.post(server, "/par", &body);
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let json = reply.json();
    assert_eq!(json["expires_in"], 60);
    let uri = str_field(&json, "request_uri").to_owned();
    assert!(
        uri.starts_with("urn:ietf:params:oauth:request_uri:"),
        "{uri}"
    );
    uri
}

fn front_url(server: &AuthServer, client_id: &str, request_uri: &str) -> String {
    let query = encode_pairs_string([("client_id", client_id), ("request_uri", request_uri)]);
    format!("{}?{query}", server.url("/authorize"))
}

#[test]
fn a_pushed_request_without_client_id_is_refused() {
    let server = AuthServer::start().unwrap();
    let authz = Authz::new(Kind::Basic.id(), "openid");
    let pairs = authz.pairs();
    let body: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(n, _)| *n != "client_id")
        .map(|(n, v)| (*n, v.as_str()))
        .collect();
    let reply = Kind::Basic.post(&server, "/par", &body);
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(str_field(&reply.json(), "error"), "invalid_request");
}

#[test]
fn par_flow_for_each_client() {
    let server = AuthServer::start_with(ServerConfig {
        require_par: true,
        ..Default::default()
    })
    .unwrap();
    for kind in KINDS {
        let authz = Authz::new(kind.id(), "openid");
        let request_uri = push(&server, kind, &authz);
        let url = front_url(&server, kind.id(), &request_uri);
        let callback = UserAgent::new().approve(&url).unwrap();
        assert_eq!(
            query_param(&callback, "state").as_deref(),
            Some(authz.state.expose_secret())
        );
        let code = query_param(&callback, "code").unwrap();
        let reply = exchange(
            &server,
            kind,
            &code,
            &authz.redirect_uri,
            authz.verifier.expose_secret(),
        );
        assert_eq!(reply.status, 200, "{kind:?}: {}", reply.body);
        // Single use: the same request_uri is refused the second time, without a redirect.
        assert!(matches!(
            UserAgent::new().approve(&url),
            Err(UaError::Status { status: 400, .. })
        ));
    }
}

#[test]
fn par_request_errors() {
    let server = AuthServer::start().unwrap();
    let authz = Authz::new(Kind::Public.id(), "openid");
    let pairs = authz.pairs();
    let body = |omit: &str, extra: Option<(&'static str, &'static str)>| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = pairs
            .iter()
            .filter(|(n, _)| *n != omit && *n != "client_id")
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect();
        v.extend(extra.map(|(n, v)| (n.to_owned(), v.to_owned())));
        v
    };
    let post = |pairs: Vec<(String, String)>| {
        let refs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        Kind::Public.post(&server, "/par", &refs)
    };
    let reply = post(body(
        "",
        Some(("request_uri", "urn:ietf:params:oauth:request_uri:x")),
    ));
    assert_eq!(
        (reply.status, reply.error().as_str()),
        (400, "invalid_request")
    );
    assert_eq!(
        post(body("code_challenge_method", None)).error(),
        "invalid_request"
    );
    assert_eq!(
        post(body("scope", Some(("scope", "admin")))).error(),
        "invalid_scope"
    );
    assert_eq!(
        post(body(
            "redirect_uri",
            Some(("redirect_uri", "https://evil.example/cb"))
        ))
        .error(),
        "invalid_request"
    );
    assert_eq!(
        post(body("response_type", Some(("response_type", "token")))).error(),
        "unsupported_response_type"
    );
}

#[test]
fn pushed_request_rules_at_the_authorization_endpoint() {
    let server = AuthServer::start().unwrap();
    let authz = Authz::new(Kind::Basic.id(), "openid");
    // Another client cannot use the request_uri (and burning it is the safe outcome).
    let request_uri = push(&server, Kind::Basic, &authz);
    let stolen = front_url(&server, Kind::Public.id(), &request_uri);
    assert!(matches!(
        UserAgent::new().approve(&stolen),
        Err(UaError::Status { status: 400, .. })
    ));
    // Extra parameters next to request_uri are an error sent to the pushed redirect URI.
    let request_uri = push(&server, Kind::Basic, &authz);
    let url = front_url(&server, Kind::Basic.id(), &request_uri) + "&scope=openid";
    let location = UserAgent::new().approve(&url).unwrap();
    assert!(location.starts_with(&authz.redirect_uri), "{location}");
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(
        query_param(&location, "state").as_deref(),
        Some(authz.state.expose_secret())
    );
    let forged = front_url(
        &server,
        Kind::Basic.id(),
        "urn:ietf:params:oauth:request_uri:forged",
    );
    assert!(matches!(
        UserAgent::new().approve(&forged),
        Err(UaError::Status { status: 400, .. })
    ));
}
