//! Discovery: well-known URLs (RFC 8414 §3.1, OpenID Discovery §4), issuer equality, metadata validation, probing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pkce_flow::{
    Client, ConfigError, Discovery, DiscoveryKind, Error, Exchange, HttpResponse, LoopbackHttp,
    MetadataError, ResponseError, ServerMetadata, oauth_metadata_url, openid_configuration_url,
};

#[test]
fn well_known_urls_insert_the_suffix_per_rfc8414() {
    let rows = [
        (
            "https://example.com",
            "https://example.com/.well-known/oauth-authorization-server",
            "https://example.com/.well-known/openid-configuration",
        ),
        (
            "https://example.com/",
            "https://example.com/.well-known/oauth-authorization-server",
            "https://example.com/.well-known/openid-configuration",
        ),
        (
            "https://example.com/issuer1",
            "https://example.com/.well-known/oauth-authorization-server/issuer1",
            "https://example.com/issuer1/.well-known/openid-configuration",
        ),
        (
            "https://example.com/issuer1/",
            "https://example.com/.well-known/oauth-authorization-server/issuer1",
            "https://example.com/issuer1/.well-known/openid-configuration",
        ),
        (
            "https://example.com:8443/realms/acme",
            "https://example.com:8443/.well-known/oauth-authorization-server/realms/acme",
            "https://example.com:8443/realms/acme/.well-known/openid-configuration",
        ),
        (
            "https://example.com/a%2Fb",
            "https://example.com/.well-known/oauth-authorization-server/a%2Fb",
            "https://example.com/a%2Fb/.well-known/openid-configuration",
        ),
    ];
    for (issuer, oauth, oidc) in rows {
        assert_eq!(oauth_metadata_url(issuer), oauth);
        assert_eq!(openid_configuration_url(issuer), oidc);
    }
}

#[test]
fn invalid_issuers_have_no_well_known_url() {
    for bad in [
        "https://example.com?x=1",
        "https://example.com#f",
        "http://example.com",
    ] {
        assert_eq!(
            Discovery::new(bad, DiscoveryKind::OAuth, LoopbackHttp::Refuse).unwrap_err(),
            ConfigError::InvalidIssuer.into(),
            "{bad}"
        );
    }
    assert!(
        Discovery::new(
            "http://127.0.0.1:8080",
            DiscoveryKind::OAuth,
            LoopbackHttp::DangerouslyAllow
        )
        .is_ok()
    );
}

fn metadata_json(issuer: &str, extra: &str) -> String {
    format!(
        r#"{{"issuer":"{issuer}","authorization_endpoint":"https://as.example/authorize","token_endpoint":"https://other-host.example/token","response_types_supported":["code"],"code_challenge_methods_supported":["S256"],"authorization_response_iss_parameter_supported":true{extra}}}"#
    )
}

fn discover(issuer: &str, body: String) -> Result<ServerMetadata, Error> {
    let d = Discovery::new(issuer, DiscoveryKind::OAuth, LoopbackHttp::Refuse).unwrap();
    let body: &'static [u8] = Box::leak(body.into_bytes().into_boxed_slice());
    finish(
        d,
        HttpResponse::new(200, body).with_header("Content-Type", "application/json"),
    )
}

#[test]
fn metadata_issuer_must_match_exactly() {
    assert!(
        discover(
            "https://as.example",
            metadata_json("https://as.example", "")
        )
        .is_ok()
    );
    assert_eq!(
        discover(
            "https://as.example",
            metadata_json("https://as.example/", "")
        )
        .unwrap_err(),
        MetadataError::IssuerMismatch.into()
    );
    assert_eq!(
        discover(
            "https://as.example/",
            metadata_json("https://as.example", "")
        )
        .unwrap_err(),
        MetadataError::IssuerMismatch.into()
    );
    // JSON escaping is removed before comparing (RFC 8414 §4).
    assert!(
        discover(
            "https://as.example",
            metadata_json("https:\\/\\/as.example", "")
        )
        .is_ok()
    );
}

#[test]
fn metadata_rules() {
    let md = discover(
        "https://as.example",
        metadata_json("https://as.example", ""),
    )
    .unwrap();
    assert_eq!(
        md.token_endpoint, "https://other-host.example/token",
        "MD-14: other hosts are legal"
    );
    assert!(md.authorization_response_iss_parameter_supported);
    let bad = [
        (
            r#","revocation_endpoint":"http://as.example/r""#,
            "revocation_endpoint",
        ),
        (r#","jwks_uri":"https://as.example/j#x""#, "jwks_uri"),
    ];
    for (extra, name) in bad {
        assert!(
            matches!(discover("https://as.example", metadata_json("https://as.example", extra)), Err(Error::Metadata(MetadataError::InvalidEndpoint(n, _))) if n == name)
        );
    }
    let no_code = r#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t","response_types_supported":["token"]}"#;
    assert_eq!(
        discover("https://as.example", no_code.into()).unwrap_err(),
        MetadataError::CodeFlowUnsupported.into()
    );
    let no_token = r#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/a","response_types_supported":["code"]}"#;
    assert_eq!(
        discover("https://as.example", no_token.into()).unwrap_err(),
        ResponseError::MissingField("token_endpoint").into()
    );
    // A boolean given as a string is invalid metadata (no type coercion).
    let stringly = metadata_json("https://as.example", "").replace(":true", ":\"true\"");
    assert!(discover("https://as.example", stringly).is_err());
}

#[test]
fn client_from_metadata_requires_s256_and_remembers_iss_support() {
    let md = discover(
        "https://as.example",
        metadata_json("https://as.example", ""),
    )
    .unwrap();
    let c = Client::builder("c")
        .metadata(&md)
        .redirect_uri(REDIRECT)
        .build()
        .unwrap();
    let (_, p) = c.authorize(&mut rng()).unwrap();
    let s = p.state().expose_secret().to_owned();
    assert_eq!(
        p.callback(&format!("code=a&state={s}"))
            .unwrap_err()
            .into_error(),
        pkce_flow::Mismatch::IssuerMissing.into()
    );

    let no_s256 = metadata_json("https://as.example", "").replace(
        r#""code_challenge_methods_supported":["S256"],"#,
        r#""code_challenge_methods_supported":["plain"],"#,
    );
    let md = discover("https://as.example", no_s256).unwrap();
    assert_eq!(
        Client::builder("c")
            .metadata(&md)
            .redirect_uri(REDIRECT)
            .build()
            .unwrap_err(),
        ConfigError::S256Unsupported.into()
    );
    assert!(
        Client::builder("c")
            .metadata(&md)
            .redirect_uri(REDIRECT)
            .assume_s256_supported()
            .build()
            .is_ok()
    );
}

#[test]
fn client_auth_method_must_be_advertised() {
    let md = discover(
        "https://as.example",
        metadata_json(
            "https://as.example",
            r#","token_endpoint_auth_methods_supported":["client_secret_post"]"#,
        ),
    )
    .unwrap();
    let secret = pkce_flow::ClientSecret::new("s".into());
    assert_eq!(
        Client::builder("c")
            .metadata(&md)
            .redirect_uri(REDIRECT)
            .client_secret_basic(secret.clone())
            .build()
            .unwrap_err(),
        ConfigError::AuthMethodUnsupported("client_secret_basic").into()
    );
    assert!(
        Client::builder("c")
            .metadata(&md)
            .redirect_uri(REDIRECT)
            .client_secret_post(secret)
            .build()
            .is_ok()
    );
}

#[test]
fn probe_falls_through_only_on_404() {
    let mut d = Discovery::new(
        "https://as.example/tenant",
        DiscoveryKind::Probe,
        LoopbackHttp::Refuse,
    )
    .unwrap();
    assert_eq!(
        request_of(&mut d).url(),
        "https://as.example/.well-known/oauth-authorization-server/tenant"
    );
    d.handle_response(HttpResponse::new(404, b"")).unwrap();
    assert_eq!(
        request_of(&mut d).url(),
        "https://as.example/tenant/.well-known/openid-configuration"
    );
    let body: &'static [u8] = Box::leak(
        metadata_json("https://as.example/tenant", "")
            .into_bytes()
            .into_boxed_slice(),
    );
    d.handle_response(HttpResponse::new(200, body).with_header("content-type", "application/json"))
        .unwrap();
    assert!(matches!(d.poll_output(), Ok(pkce_flow::Poll::Done(_))));

    let d = Discovery::new(
        "https://as.example/tenant",
        DiscoveryKind::Probe,
        LoopbackHttp::Refuse,
    )
    .unwrap();
    let wrong: &'static [u8] = Box::leak(
        metadata_json("https://evil.example", "")
            .into_bytes()
            .into_boxed_slice(),
    );
    let r = finish(
        d,
        HttpResponse::new(200, wrong).with_header("content-type", "application/json"),
    );
    assert_eq!(
        r.unwrap_err(),
        MetadataError::IssuerMismatch.into(),
        "a 200 that fails validation is final"
    );
}

#[test]
fn discovery_request_is_a_get_that_may_be_retried() {
    let mut d = Discovery::new(
        "https://as.example",
        DiscoveryKind::OpenId,
        LoopbackHttp::Refuse,
    )
    .unwrap();
    let r = request_of(&mut d);
    assert_eq!(
        (r.method(), r.url()),
        (
            pkce_flow::Method::Get,
            "https://as.example/.well-known/openid-configuration"
        )
    );
    assert!(r.body().is_empty());
}

#[test]
fn discovery_takes_a_policy() {
    let policy = pkce_flow::RequestPolicy {
        max_response_bytes: 10,
        ..Default::default()
    };
    let mut d = Discovery::new(
        "https://as.example",
        DiscoveryKind::OAuth,
        LoopbackHttp::Refuse,
    )
    .unwrap()
    .with_policy(policy);
    let r = request_of(&mut d);
    assert_eq!(r.policy().max_response_bytes, 10);
    let body: &'static [u8] = Box::leak(
        metadata_json("https://as.example", "")
            .into_bytes()
            .into_boxed_slice(),
    );
    assert_eq!(
        d.handle_response(
            HttpResponse::new(200, body).with_header("content-type", "application/json")
        )
        .unwrap_err(),
        ResponseError::BodyTooLarge.into()
    );
}

/// Fuzzing finding F-1 through discovery: a repaired-looking endpoint in metadata is refused.
#[test]
fn metadata_endpoints_are_validated_as_sent() {
    for extra in [
        r#","userinfo_endpoint":"https:\\\\evil.example\\u""#,
        r#","revocation_endpoint":" https://as.example/r""#,
    ] {
        assert!(
            discover(
                "https://as.example",
                metadata_json("https://as.example", extra)
            )
            .is_err(),
            "{extra}"
        );
    }
    let bad_utf8 = metadata_json("https://as.example", "").into_bytes();
    let mut bytes = bad_utf8.clone();
    bytes.truncate(bytes.len() - 1);
    bytes.extend_from_slice(b",\"x\":\"\xFF\"}");
    let d = Discovery::new(
        "https://as.example",
        DiscoveryKind::OAuth,
        LoopbackHttp::Refuse,
    )
    .unwrap();
    let body: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    assert_eq!(
        finish(
            d,
            HttpResponse::new(200, body).with_header("content-type", "application/json")
        )
        .unwrap_err(),
        ResponseError::Json.into()
    );
}
