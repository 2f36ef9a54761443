//! Test vectors pkce-core reaches: PKCE verifiers and challenges (RFC 7636 Appendix B and
//! more), client credentials for Basic authentication (RFC 6749 §2.3.1), and base64url
//! properties (RFC 4648 §5). The form-encoding vectors are in `form_vectors.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use core::convert::Infallible;

use base64ct::{Base64UrlUnpadded, Encoding};
use pkce_core::rand_core::{TryCryptoRng, TryRng};
use pkce_core::{
    BufferTooSmall, ChallengeMethod, CodeVerifier, GenerateError, InvalidVerifier, State,
    client_secret_basic, client_secret_basic_len,
};

/// A "CSPRNG" that hands out fixed octets in order, then zeros. Only for vectors.
struct FixedRng {
    bytes: Vec<u8>,
    pos: usize,
}

impl FixedRng {
    fn new(bytes: &[u8]) -> Self {
        Self {
            bytes: bytes.to_vec(),
            pos: 0,
        }
    }

    fn next_byte(&mut self) -> u8 {
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
}

impl TryRng for FixedRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        dst.iter_mut().for_each(|d| *d = self.next_byte());
        Ok(())
    }
}

impl TryCryptoRng for FixedRng {}

const APP_B_OCTETS: [u8; 32] = [
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77,
    105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
];
const APP_B_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const APP_B_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn challenge_of(verifier: &str) -> String {
    CodeVerifier::new(verifier)
        .unwrap()
        .challenge()
        .as_str()
        .to_owned()
}

fn assert_base64url_43(s: &str) {
    assert_eq!(s.len(), 43, "{s}");
    assert!(!s.contains(['=', '+', '/', '\n', '\r', ' ']), "{s}");
    assert!(
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{s}"
    );
}

#[test]
fn rfc7636_appendix_b_octets_give_its_verifier() {
    let mut rng = FixedRng::new(&APP_B_OCTETS);
    let v = CodeVerifier::generate(&mut rng).unwrap();
    assert_eq!(v.expose_secret(), APP_B_VERIFIER);
    assert_eq!(rng.pos, 32, "exactly 32 octets are drawn");
    let mut rng = FixedRng::new(&APP_B_OCTETS);
    let v = CodeVerifier::generate_from_octets(&mut rng, 32).unwrap();
    assert_eq!(v.expose_secret(), APP_B_VERIFIER);
}

#[test]
fn rfc7636_appendix_b_challenge_and_hash_octets() {
    let c = CodeVerifier::new(APP_B_VERIFIER).unwrap().challenge();
    assert_eq!(c.as_str(), APP_B_CHALLENGE);
    assert_eq!(c.to_string(), APP_B_CHALLENGE);
    assert_eq!(c.method(), ChallengeMethod::S256);
    let hash: [u8; 32] = [
        19, 211, 30, 150, 26, 26, 216, 236, 47, 22, 177, 12, 76, 152, 46, 8, 118, 168, 120, 173,
        109, 241, 68, 86, 110, 225, 137, 74, 203, 112, 249, 195,
    ];
    assert_eq!(Base64UrlUnpadded::decode_vec(c.as_str()).unwrap(), hash);
    // The generated verifier hashes as text, not as its random octets.
    let generated = CodeVerifier::generate(&mut FixedRng::new(&APP_B_OCTETS)).unwrap();
    assert_eq!(generated.challenge().as_str(), APP_B_CHALLENGE);
    assert!(c.is_satisfied_by(APP_B_VERIFIER));
    assert!(!c.is_satisfied_by("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"));
}

#[test]
fn known_verifiers_give_known_challenges() {
    let cases: [(String, &str); 4] = [
        (
            "3641a2d12d66101249cdf7a79c000c1f8c05d2aafcf14bf146497bed".into(),
            "6fdkQaPm51l13DSukcAH3Mdx7_ntecHYd1vi3n0hMZY",
        ),
        (
            "a".repeat(43),
            "ZtNPunH49FD35FWYhT5Tv8I7vRKQJ8uxMaL0_9eHjNA",
        ),
        (
            "Z".repeat(128),
            "NJ1l6bod57ChP5o-rcxbAgLxXWAI_pR38qe4D2GUsg8",
        ),
        (
            "-._~-._~-._~-._~-._~-._~-._~-._~-._~-._~abc".into(),
            "rpMOCY0WfS5THycY5m5x09DbL6TMXzEQKrMRc1ncehQ",
        ),
    ];
    for (verifier, expected) in cases {
        assert_eq!(challenge_of(&verifier), expected, "{verifier}");
        assert_base64url_43(expected);
    }
}

#[test]
fn verifier_of_42_chars_is_refused_and_never_hashed() {
    let short = "A".repeat(42);
    assert_eq!(
        CodeVerifier::new(&short).unwrap_err(),
        InvalidVerifier::TooShort(42)
    );
    assert_eq!(
        pkce_core::validate_verifier(&short),
        Err(InvalidVerifier::TooShort(42))
    );
    let forbidden =
        pkce_core::CodeChallenge::parse("2FzmRL9Ogs7gMuqlw9kDCgkCdtm643AxEr38b4_d4wc").unwrap();
    assert!(!forbidden.is_satisfied_by(&short));
}

#[test]
fn verifier_length_follows_the_octet_count() {
    for (octets, chars) in [(32, 43), (33, 44), (48, 64), (64, 86), (95, 127), (96, 128)] {
        let v =
            CodeVerifier::generate_from_octets(&mut FixedRng::new(&[0xA5; 96]), octets).unwrap();
        assert_eq!(v.expose_secret().len(), chars, "{octets} octets");
        pkce_core::validate_verifier(v.expose_secret()).unwrap();
    }
    for octets in [31, 97] {
        let err =
            CodeVerifier::generate_from_octets(&mut FixedRng::new(&[0; 97]), octets).unwrap_err();
        assert_eq!(err, GenerateError::OctetCount(octets));
    }
}

#[test]
fn base64url_is_unpadded_and_url_safe() {
    // Prefixes of a generated verifier: base64url, never standard base64.
    let mut octets = [0u8; 33];
    octets[..5].copy_from_slice(&[3, 236, 255, 224, 193]);
    let v = CodeVerifier::generate_from_octets(&mut FixedRng::new(&octets), 33).unwrap();
    assert_eq!(v.expose_secret(), format!("A-z_4MEA{}", "A".repeat(36)));
    let v = CodeVerifier::generate_from_octets(&mut FixedRng::new(&[0xFB, 0xFF]), 33).unwrap();
    assert!(
        v.expose_secret().starts_with("-_8A"),
        "{}",
        v.expose_secret()
    );
    // 0xFF octets are the ones standard base64 writes as `/`; 0xFB.. gives `+`.
    let v = CodeVerifier::generate(&mut FixedRng::new(&[0xFB; 32])).unwrap();
    assert_base64url_43(v.expose_secret());
    assert_base64url_43(v.challenge().as_str());
    let v = CodeVerifier::generate(&mut FixedRng::new(&[0xFF; 32])).unwrap();
    assert_eq!(v.expose_secret(), format!("{}8", "_".repeat(42)));
    let s = State::generate(&mut FixedRng::new(&[0xFF; 32])).unwrap();
    assert_eq!(s.expose_secret(), format!("{}8", "_".repeat(42)));
    assert_base64url_43(s.expose_secret());
    let n = pkce_core::Nonce::generate(&mut FixedRng::new(&[0xFB; 32])).unwrap();
    assert_base64url_43(n.expose_secret());
    // Padding, the standard alphabet and whitespace are refused when restoring.
    for bad in [
        format!("{}=", "A".repeat(42)),
        format!("{}+A", "A".repeat(41)),
        format!("{}/A", "A".repeat(41)),
        format!("{}\n", "A".repeat(42)),
    ] {
        assert!(State::restore(&bad).is_err(), "{bad:?}");
    }
}

const CA: [(&str, &str, &str); 5] = [
    (
        "s6BhdRkqt3",
        "7Fjfp0ZBr1KtDRbnfVdmIw",
        "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3",
    ),
    (
        "s6BhdRkqt3",
        "gX1fBat3bV",
        "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW",
    ),
    (
        "my:client",
        "p@ss word+/%",
        "Basic bXklM0FjbGllbnQ6cCU0MHNzK3dvcmQlMkIlMkYlMjU=",
    ),
    (
        "client",
        "s3cr3t~ü",
        "Basic Y2xpZW50OnMzY3IzdCU3RSVDMyVCQw==",
    ),
    (
        "rust-confidential-basic",
        "rust-confidential-basic-secret",
        "Basic cnVzdC1jb25maWRlbnRpYWwtYmFzaWM6cnVzdC1jb25maWRlbnRpYWwtYmFzaWMtc2VjcmV0",
    ),
];

#[test]
fn client_secret_basic_form_encodes_before_base64() {
    for (id, secret, expected) in CA {
        assert_eq!(client_secret_basic_len(id, secret), expected.len(), "{id}");
        let mut buf = [0u8; 128];
        assert_eq!(
            client_secret_basic(id, secret, &mut buf).unwrap(),
            expected,
            "{id}"
        );
        let mut exact = vec![0u8; expected.len()];
        assert_eq!(
            client_secret_basic(id, secret, &mut exact).unwrap(),
            expected
        );
        let mut short = vec![0u8; expected.len() - 1];
        assert_eq!(
            client_secret_basic(id, secret, &mut short).unwrap_err(),
            BufferTooSmall {
                needed: expected.len()
            }
        );
        assert_eq!(
            client_secret_basic(id, secret, &mut []).unwrap_err(),
            BufferTooSmall {
                needed: expected.len()
            }
        );
    }
    // The naive (unencoded) form of the credentials above is the wrong answer.
    let mut buf = [0u8; 128];
    assert_ne!(
        client_secret_basic("my:client", "p@ss word+/%", &mut buf).unwrap(),
        "Basic bXk6Y2xpZW50OnBAc3Mgd29yZCsvJQ=="
    );
}
