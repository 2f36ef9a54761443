//! The server's `dpop_signing_alg_values_supported` (RFC 9449 §5.1) against the client's
//! DPoP key, and the `DPoP` challenge of a protected resource's answer, typed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(feature = "dpop-es256")]

use std::sync::Arc;

use pkce_flow::dpop::{DpopErrorCode, DpopKey, Es256Key};
use pkce_flow::{
    AccessToken, ConfigError, Error, Exchange, HttpResponse, LoopbackHttp, Poll, ResourceRequest,
    ServerMetadata, parse_metadata,
};
use rand_chacha::rand_core::SeedableRng;

const AS: &str = "https://as.example";

fn server(extra: &str) -> ServerMetadata {
    let body = format!(
        r#"{{"issuer":"{AS}","authorization_endpoint":"{AS}/authorize","token_endpoint":"{AS}/token","response_types_supported":["code"],"code_challenge_methods_supported":["S256"]{extra}}}"#
    );
    parse_metadata(AS, body.as_bytes(), LoopbackHttp::Refuse).unwrap()
}

fn key() -> DpopKey {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
    DpopKey::new(Arc::new(Es256Key::generate(&mut rng).unwrap()))
}

fn build(metadata: &ServerMetadata) -> Result<pkce_flow::Client, Error> {
    pkce_flow::Client::builder("app")
        .metadata(metadata)
        .redirect_uri("http://127.0.0.1/callback")
        .dpop_key(key())
        .build()
}

#[test]
fn a_key_whose_algorithm_the_server_does_not_list_is_refused_at_build() {
    let metadata = server(r#","dpop_signing_alg_values_supported":["RS256","PS256"]"#);
    assert_eq!(
        metadata.dpop_signing_alg_values_supported.as_deref(),
        Some(&["RS256".to_owned(), "PS256".to_owned()][..])
    );
    assert_eq!(
        build(&metadata).err(),
        Some(Error::Config(ConfigError::DpopAlgorithmUnsupported))
    );
    // The same metadata without a key is fine: the list only concerns DPoP proofs.
    let plain = pkce_flow::Client::builder("app")
        .metadata(&metadata)
        .redirect_uri("http://127.0.0.1/callback")
        .build();
    assert!(plain.is_ok());
}

#[test]
fn a_listed_algorithm_or_no_list_is_accepted() {
    assert!(
        build(&server(
            r#","dpop_signing_alg_values_supported":["PS256","ES256"]"#
        ))
        .is_ok()
    );
    assert!(
        build(&server("")).is_ok(),
        "no list: the server does not say"
    );
    assert!(
        build(&server(r#","dpop_signing_alg_values_supported":[]"#)).is_err(),
        "an empty list supports nothing"
    );
}

fn resource_answer(status: u16, challenge: &str) -> pkce_flow::BearerResponse {
    let token = AccessToken::new("an-access-token".into());
    let mut request = ResourceRequest::get("https://rs.example/data", &token).unwrap();
    assert!(matches!(request.poll_output().unwrap(), Poll::Request(_)));
    request
        .handle_response(HttpResponse::new(status, b"").with_header("WWW-Authenticate", challenge))
        .unwrap();
    match request.poll_output().unwrap() {
        Poll::Done(answer) => answer,
        Poll::Request(_) => panic!("one request only"),
    }
}

#[test]
fn a_resource_answer_carries_the_dpop_challenge_typed() {
    let answer = resource_answer(
        401,
        r#"Bearer realm="rs", DPoP algs="ES256 PS256", error="invalid_token", error_description="bound to another key""#,
    );
    let dpop = answer.dpop_challenge.expect("the DPoP challenge");
    assert_eq!(dpop.error, Some(DpopErrorCode::InvalidToken));
    assert_eq!(dpop.algs, ["ES256", "PS256"]);
    assert!(answer.challenge.is_some(), "the Bearer challenge beside it");

    let nonce = resource_answer(401, r#"DPoP error="use_dpop_nonce""#);
    assert_eq!(
        nonce.dpop_challenge.unwrap().error,
        Some(DpopErrorCode::UseDpopNonce)
    );
    assert!(nonce.challenge.is_none());

    // A repeated parameter is refused, never "last one wins".
    let token = AccessToken::new("an-access-token".into());
    let mut request = ResourceRequest::get("https://rs.example/data", &token).unwrap();
    let _sent = request.poll_output().unwrap();
    let twice = r#"DPoP error="invalid_token", error="use_dpop_nonce""#;
    let refused =
        request.handle_response(HttpResponse::new(401, b"").with_header("WWW-Authenticate", twice));
    assert!(refused.is_err());
}
