//! A client for tokens obtained elsewhere (no redirect URI: refresh, revoke, resources), and
//! the userinfo and introspection endpoint setters with the rules every endpoint follows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pkce_flow::{
    Client, ClientBuilder, ConfigError, EndpointError, Error, LoopbackHttp, RefreshToken,
    parse_metadata,
};

#[test]
fn build_requires_a_redirect_uri_and_names_it() {
    assert!(matches!(
        builder_without_redirect().build(),
        Err(Error::Config(ConfigError::Missing("redirect_uri")))
    ));
}

#[test]
fn a_token_client_refreshes_and_revokes_without_a_redirect_uri() {
    let client = builder_without_redirect().build_for_tokens().unwrap();
    assert_eq!(client.redirect_uri(), None);

    let mut refresh = client.refresh(&RefreshToken::new("rt-1".into()));
    let request = request_of(&mut refresh);
    let body = body_pairs(&request);
    assert_eq!(one(&body, "grant_type"), "refresh_token");
    assert!(body.iter().all(|(name, _)| name != "redirect_uri"));

    let mut revocation = client
        .revoke_refresh_token(&RefreshToken::new("rt-1".into()))
        .unwrap();
    let request = request_of(&mut revocation);
    assert_eq!(request.url(), "https://as.example/revoke");
    assert!(
        body_pairs(&request)
            .iter()
            .all(|(n, _)| n != "redirect_uri")
    );
}

#[test]
fn a_token_client_refuses_to_start_a_login_before_drawing_randomness() {
    let client = builder_without_redirect().build_for_tokens().unwrap();
    // A failing generator: had a value been drawn first, the error would be `Rng`.
    assert!(matches!(
        client.authorize(&mut FailingRng),
        Err(Error::NotConfigured("redirect_uri"))
    ));
    assert!(matches!(
        client.push_authorization(&mut FailingRng),
        Err(Error::NotConfigured("redirect_uri"))
    ));
    let (_, pending) = client_for_login().authorize(&mut rng()).unwrap();
    assert!(matches!(
        client.resume(pending.into_stored()),
        Err(Error::NotConfigured("redirect_uri"))
    ));
}

fn client_for_login() -> Client {
    builder_without_redirect()
        .redirect_uri(REDIRECT)
        .build()
        .unwrap()
}

#[test]
fn a_token_client_still_checks_a_redirect_uri_it_is_given() {
    assert!(matches!(
        builder_without_redirect()
            .redirect_uri("http://app.example/cb")
            .build_for_tokens(),
        Err(Error::Config(ConfigError::InsecureRedirect))
    ));
    let client = builder_without_redirect()
        .redirect_uri(REDIRECT)
        .build_for_tokens()
        .unwrap();
    assert_eq!(client.redirect_uri(), Some(REDIRECT));
    assert!(client.authorize(&mut rng()).is_ok());
}

fn endpoint_error(builder: ClientBuilder) -> Option<(&'static str, EndpointError)> {
    match builder.build() {
        Ok(_) => None,
        Err(Error::Config(ConfigError::Endpoint(name, e))) => Some((name, e)),
        Err(e) => panic!("{e:?}"),
    }
}

#[test]
fn userinfo_and_introspection_setters_follow_the_endpoint_rules() {
    type Setter = fn(ClientBuilder, &str) -> ClientBuilder;
    let setters: [(&str, Setter); 2] = [
        ("userinfo_endpoint", ClientBuilder::userinfo_endpoint),
        (
            "introspection_endpoint",
            ClientBuilder::introspection_endpoint,
        ),
    ];
    for (name, set) in setters {
        assert_eq!(endpoint_error(set(builder(), "https://as.example/x")), None);
        let cases = [
            ("http://as.example/x", EndpointError::Insecure),
            ("http://127.0.0.1:8080/x", EndpointError::Insecure),
            ("https://as.example/x#f", EndpointError::Fragment),
            ("/relative", EndpointError::NotAbsolute),
            ("https://u:p@as.example/x", EndpointError::UserInfo),
        ];
        for (url, want) in cases {
            assert_eq!(
                endpoint_error(set(builder(), url)),
                Some((name, want)),
                "{name} {url}"
            );
        }
        // Loopback http only with the opt-in (which also admits loopback issuers).
        let opted_in =
            set(builder(), "http://127.0.0.1:8080/x").dangerous_allow_insecure_loopback();
        assert_eq!(endpoint_error(opted_in), None, "{name}");
    }
}

const METADATA_WITHOUT: &str = r#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/authorize","token_endpoint":"https://as.example/token","response_types_supported":["code"],"code_challenge_methods_supported":["S256"]}"#;
const METADATA_WITH: &str = r#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/authorize","token_endpoint":"https://as.example/token","response_types_supported":["code"],"code_challenge_methods_supported":["S256"],"userinfo_endpoint":"https://as.example/md-userinfo","introspection_endpoint":"https://as.example/md-introspect"}"#;

fn metadata_builder(json: &str) -> (pkce_flow::ServerMetadata, ClientBuilder) {
    let md = parse_metadata("https://as.example", json.as_bytes(), LoopbackHttp::Refuse).unwrap();
    (md, Client::builder("cli").redirect_uri(REDIRECT))
}

#[test]
fn setters_fill_what_the_metadata_lacks_and_win_over_what_it_has() {
    let (md, b) = metadata_builder(METADATA_WITHOUT);
    let client = b
        .metadata(&md)
        .userinfo_endpoint("https://as.example/userinfo")
        .introspection_endpoint("https://as.example/introspect")
        .build()
        .unwrap();
    assert_eq!(
        client.userinfo_endpoint(),
        Some("https://as.example/userinfo")
    );
    assert_eq!(
        client.introspection_endpoint(),
        Some("https://as.example/introspect")
    );

    let (md, b) = metadata_builder(METADATA_WITH);
    let from_metadata = b.metadata(&md).build().unwrap();
    assert_eq!(
        from_metadata.userinfo_endpoint(),
        Some("https://as.example/md-userinfo")
    );
    assert_eq!(
        from_metadata.introspection_endpoint(),
        Some("https://as.example/md-introspect")
    );

    // The setter wins whether it comes before or after the metadata.
    let mine = |b: ClientBuilder| {
        b.userinfo_endpoint("https://as.example/mine")
            .introspection_endpoint("https://as.example/mine-i")
    };
    let (md, b) = metadata_builder(METADATA_WITH);
    let before = mine(b).metadata(&md).build().unwrap();
    let (md, b) = metadata_builder(METADATA_WITH);
    let after = mine(b.metadata(&md)).build().unwrap();
    for client in [before, after] {
        assert_eq!(client.userinfo_endpoint(), Some("https://as.example/mine"));
        assert_eq!(
            client.introspection_endpoint(),
            Some("https://as.example/mine-i")
        );
    }
}
