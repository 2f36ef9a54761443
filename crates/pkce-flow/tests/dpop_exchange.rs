//! DPoP driven through the poll loop: every request of a configured client carries a proof,
//! a `use_dpop_nonce` answer gets exactly one new request with the new nonce, a second one
//! is an error, and token responses must be `DPoP` tokens.
#![cfg(feature = "dpop-es256")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::jws::decode_and_verify;
use common::{body_pairs, builder, exchange_for, header, json, one, pairs, query_of, rng};
use pkce_flow::dpop::{DpopError, DpopExchange, DpopKey, DpopTarget, Es256Key, NonceMemory};
use pkce_flow::{
    AccessToken, Client, Error, Exchange, HttpRequest, HttpResponse, Misuse, Poll, Quirk,
    RefreshToken, ResourceRequest,
};
use rand_chacha::ChaCha20Rng;

const NOW: u64 = 1_700_000_000;
const DPOP_TOKEN: &str =
    r#"{"access_token":"at-1","token_type":"DPoP","expires_in":60,"refresh_token":"rt-2"}"#;

fn key() -> DpopKey {
    DpopKey::new(Arc::new(Es256Key::generate(&mut rng()).unwrap()))
}

fn dpop_client(key: &DpopKey) -> Client {
    builder().dpop_key(key.clone()).build().unwrap()
}

fn key_and_client() -> (DpopKey, Client) {
    let key = key();
    let client = dpop_client(&key);
    (key, client)
}

/// `inner` driven with proofs of `key`.
fn signed<'a, E: DpopTarget>(
    inner: E,
    key: &DpopKey,
    nonces: &'a mut NonceMemory,
    rng: &'a mut ChaCha20Rng,
) -> DpopExchange<'a, E, ChaCha20Rng> {
    DpopExchange::new(inner, key, nonces, rng, NOW).unwrap()
}

fn request<E: Exchange>(exchange: &mut E) -> HttpRequest {
    match exchange.poll_output().unwrap() {
        Poll::Request(r) => r,
        Poll::Done(_) => panic!("expected a request"),
    }
}

fn done<E: Exchange>(exchange: &mut E) -> E::Output {
    match exchange.poll_output().unwrap() {
        Poll::Done(v) => v,
        Poll::Request(_) => panic!("expected the result"),
    }
}

fn claims(request: &HttpRequest) -> serde_json::Value {
    let proof = header(request, "dpop").expect("a DPoP header");
    decode_and_verify(proof).claims
}

fn use_nonce(nonce: &'static str) -> HttpResponse<'static> {
    json(400, r#"{"error":"use_dpop_nonce"}"#).with_header("DPoP-Nonce", nonce)
}

#[test]
fn the_authorization_request_carries_the_key_thumbprint() {
    let key = key();
    let (url, _) = dpop_client(&key).authorize(&mut rng()).unwrap();
    let params = pairs(query_of(url.as_str()));
    assert_eq!(one(&params, "dpop_jkt"), key.thumbprint().as_str());
    let (url, _) = builder().build().unwrap().authorize(&mut rng()).unwrap();
    assert!(!url.as_str().contains("dpop_jkt"));
}

#[test]
fn dpop_jkt_is_not_a_configurable_extra() {
    let built = builder().authorization_param("dpop_jkt", "x").build();
    assert!(matches!(built, Err(Error::Config(_))), "{built:?}");
}

#[test]
fn the_code_exchange_carries_a_proof_and_returns_a_dpop_token() {
    let (key, client) = key_and_client();
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let mut exchange = signed(exchange_for(&client, "c0de"), &key, &mut nonces, &mut rng);
    let sent = request(&mut exchange);
    let proof = claims(&sent);
    assert_eq!(proof["htm"], "POST");
    assert_eq!(proof["htu"], "https://as.example/token");
    assert_eq!(proof["iat"], NOW);
    assert!(proof.get("nonce").is_none() && proof.get("ath").is_none());
    assert!(HttpRequest::is_secret_header("DPoP"));
    assert!(!format!("{sent:?}").contains(header(&sent, "dpop").unwrap()));
    exchange.handle_response(json(200, DPOP_TOKEN)).unwrap();
    let tokens = done(&mut exchange);
    assert_eq!(tokens.token_type(), "DPoP");
}

#[test]
fn a_token_type_of_any_case_is_accepted_as_dpop() {
    let key = key();
    let client = dpop_client(&key);
    for odd in ["dpop", "DPOP", "dPoP"] {
        let body = format!(r#"{{"access_token":"a","token_type":"{odd}"}}"#);
        let body: &'static str = Box::leak(body.into_boxed_str());
        let (mut nonces, mut rng) = (NonceMemory::new(), rng());
        let mut exchange = signed(exchange_for(&client, "c"), &key, &mut nonces, &mut rng);
        let _ = request(&mut exchange);
        exchange.handle_response(json(200, body)).unwrap();
        assert_eq!(done(&mut exchange).token_type(), "DPoP", "{odd}");
    }
}

#[test]
fn a_bearer_answer_to_a_dpop_request_is_a_typed_error_unless_the_quirk_allows_it() {
    let key = key();
    let bearer = r#"{"access_token":"a","token_type":"Bearer"}"#;
    for (client, expect_ok) in [
        (dpop_client(&key), false),
        (
            builder()
                .dpop_key(key.clone())
                .quirk(Quirk::BearerForDpop)
                .build()
                .unwrap(),
            true,
        ),
    ] {
        let (mut nonces, mut rng) = (NonceMemory::new(), rng());
        let mut exchange = signed(exchange_for(&client, "c"), &key, &mut nonces, &mut rng);
        let _ = request(&mut exchange);
        let result = exchange.handle_response(json(200, bearer));
        if expect_ok {
            result.unwrap();
            let tokens = done(&mut exchange);
            assert_eq!(tokens.token_type(), "Bearer");
            assert!(tokens.quirks_applied().contains(Quirk::BearerForDpop));
        } else {
            assert_eq!(result, Err(Error::Dpop(DpopError::BearerForDpop)));
        }
    }
}

#[test]
fn a_nonce_error_at_the_token_endpoint_gets_exactly_one_new_request_with_the_nonce() {
    let (key, client) = key_and_client();
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let mut exchange = signed(exchange_for(&client, "c0de"), &key, &mut nonces, &mut rng);
    let first = request(&mut exchange);
    exchange.handle_response(use_nonce("n-1")).unwrap();
    let second = request(&mut exchange);
    // The same request (the code was not consumed), with a fresh proof carrying the nonce.
    assert_eq!(body_pairs(&first), body_pairs(&second));
    assert_eq!(one(&body_pairs(&second), "code"), "c0de");
    let (p1, p2) = (claims(&first), claims(&second));
    assert_ne!(p1["jti"], p2["jti"]);
    assert_eq!(p2["nonce"], "n-1");
    exchange.handle_response(json(200, DPOP_TOKEN)).unwrap();
    assert_eq!(done(&mut exchange).access_token().expose_secret(), "at-1");
    drop(exchange);
    assert_eq!(
        nonces.get("https://as.example/par").map(|n| n.as_str()),
        Some("n-1"),
        "remembered for the origin"
    );
}

#[test]
fn a_second_nonce_error_in_a_row_is_a_typed_error_not_a_loop() {
    let (key, client) = key_and_client();
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let mut exchange = signed(exchange_for(&client, "c0de"), &key, &mut nonces, &mut rng);
    let _ = request(&mut exchange);
    exchange.handle_response(use_nonce("n-1")).unwrap();
    let _ = request(&mut exchange);
    assert_eq!(
        exchange.handle_response(use_nonce("n-2")),
        Err(Error::Dpop(DpopError::NonceRetryExhausted))
    );
    assert_eq!(
        exchange.poll_output().err(),
        Some(Error::Misuse(Misuse::Finished))
    );
}

#[test]
fn a_nonce_error_without_a_usable_nonce_fails_without_a_retry() {
    let key = key();
    let client = dpop_client(&key);
    for (response, why) in [
        (
            json(400, r#"{"error":"use_dpop_nonce"}"#),
            DpopError::NonceMissing,
        ),
        (
            use_nonce("has space"),
            DpopError::InvalidNonce(pkce_flow::dpop::NonceError::InvalidCharacter),
        ),
    ] {
        let (mut nonces, mut rng) = (NonceMemory::new(), rng());
        let mut exchange = signed(exchange_for(&client, "c"), &key, &mut nonces, &mut rng);
        let _ = request(&mut exchange);
        assert_eq!(exchange.handle_response(response), Err(Error::Dpop(why)));
    }
}

#[test]
fn a_nonce_on_any_response_is_used_by_the_next_proof() {
    let (key, client) = key_and_client();
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let mut exchange = signed(exchange_for(&client, "c"), &key, &mut nonces, &mut rng);
    let _ = request(&mut exchange);
    exchange
        .handle_response(json(200, DPOP_TOKEN).with_header("DPoP-Nonce", "rotated"))
        .unwrap();
    drop(exchange);
    let refresh = client.refresh(&RefreshToken::new("rt-2".into()));
    let mut rng = common::rng();
    let mut exchange = signed(refresh, &key, &mut nonces, &mut rng);
    let sent = request(&mut exchange);
    assert_eq!(claims(&sent)["nonce"], "rotated");
    assert_eq!(one(&body_pairs(&sent), "grant_type"), "refresh_token");
}

#[test]
fn par_carries_a_proof_and_dpop_jkt_and_retries_once_on_a_nonce_error() {
    let (key, client) = key_and_client();
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let mut exchange = signed(
        client.push_authorization(&mut common::rng()).unwrap(),
        &key,
        &mut nonces,
        &mut rng,
    );
    let first = request(&mut exchange);
    assert_eq!(claims(&first)["htu"], "https://as.example/par");
    assert_eq!(
        one(&body_pairs(&first), "dpop_jkt"),
        key.thumbprint().as_str()
    );
    exchange.handle_response(use_nonce("par-n")).unwrap();
    let second = request(&mut exchange);
    assert_eq!(claims(&second)["nonce"], "par-n");
    exchange
        .handle_response(json(201, r#"{"request_uri":"urn:x","expires_in":60}"#))
        .unwrap();
    let _ = done(&mut exchange);
}

#[test]
fn a_client_exchange_refuses_a_key_it_is_not_configured_with() {
    let key = key();
    let mut draws = rng();
    let _ = Es256Key::generate(&mut draws).unwrap();
    let other = DpopKey::new(Arc::new(Es256Key::generate(&mut draws).unwrap()));
    assert_ne!(other.thumbprint(), key.thumbprint());
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    for client in [dpop_client(&other), builder().build().unwrap()] {
        let inner = exchange_for(&client, "c");
        let wrapped = DpopExchange::new(inner, &key, &mut nonces, &mut rng, NOW);
        assert_eq!(wrapped.err(), Some(Error::Misuse(Misuse::DpopKeyMismatch)));
    }
}

#[test]
fn a_resource_request_uses_the_dpop_scheme_and_ath() {
    let key = key();
    let token = AccessToken::new("at-1".into());
    let inner = ResourceRequest::get("https://rs.example/me?x=1", &token).unwrap();
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let mut exchange = signed(inner, &key, &mut nonces, &mut rng);
    let sent = request(&mut exchange);
    assert_eq!(header(&sent, "authorization"), Some("DPoP at-1"));
    let proof = claims(&sent);
    assert_eq!(proof["htm"], "GET");
    assert_eq!(proof["htu"], "https://rs.example/me");
    assert_eq!(
        proof["ath"],
        pkce_flow::dpop::access_token_hash(&token).unwrap()
    );
    exchange
        .handle_response(HttpResponse::new(200, b"{}"))
        .unwrap();
    assert_eq!(done(&mut exchange).status, 200);
}

#[test]
fn a_resource_nonce_challenge_among_several_gets_one_retry() {
    let key = key();
    let token = AccessToken::new("at-1".into());
    let inner = ResourceRequest::get("https://rs.example/me", &token).unwrap();
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let mut exchange = signed(inner, &key, &mut nonces, &mut rng);
    let _ = request(&mut exchange);
    let challenge = HttpResponse::new(401, b"")
        .with_header(
            "WWW-Authenticate",
            r#"Bearer realm="rs", DPoP algs="ES256", error="use_dpop_nonce""#,
        )
        .with_header("DPoP-Nonce", "rs-n");
    exchange.handle_response(challenge.clone()).unwrap();
    let second = request(&mut exchange);
    assert_eq!(claims(&second)["nonce"], "rs-n");
    assert_eq!(
        exchange.handle_response(challenge),
        Err(Error::Dpop(DpopError::NonceRetryExhausted))
    );
}

#[test]
fn a_bearer_challenge_alone_is_an_answer_not_a_retry() {
    let key = key();
    let token = AccessToken::new("at-1".into());
    let inner = ResourceRequest::get("https://rs.example/me", &token).unwrap();
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let mut exchange = signed(inner, &key, &mut nonces, &mut rng);
    let _ = request(&mut exchange);
    let refused = HttpResponse::new(401, b"")
        .with_header("WWW-Authenticate", r#"Bearer error="invalid_token""#)
        .with_header("DPoP-Nonce", "rs-n");
    exchange.handle_response(refused).unwrap();
    assert_eq!(done(&mut exchange).status, 401);
}

#[test]
fn the_wrapper_reports_the_kind_of_the_exchange_it_signs() {
    let (key, client) = key_and_client();
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let exchange = signed(exchange_for(&client, "c0de"), &key, &mut nonces, &mut rng);
    assert_eq!(exchange.kind(), "code_exchange");
    let refresh = client.refresh(&RefreshToken::new("rt-1".into()));
    let (mut nonces, mut rng) = (NonceMemory::new(), common::rng());
    assert_eq!(
        signed(refresh, &key, &mut nonces, &mut rng).kind(),
        "refresh"
    );
}

#[test]
fn a_malformed_nonce_on_an_answer_is_never_copied_into_a_proof() {
    let (key, client) = key_and_client();
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let huge = "n".repeat(1024 * 1024);
    for bad in ["n2\r\nSet-Cookie: x=1", "", "nönce", huge.as_str()] {
        let mut exchange = signed(exchange_for(&client, "c"), &key, &mut nonces, &mut rng);
        let _ = request(&mut exchange);
        exchange
            .handle_response(json(200, DPOP_TOKEN).with_header("DPoP-Nonce", "n1"))
            .unwrap();
        let _ = done(&mut exchange);
        let mut exchange = signed(
            client.refresh(&RefreshToken::new("rt-2".into())),
            &key,
            &mut nonces,
            &mut rng,
        );
        let _ = request(&mut exchange);
        // An answer with a malformed nonce: the nonce remembered before stays.
        exchange
            .handle_response(json(200, DPOP_TOKEN).with_header("DPoP-Nonce", bad))
            .unwrap();
        let _ = done(&mut exchange);
        let refresh = client.refresh(&RefreshToken::new("rt-2".into()));
        let mut exchange = signed(refresh, &key, &mut nonces, &mut rng);
        let next = request(&mut exchange);
        assert_eq!(claims(&next)["nonce"], "n1", "{bad:?}");
        // With a nonce error it is refused, not retried.
        assert!(matches!(
            exchange.handle_response(use_nonce_owned(bad)),
            Err(Error::Dpop(DpopError::InvalidNonce(_)))
        ));
    }
}

fn use_nonce_owned(nonce: &str) -> HttpResponse<'static> {
    let nonce: &'static str = Box::leak(nonce.to_owned().into_boxed_str());
    use_nonce(nonce)
}
