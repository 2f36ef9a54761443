//! Hostile verifiers, states and encoder inputs, as far as pkce-core expresses them, plus the
//! "no secret in `Debug`, no input in error `Display`" invariant.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use core::fmt;

use pkce_core::rand_core::{SeedableRng, TryCryptoRng, TryRng};
use pkce_core::{
    ChallengeMethod, CodeVerifier, GenerateError, InvalidToken, InvalidVerifier, Nonce, RngError,
    State, validate_verifier,
};
use rand_chacha::ChaCha20Rng;

const APP_B_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// The error a broken entropy source reports.
#[derive(Debug)]
struct Unavailable;

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("entropy source unavailable")
    }
}

impl core::error::Error for Unavailable {}

/// An RNG whose every call fails, after scribbling a recognisable pattern into the output
/// (so a caller that ignored the error would produce a predictable "secret").
struct FailingRng {
    calls: usize,
}

impl TryRng for FailingRng {
    type Error = Unavailable;

    fn try_next_u32(&mut self) -> Result<u32, Unavailable> {
        self.calls += 1;
        Err(Unavailable)
    }

    fn try_next_u64(&mut self) -> Result<u64, Unavailable> {
        self.calls += 1;
        Err(Unavailable)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Unavailable> {
        self.calls += 1;
        dst.fill(0x41);
        Err(Unavailable)
    }
}

impl TryCryptoRng for FailingRng {}

#[test]
fn verifier_of_42_chars_is_too_short() {
    let v = "A".repeat(42);
    assert_eq!(validate_verifier(&v), Err(InvalidVerifier::TooShort(42)));
    assert_eq!(
        CodeVerifier::new(&v).unwrap_err(),
        InvalidVerifier::TooShort(42)
    );
    assert!(CodeVerifier::new(&"A".repeat(43)).is_ok());
}

#[test]
fn verifier_of_129_chars_is_too_long() {
    let v = "A".repeat(129);
    assert_eq!(validate_verifier(&v), Err(InvalidVerifier::TooLong(129)));
    assert_eq!(
        CodeVerifier::new(&v).unwrap_err(),
        InvalidVerifier::TooLong(129)
    );
    assert!(CodeVerifier::new(&"A".repeat(128)).is_ok());
    assert_eq!(
        CodeVerifier::new(&"~".repeat(10_000)).unwrap_err(),
        InvalidVerifier::TooLong(10_000)
    );
}

#[test]
fn padding_is_a_bad_verifier_char() {
    let v = format!("{APP_B_VERIFIER}=");
    assert_eq!(v.len(), 44);
    assert_eq!(
        CodeVerifier::new(&v).unwrap_err(),
        InvalidVerifier::Char('=')
    );
}

#[test]
fn standard_base64_chars_are_bad_verifier_chars() {
    for c in ['+', '/'] {
        let v = format!("{}{c}{}", &APP_B_VERIFIER[..20], &APP_B_VERIFIER[21..]);
        assert_eq!(v.len(), 43);
        assert_eq!(
            CodeVerifier::new(&v).unwrap_err(),
            InvalidVerifier::Char(c),
            "{v}"
        );
    }
}

#[test]
fn non_ascii_is_a_bad_char_even_at_a_valid_length() {
    // 42 ASCII characters and one `é`: 43 characters, 44 bytes.
    let v = format!("{}é", "a".repeat(42));
    assert_eq!(v.chars().count(), 43);
    assert_eq!(
        CodeVerifier::new(&v).unwrap_err(),
        InvalidVerifier::Char('é')
    );
    // A short non-ASCII string reports the character, not a length.
    assert_eq!(validate_verifier("ü"), Err(InvalidVerifier::Char('ü')));
}

#[test]
fn newline_and_space_are_bad_chars() {
    assert_eq!(
        CodeVerifier::new(&format!("{APP_B_VERIFIER}\n")).unwrap_err(),
        InvalidVerifier::Char('\n')
    );
    assert_eq!(
        CodeVerifier::new(&format!("{APP_B_VERIFIER}\r\n")).unwrap_err(),
        InvalidVerifier::Char('\r')
    );
    let spaced = format!("{} {}", &APP_B_VERIFIER[..21], &APP_B_VERIFIER[21..]);
    assert_eq!(
        CodeVerifier::new(&spaced).unwrap_err(),
        InvalidVerifier::Char(' ')
    );
    assert_eq!(
        CodeVerifier::new(&format!("{APP_B_VERIFIER}\0")).unwrap_err(),
        InvalidVerifier::Char('\0')
    );
}

#[test]
fn empty_verifier_is_too_short() {
    assert_eq!(validate_verifier(""), Err(InvalidVerifier::TooShort(0)));
    assert_eq!(
        CodeVerifier::new("").unwrap_err(),
        InvalidVerifier::TooShort(0)
    );
}

#[test]
fn failing_rng_is_an_error_for_everything() {
    let mut rng = FailingRng { calls: 0 };
    assert_eq!(CodeVerifier::generate(&mut rng).unwrap_err(), RngError);
    assert_eq!(State::generate(&mut rng).unwrap_err(), RngError);
    assert_eq!(Nonce::generate(&mut rng).unwrap_err(), RngError);
    for octets in [32, 64, 96] {
        let err = CodeVerifier::generate_from_octets(&mut rng, octets).unwrap_err();
        assert_eq!(err, GenerateError::Rng(RngError));
        let source = core::error::Error::source(&err).expect("the RNG error is the source");
        assert_eq!(source.to_string(), RngError.to_string());
    }
    assert_eq!(rng.calls, 6, "every generator asked the RNG (no fallback)");
    // An octet count outside 32..=96 is refused before the RNG is touched.
    assert_eq!(
        CodeVerifier::generate_from_octets(&mut rng, 0).unwrap_err(),
        GenerateError::OctetCount(0)
    );
    assert_eq!(rng.calls, 6);
}

#[test]
fn only_s256_exists() {
    // There is no `plain`: `ChallengeMethod` has the single variant `S256`, and no function
    // produces a challenge equal to its verifier. So `PlainNotAllowed` cannot even be asked for.
    assert_eq!(ChallengeMethod::S256.as_str(), "S256");
    assert_eq!(ChallengeMethod::S256.to_string(), "S256");
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    for _ in 0..64 {
        let v = CodeVerifier::generate(&mut rng).unwrap();
        let c = v.challenge();
        assert_eq!(c.method(), ChallengeMethod::S256);
        assert_ne!(c.as_str(), v.expose_secret());
        // `plain` would let the verifier itself satisfy its challenge text as a verifier.
        assert!(!c.is_satisfied_by(c.as_str()));
    }
}

#[test]
fn restore_refuses_anything_not_generated() {
    let a42 = "A".repeat(42);
    let bad = [
        String::new(),
        "a\tb".into(),
        "ü".into(),
        a42.clone(),
        "A".repeat(44),
        format!("{a42}."),
        format!("{a42}~"),
        format!("{a42} "),
        format!("{}ü", "A".repeat(41)),
        // Non-canonical: the last character carries bits past the 256th.
        format!("{a42}B"),
        format!("{a42}_"),
        format!(" {a42}"),
    ];
    for text in &bad {
        assert_eq!(State::restore(text).unwrap_err(), InvalidToken, "{text:?}");
        assert_eq!(Nonce::restore(text).unwrap_err(), InvalidToken, "{text:?}");
    }
    for good in [
        format!("{a42}A"),
        format!("{a42}E"),
        format!("{a42}w"),
        format!("{}8", "_".repeat(42)),
    ] {
        assert_eq!(State::restore(&good).unwrap().expose_secret(), good);
        assert_eq!(Nonce::restore(&good).unwrap().expose_secret(), good);
    }
}

#[test]
fn state_matches_is_exact() {
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let s = State::generate(&mut rng).unwrap();
    let text = s.expose_secret().to_owned();
    assert!(s.matches(&text));
    assert!(!s.matches(&text[..42]));
    assert!(!s.matches(&format!("{text} ")));
    assert!(!s.matches(&text.to_ascii_uppercase()));
    assert!(!s.matches(""));
    let other = State::generate(&mut rng).unwrap();
    assert_ne!(other.expose_secret(), text);
    assert!(!s.matches(other.expose_secret()));
}

#[test]
fn debug_never_shows_a_secret() {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let v = CodeVerifier::generate(&mut rng).unwrap();
    let s = State::generate(&mut rng).unwrap();
    let n = Nonce::generate(&mut rng).unwrap();
    let fixed = CodeVerifier::new(APP_B_VERIFIER).unwrap();
    let shown = format!("{v:?} {s:?} {n:?} {fixed:?} {:#?}", (Some(&v), [&s], &n));
    for secret in [
        v.expose_secret(),
        s.expose_secret(),
        n.expose_secret(),
        APP_B_VERIFIER,
    ] {
        assert!(!shown.contains(secret), "{shown}");
        assert!(!shown.contains(&secret[..8]), "{shown}");
    }
    assert_eq!(format!("{v:?}"), "CodeVerifier(<redacted>)");
    assert_eq!(format!("{s:?}"), "State(<redacted>)");
    assert_eq!(format!("{n:?}"), "Nonce(<redacted>)");
    // The challenge is public and shown.
    assert!(
        format!("{:?}", fixed.challenge()).contains("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    );
}

/// The error's `Display` and `Debug` must not quote `input`.
fn assert_not_echoed(input: &str, err: &dyn core::error::Error) {
    let text = format!("{err} / {err:?}");
    assert!(!text.contains(input), "{text:?} echoes {input:?}");
}

#[test]
fn errors_never_echo_the_input() {
    let inputs = [
        format!("{APP_B_VERIFIER}="),
        format!("{APP_B_VERIFIER}\n"),
        format!("secret-{APP_B_VERIFIER}+"),
        "hunter2hunter2".into(),
        "Z".repeat(200),
        format!("{}é", "q".repeat(42)),
    ];
    for input in &inputs {
        let err = CodeVerifier::new(input).unwrap_err();
        assert_not_echoed(input, &err);
        assert_not_echoed(input, &State::restore(input).unwrap_err());
        assert_not_echoed(input, &Nonce::restore(input).unwrap_err());
    }
    let mut buf = [0u8; 256];
    let secret = "topsecretvalue%zz";
    let err = pkce_core::form::Encoded::new(secret.as_bytes())
        .decode_into(&mut buf)
        .unwrap_err();
    assert_not_echoed("topsecretvalue", &err);
    let secret = "topsecretvalue%C3%28";
    let err = pkce_core::form::Encoded::new(secret.as_bytes())
        .decode_into(&mut buf)
        .unwrap_err();
    assert_not_echoed("topsecretvalue", &err);
    let err = pkce_core::client_secret_basic("id", "topsecretvalue", &mut [0u8; 4]).unwrap_err();
    assert_not_echoed("topsecretvalue", &err);
    let err = CodeVerifier::generate(&mut FailingRng { calls: 0 }).unwrap_err();
    assert_not_echoed("entropy source unavailable", &err);
}

/// Invariant 2: form components may hold a code, state or verifier; no `Debug` shows them.
#[test]
fn form_types_never_show_their_bytes_in_debug() {
    use pkce_core::form::{Encoded, FormEncoder, Pairs};
    let query = b"code=SECRETCODE&code_verifier=SECRETVERIFIER";
    let mut pairs = Pairs::new(query);
    let (name, value) = pairs.next().unwrap();
    let mut buf = [0u8; 64];
    let mut writer = pkce_core::SliceWriter::new(&mut buf);
    core::fmt::Write::write_str(&mut writer, "SECRETBODY").unwrap();
    let shown = format!(
        "{pairs:?} {name:?} {value:?} {:?} {:?} {writer:?} {:?}",
        value.decoded_bytes(),
        Encoded::new(b"SECRET"),
        FormEncoder::new(String::from("SECRETSINK"))
    );
    assert!(!shown.contains("SECRET"), "{shown}");
}

#[test]
fn every_byte_outside_base64url_is_refused_at_every_position_of_a_state_or_nonce() {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let good = [b'A'; 43];
    assert!(State::restore(core::str::from_utf8(&good).unwrap()).is_ok());
    for position in 0..43 {
        for byte in 0..=0x7Fu8 {
            let mut text = good;
            text[position] = byte;
            let text = core::str::from_utf8(&text).unwrap();
            // The last character must also leave its two unused bits clear.
            let canonical = ALPHABET
                .iter()
                .position(|&a| a == byte)
                .is_some_and(|i| position < 42 || i % 4 == 0);
            assert_eq!(State::restore(text).is_ok(), canonical, "{text:?}");
            assert_eq!(Nonce::restore(text).is_ok(), canonical, "{text:?}");
        }
    }
}
