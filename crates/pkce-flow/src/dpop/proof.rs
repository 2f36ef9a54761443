//! Building one DPoP proof (RFC 9449 §4.2): a compact JWS over the request it accompanies.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use rand_core::TryCryptoRng;
use sha2::{Digest, Sha256};

use super::DpopError;
use super::json::{self, Sink};
use super::nonce::DpopNonce;
use super::signer::DpopSigner;
use crate::secret::{AccessToken, is_vschar_string};

/// Random octets in every `jti`: 128 bits, above the 96 RFC 9449 §4.2 asks for, written as 22
/// base64url characters.
pub const JTI_OCTETS: usize = 16;
const JTI_LEN: usize = 22;
const ATH_LEN: usize = 43;
/// Room reserved for the encoded signature: an ES256 or ES384 signature fits without the
/// proof's buffer growing; a larger one (RSA) grows it once.
const SIGNATURE_RESERVE: usize = 128;

/// What one proof is about: the request's method and URL, and, when known, the server's
/// nonce and the access token the request presents. [`Self::sign`] turns it into a proof.
#[derive(Clone, Copy)]
pub struct ProofRequest<'a> {
    method: &'a str,
    htu: &'a str,
    nonce: Option<&'a DpopNonce>,
    ath: Option<[u8; ATH_LEN]>,
}

impl<'a> ProofRequest<'a> {
    /// A proof for `method` (`POST`, `GET` …) on `url`. The proof's `htu` is `url` without
    /// its query and fragment (RFC 9449 §4.2), as written: it is not re-serialized.
    ///
    /// # Errors
    /// [`DpopError::InvalidMethod`] unless the method is a non-empty token;
    /// [`DpopError::InvalidUrl`] unless the URL starts with `https://` or `http://` (any
    /// case), has a host, and is printable ASCII without spaces.
    pub fn new(method: &'a str, url: &'a str) -> Result<Self, DpopError> {
        if method.is_empty() || !method.bytes().all(is_tchar) {
            return Err(DpopError::InvalidMethod);
        }
        Ok(Self {
            method,
            htu: target_uri(url)?,
            nonce: None,
            ath: None,
        })
    }

    /// Adds the server's nonce (RFC 9449 §8), when one is known for the URL's origin.
    #[must_use]
    pub fn nonce(mut self, nonce: Option<&'a DpopNonce>) -> Self {
        self.nonce = nonce;
        self
    }

    /// Binds the proof to the access token the request presents (`ath`, RFC 9449 §4.2), as
    /// every request to a resource server must.
    ///
    /// # Errors
    /// [`DpopError::InvalidAccessToken`] when the token is empty or not printable ASCII.
    pub fn access_token(mut self, token: &AccessToken) -> Result<Self, DpopError> {
        self.ath = Some(ath(token)?);
        Ok(self)
    }

    /// The `htu` the proof will carry.
    #[must_use]
    pub fn htu(&self) -> &'a str {
        self.htu
    }

    /// Signs the proof with `signer`, a fresh `jti` from `rng`, and `iat` = `now` (seconds
    /// since the Unix epoch, from the caller's clock).
    ///
    /// # Errors
    /// [`DpopError::Rng`] when the generator fails, [`DpopError::UnsupportedAlgorithm`] when
    /// the signer names no algorithm or a symmetric one (`none`, `HS*`), and
    /// [`DpopError::Sign`] when the signer fails.
    pub fn sign<S, R>(&self, signer: &S, rng: &mut R, now: u64) -> Result<DpopProof, DpopError>
    where
        S: DpopSigner + ?Sized,
        R: TryCryptoRng + ?Sized,
    {
        let alg = signer.algorithm();
        let symmetric = alg.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("HS"));
        if alg.is_empty() || alg.eq_ignore_ascii_case("none") || symmetric {
            return Err(DpopError::UnsupportedAlgorithm);
        }
        let mut raw = [0u8; JTI_OCTETS];
        rng.try_fill_bytes(&mut raw).map_err(|_| DpopError::Rng)?;
        let mut jti = [0u8; JTI_LEN];
        let jti = Base64UrlUnpadded::encode(&raw, &mut jti).map_err(|_| DpopError::Rng)?;

        // The header, then the claims, each written into `json` and appended to `out` in
        // base64url: three allocations per proof (`json`, `out`, the signature), as the sizes
        // below hold everything but escaped control characters.
        let jwk = signer.public_jwk();
        let header_max = 40
            + alg.len()
            + jwk
                .members()
                .map(|(n, v)| n.len() + v.len() + 6)
                .sum::<usize>();
        let claims_max =
            180 + self.method.len() + self.htu.len() + self.nonce.map_or(0, |n| n.as_str().len());
        let mut json = Vec::with_capacity(header_max.max(claims_max));
        let mut out =
            Vec::with_capacity((header_max + claims_max).div_ceil(3) * 4 + 2 + SIGNATURE_RESERVE);
        json.put(br#"{"typ":"dpop+jwt","alg":"#);
        json::string(&mut json, alg);
        json.put(br#","jwk":"#);
        jwk.write_json(&mut json);
        json.put(b"}");
        push_base64url(&mut out, &json);
        out.push(b'.');

        json.clear();
        json.put(br#"{"jti":""#);
        json.put(jti.as_bytes());
        json.put(br#"","htm":"#);
        json::string(&mut json, self.method);
        json.put(br#","htu":"#);
        json::string(&mut json, self.htu);
        json.put(br#","iat":"#);
        push_decimal(&mut json, now);
        if let Some(nonce) = self.nonce {
            json.put(br#","nonce":"#);
            json::string(&mut json, nonce.as_str());
        }
        if let Some(ath) = &self.ath {
            json.put(br#","ath":""#);
            json.put(ath);
            json.put(b"\"");
        }
        json.put(b"}");
        push_base64url(&mut out, &json);

        let signature = signer.sign(&out)?;
        out.push(b'.');
        push_base64url(&mut out, &signature);
        // Only ASCII was written.
        String::from_utf8(out)
            .map(DpopProof)
            .map_err(|_| DpopError::InvalidJwk)
    }
}

impl fmt::Debug for ProofRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProofRequest")
            .field("method", &self.method)
            .field("htu", &self.htu)
            .field("nonce", &self.nonce)
            .field("ath", &self.ath.map(|_| "<redacted>"))
            .finish()
    }
}

/// `ath` (RFC 9449 §4.2): base64url(SHA-256(the access token's ASCII octets)).
///
/// # Errors
/// [`DpopError::InvalidAccessToken`] when the token is empty or not printable ASCII.
pub fn access_token_hash(token: &AccessToken) -> Result<String, DpopError> {
    let ath = ath(token)?;
    Ok(ath.iter().map(|&b| char::from(b)).collect())
}

fn ath(token: &AccessToken) -> Result<[u8; ATH_LEN], DpopError> {
    let token = token.expose_secret();
    if !is_vschar_string(token) {
        return Err(DpopError::InvalidAccessToken);
    }
    let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
    let mut out = [0u8; ATH_LEN];
    Base64UrlUnpadded::encode(&digest, &mut out).map_err(|_| DpopError::InvalidAccessToken)?;
    Ok(out)
}

/// The URL without query and fragment, after checking it is an absolute http(s) URL whose
/// raw text is printable ASCII without spaces (what is signed is exactly what is sent).
fn target_uri(url: &str) -> Result<&str, DpopError> {
    let rest = strip_prefix_ignore_case(url, "https://")
        .or_else(|| strip_prefix_ignore_case(url, "http://"))
        .ok_or(DpopError::InvalidUrl)?;
    if !url.bytes().all(|b| b.is_ascii_graphic())
        || matches!(rest.bytes().next(), None | Some(b'/' | b'?' | b'#'))
    {
        return Err(DpopError::InvalidUrl);
    }
    let end = url.find(['?', '#']).unwrap_or(url.len());
    Ok(&url[..end])
}

fn strip_prefix_ignore_case<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `tchar` (RFC 9110 §5.6.2).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn push_base64url(out: &mut Vec<u8>, src: &[u8]) {
    let start = out.len();
    out.resize(start + Base64UrlUnpadded::encoded_len(src), 0);
    // The slice has exactly the encoded length, so encoding cannot run out of room.
    let _ = Base64UrlUnpadded::encode(src, &mut out[start..]);
}

fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.put(&digits[i..]);
}

/// A signed DPoP proof: the value of the `DPoP` request header. `Debug` is redacted (a proof
/// is a short-lived credential), and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct DpopProof(String);

impl DpopProof {
    /// The proof text, for the `DPoP` header.
    #[must_use]
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DpopProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DpopProof(<redacted>)")
    }
}

#[cfg(feature = "zeroize")]
impl Drop for DpopProof {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}
