//! The compact JWS form of an ID token (RFC 7515 §7.1): three base64url parts, the JOSE
//! header, and the trait a signature verifier implements.

use alloc::string::String;
use alloc::vec::Vec;

use base64ct::{Base64UrlUnpadded, Encoding};

use super::error::IdTokenError;
use crate::json::{json_members, json_object};
use crate::loose::Loose;

/// The longest ID token read, in bytes; a longer one is [`IdTokenError::TooLarge`].
pub const MAX_ID_TOKEN_BYTES: usize = 16 * 1024;

/// The JOSE header of an ID token, for the verifier to pick its key and algorithm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoseHeader {
    alg: String,
    kid: Option<String>,
    typ: Option<String>,
}

impl JoseHeader {
    /// `alg`: never `none` here (such a token is refused before any verifier sees it).
    #[must_use]
    pub fn alg(&self) -> &str {
        &self.alg
    }

    /// `kid`, the key id, if given.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `typ`, if given.
    #[must_use]
    pub fn typ(&self) -> Option<&str> {
        self.typ.as_deref()
    }
}

/// A signature the verifier refused (no detail: log it on the verifier's side).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureRejected;

/// Checks an ID token's JWS signature (RFC 7515 §5.2), with the issuer's keys (its
/// `jwks_uri`, fetched and cached by the application). A JOSE library plugs in here.
pub trait IdTokenVerifier {
    /// Verifies `signature` over `signing_input` (the ASCII `header.payload`) with the key
    /// and algorithm the header names, which must be one the verifier expects from this
    /// issuer.
    ///
    /// # Errors
    /// [`SignatureRejected`] for any signature, key or algorithm it does not accept.
    fn verify(
        &self,
        header: &JoseHeader,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureRejected>;
}

/// A compact JWS, split and decoded, signature not checked.
pub(crate) struct Jws<'t> {
    pub(crate) header: JoseHeader,
    pub(crate) payload: Vec<u8>,
    pub(crate) signing_input: &'t str,
    pub(crate) signature: Vec<u8>,
}

#[derive(Debug, Default)]
struct RawHeader<'a> {
    alg: Option<Loose<'a>>,
    kid: Option<Loose<'a>>,
    typ: Option<Loose<'a>>,
    crit: Option<Loose<'a>>,
}
json_members!(RawHeader<'a> { alg, kid, typ, crit });

impl<'t> Jws<'t> {
    /// Splits and decodes `token`, refusing `alg` `none` and `crit`.
    pub(crate) fn parse(token: &'t str) -> Result<Self, IdTokenError> {
        if token.len() > MAX_ID_TOKEN_BYTES {
            return Err(IdTokenError::TooLarge);
        }
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(IdTokenError::Malformed("structure"));
        };
        match parts.count() {
            0 => {}
            2 => return Err(IdTokenError::Encrypted),
            _ => return Err(IdTokenError::Malformed("structure")),
        }
        let header_bytes = decode(h, "header")?;
        let raw = json_object::<RawHeader<'_>>(&header_bytes).map_err(json_error("header"))?;
        let alg = match raw.alg {
            Some(Loose::Str(a)) if a.eq_ignore_ascii_case("none") => {
                return Err(IdTokenError::AlgNone);
            }
            Some(Loose::Str(a)) if !a.is_empty() => String::from(a),
            _ => return Err(IdTokenError::Malformed("header")),
        };
        if raw.crit.is_some() {
            return Err(IdTokenError::CriticalHeader);
        }
        let text = |v: Option<Loose<'_>>| v.and_then(Loose::into_str).map(String::from);
        let header = JoseHeader {
            alg,
            kid: text(raw.kid),
            typ: text(raw.typ),
        };
        let payload = decode(p, "payload")?;
        let signature = decode(s, "signature")?;
        if signature.is_empty() {
            return Err(IdTokenError::Malformed("signature"));
        }
        let signing_input = token
            .get(..h.len() + 1 + p.len())
            .ok_or(IdTokenError::Malformed("structure"))?;
        Ok(Self {
            header,
            payload,
            signing_input,
            signature,
        })
    }
}

/// One base64url part without padding (RFC 7515 §2).
fn decode(part: &str, name: &'static str) -> Result<Vec<u8>, IdTokenError> {
    Base64UrlUnpadded::decode_vec(part).map_err(|_| IdTokenError::Malformed(name))
}

/// A JSON framing error of the named part.
pub(crate) fn json_error(
    name: &'static str,
) -> impl Fn(crate::error::ResponseError) -> IdTokenError {
    move |e| match e {
        crate::error::ResponseError::DuplicateField => IdTokenError::DuplicateMember,
        _ => IdTokenError::Malformed(name),
    }
}
