//! The same DPoP proofs accepted by two verifiers that share no code with the builder or
//! with each other's parsing: the testkit's verifier (the one its server uses) and the
//! tests' own decoder (the `base64` crate, serde_json and `p256`'s ECDSA verify), for a
//! token-request proof and a resource proof with a nonce and `ath`; and a proof changed
//! after signing refused by both.
#![cfg(feature = "dpop-es256")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::panic::catch_unwind;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::jws::decode_and_verify;
use common::rng;
use pkce_flow::AccessToken;
use pkce_flow::dpop::{DpopNonce, DpopSigner, Es256Key, ProofRequest};
use pkce_testkit::dpop::{DpopVerifier, ExpectedProof, ProofRejection};

const NOW: u64 = 1_562_262_618;
/// RFC 9449 §7.1's access token, nonce and resource.
const TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const NONCE: &str = "eyJ7S_zG.eyJH0-Z.HX4w-7v";
const RESOURCE: &str = "https://resource.example.org/protected";
const TOKEN_URL: &str = "https://server.example.com/token";

fn key() -> Es256Key {
    Es256Key::generate(&mut rng()).unwrap()
}

fn token_request_proof(key: &Es256Key) -> String {
    ProofRequest::new("POST", TOKEN_URL)
        .unwrap()
        .sign(key, &mut rng(), NOW)
        .unwrap()
        .expose_secret()
        .to_owned()
}

fn resource_proof(key: &Es256Key) -> String {
    let nonce = DpopNonce::parse(NONCE).unwrap();
    ProofRequest::new("GET", RESOURCE)
        .unwrap()
        .nonce(Some(&nonce))
        .access_token(&AccessToken::new(TOKEN.into()))
        .unwrap()
        .sign(key, &mut rng(), NOW)
        .unwrap()
        .expose_secret()
        .to_owned()
}

const AT_TOKEN_ENDPOINT: ExpectedProof<'static> = ExpectedProof {
    method: "POST",
    url: TOKEN_URL,
    now: NOW,
    nonce: None,
    access_token: None,
};

const AT_RESOURCE: ExpectedProof<'static> = ExpectedProof {
    method: "GET",
    url: RESOURCE,
    now: NOW,
    nonce: Some(NONCE),
    access_token: Some(TOKEN),
};

#[test]
fn a_token_request_proof_is_accepted_by_both_verifiers() {
    let key = key();
    let proof = token_request_proof(&key);
    let independent = decode_and_verify(&proof);
    let verified = DpopVerifier::default()
        .verify(&proof, &AT_TOKEN_ENDPOINT)
        .unwrap();
    assert_eq!(verified.jti, independent.claims["jti"].as_str().unwrap());
    assert_eq!(verified.jkt, key.public_jwk().thumbprint().as_str());
}

#[test]
fn a_resource_proof_with_nonce_and_ath_is_accepted_by_both_verifiers() {
    let proof = resource_proof(&key());
    let independent = decode_and_verify(&proof);
    assert_eq!(independent.claims["nonce"], NONCE);
    let verified = DpopVerifier::default()
        .verify(&proof, &AT_RESOURCE)
        .unwrap();
    assert_eq!(verified.jti, independent.claims["jti"].as_str().unwrap());
}

#[test]
fn a_proof_changed_after_signing_is_refused_by_both_verifiers() {
    let proof = resource_proof(&key());
    let mut parts: Vec<String> = proof.split('.').map(str::to_owned).collect();
    // Another payload under the same header and signature: `htm` POST instead of GET.
    let claims = decode_and_verify(&proof).claims.to_string();
    let changed = claims.replace("\"GET\"", "\"POST\"");
    assert_ne!(claims, changed);
    parts[1] = URL_SAFE_NO_PAD.encode(changed.as_bytes());
    let forged = parts.join(".");
    let expected = ExpectedProof {
        method: "POST",
        ..AT_RESOURCE
    };
    assert_eq!(
        DpopVerifier::default().verify(&forged, &expected).err(),
        Some(ProofRejection::BadSignature)
    );
    assert!(
        catch_unwind(|| decode_and_verify(&forged)).is_err(),
        "the independent check refuses it too"
    );
}
