//! With the `serde` feature: verifier, state, nonce and challenge round-trip through JSON, and
//! deserializing an invalid value fails without quoting that value in the error.

#![cfg(feature = "serde")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pkce_core::rand_core::SeedableRng;
use pkce_core::{CodeChallenge, CodeVerifier, Nonce, State};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};

/// What an application stores between the two legs of the flow.
#[derive(Serialize, Deserialize)]
struct Pending {
    verifier: CodeVerifier,
    challenge: CodeChallenge,
    state: State,
    nonce: Nonce,
}

fn pending(seed: u64) -> Pending {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let verifier = CodeVerifier::generate_from_octets(&mut rng, 64).unwrap();
    Pending {
        challenge: verifier.challenge(),
        verifier,
        state: State::generate(&mut rng).unwrap(),
        nonce: Nonce::generate(&mut rng).unwrap(),
    }
}

#[test]
fn pending_authorization_round_trips_through_json() {
    for seed in 0..16 {
        let p = pending(seed);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            format!(
                r#"{{"verifier":"{}","challenge":"{}","state":"{}","nonce":"{}"}}"#,
                p.verifier.expose_secret(),
                p.challenge,
                p.state.expose_secret(),
                p.nonce.expose_secret()
            )
        );
        let back: Pending = serde_json::from_str(&json).unwrap();
        assert_eq!(back.verifier.expose_secret(), p.verifier.expose_secret());
        assert_eq!(back.challenge, p.challenge);
        assert_eq!(back.verifier.challenge(), p.challenge);
        assert!(back.state.matches(p.state.expose_secret()));
        assert!(back.nonce.matches(p.nonce.expose_secret()));
        // Also through an owned reader (no borrowed strings).
        let back: Pending = serde_json::from_reader(json.as_bytes()).unwrap();
        assert_eq!(back.verifier.expose_secret(), p.verifier.expose_secret());
    }
}

#[test]
fn escaped_json_strings_are_accepted() {
    let v: CodeVerifier =
        serde_json::from_str(r#""\u0064BjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk""#).unwrap();
    assert_eq!(
        v.expose_secret(),
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    );
    let c: CodeChallenge =
        serde_json::from_str(r#""E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM""#).unwrap();
    assert_eq!(c, v.challenge());
}

/// Deserializes `value` as `T` and checks the error does not quote it.
fn refused<T: for<'de> Deserialize<'de>>(value: &str) -> String {
    let json = serde_json::to_string(value).unwrap();
    let Err(err) = serde_json::from_str::<T>(&json) else {
        panic!("{value:?} was accepted");
    };
    let text = format!("{err} / {err:?}");
    assert!(!text.contains(value), "{text} quotes {value:?}");
    text
}

#[test]
fn invalid_values_are_refused_without_being_quoted() {
    let a42 = "A".repeat(42);
    let verifiers = [
        "short-secret-verifier".to_owned(),
        a42.clone(),
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk=".to_owned(),
        format!("{a42} secret"),
        "Z".repeat(129),
    ];
    for v in &verifiers {
        let text = refused::<CodeVerifier>(v);
        assert!(text.contains("code verifier"), "{text}");
    }
    let tokens = [
        format!("{a42}B"),
        format!("{a42}="),
        "forged-state-value".into(),
        format!("{a42}AA"),
    ];
    for t in &tokens {
        refused::<State>(t);
        refused::<Nonce>(t);
    }
    for c in [
        format!("{a42}+"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cMX".into(),
        "plain-challenge".into(),
    ] {
        refused::<CodeChallenge>(&c);
    }
    // The same inside a struct: the field's error still does not quote the value.
    let p = pending(1);
    let json = serde_json::to_string(&p).unwrap();
    let forged = json.replace(p.state.expose_secret(), "forged-state-value");
    let err = serde_json::from_str::<Pending>(&forged)
        .err()
        .expect("forged state refused");
    assert!(!err.to_string().contains("forged-state-value"), "{err}");
    // Wrong JSON types are refused too.
    assert!(serde_json::from_str::<CodeVerifier>("42").is_err());
    assert!(serde_json::from_str::<State>("null").is_err());
}
