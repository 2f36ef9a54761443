//! DPoP proofs (RFC 9449 §4): known answers for thumbprints, `ath` and ES256, and proofs
//! checked by an independent decoder and ECDSA verifier.
#![cfg(feature = "dpop-es256")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::jws::decode_and_verify;
use common::{FailingRng, rng};
use pkce_flow::AccessToken;
use pkce_flow::dpop::{
    DpopError, DpopNonce, DpopSigner, Es256Key, ProofRequest, PublicJwk, SignError,
    access_token_hash, jwk_thumbprint,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// RFC 6979 §A.2.5: the P-256 private key and its public point.
const RFC6979_KEY: &str = "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721";
const RFC6979_UX: &str = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
const RFC6979_UY: &str = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn rfc6979_key() -> Es256Key {
    Es256Key::from_secret_bytes(&hex(RFC6979_KEY)).unwrap()
}

#[test]
fn rfc7638_example_rsa_thumbprint() {
    // RFC 7638 §3.1.
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    let want = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
    assert_eq!(PublicJwk::rsa(n, "AQAB").thumbprint().as_str(), want);
    // The member order given does not matter; the thumbprint sorts.
    let members = [("n", n), ("kty", "RSA"), ("e", "AQAB")];
    assert_eq!(jwk_thumbprint(&members).unwrap().as_str(), want);
}

#[test]
fn rfc9449_example_key_thumbprint_is_its_cnf_jkt() {
    // RFC 9449 §4.1 (the proof's jwk) and §6.1 (the token bound to it).
    let jwk = PublicJwk::ec(
        "P-256",
        "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
        "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
    );
    assert_eq!(
        jwk.thumbprint().as_str(),
        "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
    );
}

#[test]
fn a_fixed_key_has_the_public_point_and_thumbprint_of_rfc6979() {
    let key = rfc6979_key();
    let x = URL_SAFE_NO_PAD.encode(hex(RFC6979_UX));
    let y = URL_SAFE_NO_PAD.encode(hex(RFC6979_UY));
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    let want = URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()));
    assert_eq!(key.public_jwk(), &PublicJwk::ec("P-256", &x, &y));
    assert_eq!(key.public_jwk().thumbprint().as_str(), want);
    assert_eq!(key.algorithm(), "ES256");
}

#[test]
fn es256_signature_is_the_rfc6979_deterministic_one() {
    // RFC 6979 §A.2.5, SHA-256, message "sample": R || S.
    let r = "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716";
    let s = "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8";
    assert_eq!(
        rfc6979_key().sign(b"sample").unwrap(),
        hex(&format!("{r}{s}"))
    );
}

#[test]
fn ath_is_the_rfc9449_example_hash() {
    let token = AccessToken::new("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU".into());
    assert_eq!(
        access_token_hash(&token).unwrap(),
        "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
    );
    for bad in ["", "a b\n", "é"] {
        assert_eq!(
            access_token_hash(&AccessToken::new(bad.into())),
            Err(DpopError::InvalidAccessToken)
        );
    }
}

#[test]
fn a_resource_proof_verifies_and_carries_every_claim() {
    let key = Es256Key::generate(&mut rng()).unwrap();
    let nonce = DpopNonce::parse("eyJ7S_zG.eyJH0-Z.HX4w-7v").unwrap();
    let token = AccessToken::new("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU".into());
    let proof = ProofRequest::new("GET", "https://resource.example.org/protected?a=1#frag")
        .unwrap()
        .nonce(Some(&nonce))
        .access_token(&token)
        .unwrap()
        .sign(&key, &mut rng(), 1_562_262_618)
        .unwrap();
    let d = decode_and_verify(proof.expose_secret());

    assert_eq!(d.header["typ"], "dpop+jwt");
    assert_eq!(d.header["alg"], "ES256");
    let jwk = d.header["jwk"].as_object().unwrap();
    let mut names: Vec<&str> = jwk.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["crv", "kty", "x", "y"],
        "public members only, no `d`"
    );
    assert_eq!(
        (&jwk["kty"], &jwk["crv"]),
        (&Value::from("EC"), &Value::from("P-256"))
    );

    assert_eq!(d.claims["htm"], "GET");
    assert_eq!(d.claims["htu"], "https://resource.example.org/protected");
    assert_eq!(d.claims["iat"], 1_562_262_618);
    assert_eq!(d.claims["nonce"], "eyJ7S_zG.eyJH0-Z.HX4w-7v");
    assert_eq!(
        d.claims["ath"],
        "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
    );
    let jti = URL_SAFE_NO_PAD
        .decode(d.claims["jti"].as_str().unwrap())
        .unwrap();
    assert!(jti.len() * 8 >= 96, "jti carries at least 96 random bits");
}

#[test]
fn a_token_request_proof_has_no_nonce_or_ath_until_given() {
    let key = Es256Key::generate(&mut rng()).unwrap();
    let proof = ProofRequest::new("POST", "https://server.example.com/token")
        .unwrap()
        .sign(&key, &mut rng(), 1)
        .unwrap();
    let d = decode_and_verify(proof.expose_secret());
    let claims = d.claims.as_object().unwrap();
    let mut names: Vec<&str> = claims.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["htm", "htu", "iat", "jti"]);
    assert_eq!(claims["htu"], "https://server.example.com/token");
}

#[test]
fn every_proof_has_a_fresh_jti() {
    let key = rfc6979_key();
    let mut rng = rng();
    let request = ProofRequest::new("POST", "https://as.example/token").unwrap();
    let jtis: std::collections::HashSet<String> = (0..20)
        .map(|_| {
            let proof = request.sign(&key, &mut rng, 5).unwrap();
            decode_and_verify(proof.expose_secret()).claims["jti"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(jtis.len(), 20);
}

#[test]
fn nonces_with_json_metacharacters_are_escaped_in_the_claims() {
    // `{`, `}`, `'` and `/` are NQCHARs; the claims must stay one valid JSON object.
    let key = rfc6979_key();
    let nonce = DpopNonce::parse(r#"{}'/,:[]"#).unwrap();
    let proof = ProofRequest::new("PATCH", "HTTPS://Example.COM:8443/a/b")
        .unwrap()
        .nonce(Some(&nonce))
        .sign(&key, &mut rng(), 0)
        .unwrap();
    let d = decode_and_verify(proof.expose_secret());
    assert_eq!(d.claims["nonce"], r#"{}'/,:[]"#);
    assert_eq!(
        d.claims["htu"], "HTTPS://Example.COM:8443/a/b",
        "sent as written"
    );
}

#[test]
fn bad_methods_and_urls_are_refused() {
    for method in ["", "GE T", "GET\r\n", "é"] {
        assert_eq!(
            ProofRequest::new(method, "https://as.example/token").err(),
            Some(DpopError::InvalidMethod),
            "{method:?}"
        );
    }
    for url in [
        "",
        "/token",
        "ftp://as.example/token",
        "https://",
        "https:///token",
        "https://as example/token",
        "https://as.example/tok\nen",
        "https://as.exämple/token",
        "https:as.example",
    ] {
        assert_eq!(
            ProofRequest::new("POST", url).err(),
            Some(DpopError::InvalidUrl),
            "{url:?}"
        );
    }
}

/// A signer standing for an HSM: it can refuse, and it can name any algorithm.
struct External {
    alg: &'static str,
    jwk: PublicJwk,
    fail: Option<SignError>,
}

impl DpopSigner for External {
    fn algorithm(&self) -> &str {
        self.alg
    }
    fn public_jwk(&self) -> &PublicJwk {
        &self.jwk
    }
    fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError> {
        match self.fail {
            Some(e) => Err(e),
            None => Ok(Sha256::digest(signing_input).to_vec()),
        }
    }
}

#[test]
fn external_signers_and_their_failures() {
    let jwk = PublicJwk::okp("Ed25519", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    let request = ProofRequest::new("POST", "https://as.example/par").unwrap();
    let ok = External {
        alg: "EdDSA",
        jwk: jwk.clone(),
        fail: None,
    };
    let proof = request.sign(&ok, &mut rng(), 9).unwrap();
    let header = proof.expose_secret().split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(header["jwk"]["kty"], "OKP");

    for alg in ["", "none", "NONE", "HS256", "hs512"] {
        let signer = External {
            alg,
            jwk: jwk.clone(),
            fail: None,
        };
        assert_eq!(
            request.sign(&signer, &mut rng(), 9).err(),
            Some(DpopError::UnsupportedAlgorithm),
            "{alg:?}"
        );
    }
    let locked = External {
        alg: "ES256",
        jwk,
        fail: Some(SignError::KeyUnavailable),
    };
    let err = request.sign(&locked, &mut rng(), 9).unwrap_err();
    assert_eq!(err, DpopError::Sign(SignError::KeyUnavailable));
    assert_eq!(
        err.to_string(),
        "the DPoP key could not sign: the key is unavailable"
    );
}

#[test]
fn a_failing_rng_generates_no_key_and_signs_nothing() {
    assert_eq!(
        Es256Key::generate(&mut FailingRng).err(),
        Some(DpopError::Rng)
    );
    let request = ProofRequest::new("POST", "https://as.example/token").unwrap();
    assert_eq!(
        request.sign(&rfc6979_key(), &mut FailingRng, 1).err(),
        Some(DpopError::Rng)
    );
}

#[test]
fn keys_export_and_import_and_never_show_their_secret() {
    let key = Es256Key::generate(&mut rng()).unwrap();
    let secret = key.to_secret_bytes();
    let again = Es256Key::from_secret_bytes(secret.expose_secret()).unwrap();
    assert_eq!(again.public_jwk(), key.public_jwk());
    let secret_hex: String = secret
        .expose_secret()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for shown in [
        format!("{key:?}"),
        format!("{secret:?}"),
        format!("{:?}", again),
    ] {
        assert!(
            !shown.contains(&secret_hex)
                && !shown.contains(&format!("{:?}", secret.expose_secret()))
        );
        assert!(shown.contains("redacted"), "{shown}");
    }
    let order = hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
    for bad in [&[0u8; 32][..], &[1u8; 31], &[1u8; 33], &[0xff; 32], &order] {
        assert_eq!(
            Es256Key::from_secret_bytes(bad).err(),
            Some(DpopError::InvalidKey)
        );
    }
}

#[test]
fn proofs_are_redacted_in_debug() {
    let proof = ProofRequest::new("POST", "https://as.example/token")
        .unwrap()
        .sign(&rfc6979_key(), &mut rng(), 1)
        .unwrap();
    assert_eq!(format!("{proof:?}"), "DpopProof(<redacted>)");
}

#[test]
fn a_jwk_with_private_empty_or_repeated_members_is_refused() {
    let x = "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs";
    let y = "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA";
    let ec = [("kty", "EC"), ("crv", "P-256"), ("x", x), ("y", y)];
    assert!(PublicJwk::from_members(&ec).is_ok());
    let with = |extra: (&'static str, &'static str)| {
        let mut m = ec.to_vec();
        m.push(extra);
        PublicJwk::from_members(&m)
    };
    for private in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
        assert_eq!(
            with((private, "AAAA")),
            Err(DpopError::InvalidJwk),
            "{private}"
        );
    }
    assert_eq!(with(("x", x)), Err(DpopError::InvalidJwk), "repeated");
    assert_eq!(with(("", "v")), Err(DpopError::InvalidJwk), "empty name");
    assert_eq!(with(("use", "")), Err(DpopError::InvalidJwk), "empty value");
    assert_eq!(
        PublicJwk::from_members(&ec[1..]),
        Err(DpopError::InvalidJwk),
        "no kty"
    );
}

#[test]
fn a_proof_allocates_three_times_whatever_its_size() {
    let key = rfc6979_key();
    let url = format!("https://rs.example/{}?q=1", "p/".repeat(150));
    let nonce = DpopNonce::parse(&"n".repeat(512)).unwrap();
    let token = AccessToken::new("t".repeat(2000));
    let request = ProofRequest::new("DELETE", &url)
        .unwrap()
        .nonce(Some(&nonce))
        .access_token(&token)
        .unwrap();
    let mut rng = rng();
    for request in [
        request,
        ProofRequest::new("POST", "https://a.example/t").unwrap(),
    ] {
        let info = allocation_counter::measure(|| {
            std::hint::black_box(request.sign(&key, &mut rng, 1).unwrap());
        });
        assert_eq!(
            info.count_total, 3,
            "the JSON scratch, the proof, the signature"
        );
    }
}
