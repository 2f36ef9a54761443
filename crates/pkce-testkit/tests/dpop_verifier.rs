//! The testkit's DPoP verifier accepts the proofs pkce-flow builds, and refuses each kind of
//! tampering with its own reason.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use pkce_flow::AccessToken;
use pkce_flow::dpop::{DpopNonce, DpopSigner, Es256Key, ProofRequest};
use pkce_testkit::dpop::{DpopVerifier, ExpectedProof, ProofRejection};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

const NOW: u64 = 1_700_000_000;
const TOKEN_URL: &str = "https://as.example/token";
const API_URL: &str = "https://rs.example/api/items";
const ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn key() -> Es256Key {
    Es256Key::generate(&mut rng(1)).unwrap()
}

fn token_proof(key: &Es256Key, method: &str, url: &str, iat: u64) -> String {
    ProofRequest::new(method, url)
        .unwrap()
        .sign(key, &mut rng(iat ^ 0xA5), iat)
        .unwrap()
        .expose_secret()
        .to_owned()
}

fn expect_token(now: u64) -> ExpectedProof<'static> {
    ExpectedProof {
        method: "POST",
        url: TOKEN_URL,
        now,
        nonce: None,
        access_token: None,
    }
}

fn resource_proof(key: &Es256Key, nonce: &str, token: &str) -> String {
    let nonce = DpopNonce::parse(nonce).unwrap();
    ProofRequest::new("GET", API_URL)
        .unwrap()
        .nonce(Some(&nonce))
        .access_token(&AccessToken::new(token.into()))
        .unwrap()
        .sign(key, &mut rng(2), NOW)
        .unwrap()
        .expose_secret()
        .to_owned()
}

fn expect_resource(nonce: &'static str) -> ExpectedProof<'static> {
    ExpectedProof {
        method: "GET",
        url: API_URL,
        now: NOW,
        nonce: Some(nonce),
        access_token: Some(ACCESS_TOKEN),
    }
}

#[test]
fn a_token_request_proof_is_accepted_and_names_its_key() {
    let key = key();
    let verified = DpopVerifier::default()
        .verify(
            &token_proof(&key, "POST", TOKEN_URL, NOW),
            &expect_token(NOW),
        )
        .unwrap();
    assert_eq!(verified.jkt, key.public_jwk().thumbprint().as_str());
    assert_eq!(
        Base64UrlUnpadded::decode_vec(&verified.jti).unwrap().len(),
        16
    );
}

#[test]
fn a_resource_proof_with_nonce_and_ath_is_accepted() {
    let proof = resource_proof(&key(), "n-1", ACCESS_TOKEN);
    assert!(
        DpopVerifier::default()
            .verify(&proof, &expect_resource("n-1"))
            .is_ok()
    );
}

#[test]
fn the_url_is_compared_without_query_and_fragment_and_normalized() {
    let proof = token_proof(&key(), "POST", "HTTPS://AS.Example:443/token?x=1#f", NOW);
    let at = ExpectedProof {
        url: "https://as.example/token?grant=1",
        ..expect_token(NOW)
    };
    assert!(DpopVerifier::default().verify(&proof, &at).is_ok());
}

#[test]
fn a_replayed_proof_is_refused() {
    let verifier = DpopVerifier::default();
    let proof = token_proof(&key(), "POST", TOKEN_URL, NOW);
    assert!(verifier.verify(&proof, &expect_token(NOW)).is_ok());
    assert_eq!(
        verifier.verify(&proof, &expect_token(NOW + 1)),
        Err(ProofRejection::Replayed)
    );
}

#[test]
fn a_proof_refused_for_its_url_does_not_use_up_its_jti() {
    let verifier = DpopVerifier::default();
    let proof = token_proof(&key(), "POST", TOKEN_URL, NOW);
    let elsewhere = ExpectedProof {
        url: "https://as.example/par",
        ..expect_token(NOW)
    };
    assert_eq!(
        verifier.verify(&proof, &elsewhere),
        Err(ProofRejection::UrlMismatch)
    );
    assert!(verifier.verify(&proof, &expect_token(NOW)).is_ok());
}

#[test]
fn wrong_method_or_url_is_refused() {
    let v = DpopVerifier::default();
    let key = key();
    assert_eq!(
        v.verify(
            &token_proof(&key, "GET", TOKEN_URL, NOW),
            &expect_token(NOW)
        ),
        Err(ProofRejection::MethodMismatch)
    );
    assert_eq!(
        v.verify(
            &token_proof(&key, "post", TOKEN_URL, NOW),
            &expect_token(NOW)
        ),
        Err(ProofRejection::MethodMismatch),
        "methods are case-sensitive"
    );
    for url in [
        "https://as.example/token/",
        "https://as.example:8443/token",
        "http://as.example/token",
        "https://other.example/token",
    ] {
        assert_eq!(
            v.verify(&token_proof(&key, "POST", url, NOW), &expect_token(NOW)),
            Err(ProofRejection::UrlMismatch),
            "{url}"
        );
    }
}

#[test]
fn an_iat_outside_the_window_is_refused() {
    let v = DpopVerifier::new(60);
    let key = key();
    for iat in [NOW - 61, NOW + 61, 0] {
        assert_eq!(
            v.verify(
                &token_proof(&key, "POST", TOKEN_URL, iat),
                &expect_token(NOW)
            ),
            Err(ProofRejection::IatOutOfWindow),
            "{iat}"
        );
    }
    for iat in [NOW - 60, NOW + 60] {
        assert!(
            v.verify(
                &token_proof(&key, "POST", TOKEN_URL, iat),
                &expect_token(NOW)
            )
            .is_ok()
        );
    }
}

#[test]
fn a_missing_or_wrong_nonce_asks_for_the_nonce() {
    let v = DpopVerifier::default();
    let key = key();
    let stale = resource_proof(&key, "n-0", ACCESS_TOKEN);
    assert_eq!(
        v.verify(&stale, &expect_resource("n-1")),
        Err(ProofRejection::NonceMismatch)
    );
    let without = ProofRequest::new("POST", TOKEN_URL)
        .unwrap()
        .sign(&key, &mut rng(3), NOW)
        .unwrap();
    let needs = ExpectedProof {
        nonce: Some("n-1"),
        ..expect_token(NOW)
    };
    let err = v.verify(without.expose_secret(), &needs).unwrap_err();
    assert_eq!(err, ProofRejection::NonceMissing);
    assert_eq!(err.error_code(), "use_dpop_nonce");
}

#[test]
fn a_missing_or_wrong_ath_is_refused() {
    let v = DpopVerifier::default();
    let key = key();
    let other_token = resource_proof(&key, "n-1", "another-token");
    assert_eq!(
        v.verify(&other_token, &expect_resource("n-1")),
        Err(ProofRejection::AthMismatch)
    );
    let nonce = DpopNonce::parse("n-1").unwrap();
    let no_ath = ProofRequest::new("GET", API_URL)
        .unwrap()
        .nonce(Some(&nonce))
        .sign(&key, &mut rng(4), NOW)
        .unwrap();
    let err = v
        .verify(no_ath.expose_secret(), &expect_resource("n-1"))
        .unwrap_err();
    assert_eq!(
        (err, err.error_code()),
        (ProofRejection::AthMissing, "invalid_dpop_proof")
    );
}

/// Replaces one part of a compact JWS, keeping the other two.
fn with_part(proof: &str, index: usize, json: &str) -> String {
    let mut parts: Vec<String> = proof.split('.').map(str::to_owned).collect();
    parts[index] = Base64UrlUnpadded::encode_string(json.as_bytes());
    parts.join(".")
}

fn part(proof: &str, index: usize) -> String {
    let encoded = proof.split('.').nth(index).unwrap();
    String::from_utf8(Base64UrlUnpadded::decode_vec(encoded).unwrap()).unwrap()
}

#[test]
fn changed_claims_or_another_key_break_the_signature() {
    let v = DpopVerifier::default();
    let proof = token_proof(&key(), "POST", TOKEN_URL, NOW);
    let claims = part(&proof, 1).replace(&NOW.to_string(), &(NOW + 1).to_string());
    assert_eq!(
        v.verify(&with_part(&proof, 1, &claims), &expect_token(NOW)),
        Err(ProofRejection::BadSignature)
    );
    let other = Es256Key::generate(&mut rng(99)).unwrap();
    let header = part(&token_proof(&other, "POST", TOKEN_URL, NOW), 0);
    assert_eq!(
        v.verify(&with_part(&proof, 0, &header), &expect_token(NOW)),
        Err(ProofRejection::BadSignature)
    );
}

/// A proof signed by hand, so that headers the builder refuses to write can be tested.
fn forge(header: &str, claims: &str) -> String {
    let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(header.as_bytes()),
        Base64UrlUnpadded::encode_string(claims.as_bytes())
    );
    let signature: Signature = key.sign(input.as_bytes());
    format!(
        "{input}.{}",
        Base64UrlUnpadded::encode_string(&signature.to_bytes())
    )
}

#[test]
fn bad_headers_are_refused_each_with_its_reason() {
    let key = Es256Key::from_secret_bytes(&[7u8; 32]).unwrap();
    let proof = token_proof(&key, "POST", TOKEN_URL, NOW);
    let header = part(&proof, 0);
    let claims = part(&proof, 1);
    assert!(
        DpopVerifier::default()
            .verify(&forge(&header, &claims), &expect_token(NOW))
            .is_ok(),
        "the forge itself is sound"
    );
    let cases = [
        (header.replace("dpop+jwt", "JWT"), ProofRejection::WrongType),
        (
            header.replace("ES256", "ES384"),
            ProofRejection::UnsupportedAlgorithm,
        ),
        (
            header.replace("ES256", "none"),
            ProofRejection::UnsupportedAlgorithm,
        ),
        (
            header.replace(r#""kty":"EC""#, r#""d":"AAAA","kty":"EC""#),
            ProofRejection::PrivateKey,
        ),
        (header.replace("P-256", "P-384"), ProofRejection::InvalidKey),
        (
            header.replace(r#""x":""#, r#""x":"AA"#),
            ProofRejection::InvalidKey,
        ),
        (
            header.replace(
                r#""typ":"dpop+jwt","#,
                r#""typ":"dpop+jwt","typ":"dpop+jwt","#,
            ),
            ProofRejection::Malformed,
        ),
        (String::from("[]"), ProofRejection::Malformed),
    ];
    for (bad, reason) in cases {
        let v = DpopVerifier::default();
        assert_eq!(
            v.verify(&forge(&bad, &claims), &expect_token(NOW)),
            Err(reason),
            "{bad}"
        );
    }
}

#[test]
fn malformed_proofs_are_refused() {
    let v = DpopVerifier::default();
    let proof = token_proof(&key(), "POST", TOKEN_URL, NOW);
    for bad in [
        String::new(),
        "a.b".to_owned(),
        format!("{proof}.x"),
        proof.replacen('.', "=.", 1),
        format!("+{proof}"),
    ] {
        assert_eq!(
            v.verify(&bad, &expect_token(NOW)),
            Err(ProofRejection::Malformed),
            "{bad}"
        );
    }
    let truncated = &proof[..proof.len() - 4];
    assert_eq!(
        v.verify(truncated, &expect_token(NOW)),
        Err(ProofRejection::BadSignature)
    );
}
