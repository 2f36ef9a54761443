//! OpenID Connect ID tokens: the nonce sent with `openid`, and every check of OpenID Connect
//! Core §3.1.3.7 and §12.2, each refused with its typed error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{ISS, builder, client, finish, json, one, pairs, query_of, rng};
use pkce_flow::oidc::{
    IdToken, IdTokenError, IdTokenSignature, IdTokenValidation, IdTokenVerifier, JoseHeader,
    SignatureRejected,
};
use pkce_flow::{Client, HttpResponse, RefreshToken, TokenResponse};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const NOW: u64 = 1_700_000_000;
const CLIENT: &str = "s6BhdRkqt3";

/// A stand-in signature scheme: the signature is SHA-256 of the signing input, and only
/// `alg` `HS256`-named tokens are accepted. It checks what it is given, so a token whose
/// parts are altered fails.
struct DigestVerifier;

impl IdTokenVerifier for DigestVerifier {
    fn verify(
        &self,
        header: &JoseHeader,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureRejected> {
        if header.alg() == "HS256" && Sha256::digest(signing_input).as_slice() == signature {
            Ok(())
        } else {
            Err(SignatureRejected)
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn sign(header: &Value, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature = b64(&Sha256::digest(input.as_bytes()));
    format!("{input}.{signature}")
}

fn claims(nonce: &str) -> Value {
    json!({
        "iss": ISS, "sub": "248289761001", "aud": CLIENT, "exp": NOW + 600, "iat": NOW,
        "auth_time": NOW - 5, "nonce": nonce, "email": "jane@example.com",
    })
}

fn token_body(id_token: &str) -> String {
    json!({"access_token": "SlAV32hkKG", "token_type": "Bearer", "id_token": id_token}).to_string()
}

/// A login with `client`, answered with the ID token `make(nonce sent)`.
fn login(client: &Client, make: impl FnOnce(&str) -> String) -> TokenResponse {
    let (url, pending) = client.authorize(&mut rng()).unwrap();
    let nonce = pending
        .nonce()
        .map_or(String::new(), |n| n.expose_secret().to_owned());
    let state = pending.state().expose_secret().to_owned();
    let exchange = pending
        .callback(&format!(
            "code=c0de&state={state}&iss=https%3A%2F%2Fas.example"
        ))
        .unwrap();
    assert_eq!(query_of(url.as_str()).contains("nonce="), !nonce.is_empty());
    let body = token_body(&make(&nonce));
    finish(exchange, json_owned(&body)).unwrap()
}

fn json_owned(body: &str) -> HttpResponse<'_> {
    HttpResponse::new(200, body.as_bytes()).with_header("Content-Type", "application/json")
}

fn verified() -> IdTokenValidation<'static> {
    IdTokenValidation::new(NOW, IdTokenSignature::Verified(&DigestVerifier))
}

fn validate_claims(edit: impl FnOnce(&mut Value)) -> Result<IdToken, IdTokenError> {
    let client = client();
    let tokens = login(&client, |nonce| {
        let mut c = claims(nonce);
        edit(&mut c);
        sign(&json!({"alg": "HS256", "kid": "k1"}), &c)
    });
    client.validate_id_token(&tokens, &verified())
}

#[test]
fn a_nonce_is_sent_when_openid_is_requested_and_not_otherwise() {
    let (url, pending) = client().authorize(&mut rng()).unwrap();
    let sent = one(&pairs(query_of(url.as_str())), "nonce");
    assert_eq!(sent, pending.nonce().unwrap().expose_secret());
    let plain = Client::builder(CLIENT)
        .issuer(ISS)
        .authorization_endpoint("https://as.example/authorize")
        .token_endpoint("https://as.example/token")
        .redirect_uri(common::REDIRECT)
        .scope("profile")
        .build()
        .unwrap();
    let (url, pending) = plain.authorize(&mut rng()).unwrap();
    assert!(!query_of(url.as_str()).contains("nonce"));
    assert!(pending.nonce().is_none());
}

#[test]
fn a_valid_id_token_gives_its_claims_typed() {
    let id = validate_claims(|_| {}).unwrap();
    assert_eq!(id.issuer(), ISS);
    assert_eq!(id.subject(), "248289761001");
    assert!(id.audiences().contains(CLIENT));
    assert_eq!(id.auth_time(), Some(NOW - 5));
    assert_eq!(id.expires_at(), NOW + 600);
    assert!(id.claims_json().contains("jane@example.com"));
    assert!(!format!("{id:?}").contains("nonce\""));
}

#[test]
fn a_nonce_that_is_missing_or_another_is_refused() {
    let missing = validate_claims(|c| {
        c.as_object_mut().unwrap().remove("nonce");
    });
    assert_eq!(missing.unwrap_err(), IdTokenError::NonceMissing);
    let other = validate_claims(|c| c["nonce"] = json!("bm90IHRoZSBvbmUgc2VudA"));
    assert_eq!(other.unwrap_err(), IdTokenError::NonceMismatch);
}

#[test]
fn the_issuer_must_match_exactly_even_by_a_trailing_slash() {
    let slash = validate_claims(|c| c["iss"] = json!(format!("{ISS}/")));
    assert_eq!(slash.unwrap_err(), IdTokenError::IssuerMismatch);
}

#[test]
fn the_audience_must_contain_the_client_and_several_need_azp() {
    let wrong = validate_claims(|c| c["aud"] = json!("another-client"));
    assert_eq!(wrong.unwrap_err(), IdTokenError::AudienceMismatch);
    let several = validate_claims(|c| c["aud"] = json!([CLIENT, "api"]));
    assert_eq!(several.unwrap_err(), IdTokenError::AuthorizedPartyMissing);
    let azp = validate_claims(|c| {
        c["aud"] = json!([CLIENT, "api"]);
        c["azp"] = json!(CLIENT);
    });
    assert_eq!(azp.unwrap().audiences().as_slice().len(), 2);
    let foreign_azp = validate_claims(|c| c["azp"] = json!("api"));
    assert_eq!(
        foreign_azp.unwrap_err(),
        IdTokenError::AuthorizedPartyMismatch
    );
}

#[test]
fn expiry_and_issue_time_are_checked_against_now_with_the_leeway() {
    let expired = validate_claims(|c| c["exp"] = json!(NOW - 61));
    assert_eq!(expired.unwrap_err(), IdTokenError::Expired);
    assert!(validate_claims(|c| c["exp"] = json!(NOW - 59)).is_ok());
    let future = validate_claims(|c| c["iat"] = json!(NOW + 61));
    assert_eq!(future.unwrap_err(), IdTokenError::IssuedInFuture);
    assert!(validate_claims(|c| c["iat"] = json!(NOW + 59)).is_ok());
    let client = client();
    let tokens = login(&client, |n| sign(&json!({"alg": "HS256"}), &claims(n)));
    let strict = verified().leeway(0);
    let late = IdTokenValidation::new(NOW + 600, IdTokenSignature::Verified(&DigestVerifier));
    assert!(client.validate_id_token(&tokens, &strict).is_ok());
    assert_eq!(
        client
            .validate_id_token(&tokens, &late.leeway(0))
            .unwrap_err(),
        IdTokenError::Expired
    );
}

#[test]
fn claims_of_the_wrong_type_are_typed_errors() {
    for (claim, value) in [
        ("exp", json!(1.5)),
        ("exp", json!("1700000600")),
        ("iat", json!(-1)),
        ("sub", json!(7)),
        ("sub", json!("")),
        ("aud", json!([])),
        ("aud", json!([1])),
    ] {
        let got = validate_claims(|c| c[claim] = value.clone());
        assert_eq!(
            got.unwrap_err(),
            IdTokenError::InvalidClaim(claim),
            "{claim}"
        );
    }
    let no_sub = validate_claims(|c| {
        c.as_object_mut().unwrap().remove("sub");
    });
    assert_eq!(no_sub.unwrap_err(), IdTokenError::MissingClaim("sub"));
}

/// A login answered with `raw` as the ID token, validated with the verifier.
fn validate_raw(raw: &str) -> IdTokenError {
    let client = client();
    let raw = raw.to_owned();
    let tokens = login(&client, move |_| raw);
    client.validate_id_token(&tokens, &verified()).unwrap_err()
}

#[test]
fn alg_none_is_refused_whatever_its_case_and_the_signature_mode() {
    let unsigned = |alg: &str| {
        let h = b64(json!({"alg": alg}).to_string().as_bytes());
        format!("{h}.{}.c2ln", b64(claims("x").to_string().as_bytes()))
    };
    assert_eq!(validate_raw(&unsigned("none")), IdTokenError::AlgNone);
    assert_eq!(validate_raw(&unsigned("NONE")), IdTokenError::AlgNone);
    let client = client();
    let tokens = login(&client, |_| unsigned("none"));
    let tls = IdTokenValidation::new(NOW, IdTokenSignature::IssuerEstablishedByTls);
    assert_eq!(
        client.validate_id_token(&tokens, &tls).unwrap_err(),
        IdTokenError::AlgNone
    );
}

#[test]
fn hostile_tokens_are_typed_errors() {
    let good = sign(&json!({"alg": "HS256"}), &claims("x"));
    let (h, rest) = good.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let cases: Vec<(String, IdTokenError)> = vec![
        (String::new(), IdTokenError::Malformed("structure")),
        (format!("{h}.{p}"), IdTokenError::Malformed("structure")),
        (
            format!("{h}.{p}.{s}.x"),
            IdTokenError::Malformed("structure"),
        ),
        (format!("{h}.{p}.{s}.x.y"), IdTokenError::Encrypted),
        ("!!!.***.$$$".to_owned(), IdTokenError::Malformed("header")),
        (format!("{h}.{p}="), IdTokenError::Malformed("structure")),
        (
            format!("{h}.{p}.{s}="),
            IdTokenError::Malformed("signature"),
        ),
        (format!("{h}.{p}."), IdTokenError::Malformed("signature")),
        (
            format!("{}.{p}.{s}", b64(b"not json")),
            IdTokenError::Malformed("header"),
        ),
        (
            format!("{h}.{}.{s}", b64(b"[1,2]")),
            IdTokenError::Malformed("payload"),
        ),
        (
            format!("{h}.{}.{s}", b64(b"\xff\xfe")),
            IdTokenError::Malformed("payload"),
        ),
        (
            format!("{h}.{}.{s}", b64(br#"{"iss":"a","iss":"b"}"#)),
            IdTokenError::DuplicateMember,
        ),
        (
            format!("{}.{p}.{s}", b64(br#"{"alg":"HS256","crit":["exp"]}"#)),
            IdTokenError::CriticalHeader,
        ),
        (
            format!("{h}.{p}.{}", b64(b"forged")),
            IdTokenError::BadSignature,
        ),
        ("a".repeat(16 * 1024 + 1), IdTokenError::TooLarge),
    ];
    for (raw, expected) in cases {
        assert_eq!(validate_raw(&raw), expected, "{raw:.60}");
    }
}

#[test]
fn the_signature_covers_the_claims() {
    let good = sign(&json!({"alg": "HS256"}), &claims("x"));
    let (h, rest) = good.split_once('.').unwrap();
    let (_, s) = rest.split_once('.').unwrap();
    let mut other = claims("x");
    other["sub"] = json!("attacker");
    let swapped = format!("{h}.{}.{s}", b64(other.to_string().as_bytes()));
    assert_eq!(validate_raw(&swapped), IdTokenError::BadSignature);
}

#[test]
fn the_issuer_established_by_tls_skips_the_signature_on_https_only() {
    let client = client();
    let tokens = login(&client, |n| format!("{}.c2ln", unsigned_body(n)));
    let tls = IdTokenValidation::new(NOW, IdTokenSignature::IssuerEstablishedByTls);
    assert_eq!(
        client.validate_id_token(&tokens, &tls).unwrap().subject(),
        "248289761001"
    );
    let loopback = builder()
        .issuer("http://127.0.0.1:9/")
        .token_endpoint("http://127.0.0.1:9/token")
        .dangerous_allow_insecure_loopback()
        .build()
        .unwrap();
    assert_eq!(loopback.issuer(), Some("http://127.0.0.1:9/"));
    let refused = builder().token_endpoint("http://as.example/token").build();
    assert!(
        refused.is_err(),
        "plain http is refused outside the loopback opt-in"
    );
}

fn unsigned_body(nonce: &str) -> String {
    format!(
        "{}.{}",
        b64(json!({"alg": "RS256"}).to_string().as_bytes()),
        b64(claims(nonce).to_string().as_bytes())
    )
}

#[test]
fn a_refreshed_id_token_is_checked_against_the_identity_kept_from_the_login() {
    let client = client();
    let tokens = login(&client, |n| sign(&json!({"alg": "HS256"}), &claims(n)));
    let identity = client
        .validate_id_token(&tokens, &verified())
        .unwrap()
        .identity();
    assert_eq!(identity.subject(), "248289761001");
    let refresh = |sub: &str| {
        let mut c = claims("");
        c.as_object_mut().unwrap().remove("nonce");
        c["sub"] = json!(sub);
        let body = token_body(&sign(&json!({"alg": "HS256"}), &c));
        let exchange = client.refresh(&RefreshToken::new("tGzv3JOkF0XG5Qx2TlKWIA".into()));
        let tokens = finish(exchange, json_owned(&body)).unwrap();
        client.validate_refreshed_id_token_for(&identity, &tokens, &verified())
    };
    assert_eq!(
        refresh("248289761001").unwrap().unwrap().subject(),
        "248289761001"
    );
    assert_eq!(
        refresh("someone-else").unwrap_err(),
        IdTokenError::RefreshChanged("sub")
    );
}

/// An identity read back from storage that names another issuer than the refreshed token's
/// (which is the configured one): refused for `iss`.
#[cfg(feature = "serde")]
#[test]
fn a_stored_identity_of_another_issuer_refuses_the_refreshed_id_token() {
    let client = client();
    let stored = json!({
        "issuer": "https://other.example", "subject": "248289761001", "audiences": [CLIENT],
        "authorized_party": null, "auth_time": NOW - 5,
    });
    let identity: pkce_flow::oidc::LoginIdentity = serde_json::from_value(stored).unwrap();
    let mut c = claims("");
    c.as_object_mut().unwrap().remove("nonce");
    let body = token_body(&sign(&json!({"alg": "HS256"}), &c));
    let exchange = client.refresh(&RefreshToken::new("tGzv3JOkF0XG5Qx2TlKWIA".into()));
    let tokens = finish(exchange, json_owned(&body)).unwrap();
    assert_eq!(
        client
            .validate_refreshed_id_token_for(&identity, &tokens, &verified())
            .unwrap_err(),
        IdTokenError::RefreshChanged("iss")
    );
}

#[test]
fn a_refreshed_id_token_must_keep_issuer_subject_and_audience() {
    let client = client();
    let tokens = login(&client, |n| sign(&json!({"alg": "HS256"}), &claims(n)));
    let first = client.validate_id_token(&tokens, &verified()).unwrap();
    let refresh = |edit: &dyn Fn(&mut Value)| {
        let mut c = claims("");
        c.as_object_mut().unwrap().remove("nonce");
        edit(&mut c);
        let body = token_body(&sign(&json!({"alg": "HS256"}), &c));
        let exchange = client.refresh(&RefreshToken::new("tGzv3JOkF0XG5Qx2TlKWIA".into()));
        let tokens = finish(exchange, json_owned(&body)).unwrap();
        client.validate_refreshed_id_token(&first, &tokens, &verified())
    };
    assert!(refresh(&|_| {}).unwrap().is_some());
    assert_eq!(
        refresh(&|c| c["sub"] = json!("someone-else")).unwrap_err(),
        IdTokenError::RefreshChanged("sub")
    );
    assert_eq!(
        refresh(&|c| c["aud"] = json!([CLIENT, "x"])).unwrap_err(),
        IdTokenError::AuthorizedPartyMissing
    );
    // A token valid on its own (another audience beside the client, with `azp`) whose
    // audience is not the first token's.
    let widened = |c: &mut Value| {
        c["aud"] = json!([CLIENT, "x"]);
        c["azp"] = json!(CLIENT);
    };
    assert_eq!(
        refresh(&widened).unwrap_err(),
        IdTokenError::RefreshChanged("aud")
    );
    assert_eq!(
        refresh(&|c| c["iss"] = json!("https://other.example")).unwrap_err(),
        IdTokenError::IssuerMismatch
    );
    assert_eq!(
        refresh(&|c| c["auth_time"] = json!(NOW)).unwrap_err(),
        IdTokenError::RefreshChanged("auth_time")
    );
    assert_eq!(
        refresh(&|c| c["exp"] = json!(NOW - 100)).unwrap_err(),
        IdTokenError::Expired
    );
    assert_eq!(
        refresh(&|c| c["azp"] = json!(CLIENT)).unwrap_err(),
        IdTokenError::RefreshChanged("azp")
    );
    assert_eq!(
        refresh(&|c| {
            c["aud"] = json!([CLIENT, "x"]);
            c["azp"] = json!(CLIENT);
        })
        .unwrap_err(),
        IdTokenError::RefreshChanged("aud")
    );
    let none = finish(
        client.refresh(&RefreshToken::new("tGzv3JOkF0XG5Qx2TlKWIA".into())),
        json(200, r#"{"access_token":"a","token_type":"Bearer"}"#),
    )
    .unwrap();
    assert!(
        client
            .validate_refreshed_id_token(&first, &none, &verified())
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_token_response_without_an_id_token_or_a_client_without_issuer_is_refused() {
    let client = client();
    let tokens = finish(
        client.refresh(&RefreshToken::new("tGzv3JOkF0XG5Qx2TlKWIA".into())),
        json(200, r#"{"access_token":"a","token_type":"Bearer"}"#),
    )
    .unwrap();
    assert_eq!(
        client.validate_id_token(&tokens, &verified()).unwrap_err(),
        IdTokenError::Missing
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_as_id_token_is_a_typed_error_never_a_panic(raw in "[A-Za-z0-9_.=-]{0,200}") {
            let _ = validate_raw(&raw);
        }
    }
}
