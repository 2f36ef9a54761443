//! ID tokens (OpenID Connect Core §3.1.3.3), with `ServerConfig::id_tokens`, for a code
//! exchange whose authorization asked for `openid`: `iss`, `sub`, `aud`, `exp`, `iat` and the
//! request's `nonce`, as a compact JWS signed with ES256. A refresh of such a grant gets a new
//! one (§12.2): the same `iss`, `sub` and `aud`, a new `iat`, and no `nonce`.
//!
//! The key is made when the server starts and never published (no `jwks_uri`): a client
//! establishes the issuer by TLS (OpenID Connect Core §3.1.3.7 item 6; over loopback `http`
//! only under its own opt-in). The misbehaviours `IdTokenWrongNonce`, `IdTokenWrongAudience`,
//! `IdTokenOtherSubject` and `IdTokenExtraAudience` put a wrong (or, after a refresh, a
//! changed) claim in, signed all the same.

use base64ct::{Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};

use crate::context::Ctx;
use crate::misbehavior::Misbehavior;

/// How long an ID token is valid: the lifetime of a login's proof, not of its tokens.
const LIFETIME_SECS: u64 = 300;

/// The server's ID token signing key.
pub(crate) struct IdTokenKey(SigningKey);

impl IdTokenKey {
    /// A fresh key from the OS generator; `None` if it fails.
    pub(crate) fn generate() -> Option<Self> {
        // A random 32-byte string is a valid P-256 scalar except with probability ~2^-32.
        for _ in 0..4 {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).ok()?;
            if let Ok(key) = SigningKey::from_slice(&bytes) {
                return Some(Self(key));
            }
        }
        None
    }
}

/// The ID token for `client_id` with `nonce`, mangled as `quirk` says; `None` if the server
/// has no key or the clock is before 1970.
pub(crate) fn issue(
    ctx: &Ctx,
    client_id: &str,
    nonce: Option<&str>,
    quirk: Option<&Misbehavior>,
) -> Option<String> {
    let key = ctx.id_token_key.as_ref()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    let audience = match quirk {
        Some(Misbehavior::IdTokenWrongAudience) => serde_json::json!("another-client"),
        Some(Misbehavior::IdTokenExtraAudience) => serde_json::json!([client_id, "another-api"]),
        _ => serde_json::json!(client_id),
    };
    let subject = match quirk {
        Some(Misbehavior::IdTokenOtherSubject) => "mallory",
        _ => crate::userinfo::SUBJECT,
    };
    let mut claims = serde_json::json!({
        "iss": ctx.issuer,
        "sub": subject,
        "aud": audience,
        "iat": now,
        "exp": now + LIFETIME_SECS,
    });
    if let (Some(Misbehavior::IdTokenExtraAudience), Some(map)) = (quirk, claims.as_object_mut()) {
        map.insert("azp".into(), client_id.into());
    }
    let nonce = match quirk {
        Some(Misbehavior::IdTokenWrongNonce) => Some("a-nonce-this-client-never-sent"),
        _ => nonce,
    };
    if let (Some(nonce), Some(map)) = (nonce, claims.as_object_mut()) {
        map.insert("nonce".into(), nonce.into());
    }
    let header = Base64UrlUnpadded::encode_string(br#"{"alg":"ES256","typ":"JWT"}"#);
    let payload = Base64UrlUnpadded::encode_string(claims.to_string().as_bytes());
    let signing_input = format!("{header}.{payload}");
    let signature: Signature = key.0.try_sign(signing_input.as_bytes()).ok()?;
    let signature = Base64UrlUnpadded::encode_string(&signature.to_bytes());
    Some(format!("{signing_input}.{signature}"))
}
