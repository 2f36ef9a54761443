//! ID token validation (OpenID Connect Core §3.1.3.7) and the refresh rule (§12.2).

use super::claims::{IdToken, parse_claims};
use super::error::IdTokenError;
use super::identity::LoginIdentity;
use super::jws::{IdTokenVerifier, Jws};
use crate::client::{Client, ClientConfig};
use crate::token::TokenResponse;

/// The leeway [`IdTokenValidation::new`] allows on `exp` and `iat` for clock skew: 60 s.
pub const DEFAULT_LEEWAY: u64 = 60;

/// How the ID token's signature is established.
#[derive(Clone, Copy)]
pub enum IdTokenSignature<'v> {
    /// Checked by the verifier, with the issuer's keys.
    Verified(&'v dyn IdTokenVerifier),
    /// Not checked: the token came directly from the token endpoint over TLS, which
    /// establishes its issuer (OpenID Connect Core §3.1.3.7 item 6). Refused with
    /// [`IdTokenError::TlsModeWithoutTls`] unless the token endpoint is `https` (or loopback
    /// `http` allowed with `dangerous_allow_insecure_loopback`). Do not pass such a token on
    /// as proof to anyone else.
    IssuerEstablishedByTls,
}

impl core::fmt::Debug for IdTokenSignature<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Verified(_) => "Verified",
            Self::IssuerEstablishedByTls => "IssuerEstablishedByTls",
        })
    }
}

/// What an ID token is checked against besides the client: the time and the signature.
#[derive(Clone, Copy, Debug)]
pub struct IdTokenValidation<'v> {
    now: u64,
    leeway: u64,
    signature: IdTokenSignature<'v>,
}

impl<'v> IdTokenValidation<'v> {
    /// `now` in seconds since the Unix epoch (from the caller's clock), with
    /// [`DEFAULT_LEEWAY`].
    #[must_use]
    pub fn new(now: u64, signature: IdTokenSignature<'v>) -> Self {
        Self {
            now,
            leeway: DEFAULT_LEEWAY,
            signature,
        }
    }

    /// Sets the clock-skew leeway, in seconds, on `exp` and `iat`.
    #[must_use]
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }
}

impl Client {
    /// Validates the ID token of the code exchange's token response (OpenID Connect Core
    /// §3.1.3.7), with the nonce the authorization request carried.
    ///
    /// # Errors
    /// [`IdTokenError`] for a missing, malformed, unsigned, mis-signed, foreign, expired or
    /// replayed token.
    pub fn validate_id_token(
        &self,
        tokens: &TokenResponse,
        validation: &IdTokenValidation<'_>,
    ) -> Result<IdToken, IdTokenError> {
        let token = tokens.id_token().ok_or(IdTokenError::Missing)?;
        let id = check(&self.config, token, validation)?;
        match (&tokens.nonce, &id.nonce) {
            (None, _) => {}
            (Some(_), None) => return Err(IdTokenError::NonceMissing),
            (Some(sent), Some(got)) if sent.matches(got) => {}
            (Some(_), Some(_)) => return Err(IdTokenError::NonceMismatch),
        }
        Ok(id)
    }

    /// Validates the ID token of a refresh response, if it holds one (OpenID Connect Core
    /// §12.2): [`Self::validate_refreshed_id_token_for`] with `previous`'s identity, and its
    /// `nonce` too when the refreshed token carries one.
    ///
    /// # Errors
    /// [`IdTokenError`], with [`IdTokenError::RefreshChanged`] naming a claim that changed.
    pub fn validate_refreshed_id_token(
        &self,
        previous: &IdToken,
        tokens: &TokenResponse,
        validation: &IdTokenValidation<'_>,
    ) -> Result<Option<IdToken>, IdTokenError> {
        let refreshed =
            self.validate_refreshed_id_token_for(&previous.identity(), tokens, validation)?;
        if let Some(id) = &refreshed
            && id.nonce.is_some()
            && id.nonce != previous.nonce
        {
            return Err(IdTokenError::RefreshChanged("nonce"));
        }
        Ok(refreshed)
    }

    /// Validates the ID token of a refresh response, if it holds one, against the identity
    /// kept from the login (OpenID Connect Core §12.2): every check of
    /// [`Client::validate_id_token`] but the nonce, and `iss`, `sub`, `aud` and `azp` equal to
    /// the identity's, `auth_time` too when present. `Ok(None)`: the response has no ID token.
    ///
    /// # Errors
    /// [`IdTokenError`], with [`IdTokenError::RefreshChanged`] naming a claim that changed.
    pub fn validate_refreshed_id_token_for(
        &self,
        identity: &LoginIdentity,
        tokens: &TokenResponse,
        validation: &IdTokenValidation<'_>,
    ) -> Result<Option<IdToken>, IdTokenError> {
        let Some(token) = tokens.id_token() else {
            return Ok(None);
        };
        let id = check(&self.config, token, validation)?;
        match identity.first_change(&id) {
            Some(claim) => Err(IdTokenError::RefreshChanged(claim)),
            None => Ok(Some(id)),
        }
    }
}

/// The checks shared by login and refresh, in the order of §3.1.3.7.
fn check(
    config: &ClientConfig,
    token: &str,
    validation: &IdTokenValidation<'_>,
) -> Result<IdToken, IdTokenError> {
    let issuer = config
        .issuer
        .as_deref()
        .ok_or(IdTokenError::NoIssuerConfigured)?;
    let jws = Jws::parse(token)?;
    let id = parse_claims(jws.payload)?;
    match validation.signature {
        IdTokenSignature::Verified(verifier) => verifier
            .verify(&jws.header, jws.signing_input.as_bytes(), &jws.signature)
            .map_err(|_| IdTokenError::BadSignature)?,
        IdTokenSignature::IssuerEstablishedByTls => {
            if !over_tls(&config.token_endpoint) {
                return Err(IdTokenError::TlsModeWithoutTls);
            }
        }
    }
    if id.iss != issuer {
        return Err(IdTokenError::IssuerMismatch);
    }
    if !id.aud.contains(&config.client_id) {
        return Err(IdTokenError::AudienceMismatch);
    }
    match &id.azp {
        Some(azp) if *azp != *config.client_id => {
            return Err(IdTokenError::AuthorizedPartyMismatch);
        }
        None if id.aud.as_slice().len() > 1 => return Err(IdTokenError::AuthorizedPartyMissing),
        _ => {}
    }
    if validation.now >= id.exp.saturating_add(validation.leeway) {
        return Err(IdTokenError::Expired);
    }
    if id.iat > validation.now.saturating_add(validation.leeway) {
        return Err(IdTokenError::IssuedInFuture);
    }
    Ok(id)
}

/// Whether the token endpoint is `https`, or a loopback `http` the client accepted only under
/// `dangerous_allow_insecure_loopback`.
fn over_tls(token_endpoint: &str) -> bool {
    token_endpoint.starts_with("https://")
        || url::Url::parse(token_endpoint).is_ok_and(|u| crate::endpoint::is_loopback_ip(&u))
}
