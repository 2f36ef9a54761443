//! Configuration validation (client ID, endpoints, redirect URIs, scopes, extra parameters)
//! and the authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pkce_flow::{Client, ClientSecret, ConfigError, EndpointError, Error, Mismatch};

fn config_err(b: pkce_flow::ClientBuilder) -> ConfigError {
    match b.build().unwrap_err() {
        Error::Config(e) => e,
        e => panic!("{e:?}"),
    }
}

#[test]
fn redirect_uri_rules() {
    let cases = [
        ("callback", ConfigError::RedirectRelative),
        ("https://app.example/cb#x", ConfigError::RedirectFragment),
        ("http://app.example/cb", ConfigError::InsecureRedirect),
        ("http://localhost:0/cb", ConfigError::LocalhostRedirect),
        ("myapp://cb", ConfigError::PrivateSchemeNotReverseDns),
    ];
    for (uri, want) in cases {
        assert_eq!(config_err(builder().redirect_uri(uri)), want, "{uri}");
    }
    for ok in [
        "http://127.0.0.1:0/cb",
        "http://[::1]:8080/cb",
        "https://app.example/cb?x=1",
        "com.example.app:/oauth2redirect",
    ] {
        assert!(builder().redirect_uri(ok).build().is_ok(), "{ok}");
    }
}

#[test]
fn scope_tokens() {
    for bad in ["a\"b", "a\\b", "", "read\u{e9}"] {
        assert_eq!(
            config_err(builder().scope(bad)),
            ConfigError::InvalidScope,
            "{bad:?}"
        );
    }
    assert_eq!(
        config_err(builder().scopes("read  write")),
        ConfigError::InvalidScope
    );
    assert_eq!(
        config_err(builder().scope("a b")),
        ConfigError::InvalidScope
    );
}

#[test]
fn endpoints_must_be_https_without_fragment() {
    assert_eq!(
        config_err(builder().token_endpoint("http://as.example/token")),
        ConfigError::Endpoint("token_endpoint", EndpointError::Insecure)
    );
    assert_eq!(
        config_err(builder().token_endpoint("https://as.example/token#f")),
        ConfigError::Endpoint("token_endpoint", EndpointError::Fragment)
    );
    assert_eq!(
        config_err(builder().token_endpoint("https://u:p@as.example/token")),
        ConfigError::Endpoint("token_endpoint", EndpointError::UserInfo)
    );
    // Loopback http only behind the dangerous opt-in, and never for other hosts.
    assert!(
        builder()
            .token_endpoint("http://127.0.0.1:9/token")
            .build()
            .is_err()
    );
    assert!(
        builder()
            .token_endpoint("http://127.0.0.1:9/token")
            .dangerous_allow_insecure_loopback()
            .build()
            .is_ok()
    );
    assert!(
        builder()
            .token_endpoint("http://localhost:9/token")
            .dangerous_allow_insecure_loopback()
            .build()
            .is_err()
    );
    assert_eq!(
        config_err(builder().issuer("https://as.example?x=1")),
        ConfigError::InvalidIssuer
    );
}

#[test]
fn endpoint_query_must_not_hold_our_parameters() {
    assert_eq!(
        config_err(builder().authorization_endpoint("https://as.example/authorize?client_id=x")),
        ConfigError::Endpoint("authorization_endpoint", EndpointError::ReservedParameter)
    );
    assert_eq!(
        config_err(
            builder()
                .authorization_endpoint("https://as.example/authorize?prompt=x")
                .authorization_param("prompt", "login")
        ),
        ConfigError::Endpoint("authorization_endpoint", EndpointError::ReservedParameter)
    );
}

#[test]
fn extra_parameters_cannot_override_or_repeat_except_resource() {
    assert!(matches!(
        config_err(builder().authorization_param("state", "x")),
        ConfigError::InvalidExtraParameter(_)
    ));
    assert!(matches!(
        config_err(builder().token_param("code_verifier", "x")),
        ConfigError::InvalidExtraParameter(_)
    ));
    assert!(matches!(
        config_err(
            builder()
                .authorization_param("prompt", "a")
                .authorization_param("prompt", "b")
        ),
        ConfigError::InvalidExtraParameter(_)
    ));
    assert!(
        builder()
            .resource("https://api.example/a")
            .resource("https://api.example/b")
            .build()
            .is_ok()
    );
}

#[test]
fn client_id_and_secret_are_vschar() {
    assert_eq!(
        config_err(builder_with_id("")),
        ConfigError::InvalidClientId
    );
    assert_eq!(
        config_err(builder_with_id("a\nb")),
        ConfigError::InvalidClientId
    );
    assert_eq!(
        config_err(builder().client_secret_post(ClientSecret::new("s\u{e9}".into()))),
        ConfigError::InvalidClientSecret
    );
}

fn builder_with_id(id: &str) -> pkce_flow::ClientBuilder {
    Client::builder(id)
        .authorization_endpoint("https://as.example/a")
        .token_endpoint("https://as.example/t")
        .redirect_uri(REDIRECT)
}

#[test]
fn config_errors_never_show_the_secret() {
    let e = builder()
        .client_secret_post(ClientSecret::new("top\u{7}secret".into()))
        .build()
        .unwrap_err();
    assert!(!format!("{e} {e:?}").contains("secret\u{7}") && !format!("{e}").contains("top"));
}

#[test]
fn authorization_url_parses_back_to_exactly_our_parameters() {
    let c = builder()
        .redirect_uri("https://client.example.com/cb")
        .build()
        .unwrap();
    let (url, pending) = c.authorize(&mut rng()).unwrap();
    assert!(url.as_str().starts_with("https://as.example/authorize?response_type=code&client_id=s6BhdRkqt3&redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb&scope=openid+profile&state="));
    let p = pairs(query_of(url.as_str()));
    assert_eq!(p.len(), 8, "{p:?}");
    assert_eq!(one(&p, "response_type"), "code");
    assert_eq!(one(&p, "client_id"), "s6BhdRkqt3");
    assert_eq!(one(&p, "redirect_uri"), "https://client.example.com/cb");
    assert_eq!(one(&p, "scope"), "openid profile");
    assert_eq!(one(&p, "state"), pending.state().expose_secret());
    assert_eq!(one(&p, "code_challenge_method"), "S256");
    assert_eq!(one(&p, "code_challenge").len(), 43);
    // `openid` in the scope: the OpenID Connect nonce (OpenID Connect Core §3.1.2.1).
    assert_eq!(one(&p, "nonce"), pending.nonce().unwrap().expose_secret());
    assert!(
        !format!("{url:?}").contains(pending.state().expose_secret()),
        "Debug hides the state"
    );
}

#[test]
fn endpoint_query_is_kept_byte_for_byte() {
    let c = builder()
        .authorization_endpoint("https://as.example/authorize?tenant=a%20b")
        .build()
        .unwrap();
    let (url, _) = c.authorize(&mut rng()).unwrap();
    assert!(
        url.as_str()
            .starts_with("https://as.example/authorize?tenant=a%20b&response_type=code&"),
        "{url}"
    );
}

#[test]
fn every_authorization_is_fresh() {
    let c = client();
    let mut rng = rng();
    let (a, _) = c.authorize(&mut rng).unwrap();
    let (b, _) = c.authorize(&mut rng).unwrap();
    let (pa, pb) = (pairs(query_of(a.as_str())), pairs(query_of(b.as_str())));
    assert_ne!(one(&pa, "state"), one(&pb, "state"));
    assert_ne!(one(&pa, "code_challenge"), one(&pb, "code_challenge"));
}

#[test]
fn extras_nonce_and_resources_are_sent() {
    let c = builder()
        .send_nonce()
        .resource("urn:a")
        .resource("urn:b")
        .authorization_param("prompt", "consent")
        .build()
        .unwrap();
    let (url, pending) = c.authorize(&mut rng()).unwrap();
    let p = pairs(query_of(url.as_str()));
    assert_eq!(one(&p, "nonce"), pending.nonce().unwrap().expose_secret());
    assert_eq!(one(&p, "prompt"), "consent");
    let resources: Vec<_> = p
        .iter()
        .filter(|(n, _)| n == "resource")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(resources, ["urn:a", "urn:b"], "BCP-10: repeated, in order");
}

/// The authorization URL (written from parts encoded at `build`) and the PAR body (written
/// pair by pair) carry the same parameters, for every kind of client (the PAR body's
/// `client_id` comes with the credentials, at the end, except for Basic); with an endpoint
/// that has a query of its own, that query is kept in front.
#[test]
fn authorization_url_and_par_body_hold_the_same_parameters() {
    for auth in [
        pkce_flow::ClientAuth::None,
        pkce_flow::ClientAuth::Basic(pkce_flow::ClientSecret::new("s".into())),
        pkce_flow::ClientAuth::Post(pkce_flow::ClientSecret::new("s".into())),
    ] {
        let c = builder()
            .authorization_endpoint("https://as.example/authorize?tenant=a%20b")
            .auth(auth)
            .send_nonce()
            .resource("urn:a")
            .resource("urn:b")
            .authorization_param("prompt", "login consent")
            .build()
            .unwrap();
        let (url, _) = c.authorize(&mut rng()).unwrap();
        let (before, query) = url.as_str().split_once('?').unwrap();
        assert_eq!(before, "https://as.example/authorize");
        let mut from_url = pairs(query);
        assert_eq!(from_url.remove(0), ("tenant".into(), "a b".into()));

        let mut par = c.push_authorization(&mut rng()).unwrap();
        let mut from_par = body_pairs(&request_of(&mut par));
        from_par.retain(|(n, _)| n != "client_secret");
        let names: Vec<&str> = from_url.iter().map(|(n, _)| n.as_str()).collect();
        let extras = ["nonce", "resource", "resource", "prompt"];
        assert_eq!(names, [&AUTHORIZATION_PARAMS[..], &extras[..]].concat());
        // The same generator seed: the same state, challenge and nonce.
        from_url.sort();
        from_par.sort();
        assert_eq!(from_url, from_par);
    }
}

#[test]
fn rng_failure_is_an_error() {
    assert!(matches!(
        client().authorize(&mut common::FailingRng),
        Err(Error::Rng(_))
    ));
}

#[test]
fn par_required_refuses_plain_authorize_and_missing_endpoints_are_misuse() {
    let no_endpoints = Client::builder("c")
        .authorization_endpoint("https://as.example/a")
        .token_endpoint("https://as.example/t")
        .redirect_uri(REDIRECT)
        .build()
        .unwrap();
    assert_eq!(
        no_endpoints.push_authorization(&mut rng()).unwrap_err(),
        Error::NotConfigured("pushed_authorization_request_endpoint")
    );
    assert_eq!(
        no_endpoints
            .revoke_access_token(&pkce_flow::AccessToken::new("t".into()))
            .unwrap_err(),
        Error::NotConfigured("revocation_endpoint")
    );
}

#[cfg(feature = "serde")]
#[test]
fn stored_authorization_round_trips_and_is_bound_to_its_client() {
    let c = client();
    let (_, pending) = c.authorize(&mut rng()).unwrap();
    let state = pending.state().expose_secret().to_owned();
    let json = serde_json::to_string(&pending.into_stored()).unwrap();
    let stored: pkce_flow::StoredAuthorization = serde_json::from_str(&json).unwrap();
    let pending = c.resume(stored).unwrap();
    assert!(
        pending
            .callback(&format!(
                "code=a&state={state}&iss=https%3A%2F%2Fas.example"
            ))
            .is_ok()
    );
    let other = builder()
        .token_endpoint("https://other.example/token")
        .build()
        .unwrap();
    let stored: pkce_flow::StoredAuthorization = serde_json::from_str(&json).unwrap();
    assert_eq!(
        other.resume(stored).unwrap_err(),
        Mismatch::ForeignAuthorization.into()
    );
    let tampered = json.replace(&state, "short");
    assert!(serde_json::from_str::<pkce_flow::StoredAuthorization>(&tampered).is_err());
}

/// Fuzzing finding F-1: the raw text is what is sent, so the raw text is validated; a URL
/// parser would repair these silently.
#[test]
fn endpoints_are_validated_as_sent_not_as_repaired() {
    for bad in [
        "https:as.example/token",
        "https:/as.example/token",
        "https:\\\\evil.example\\token",
        " https://as.example/token",
        "\thttps://as.example/token",
        "ht\ttps://as.example/token",
        "https://as.exa\nmple/token",
        "https://as.example/to ken",
        "HTTPS://as.example/token",
        "https://as.example/t\u{f6}ken",
    ] {
        assert!(builder().token_endpoint(bad).build().is_err(), "{bad:?}");
    }
    for bad in [
        "http://127.0.0.1:5/cb\r\nX: y",
        "http://127.0.0.1:5/c b",
        "http://127.0.0.1:5\\cb",
    ] {
        assert_eq!(
            config_err(builder().redirect_uri(bad)),
            ConfigError::RedirectInvalidCharacter,
            "{bad:?}"
        );
    }
}
