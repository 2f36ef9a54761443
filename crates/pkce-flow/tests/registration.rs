//! Client registration (client ID metadata documents, RFC 7591), token introspection
//! (RFC 7662) and merging two metadata documents of one issuer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{basic_client, finish, json, request_of};
use pkce_flow::{
    AccessToken, ClientMetadata, ConfigError, Error, Exchange, HttpResponse, LoopbackHttp,
    MetadataError, Registration, ResponseError, ServerMetadata, parse_metadata,
};
use serde_json::Value;

const AS: &str = "https://as.example";

fn server(extra: &str) -> ServerMetadata {
    let body = format!(
        r#"{{"issuer":"{AS}","authorization_endpoint":"{AS}/authorize","token_endpoint":"{AS}/token","response_types_supported":["code"]{extra}}}"#
    );
    parse_metadata(AS, body.as_bytes(), LoopbackHttp::Refuse).unwrap()
}

fn native() -> ClientMetadata {
    ClientMetadata::native("pkce CLI", &["http://127.0.0.1/callback"]).scope("mcp:read")
}

#[test]
fn a_native_client_registers_with_one_json_post_and_keeps_the_issuer() {
    let meta = server(r#","registration_endpoint":"https://as.example/register""#);
    let mut reg = Registration::new(&meta, &native(), None).unwrap();
    let request = request_of(&mut reg);
    assert_eq!(request.url(), "https://as.example/register");
    let sent: Value = serde_json::from_slice(request.body()).unwrap();
    assert_eq!(sent["application_type"], "native");
    assert_eq!(sent["token_endpoint_auth_method"], "none");
    assert_eq!(sent["redirect_uris"][0], "http://127.0.0.1/callback");
    assert!(sent.get("client_id").is_none());
    assert!(
        request
            .headers()
            .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v == "application/json")
    );
    reg.handle_response(json(
        201,
        r#"{"client_id":"dyn-123","client_id_issued_at":1}"#,
    ))
    .unwrap();
    let pkce_flow::Poll::Done(client) = reg.poll_output().unwrap() else {
        panic!()
    };
    assert_eq!(client.client_id, "dyn-123");
    assert_eq!(client.issuer, AS);
    assert!(client.client_secret.is_none());
}

#[test]
fn a_registration_response_without_a_usable_client_id_is_refused() {
    let meta = server(r#","registration_endpoint":"https://as.example/register""#);
    let cases = [
        (
            json(201, r#"{"client_secret":"s"}"#),
            ResponseError::MissingField("client_id").into(),
        ),
        (
            json(201, r#"{"client_id":7}"#),
            ResponseError::InvalidValue("client_id").into(),
        ),
        (
            json(201, r#"{"client_id":"a\u0001b"}"#),
            ResponseError::InvalidValue("client_id").into(),
        ),
        (json(201, "[]"), ResponseError::Json.into()),
        (
            HttpResponse::new(201, b"client_id=x"),
            ResponseError::UnexpectedContentType.into(),
        ),
    ];
    for (response, expected) in cases {
        let reg = Registration::new(&meta, &native(), None).unwrap();
        assert_eq!(finish(reg, response).unwrap_err(), expected);
    }
    let reg = Registration::new(&meta, &native(), None).unwrap();
    let refused = finish(reg, json(400, r#"{"error":"invalid_redirect_uri"}"#)).unwrap_err();
    assert!(matches!(refused, Error::Token(_)), "{refused:?}");
    assert_eq!(
        Registration::new(&server(""), &native(), None).unwrap_err(),
        Error::NotConfigured("registration_endpoint")
    );
}

#[test]
fn an_initial_access_token_is_sent_as_bearer() {
    let meta = server(r#","registration_endpoint":"https://as.example/register""#);
    let token = AccessToken::new("iat-123".into());
    let mut reg = Registration::new(&meta, &native(), Some(&token)).unwrap();
    let request = request_of(&mut reg);
    assert!(
        request
            .headers()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v == "Bearer iat-123")
    );
}

/// A confidential registration's `client_secret` and the initial access token stay out of
/// the `Debug` of the exchange, its request and the registered client.
#[test]
fn a_registered_secret_and_the_initial_access_token_are_never_shown() {
    const SECRET: &str = "cs-9f8e7d6c5b4a39281706";
    const INITIAL: &str = "iat-0a1b2c3d4e5f60718293";
    let meta = server(r#","registration_endpoint":"https://as.example/register""#);
    let token = AccessToken::new(INITIAL.into());
    let mut reg = Registration::new(&meta, &native(), Some(&token)).unwrap();
    let request = request_of(&mut reg);
    let body = format!(r#"{{"client_id":"dyn-1","client_secret":"{SECRET}"}}"#);
    let answer =
        HttpResponse::new(201, body.as_bytes()).with_header("Content-Type", "application/json");
    let shown_before = format!("{reg:?} {request:?} {request:#?}");
    reg.handle_response(answer).unwrap();
    let pkce_flow::Poll::Done(client) = reg.poll_output().unwrap() else {
        panic!()
    };
    assert_eq!(
        client.client_secret.as_ref().map(|s| s.expose_secret()),
        Some(SECRET)
    );
    let shown = format!("{shown_before} {reg:?} {client:?} {client:#?}");
    for secret in [SECRET, INITIAL] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[test]
fn a_client_id_metadata_document_names_its_own_url() {
    let doc = native()
        .into_metadata_document("https://app.example/oauth/client.json")
        .unwrap();
    let json: Value = serde_json::from_str(&doc.to_json()).unwrap();
    assert_eq!(json["client_id"], "https://app.example/oauth/client.json");
    assert_eq!(json["client_name"], "pkce CLI");
    for bad in [
        "http://app.example/c.json",
        "https://app.example",
        "https://app.example/c#f",
    ] {
        assert_eq!(
            native().into_metadata_document(bad).unwrap_err(),
            ConfigError::InvalidClientId,
            "{bad}"
        );
    }
    assert!(!ClientMetadata::metadata_documents_supported(&server("")));
    assert!(ClientMetadata::metadata_documents_supported(&server(
        r#","client_id_metadata_document_supported":true"#
    )));
}

#[test]
fn introspection_authenticates_as_the_client_and_reads_the_answer() {
    let client = basic_client();
    let token = AccessToken::new("mF_9.B5f-4.1JqM".into());
    let mut ex = client
        .introspect(
            "https://as.example/introspect",
            LoopbackHttp::Refuse,
            &token,
        )
        .unwrap();
    let request = request_of(&mut ex);
    assert!(
        request
            .headers()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v.starts_with("Basic "))
    );
    let body = std::str::from_utf8(request.body()).unwrap();
    assert!(
        body.contains("token=mF_9.B5f-4.1JqM") && body.contains("token_type_hint=access_token")
    );
    ex.handle_response(json(200, r#"{"active":true,"scope":"read","sub":"Z5O3upPC88QrAjx00dis","aud":["a","b"],"exp":1419356238}"#)).unwrap();
    let pkce_flow::Poll::Done(got) = ex.poll_output().unwrap() else {
        panic!()
    };
    assert!(got.active);
    assert_eq!(got.scope.as_deref(), Some("read"));
    assert_eq!(got.aud, ["a", "b"]);
    let inactive = client
        .introspect(
            "https://as.example/introspect",
            LoopbackHttp::Refuse,
            &token,
        )
        .unwrap();
    let got = finish(inactive, json(200, r#"{"active":false,"sub":"ignored"}"#)).unwrap();
    assert!(!got.active && got.sub.is_none());
    for body in [r#"{"scope":"x"}"#, r#"{"active":"true"}"#] {
        let ex = client
            .introspect(
                "https://as.example/introspect",
                LoopbackHttp::Refuse,
                &token,
            )
            .unwrap();
        assert!(finish(ex, json(200, body)).is_err(), "{body}");
    }
    assert!(
        client
            .introspect("http://as.example/introspect", LoopbackHttp::Refuse, &token)
            .is_err()
    );
}

#[test]
fn merging_metadata_fills_gaps_from_the_same_issuer_only() {
    let oauth = server(r#","code_challenge_methods_supported":["S256"]"#);
    let oidc = server(
        r#","userinfo_endpoint":"https://as.example/userinfo","jwks_uri":"https://as.example/jwks","code_challenge_methods_supported":["plain"]"#,
    );
    let merged = oauth.clone().merge(&oidc).unwrap();
    assert_eq!(
        merged.userinfo_endpoint.as_deref(),
        Some("https://as.example/userinfo")
    );
    assert_eq!(
        merged.code_challenge_methods_supported,
        Some(vec!["S256".to_owned()])
    );
    let body = r#"{"issuer":"https://other.example","authorization_endpoint":"https://other.example/a","token_endpoint":"https://other.example/t","response_types_supported":["code"]}"#;
    let other = parse_metadata(
        "https://other.example",
        body.as_bytes(),
        LoopbackHttp::Refuse,
    )
    .unwrap();
    assert_eq!(
        oauth.merge(&other).unwrap_err(),
        MetadataError::IssuerMismatch.into()
    );
}
