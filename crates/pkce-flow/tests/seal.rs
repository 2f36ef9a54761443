//! Sealed pending authorizations: round trips, and a typed error for every altered,
//! truncated, foreign, stale or oversized value.
#![cfg(feature = "seal")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64ct::{Base64UrlUnpadded, Encoding};
use common::{FailingRng, builder, rng};
use pkce_flow::seal::{MAX_CLOCK_SKEW, MAX_SEALED_LEN, SealError, SealKey, SealKeys};
use pkce_flow::{Client, StoredAuthorization};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

const NOW: u64 = 1_700_000_000;
const LABEL: &[u8] = b"pkce-flow sealed authorization";
const MAX_AGE: u64 = 600;
/// Version, key id, 24-byte nonce, 8-byte issued-at, 16-byte tag: the shortest value that
/// reaches the authentication check.
const MIN_DECODED: usize = 2 + 24 + 8 + 16;

fn keys() -> SealKeys {
    SealKeys::new(SealKey::new(1, [0x11; 32]))
}

/// The test client, sending an OpenID Connect nonce (the typical, larger authorization).
fn client() -> Client {
    builder().send_nonce().build().unwrap()
}

fn stored() -> StoredAuthorization {
    client().authorize(&mut rng()).unwrap().1.into_stored()
}

fn json(stored: &StoredAuthorization) -> String {
    serde_json::to_string(stored).unwrap()
}

fn sealed() -> String {
    stored().seal(&keys(), NOW, &mut rng()).unwrap()
}

fn open(text: impl AsRef<[u8]>) -> Result<StoredAuthorization, SealError> {
    StoredAuthorization::open(text, &keys(), NOW, MAX_AGE)
}

/// The error a well-formed base64url text whose decoded bytes are `bytes` must give, when
/// they differ from a genuine value (or are a prefix of one).
fn expected_for_bytes(bytes: &[u8]) -> SealError {
    match bytes {
        [1, 1, ..] if bytes.len() >= MIN_DECODED => SealError::AuthenticationFailed,
        [1, id, ..] if bytes.len() >= MIN_DECODED => SealError::UnknownKey { id: *id },
        _ => SealError::Malformed,
    }
}

fn expected_for_text(text: &[u8]) -> SealError {
    match core::str::from_utf8(text).map(Base64UrlUnpadded::decode_vec) {
        Ok(Ok(bytes)) => expected_for_bytes(&bytes),
        _ => SealError::Malformed,
    }
}

#[test]
fn a_sealed_authorization_opens_to_the_same_authorization_and_finishes_the_flow() {
    let c = client();
    let (_, pending) = c.authorize(&mut rng()).unwrap();
    let state = pending.state().expose_secret().to_owned();
    let nonce = pending.nonce().unwrap().expose_secret().to_owned();
    let text = pending.seal(&keys(), NOW, &mut rng()).unwrap();
    let pending = c.open_pending(&text, &keys(), NOW + 1, MAX_AGE).unwrap();
    assert_eq!(pending.nonce().unwrap().expose_secret(), nonce);
    let query = format!("code=a&state={state}&iss=https%3A%2F%2Fas.example");
    assert!(pending.callback(&query).is_ok());

    let original = stored();
    let opened = open(original.seal(&keys(), NOW, &mut rng()).unwrap()).unwrap();
    assert_eq!(json(&opened), json(&original));
}

#[test]
fn the_sealed_text_is_cookie_safe_and_well_under_a_kibibyte() {
    let text = sealed();
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    eprintln!(
        "sealed size, typical authorization with nonce: {} characters (the same as JSON: {} bytes)",
        text.len(),
        json(&stored()).len()
    );
    assert!(text.len() < 1024, "{}", text.len());
}

#[test]
fn every_single_bit_flip_of_the_decoded_bytes_is_refused_with_its_error() {
    let bytes = Base64UrlUnpadded::decode_vec(&sealed()).unwrap();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut flipped = bytes.clone();
            flipped[i] ^= 1 << bit;
            let expected = expected_for_bytes(&flipped);
            let got = open(Base64UrlUnpadded::encode_string(&flipped)).err();
            assert_eq!(got, Some(expected), "byte {i} bit {bit}");
        }
    }
}

#[test]
fn every_single_bit_flip_of_the_text_is_refused_with_its_error() {
    let text = sealed().into_bytes();
    for i in 0..text.len() {
        for bit in 0..8 {
            let mut flipped = text.clone();
            flipped[i] ^= 1 << bit;
            let got = open(&flipped).err();
            assert_eq!(got, Some(expected_for_text(&flipped)), "char {i} bit {bit}");
        }
    }
}

#[test]
fn every_truncation_is_refused_with_its_error() {
    let text = sealed();
    for len in 0..text.len() {
        let cut = &text.as_bytes()[..len];
        assert_eq!(open(cut).err(), Some(expected_for_text(cut)), "{len} chars");
    }
    let bytes = Base64UrlUnpadded::decode_vec(&text).unwrap();
    for len in 0..bytes.len() {
        let cut = Base64UrlUnpadded::encode_string(&bytes[..len]);
        assert_eq!(open(cut).err(), Some(expected_for_bytes(&bytes[..len])));
    }
}

#[test]
fn a_key_id_missing_from_the_ring_is_unknown_and_another_key_fails_authentication() {
    let other_id = SealKeys::new(SealKey::new(9, [0x11; 32]));
    let text = stored().seal(&other_id, NOW, &mut rng()).unwrap();
    assert_eq!(open(&text).err(), Some(SealError::UnknownKey { id: 9 }));

    let same_id_other_bytes = SealKeys::new(SealKey::new(1, [0x22; 32]));
    let text = stored()
        .seal(&same_id_other_bytes, NOW, &mut rng())
        .unwrap();
    assert_eq!(open(&text).err(), Some(SealError::AuthenticationFailed));
}

/// Builds a value by the documented format with the bare AEAD, and `label` as the start of
/// the associated data.
fn sealed_by_hand(label: &[u8], issued_at: u64, plaintext: &[u8]) -> String {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let aead = chacha20poly1305::XChaCha20Poly1305::new(&[0x11; 32].into());
    let nonce = [0x5A; 24];
    let aad = [label, &[1, 1]].concat();
    let msg = [&issued_at.to_be_bytes()[..], plaintext].concat();
    let payload = Payload {
        msg: &msg,
        aad: &aad,
    };
    let ciphertext = aead.encrypt(&nonce.into(), payload).unwrap();
    Base64UrlUnpadded::encode_string(&[&[1, 1], &nonce[..], &ciphertext].concat())
}

/// The documented field encoding, written from the authorization's JSON form: each string
/// as a 16-bit big-endian length and its bytes, the issuer and nonce behind a 0/1 flag.
fn fields_by_hand(stored: &StoredAuthorization) -> Vec<u8> {
    let value = serde_json::to_value(stored).unwrap();
    let mut out = Vec::new();
    for (name, optional) in [
        ("client_id", false),
        ("redirect_uri", false),
        ("issuer", true),
        ("token_endpoint", false),
        ("verifier", false),
        ("state", false),
        ("nonce", true),
    ] {
        let text = value[name].as_str();
        if optional {
            out.push(u8::from(text.is_some()));
        }
        if let Some(text) = text {
            out.extend_from_slice(&u16::try_from(text.len()).unwrap().to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        }
    }
    out
}

#[test]
fn the_format_is_the_documented_one_and_bound_to_its_label() {
    for stored in [
        stored(),
        common::client()
            .authorize(&mut rng())
            .unwrap()
            .1
            .into_stored(),
    ] {
        let fields = fields_by_hand(&stored);
        let by_hand = sealed_by_hand(LABEL, NOW, &fields);
        assert_eq!(json(&open(&by_hand).unwrap()), json(&stored));
        let other_use = sealed_by_hand(b"", NOW, &fields);
        assert_eq!(open(other_use).err(), Some(SealError::AuthenticationFailed));
        let trailing = sealed_by_hand(LABEL, NOW, &[&fields[..], &[0]].concat());
        assert_eq!(open(trailing).err(), Some(SealError::Malformed));
        let short = sealed_by_hand(LABEL, NOW, &fields[..fields.len() - 1]);
        assert_eq!(open(short).err(), Some(SealError::Malformed));
    }
    let not_fields = sealed_by_hand(LABEL, NOW, b"{}");
    assert_eq!(open(not_fields).err(), Some(SealError::Malformed));
}

#[test]
fn the_clear_key_id_is_authenticated_even_between_keys_with_equal_bytes() {
    let twins = SealKeys::new(SealKey::new(1, [0x11; 32]))
        .with_opening_key(SealKey::new(2, [0x11; 32]))
        .unwrap();
    let mut bytes = Base64UrlUnpadded::decode_vec(&sealed()).unwrap();
    bytes[1] = 2;
    let relabelled = Base64UrlUnpadded::encode_string(&bytes);
    assert_eq!(
        StoredAuthorization::open(relabelled, &twins, NOW, MAX_AGE).err(),
        Some(SealError::AuthenticationFailed)
    );
}

#[test]
fn after_rotation_the_old_key_still_opens_and_the_new_key_seals() {
    let old = sealed();
    let rotated = SealKeys::new(SealKey::new(2, [0x22; 32]))
        .with_opening_key(SealKey::new(1, [0x11; 32]))
        .unwrap();
    let opened = StoredAuthorization::open(&old, &rotated, NOW, MAX_AGE).unwrap();
    assert_eq!(json(&opened), json(&stored()));
    let new = stored().seal(&rotated, NOW, &mut rng()).unwrap();
    assert_eq!(Base64UrlUnpadded::decode_vec(&new).unwrap()[1], 2);
    assert_eq!(open(&new).err(), Some(SealError::UnknownKey { id: 2 }));
    assert_eq!(
        keys().with_opening_key(SealKey::new(1, [0x33; 32])).err(),
        Some(SealError::DuplicateKeyId { id: 1 })
    );
}

#[test]
fn a_value_older_than_the_maximum_age_is_expired() {
    let text = sealed();
    assert!(StoredAuthorization::open(&text, &keys(), NOW + MAX_AGE, MAX_AGE).is_ok());
    assert_eq!(
        StoredAuthorization::open(&text, &keys(), NOW + MAX_AGE + 1, MAX_AGE).err(),
        Some(SealError::Expired)
    );
    assert_eq!(
        StoredAuthorization::open(&text, &keys(), u64::MAX, MAX_AGE).err(),
        Some(SealError::Expired)
    );
}

#[test]
fn a_value_issued_beyond_the_clock_skew_in_the_future_is_refused() {
    let text = sealed();
    let earliest = NOW - MAX_CLOCK_SKEW;
    assert!(StoredAuthorization::open(&text, &keys(), earliest, MAX_AGE).is_ok());
    assert_eq!(
        StoredAuthorization::open(&text, &keys(), earliest - 1, MAX_AGE).err(),
        Some(SealError::IssuedInFuture)
    );
    let far = stored().seal(&keys(), u64::MAX, &mut rng()).unwrap();
    assert_eq!(open(far).err(), Some(SealError::IssuedInFuture));
}

#[test]
fn a_value_sealed_for_another_client_or_redirect_uri_is_foreign() {
    let text = sealed();
    let others = [
        client(),
        Client::builder("another-client")
            .issuer(common::ISS)
            .authorization_endpoint("https://as.example/authorize")
            .token_endpoint("https://as.example/token")
            .redirect_uri(common::REDIRECT)
            .build()
            .unwrap(),
        builder()
            .redirect_uri("http://127.0.0.1:51005/callback")
            .build()
            .unwrap(),
        builder().issuer("https://other.example").build().unwrap(),
    ];
    assert!(others[0].open_pending(&text, &keys(), NOW, MAX_AGE).is_ok());
    for other in &others[1..] {
        assert_eq!(
            other.open_pending(&text, &keys(), NOW, MAX_AGE).err(),
            Some(SealError::ForeignClient)
        );
    }
}

#[test]
fn oversized_input_is_refused_before_any_decoding() {
    let at_limit = "A".repeat(MAX_SEALED_LEN);
    assert_eq!(open(&at_limit).err(), Some(SealError::Malformed));
    // Not even base64url: the length alone decides.
    let over = "!".repeat(MAX_SEALED_LEN + 1);
    assert_eq!(open(&over).err(), Some(SealError::TooLarge));
    let over = "A".repeat(10 * MAX_SEALED_LEN);
    assert_eq!(open(&over).err(), Some(SealError::TooLarge));
}

#[test]
fn an_authorization_too_large_for_a_cookie_is_not_sealed() {
    let mut value: serde_json::Value = serde_json::from_str(&json(&stored())).unwrap();
    value["redirect_uri"] = format!("https://app.example/{}", "a".repeat(MAX_SEALED_LEN)).into();
    let big: StoredAuthorization = serde_json::from_value(value).unwrap();
    assert_eq!(
        big.seal(&keys(), NOW, &mut rng()).err(),
        Some(SealError::TooLarge)
    );
}

#[test]
fn a_failing_generator_seals_nothing_and_makes_no_key() {
    assert_eq!(
        stored().seal(&keys(), NOW, &mut FailingRng).err(),
        Some(SealError::Rng)
    );
    assert_eq!(
        SealKey::generate(1, &mut FailingRng).err(),
        Some(SealError::Rng)
    );
    let key = SealKey::generate(4, &mut rng()).unwrap();
    assert_eq!(key.id(), 4);
}

#[test]
fn keys_and_errors_show_no_secret() {
    let key = SealKey::new(7, [0xAB; 32]);
    assert_eq!(format!("{key:?}"), "SealKey { id: 7, .. }");
    let ring = SealKeys::new(key)
        .with_opening_key(SealKey::new(3, [0xCD; 32]))
        .unwrap();
    assert_eq!(format!("{ring:?}"), "SealKeys { sealing: 7, opening: [3] }");
    let text = sealed();
    for err in [
        open(&text[..100]).unwrap_err(),
        open(&text[1..]).unwrap_err(),
    ] {
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(&text[..8]) && !shown.contains(&text[100..108]));
    }
}

fn arbitrary_stored() -> impl Strategy<Value = StoredAuthorization> {
    (
        ".{0,40}",
        ".{0,80}",
        proptest::option::of(".{0,60}"),
        ".{0,80}",
        "[A-Za-z0-9._~-]{43,128}",
        any::<u64>(),
        any::<bool>(),
    )
        .prop_map(
            |(client_id, redirect_uri, issuer, token_endpoint, verifier, seed, nonce)| {
                let mut rng = ChaCha20Rng::seed_from_u64(seed);
                let state = pkce_flow::pkce_core::State::generate(&mut rng).unwrap();
                let nonce = nonce.then(|| pkce_flow::pkce_core::Nonce::generate(&mut rng).unwrap());
                serde_json::from_value(serde_json::json!({
                    "client_id": client_id,
                    "redirect_uri": redirect_uri,
                    "issuer": issuer,
                    "token_endpoint": token_endpoint,
                    "verifier": verifier,
                    "state": state,
                    "nonce": nonce,
                }))
                .unwrap()
            },
        )
}

proptest! {
    #[test]
    fn any_authorization_opens_to_itself(
        stored in arbitrary_stored(),
        now in 0..u64::MAX / 2,
        age in 0..MAX_AGE,
        seed in any::<u64>(),
    ) {
        let text = stored.seal(&keys(), now, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap();
        let opened = StoredAuthorization::open(&text, &keys(), now + age, MAX_AGE).unwrap();
        prop_assert_eq!(json(&opened), json(&stored));
    }
}
