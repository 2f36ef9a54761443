//! OpenID Connect ID tokens: the nonce, and validation by OpenID Connect Core §3.1.3.7.
//!
//! When the scope holds `openid`, every authorization request carries a fresh `nonce` from
//! the caller's generator; the pending authorization keeps it and the token response of the
//! code exchange carries it on. [`Client::validate_id_token`](crate::Client::validate_id_token)
//! then checks the ID token: `alg` is never `none`; the signature (through an
//! [`IdTokenVerifier`], or the issuer established by TLS, see below); `iss` equals the
//! configured issuer exactly; `aud` contains the client id, and with several audiences `azp`
//! equals it; `exp` and `iat` against a `now` the caller passes in, with a leeway; `nonce`
//! equal to the one sent. After a refresh,
//! [`Client::validate_refreshed_id_token`](crate::Client::validate_refreshed_id_token) also
//! requires the same `iss`, `sub`, `aud` and `azp` (§12.2);
//! [`Client::validate_refreshed_id_token_for`](crate::Client::validate_refreshed_id_token_for)
//! does the same against a [`LoginIdentity`], the claims a stored session keeps in place of
//! the login's whole token.
//!
//! # The issuer established by TLS
//!
//! OpenID Connect Core §3.1.3.7 item 6 lets a client that receives the ID token **directly
//! from the token endpoint over TLS** skip the signature check and rely on TLS for who issued
//! it. [`IdTokenSignature::IssuerEstablishedByTls`] is that mode, and nothing else: it is
//! refused unless the token endpoint is `https` (a loopback `http` endpoint, which the client
//! accepts only after `dangerous_allow_insecure_loopback`, is the one exception, for tests).
//! A token passed on to another party must be verified by signature there.
//!
//! A JOSE signature check stays outside this crate: [`IdTokenVerifier`] is where one plugs in.

mod claims;
mod error;
mod identity;
mod jws;
mod validate;

pub use claims::{Audiences, IdToken};
pub use error::IdTokenError;
pub use identity::LoginIdentity;
pub use jws::{IdTokenVerifier, JoseHeader, MAX_ID_TOKEN_BYTES, SignatureRejected};
pub use validate::{DEFAULT_LEEWAY, IdTokenSignature, IdTokenValidation};
