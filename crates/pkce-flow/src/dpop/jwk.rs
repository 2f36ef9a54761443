//! The public key of a DPoP proof as a JWK (RFC 7517), and its RFC 7638 thumbprint.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};

use super::DpopError;
use super::json::{self, Sink};

/// Members that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4.1): a
/// proof's `jwk` must never carry one (RFC 9449 §4.2).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// A public JWK reduced to the members its thumbprint covers (RFC 7638 §3.2: `crv`, `kty`,
/// `x`, `y` for EC; `e`, `kty`, `n` for RSA; `crv`, `kty`, `x` for OKP), kept in
/// lexicographic order. That order and no whitespace is also how it is written into a
/// proof's header, so the header's `jwk` is exactly the text the thumbprint hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicJwk {
    members: Vec<(String, String)>,
}

impl PublicJwk {
    /// An elliptic-curve key (`kty` `EC`): `crv` such as `P-256`, `x` and `y` in base64url.
    #[must_use]
    pub fn ec(crv: &str, x: &str, y: &str) -> Self {
        Self::sorted([("crv", crv), ("kty", "EC"), ("x", x), ("y", y)])
    }

    /// An RSA key (`kty` `RSA`): modulus `n` and exponent `e` in base64url.
    #[must_use]
    pub fn rsa(n: &str, e: &str) -> Self {
        Self::sorted([("e", e), ("kty", "RSA"), ("n", n)])
    }

    /// An octet key pair (`kty` `OKP`, RFC 8037), such as `crv` `Ed25519` with `x`.
    #[must_use]
    pub fn okp(crv: &str, x: &str) -> Self {
        Self::sorted([("crv", crv), ("kty", "OKP"), ("x", x)])
    }

    /// Any other key type, from its required members in any order (RFC 7638 §3.2).
    ///
    /// # Errors
    /// [`DpopError::InvalidJwk`] when there is no `kty`, a name or value is empty, a name is
    /// repeated, or a member belongs to a private key.
    pub fn from_members(members: &[(&str, &str)]) -> Result<Self, DpopError> {
        let mut owned: Vec<(String, String)> = members
            .iter()
            .map(|&(n, v)| (String::from(n), String::from(v)))
            .collect();
        owned.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let bad = owned
            .iter()
            .any(|(n, v)| n.is_empty() || v.is_empty() || PRIVATE_MEMBERS.contains(&n.as_str()))
            || owned.windows(2).any(|w| w[0].0 == w[1].0)
            || !owned.iter().any(|(n, _)| n == "kty");
        if bad {
            return Err(DpopError::InvalidJwk);
        }
        Ok(Self { members: owned })
    }

    fn sorted<const N: usize>(members: [(&str, &str); N]) -> Self {
        Self {
            members: members
                .iter()
                .map(|&(n, v)| (String::from(n), String::from(v)))
                .collect(),
        }
    }

    /// The members in lexicographic order of their names.
    pub fn members(&self) -> impl Iterator<Item = (&str, &str)> {
        self.members.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The value of one member.
    #[must_use]
    pub fn member(&self, name: &str) -> Option<&str> {
        self.members().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// The RFC 7638 thumbprint: base64url(SHA-256(the canonical JSON of the members)). It is
    /// the `dpop_jkt` of an authorization request (RFC 9449 §10) and the `cnf.jkt` a server
    /// binds tokens to (RFC 9449 §6.1).
    #[must_use]
    pub fn thumbprint(&self) -> JwkThumbprint {
        let mut hash = Sha256::new();
        self.write_json(&mut hash);
        let digest: [u8; 32] = hash.finalize().into();
        let mut chars = [0u8; THUMBPRINT_LEN];
        // 32 octets are always 43 characters.
        let _ = Base64UrlUnpadded::encode(&digest, &mut chars);
        JwkThumbprint(chars)
    }

    /// The canonical JSON text (RFC 7638 §3.3).
    pub(crate) fn write_json(&self, out: &mut impl Sink) {
        json::object(out, self.members());
    }
}

/// The RFC 7638 thumbprint of the JWK given by its required members, in any order.
///
/// # Errors
/// As [`PublicJwk::from_members`].
pub fn jwk_thumbprint(members: &[(&str, &str)]) -> Result<JwkThumbprint, DpopError> {
    PublicJwk::from_members(members).map(|jwk| jwk.thumbprint())
}

const THUMBPRINT_LEN: usize = 43;

/// A SHA-256 JWK thumbprint: 43 base64url characters, stored inline. It names a public key
/// and is not secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct JwkThumbprint([u8; THUMBPRINT_LEN]);

impl JwkThumbprint {
    /// The thumbprint text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only base64url characters are ever stored.
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Display for JwkThumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for JwkThumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JwkThumbprint({})", self.as_str())
    }
}
