//! DPoP on the device flow's token polling (RFC 9449 §5: a proof on every token request,
//! whatever the grant): each poll of a client with a key is signed, a `use_dpop_nonce`
//! answer is one new request inside the attempt and never a poll, and the tokens must be
//! `DPoP` tokens. The device authorization request carries no proof.
#![cfg(feature = "dpop-es256")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::jws::decode_and_verify;
use common::{body_pairs, builder, finish, header, json, one, request_of, rng};
use pkce_flow::device::{DeviceAuthorization, DevicePoll, DeviceStatus};
use pkce_flow::dpop::{DpopError, DpopKey, Es256Key, NonceMemory};
use pkce_flow::{
    Client, ClientBuilder, Error, Exchange, HttpRequest, HttpResponse, Poll, Quirk, ResponseError,
};
use rand_chacha::ChaCha20Rng;

const NOW: u64 = 1_700_000_000;
const DEVICE_OK: &str = r#"{"device_code":"dc-1","user_code":"WDJB-MJHT","verification_uri":"https://as.example/device","expires_in":1800,"interval":5}"#;
const DPOP_TOKEN: &str =
    r#"{"access_token":"at-1","token_type":"DPoP","expires_in":60,"refresh_token":"rt-2"}"#;
const BEARER_TOKEN: &str = r#"{"access_token":"at-1","token_type":"Bearer"}"#;
const PENDING: &str = r#"{"error":"authorization_pending"}"#;

fn key() -> DpopKey {
    DpopKey::new(Arc::new(Es256Key::generate(&mut rng()).unwrap()))
}

fn device_builder() -> ClientBuilder {
    builder().device_authorization_endpoint("https://as.example/device_authorization")
}

fn device_client(key: Option<&DpopKey>) -> Client {
    let b = device_builder();
    match key {
        Some(key) => b.dpop_key(key.clone()),
        None => b,
    }
    .build()
    .unwrap()
}

fn authorization(client: &Client) -> DeviceAuthorization {
    let mut start = client.device_authorization().unwrap();
    let sent = request_of(&mut start);
    assert!(
        header(&sent, "dpop").is_none(),
        "the device authorization request carries no proof"
    );
    start.handle_response(json(200, DEVICE_OK)).unwrap();
    match start.poll_output().unwrap() {
        Poll::Done(a) => a,
        Poll::Request(_) => panic!("expected the authorization"),
    }
}

fn polling(client: &Client) -> DevicePoll {
    client.device_poll(&authorization(client), NOW)
}

/// The polling of a client configured with `key`, an empty nonce memory and a generator.
fn dpop_polling(key: &DpopKey) -> (DevicePoll, NonceMemory, ChaCha20Rng) {
    let poll = polling(&device_client(Some(key)));
    (poll, NonceMemory::new(), rng())
}

fn claims(request: &HttpRequest) -> serde_json::Value {
    decode_and_verify(header(request, "dpop").expect("a DPoP header")).claims
}

fn use_nonce(nonce: &'static str) -> HttpResponse<'static> {
    json(400, r#"{"error":"use_dpop_nonce"}"#).with_header("DPoP-Nonce", nonce)
}

fn done<E: Exchange>(exchange: &mut E) -> E::Output {
    match exchange.poll_output().unwrap() {
        Poll::Done(v) => v,
        Poll::Request(_) => panic!("expected the result"),
    }
}

#[test]
fn a_poll_of_a_dpop_client_carries_a_proof_and_gets_dpop_tokens() {
    let (mut poll, mut nonces, mut rng) = dpop_polling(&key());
    let mut attempt = poll
        .attempt_with_dpop(NOW + 5, &mut nonces, &mut rng)
        .unwrap();
    assert!(attempt.is_dpop());
    assert_eq!(attempt.kind(), "device_poll");
    let sent = request_of(&mut attempt);
    assert_eq!(
        one(&body_pairs(&sent), "grant_type"),
        "urn:ietf:params:oauth:grant-type:device_code"
    );
    let proof = claims(&sent);
    assert_eq!(proof["htm"], "POST");
    assert_eq!(proof["htu"], "https://as.example/token");
    assert_eq!(proof["iat"], NOW + 5);
    assert!(proof.get("nonce").is_none() && proof.get("ath").is_none());
    attempt.handle_response(json(200, DPOP_TOKEN)).unwrap();
    let DeviceStatus::Done(tokens) = done(&mut attempt) else {
        panic!("expected the tokens")
    };
    assert_eq!(tokens.token_type(), "DPoP");
}

#[test]
fn a_nonce_error_while_polling_is_one_new_request_and_not_a_poll() {
    let (mut poll, mut nonces, mut rng) = dpop_polling(&key());
    let mut attempt = poll
        .attempt_with_dpop(NOW + 5, &mut nonces, &mut rng)
        .unwrap();
    let first = request_of(&mut attempt);
    attempt.handle_response(use_nonce("n-1")).unwrap();
    // The same poll again at once, with a new proof carrying the nonce.
    let second = request_of(&mut attempt);
    assert_eq!(body_pairs(&first), body_pairs(&second));
    let (p1, p2) = (claims(&first), claims(&second));
    assert_ne!(p1["jti"], p2["jti"]);
    assert_eq!(p2["nonce"], "n-1");
    // Only the retry's answer reaches the polling: pending, one interval on, no slow_down.
    attempt.handle_response(json(400, PENDING)).unwrap();
    let DeviceStatus::Pending { retry_at } = done(&mut attempt) else {
        panic!("expected pending")
    };
    assert_eq!(retry_at, NOW + 5 + 5);
    assert_eq!((poll.interval(), poll.slow_downs()), (5, 0));

    // The next poll uses the remembered nonce from the start.
    let mut next = poll
        .attempt_with_dpop(retry_at, &mut nonces, &mut rng)
        .unwrap();
    let sent = request_of(&mut next);
    assert_eq!(claims(&sent)["nonce"], "n-1");
    next.handle_response(json(200, DPOP_TOKEN)).unwrap();
    assert!(matches!(done(&mut next), DeviceStatus::Done(_)));
}

#[test]
fn a_second_nonce_error_in_one_attempt_is_a_typed_error_not_a_loop() {
    let (mut poll, mut nonces, mut rng) = dpop_polling(&key());
    let mut attempt = poll
        .attempt_with_dpop(NOW + 5, &mut nonces, &mut rng)
        .unwrap();
    let _ = request_of(&mut attempt);
    attempt.handle_response(use_nonce("n-1")).unwrap();
    let _ = request_of(&mut attempt);
    assert_eq!(
        attempt.handle_response(use_nonce("n-2")),
        Err(Error::Dpop(DpopError::NonceRetryExhausted))
    );
}

#[test]
fn a_bearer_answer_to_a_signed_poll_is_a_typed_error_unless_the_quirk_allows_it() {
    let key = key();
    let (mut poll, mut nonces, mut rng) = dpop_polling(&key);
    let attempt = poll
        .attempt_with_dpop(NOW + 5, &mut nonces, &mut rng)
        .unwrap();
    assert_eq!(
        finish(attempt, json(200, BEARER_TOKEN)).unwrap_err(),
        Error::Dpop(DpopError::BearerForDpop)
    );

    let lenient = device_builder()
        .dpop_key(key.clone())
        .quirk(Quirk::BearerForDpop)
        .build()
        .unwrap();
    let mut poll = polling(&lenient);
    let attempt = poll
        .attempt_with_dpop(NOW + 5, &mut nonces, &mut rng)
        .unwrap();
    let DeviceStatus::Done(tokens) = finish(attempt, json(200, BEARER_TOKEN)).unwrap() else {
        panic!("expected the tokens")
    };
    assert!(tokens.quirks_applied().contains(Quirk::BearerForDpop));
}

#[test]
fn without_a_key_the_attempt_is_the_plain_one() {
    let mut poll = polling(&device_client(None));
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let mut attempt = poll
        .attempt_with_dpop(NOW + 5, &mut nonces, &mut rng)
        .unwrap();
    assert!(!attempt.is_dpop());
    let sent = request_of(&mut attempt);
    assert!(header(&sent, "dpop").is_none());
    // A DPoP token type is not what a client without a key asked for.
    let refused = attempt.handle_response(json(200, DPOP_TOKEN));
    assert!(
        matches!(
            refused,
            Err(Error::Response(ResponseError::UnsupportedTokenType(_)))
        ),
        "{refused:?}"
    );
}

#[test]
fn a_signed_attempt_too_early_sends_nothing() {
    let (mut poll, mut nonces, mut rng) = dpop_polling(&key());
    let mut attempt = poll
        .attempt_with_dpop(NOW + 4, &mut nonces, &mut rng)
        .unwrap();
    let DeviceStatus::Pending { retry_at } = done(&mut attempt) else {
        panic!("expected pending")
    };
    assert_eq!(retry_at, NOW + 5);
}
