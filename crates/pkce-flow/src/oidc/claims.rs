//! The claims of a validated ID token (OpenID Connect Core §2), typed.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::error::IdTokenError;
use super::jws::json_error;
use crate::json::{json_members, json_object};
use crate::loose::Loose;

/// The audiences of an ID token: `aud` given as one string or as an array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Audiences(Vec<String>);

impl Audiences {
    /// Whether `client_id` is one of them.
    #[must_use]
    pub fn contains(&self, client_id: &str) -> bool {
        self.0.iter().any(|a| a == client_id)
    }

    /// Every audience, in the token's order.
    #[must_use]
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// A validated ID token: its claims, typed. The nonce is kept out of `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct IdToken {
    pub(crate) iss: String,
    pub(crate) sub: String,
    pub(crate) aud: Audiences,
    pub(crate) exp: u64,
    pub(crate) iat: u64,
    pub(crate) auth_time: Option<u64>,
    pub(crate) nonce: Option<String>,
    pub(crate) azp: Option<String>,
    pub(crate) acr: Option<String>,
    pub(crate) amr: Vec<String>,
    pub(crate) payload: String,
}

impl IdToken {
    /// `iss`: the issuer, equal to the configured one.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.iss
    }

    /// `sub`: the user's identifier at this issuer (unique with `iss`).
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.sub
    }

    /// `aud`: the audiences, which contain the client id.
    #[must_use]
    pub fn audiences(&self) -> &Audiences {
        &self.aud
    }

    /// `exp`, seconds since the Unix epoch.
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.exp
    }

    /// `iat`, seconds since the Unix epoch.
    #[must_use]
    pub fn issued_at(&self) -> u64 {
        self.iat
    }

    /// `auth_time`: when the user authenticated, if the server said.
    #[must_use]
    pub fn auth_time(&self) -> Option<u64> {
        self.auth_time
    }

    /// `azp`: the authorized party, if given.
    #[must_use]
    pub fn authorized_party(&self) -> Option<&str> {
        self.azp.as_deref()
    }

    /// `acr`: the authentication context class reference, if given.
    #[must_use]
    pub fn acr(&self) -> Option<&str> {
        self.acr.as_deref()
    }

    /// `amr`: the authentication methods references (empty when not given).
    #[must_use]
    pub fn amr(&self) -> &[String] {
        &self.amr
    }

    /// The whole claims set as JSON text, for the claims this type does not name (`email`,
    /// `name`, ...). It holds the nonce.
    #[must_use]
    pub fn claims_json(&self) -> &str {
        &self.payload
    }
}

impl fmt::Debug for IdToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdToken")
            .field("iss", &self.iss)
            .field("sub", &self.sub)
            .field("aud", &self.aud.0)
            .field("exp", &self.exp)
            .field("iat", &self.iat)
            .field("auth_time", &self.auth_time)
            .field("azp", &self.azp)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct RawClaims<'a> {
    iss: Option<Loose<'a>>,
    sub: Option<Loose<'a>>,
    aud: Option<Loose<'a>>,
    exp: Option<Loose<'a>>,
    iat: Option<Loose<'a>>,
    auth_time: Option<Loose<'a>>,
    nonce: Option<Loose<'a>>,
    azp: Option<Loose<'a>>,
    acr: Option<Loose<'a>>,
    amr: Option<Loose<'a>>,
}
json_members!(RawClaims<'a> { iss, sub, aud, exp, iat, auth_time, nonce, azp, acr, amr });

/// Reads the claims: `iss`, `sub`, `aud`, `exp` and `iat` required, each of its type.
pub(crate) fn parse_claims(payload: Vec<u8>) -> Result<IdToken, IdTokenError> {
    let payload = String::from_utf8(payload).map_err(|_| IdTokenError::Malformed("payload"))?;
    let raw = json_object::<RawClaims<'_>>(payload.as_bytes()).map_err(json_error("payload"))?;
    let aud = match raw.aud {
        None => return Err(IdTokenError::MissingClaim("aud")),
        Some(Loose::Str(a)) => Audiences(alloc::vec![String::from(a)]),
        Some(Loose::Strings(list)) if !list.is_empty() => {
            Audiences(list.into_iter().map(String::from).collect())
        }
        Some(_) => return Err(IdTokenError::InvalidClaim("aud")),
    };
    let amr = match raw.amr {
        None => Vec::new(),
        Some(Loose::Strings(list)) => list.into_iter().map(String::from).collect(),
        Some(_) => return Err(IdTokenError::InvalidClaim("amr")),
    };
    let token = IdToken {
        iss: required_text(raw.iss, "iss")?,
        sub: required_text(raw.sub, "sub")?,
        aud,
        exp: required_time(raw.exp, "exp")?,
        iat: required_time(raw.iat, "iat")?,
        auth_time: raw.auth_time.map(|v| time(v, "auth_time")).transpose()?,
        nonce: raw.nonce.map(|v| text(v, "nonce")).transpose()?,
        azp: raw.azp.map(|v| text(v, "azp")).transpose()?,
        acr: raw.acr.map(|v| text(v, "acr")).transpose()?,
        amr,
        payload: String::new(),
    };
    Ok(IdToken { payload, ..token })
}

fn text(value: Loose<'_>, name: &'static str) -> Result<String, IdTokenError> {
    match value {
        Loose::Str(s) if !s.is_empty() => Ok(String::from(s)),
        _ => Err(IdTokenError::InvalidClaim(name)),
    }
}

fn required_text(value: Option<Loose<'_>>, name: &'static str) -> Result<String, IdTokenError> {
    text(value.ok_or(IdTokenError::MissingClaim(name))?, name)
}

/// A NumericDate (RFC 7519 §2) as whole seconds; fractions and negatives are refused.
fn time(value: Loose<'_>, name: &'static str) -> Result<u64, IdTokenError> {
    match value {
        Loose::UInt(n) => Ok(n),
        _ => Err(IdTokenError::InvalidClaim(name)),
    }
}

fn required_time(value: Option<Loose<'_>>, name: &'static str) -> Result<u64, IdTokenError> {
    time(value.ok_or(IdTokenError::MissingClaim(name))?, name)
}
