//! Property tests against independent oracles (in the style of RustCrypto's
//! `base64ct/tests/proptests.rs`): a hand-written grammar predicate, the `form_urlencoded`
//! crate, `sha2` + `base64ct` computed here, and base64ct's own decoder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use pkce_core::form::{self, FormEncoder, Pairs};
use pkce_core::rand_core::{SeedableRng, TryRng};
use pkce_core::{
    BufferTooSmall, CodeVerifier, GenerateError, InvalidVerifier, Nonce, State,
    client_secret_basic, client_secret_basic_len, validate_verifier,
};
use proptest::prelude::*;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

/// The RFC 7636 grammar, written out independently: `^[A-Za-z0-9._~-]{43,128}$`.
fn is_verifier(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes().all(
            |b| matches!(b, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'~' | b'-'),
        )
}

/// What `restore` must accept: 43 base64url characters whose last one has its two low bits
/// clear (the canonical encoding of 32 octets).
fn is_canonical_token(s: &str) -> bool {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = |b: u8| ALPHABET.iter().position(|&a| a == b);
    s.len() == 43
        && s.bytes().all(|b| index(b).is_some())
        && s.bytes().last().and_then(index).is_some_and(|i| i % 4 == 0)
}

/// The WHATWG form serializer, from the `form_urlencoded` crate.
fn oracle_form(pairs: &[(String, String)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (n, v) in pairs {
        ser.append_pair(n, v);
    }
    ser.finish()
}

fn oracle_component(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn ours_form(pairs: &[(String, String)]) -> String {
    let iter = || pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let needed = match form::encode_pairs_into(iter(), &mut []) {
        Ok(s) => s.len(),
        Err(BufferTooSmall { needed }) => needed,
    };
    let mut buf = vec![0u8; needed];
    let out = form::encode_pairs_into(iter(), &mut buf)
        .unwrap()
        .to_owned();
    assert_eq!(out.len(), needed, "the reported size is exact");
    out
}

/// Strings rich in the characters form encoding cares about.
fn tricky() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[&=%+ a-zA-Z0-9*._~;#?/:\\-\u{0}\r\n\u{e9}\u{20ac}\u{1f600}]{0,24}",
        "(%[0-9a-fA-Fz]{0,2}|\\+|&|=|[a-z]){0,12}",
    ]
}

/// Valid verifiers, near misses, arbitrary text, and valid ones with one character replaced.
fn verifier_candidates() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9._~-]{43,128}",
        "[A-Za-z0-9._~-]{38,133}",
        "[A-Za-z0-9._~+/= \n\u{e9}-]{40,130}",
        any::<String>(),
        (
            "[A-Za-z0-9._~-]{43,128}",
            any::<prop::sample::Index>(),
            any::<char>()
        )
            .prop_map(|(s, i, c)| {
                let mut chars: Vec<char> = s.chars().collect();
                let at = i.index(chars.len());
                chars[at] = c;
                chars.into_iter().collect()
            }),
    ]
}

proptest! {
    #[test]
    fn generated_verifier_lengths_and_alphabet(octets in 0usize..200, seed in any::<u64>()) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let result = CodeVerifier::generate_from_octets(&mut rng, octets);
        if (32..=96).contains(&octets) {
            let v = result.unwrap();
            let text = v.expose_secret();
            prop_assert_eq!(text.len(), (octets * 4).div_ceil(3));
            prop_assert!(is_verifier(text), "{}", text);
            prop_assert!(!text.contains(['=', '+', '/', '~', '.']));
            // The text is exactly the base64url of the octets the RNG handed out.
            let mut expected = vec![0u8; octets];
            ChaCha20Rng::seed_from_u64(seed).try_fill_bytes(&mut expected).unwrap();
            prop_assert_eq!(Base64UrlUnpadded::decode_vec(text).unwrap(), expected);
        } else {
            prop_assert_eq!(result.unwrap_err(), GenerateError::OctetCount(octets));
        }
    }

    #[test]
    fn verifier_grammar_matches_the_oracle(s in verifier_candidates()) {
        let expected = is_verifier(&s);
        prop_assert_eq!(validate_verifier(&s).is_ok(), expected);
        match CodeVerifier::new(&s) {
            Ok(v) => {
                prop_assert!(expected);
                prop_assert_eq!(v.expose_secret(), s.as_str());
            }
            Err(e) => {
                prop_assert!(!expected);
                let bad = s.chars().find(|c| !(c.is_ascii_alphanumeric() || "-._~".contains(*c)));
                let want = match bad {
                    Some(c) => InvalidVerifier::Char(c),
                    None if s.len() < 43 => InvalidVerifier::TooShort(s.len()),
                    None => InvalidVerifier::TooLong(s.len()),
                };
                prop_assert_eq!(e, want);
            }
        }
    }

    #[test]
    fn challenge_matches_sha2_and_base64ct(s in "[A-Za-z0-9._~-]{43,128}") {
        let v = CodeVerifier::new(&s).unwrap();
        let c = v.challenge();
        let expected = Base64UrlUnpadded::encode_string(&Sha256::digest(s.as_bytes()));
        prop_assert_eq!(c.as_str(), expected.as_str());
        prop_assert_eq!(c.as_str().len(), 43);
        prop_assert!(c.is_satisfied_by(&s));
        prop_assert_eq!(pkce_core::CodeChallenge::parse(c.as_str()), Some(c));
    }

    #[test]
    fn encoder_equals_form_urlencoded(pairs in prop::collection::vec((tricky(), tricky()), 0..6)) {
        let ours = ours_form(&pairs);
        prop_assert_eq!(&ours, &oracle_form(&pairs));
        prop_assert!(ours.bytes().all(|b| b.is_ascii_alphanumeric() || b"*._+%-=&".contains(&b)), "{}", ours);
        // The fmt::Write path writes the same bytes.
        let mut s = String::new();
        let mut enc = FormEncoder::new(&mut s);
        for (n, v) in &pairs {
            enc.append_pair(n, v).unwrap();
        }
        prop_assert_eq!(&s, &ours);
        for (n, v) in &pairs {
            prop_assert_eq!(form::encoded_len(n), oracle_component(n).len());
            prop_assert_eq!(form::encoded_len(v), oracle_component(v).len());
        }
    }

    #[test]
    fn encode_then_decode_returns_the_pairs(pairs in prop::collection::vec((tricky(), tricky()), 0..6)) {
        let encoded = ours_form(&pairs);
        let mut decoded = Vec::new();
        for (n, v) in Pairs::new(encoded.as_bytes()) {
            let mut nb = vec![0u8; n.decoded_len()];
            let mut vb = vec![0u8; v.decoded_len()];
            let n = n.decode_into(&mut nb).unwrap().to_owned();
            let v = v.decode_into(&mut vb).unwrap().to_owned();
            decoded.push((n, v));
        }
        prop_assert_eq!(&decoded, &pairs);
        // The oracle parser reads our output the same way.
        let theirs: Vec<(String, String)> =
            form_urlencoded::parse(encoded.as_bytes()).into_owned().collect();
        prop_assert_eq!(&theirs, &pairs);
    }

    #[test]
    fn lenient_decoding_matches_form_urlencoded(input in tricky()) {
        let ours: Vec<(Vec<u8>, Vec<u8>)> = Pairs::new(input.as_bytes())
            .map(|(n, v)| (n.decoded_bytes().collect(), v.decoded_bytes().collect()))
            .collect();
        let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let ours: Vec<(String, String)> = ours.iter().map(|(n, v)| (lossy(n), lossy(v))).collect();
        let theirs: Vec<(String, String)> = form_urlencoded::parse(input.as_bytes()).into_owned().collect();
        prop_assert_eq!(ours, theirs);
    }

    #[test]
    fn state_and_nonce_round_trip_and_match_exactly(seed in any::<u64>(), other in any::<String>(), flip in 0usize..43) {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let state = State::generate(&mut rng).unwrap();
        let nonce = Nonce::generate(&mut rng).unwrap();
        for text in [state.expose_secret(), nonce.expose_secret()] {
            prop_assert!(is_canonical_token(text), "{}", text);
        }
        let restored = State::restore(state.expose_secret()).unwrap();
        prop_assert_eq!(restored.expose_secret(), state.expose_secret());
        prop_assert!(restored.matches(state.expose_secret()));
        let restored = Nonce::restore(nonce.expose_secret()).unwrap();
        prop_assert_eq!(restored.expose_secret(), nonce.expose_secret());
        prop_assert_eq!(state.matches(&other), other == state.expose_secret());
        prop_assert_eq!(nonce.matches(&other), other == nonce.expose_secret());
        // Any single changed character is a mismatch.
        let mut changed = state.expose_secret().as_bytes().to_vec();
        changed[flip] = if changed[flip] == b'A' { b'B' } else { b'A' };
        prop_assert!(!state.matches(core::str::from_utf8(&changed).unwrap()));
    }

    #[test]
    fn restore_accepts_exactly_canonical_tokens(
        s in prop_oneof!["[A-Za-z0-9_-]{43}", "[A-Za-z0-9_+/=.~-]{42,44}", any::<String>()],
    ) {
        prop_assert_eq!(State::restore(&s).is_ok(), is_canonical_token(&s), "{:?}", s);
        prop_assert_eq!(Nonce::restore(&s).is_ok(), is_canonical_token(&s), "{:?}", s);
    }

    #[test]
    fn client_secret_basic_is_base64_of_form_encoded_pair(id in tricky(), secret in tricky()) {
        let len = client_secret_basic_len(&id, &secret);
        let mut buf = vec![0u8; len];
        let value = client_secret_basic(&id, &secret, &mut buf).unwrap().to_owned();
        prop_assert_eq!(value.len(), len);
        let b64 = value.strip_prefix("Basic ").unwrap();
        let plain = Base64::decode_vec(b64).unwrap();
        let expected = format!("{}:{}", oracle_component(&id), oracle_component(&secret));
        prop_assert_eq!(String::from_utf8(plain).unwrap(), expected);
        if len > 0 {
            let mut short = vec![0u8; len - 1];
            prop_assert_eq!(client_secret_basic(&id, &secret, &mut short).unwrap_err(), BufferTooSmall { needed: len });
        }
    }
}
