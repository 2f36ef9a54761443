//! A DPoP proof verifier (RFC 9449 §4.3), written apart from the client's proof builder: its
//! own base64url and JSON reading, ES256 verification on `p256`, a `jti` replay cache.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use base64ct::{Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// How far `iat` may be from the server's clock, either way, by default (seconds).
pub const DEFAULT_IAT_WINDOW: u64 = 60;
/// The most `jti`s remembered; past it the replay cache refuses new proofs rather than
/// forget one still inside the window.
const MAX_SEEN: usize = 100_000;

/// What the server expects a proof to be about.
#[derive(Clone, Copy, Debug)]
pub struct ExpectedProof<'a> {
    /// The request's method.
    pub method: &'a str,
    /// The URL the request was received on (query and fragment are ignored).
    pub url: &'a str,
    /// The server's clock, seconds since the Unix epoch.
    pub now: u64,
    /// The nonce the server requires, if it requires one.
    pub nonce: Option<&'a str>,
    /// The access token the request presents (resource requests): `ath` must be its hash.
    pub access_token: Option<&'a str>,
}

/// A proof that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The RFC 7638 thumbprint of the proof's key: the `cnf.jkt` to bind tokens to.
    pub jkt: String,
    /// The proof's `jti`.
    pub jti: String,
}

/// Why a proof was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProofRejection {
    /// Not three base64url parts of JSON objects with the required members, or a repeated
    /// member.
    Malformed,
    /// `typ` is not `dpop+jwt`.
    WrongType,
    /// `alg` is not `ES256`, the one algorithm this server accepts.
    UnsupportedAlgorithm,
    /// The `jwk` holds a private key member.
    PrivateKey,
    /// The `jwk` is not a P-256 public key.
    InvalidKey,
    /// The signature does not verify with the header's key.
    BadSignature,
    /// `htm` is not the request's method.
    MethodMismatch,
    /// `htu` is not the request's URL.
    UrlMismatch,
    /// `iat` is outside the window around the server's clock.
    IatOutOfWindow,
    /// The `jti` was seen before.
    Replayed,
    /// The server requires a nonce and the proof has none.
    NonceMissing,
    /// The proof's nonce is not the one required.
    NonceMismatch,
    /// The request presents an access token and the proof has no `ath`.
    AthMissing,
    /// `ath` is not the hash of the presented access token.
    AthMismatch,
}

impl ProofRejection {
    /// The OAuth error code to answer with (RFC 9449 §5, §8, §9).
    #[must_use]
    pub fn error_code(self) -> &'static str {
        match self {
            Self::NonceMissing | Self::NonceMismatch => "use_dpop_nonce",
            _ => "invalid_dpop_proof",
        }
    }
}

impl fmt::Display for ProofRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for ProofRejection {}

/// Verifies proofs and remembers their `jti`s.
#[derive(Debug)]
pub struct DpopVerifier {
    iat_window: u64,
    seen: Mutex<HashMap<String, u64>>,
}

impl Default for DpopVerifier {
    fn default() -> Self {
        Self::new(DEFAULT_IAT_WINDOW)
    }
}

#[derive(Deserialize)]
struct Header {
    typ: String,
    alg: String,
    jwk: Jwk,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
    d: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Claims {
    jti: String,
    htm: String,
    htu: String,
    iat: u64,
    nonce: Option<String>,
    ath: Option<String>,
}

impl DpopVerifier {
    /// A verifier accepting `iat` within `iat_window` seconds of the server's clock.
    #[must_use]
    pub fn new(iat_window: u64) -> Self {
        Self {
            iat_window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Checks `proof` against the request it came with. On success the `jti` is
    /// remembered, so the same proof is refused the next time.
    ///
    /// # Errors
    /// The first check that failed, in the order of RFC 9449 §4.3.
    pub fn verify(
        &self,
        proof: &str,
        expected: &ExpectedProof<'_>,
    ) -> Result<VerifiedProof, ProofRejection> {
        let mut parts = proof.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ProofRejection::Malformed);
        };
        let header: Header = json(h)?;
        if header.typ != "dpop+jwt" {
            return Err(ProofRejection::WrongType);
        }
        if header.alg != "ES256" {
            return Err(ProofRejection::UnsupportedAlgorithm);
        }
        let jwk = header.jwk;
        if jwk.d.is_some() {
            return Err(ProofRejection::PrivateKey);
        }
        let (Some(crv), Some(x), Some(y)) = (jwk.crv, jwk.x, jwk.y) else {
            return Err(ProofRejection::InvalidKey);
        };
        if jwk.kty != "EC" || crv != "P-256" {
            return Err(ProofRejection::InvalidKey);
        }
        let mut point = vec![4u8];
        for coordinate in [&x, &y] {
            let bytes = decode(coordinate).map_err(|_| ProofRejection::InvalidKey)?;
            if bytes.len() != 32 {
                return Err(ProofRejection::InvalidKey);
            }
            point.extend(bytes);
        }
        let key = VerifyingKey::from_sec1_bytes(&point).map_err(|_| ProofRejection::InvalidKey)?;
        let signature = decode(s)
            .ok()
            .and_then(|bytes| Signature::from_slice(&bytes).ok())
            .ok_or(ProofRejection::BadSignature)?;
        let signing_input = &proof[..h.len() + 1 + c.len()];
        key.verify(signing_input.as_bytes(), &signature)
            .map_err(|_| ProofRejection::BadSignature)?;

        let claims: Claims = json(c)?;
        if claims.htm != expected.method {
            return Err(ProofRejection::MethodMismatch);
        }
        if normalize(&claims.htu) != normalize(expected.url) {
            return Err(ProofRejection::UrlMismatch);
        }
        if claims.iat.abs_diff(expected.now) > self.iat_window {
            return Err(ProofRejection::IatOutOfWindow);
        }
        if let Some(required) = expected.nonce {
            match claims.nonce.as_deref() {
                None => return Err(ProofRejection::NonceMissing),
                Some(n) if n != required => return Err(ProofRejection::NonceMismatch),
                Some(_) => {}
            }
        }
        if let Some(token) = expected.access_token {
            let want = Base64UrlUnpadded::encode_string(&Sha256::digest(token.as_bytes()));
            match claims.ath.as_deref() {
                None => return Err(ProofRejection::AthMissing),
                Some(ath) if ath != want => return Err(ProofRejection::AthMismatch),
                Some(_) => {}
            }
        }
        self.remember(&claims.jti, expected.now)?;
        Ok(VerifiedProof {
            jkt: thumbprint(&x, &y),
            jti: claims.jti,
        })
    }

    /// Records `jti`, refusing one seen inside the window; entries older than the window
    /// are dropped first (a proof that old fails the `iat` check anyway).
    fn remember(&self, jti: &str, now: u64) -> Result<(), ProofRejection> {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let window = self.iat_window;
        seen.retain(|_, at| at.saturating_add(2 * window) >= now);
        if seen.contains_key(jti) || seen.len() >= MAX_SEEN {
            return Err(ProofRejection::Replayed);
        }
        seen.insert(jti.to_owned(), now);
        Ok(())
    }
}

fn decode(part: &str) -> Result<Vec<u8>, base64ct::Error> {
    Base64UrlUnpadded::decode_vec(part)
}

/// A JSON object from one base64url part; a repeated known member is refused by serde.
fn json<T: for<'de> Deserialize<'de>>(part: &str) -> Result<T, ProofRejection> {
    let bytes = decode(part).map_err(|_| ProofRejection::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| ProofRejection::Malformed)
}

/// The RFC 7638 thumbprint of a P-256 key, members in lexicographic order. `x` and `y`
/// decoded as base64url, so they hold nothing JSON would escape.
fn thumbprint(x: &str, y: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    Base64UrlUnpadded::encode_string(&Sha256::digest(canonical.as_bytes()))
}

/// The URL compared as RFC 9449 §4.3 asks: without query and fragment, scheme and host in
/// lower case, the scheme's default port dropped (RFC 3986 §6.2.2, §6.2.3).
fn normalize(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let scheme = scheme.to_ascii_lowercase();
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
    let authority = authority.to_ascii_lowercase();
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let authority = authority.strip_suffix(default_port).unwrap_or(&authority);
    format!("{scheme}://{authority}{path}")
}
