//! No DPoP secret in any `Debug` or `Display`: the proofs sent, the private key, the access
//! and refresh tokens, the code and the verifier stay out of what the wrapper, its requests,
//! the keys, the proofs and every error of a failed DPoP exchange print, at each step of
//! the exchange (before, in flight, awaiting the nonce retry, failed).
#![cfg(feature = "dpop-es256")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{builder, exchange_for, header, json, request_of, rng};
use pkce_flow::dpop::{DpopError, DpopExchange, DpopKey, Es256Key, NonceMemory, ProofRequest};
use pkce_flow::{AccessToken, Error, Exchange, HttpResponse, RefreshToken, ResourceRequest};

const NOW: u64 = 1_700_000_000;
const CODE: &str = "c0de-SplxlOBeZQQYbYS6WxSbIA";
const ACCESS_TOKEN: &str = "at-Kz8mXK1EalYznwHLC1fBAo4Ljp";
const REFRESH_TOKEN: &str = "rt-tGzv3JOkF0XG5Qx2TlKWIA";
/// RFC 6979 §A.2.5's P-256 private key.
const SECRET_KEY: [u8; 32] = [
    0xC9, 0xAF, 0xA9, 0xD8, 0x45, 0xBA, 0x75, 0x16, 0x6B, 0x5C, 0x21, 0x57, 0x67, 0xB1, 0xD6, 0x93,
    0x4E, 0x50, 0xC3, 0xDB, 0x36, 0xE8, 0x9B, 0x12, 0x7B, 0x8A, 0x62, 0x2B, 0x12, 0x0F, 0x67, 0x21,
];

/// What must never be printed: the private key in every common spelling, the tokens, the
/// code, and each proof sent so far.
struct Secrets {
    words: Vec<String>,
}

impl Secrets {
    fn new() -> Self {
        let hex_lower: String = SECRET_KEY.iter().map(|b| format!("{b:02x}")).collect();
        let words = vec![
            hex_lower.clone(),
            hex_lower.to_uppercase(),
            URL_SAFE_NO_PAD.encode(SECRET_KEY),
            format!("{SECRET_KEY:?}"),
            CODE.to_owned(),
            ACCESS_TOKEN.to_owned(),
            REFRESH_TOKEN.to_owned(),
            // Any JOSE header (`{"` in base64url): a proof or a part of one.
            "eyJ".to_owned(),
        ];
        Self { words }
    }

    fn add(&mut self, proof: &str) {
        // The whole proof and each of its parts (header, claims, signature).
        self.words.push(proof.to_owned());
        self.words.extend(proof.split('.').map(str::to_owned));
    }

    fn assert_absent(&self, what: &str, shown: &str) {
        for word in &self.words {
            assert!(
                !shown.contains(word.as_str()),
                "{what} shows {word:?}: {shown}"
            );
        }
    }

    fn check_debug(&self, what: &str, value: &impl std::fmt::Debug) {
        self.assert_absent(what, &format!("{value:?}"));
        self.assert_absent(what, &format!("{value:#?}"));
    }

    fn check_error(&self, what: &str, error: &Error) {
        self.check_debug(what, error);
        self.assert_absent(what, &error.to_string());
    }
}

fn key() -> DpopKey {
    DpopKey::new(Arc::new(Es256Key::from_secret_bytes(&SECRET_KEY).unwrap()))
}

fn use_dpop_nonce() -> HttpResponse<'static> {
    json(400, r#"{"error":"use_dpop_nonce"}"#).with_header("DPoP-Nonce", "n-1")
}

#[test]
fn the_keys_and_a_signed_proof_show_no_secret() {
    let mut secrets = Secrets::new();
    let key = key();
    let es256 = Es256Key::from_secret_bytes(&SECRET_KEY).unwrap();
    secrets.check_debug("DpopKey", &key);
    secrets.check_debug("Es256Key", &es256);
    secrets.check_debug("Es256SecretBytes", &es256.to_secret_bytes());
    let token = AccessToken::new(ACCESS_TOKEN.into());
    let request = ProofRequest::new("GET", "https://rs.example/me")
        .unwrap()
        .access_token(&token)
        .unwrap();
    secrets.check_debug("ProofRequest", &request);
    let proof = request.sign(&es256, &mut rng(), NOW).unwrap();
    secrets.add(proof.expose_secret());
    secrets.check_debug("DpopProof", &proof);
}

#[test]
fn a_code_exchange_through_two_nonce_errors_shows_no_secret_at_any_step() {
    let mut secrets = Secrets::new();
    let key = key();
    let client = builder().dpop_key(key.clone()).build().unwrap();
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let inner = exchange_for(&client, CODE);
    let mut exchange = DpopExchange::new(inner, &key, &mut nonces, &mut rng, NOW).unwrap();
    secrets.check_debug("a new DpopExchange", &exchange);

    let first = request_of(&mut exchange);
    secrets.add(header(&first, "dpop").unwrap());
    secrets.check_debug("the first request", &first);
    secrets.check_debug("a DpopExchange awaiting its answer", &exchange);

    exchange.handle_response(use_dpop_nonce()).unwrap();
    secrets.check_debug("a DpopExchange holding its retry", &exchange);

    let second = request_of(&mut exchange);
    secrets.add(header(&second, "dpop").unwrap());
    secrets.check_debug("the retried request", &second);

    let error = exchange.handle_response(use_dpop_nonce()).unwrap_err();
    assert_eq!(error, Error::Dpop(DpopError::NonceRetryExhausted));
    secrets.check_error("the second nonce error", &error);
    secrets.check_debug("a failed DpopExchange", &exchange);
    secrets.check_debug("the nonce memory", &nonces);
}

#[test]
fn a_refresh_answered_as_bearer_shows_no_secret() {
    let mut secrets = Secrets::new();
    let key = key();
    let client = builder().dpop_key(key.clone()).build().unwrap();
    let refresh_token = RefreshToken::new(REFRESH_TOKEN.into());
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let inner = client.refresh(&refresh_token);
    let mut exchange = DpopExchange::new(inner, &key, &mut nonces, &mut rng, NOW).unwrap();
    let sent = request_of(&mut exchange);
    secrets.add(header(&sent, "dpop").unwrap());
    let bearer = format!(r#"{{"access_token":"{ACCESS_TOKEN}","token_type":"Bearer"}}"#);
    let error = exchange
        .handle_response(
            HttpResponse::new(200, bearer.as_bytes())
                .with_header("Content-Type", "application/json"),
        )
        .unwrap_err();
    assert_eq!(error, Error::Dpop(DpopError::BearerForDpop));
    secrets.check_error("a Bearer answer", &error);
    secrets.check_debug("the DpopExchange after it", &exchange);
}

#[test]
fn a_resource_request_refused_twice_for_its_nonce_shows_no_secret() {
    let mut secrets = Secrets::new();
    let key = key();
    let token = AccessToken::new(ACCESS_TOKEN.into());
    let inner = ResourceRequest::get("https://rs.example/me", &token).unwrap();
    let (mut nonces, mut rng) = (NonceMemory::new(), rng());
    let mut exchange = DpopExchange::new(inner, &key, &mut nonces, &mut rng, NOW).unwrap();
    let challenge = HttpResponse::new(401, b"")
        .with_header(
            "WWW-Authenticate",
            r#"Bearer realm="rs", DPoP algs="ES256", error="use_dpop_nonce""#,
        )
        .with_header("DPoP-Nonce", "rs-n");
    let first = request_of(&mut exchange);
    secrets.add(header(&first, "dpop").unwrap());
    secrets.check_debug("a resource request", &first);
    exchange.handle_response(challenge.clone()).unwrap();
    secrets.check_debug("a resource DpopExchange holding its retry", &exchange);
    let second = request_of(&mut exchange);
    secrets.add(header(&second, "dpop").unwrap());
    let error = exchange.handle_response(challenge).unwrap_err();
    secrets.check_error("the resource's second nonce error", &error);
    secrets.check_debug("the failed resource DpopExchange", &exchange);
}
