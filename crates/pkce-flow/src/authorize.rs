//! The authorization request (RFC 6749 §4.1.1 + RFC 7636 §4.3) and the pending
//! authorization that waits for the browser to come back. Its parameters are one list,
//! shared with the pushed form (`par.rs`).

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

use pkce_core::form::{FormEncoder, encoded_pairs_len};
use pkce_core::{CodeChallenge, CodeVerifier, Nonce, State};
use rand_core::TryCryptoRng;

use crate::client::{Client, ClientConfig};
use crate::error::{Error, Mismatch};
use crate::request::push_separator;

/// The URL to open in the user's browser. It holds the state and the challenge (never the
/// verifier), so it may be shown to the user.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationUrl(pub(crate) String);

impl AuthorizationUrl {
    /// The URL.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AuthorizationUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AuthorizationUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The state in the query is treated as a secret in logs.
        f.debug_tuple("AuthorizationUrl")
            .field(&crate::endpoint::without_query(&self.0))
            .finish()
    }
}

/// One authorization request in flight: the verifier, the state (and nonce), bound to the
/// client's redirect URI, issuer and token endpoint. Consumed by
/// [`PendingAuthorization::callback`]; a forged callback gives it back.
pub struct PendingAuthorization {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) verifier: CodeVerifier,
    pub(crate) state: State,
    pub(crate) nonce: Option<Nonce>,
}

impl PendingAuthorization {
    /// The OpenID Connect nonce sent, for the caller's ID token check.
    #[must_use]
    pub fn nonce(&self) -> Option<&Nonce> {
        self.nonce.as_ref()
    }

    /// The state sent, for looking this authorization up when several are pending.
    #[must_use]
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The part that must be stored between the two legs of the flow (the configuration and
    /// the client secret stay out of it).
    #[must_use]
    pub fn into_stored(self) -> StoredAuthorization {
        let c = &*self.config;
        StoredAuthorization {
            client_id: String::from(&*c.client_id),
            redirect_uri: String::from(&*c.redirect_uri),
            issuer: c.issuer.as_deref().map(String::from),
            token_endpoint: String::from(&*c.token_endpoint),
            verifier: self.verifier,
            state: self.state,
            nonce: self.nonce,
        }
    }
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("client_id", &self.config.client_id)
            .field("redirect_uri", &self.config.redirect_uri)
            .field("issuer", &self.config.issuer)
            .field("verifier", &self.verifier)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// A pending authorization as stored data. It holds the verifier and the state: keep it
/// where only this user's session can reach it (RFC 6749 §10.12). Restore it with
/// [`Client::resume`], which checks that it belongs to that client.
#[derive(Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StoredAuthorization {
    client_id: String,
    redirect_uri: String,
    issuer: Option<String>,
    token_endpoint: String,
    verifier: CodeVerifier,
    state: State,
    nonce: Option<Nonce>,
}

impl Client {
    /// Starts an authorization: a fresh verifier, S256 challenge and state from `rng`, and
    /// the URL to open. `code_challenge_method=S256` is always sent (RFC 7636 §4.3).
    ///
    /// # Errors
    /// [`Error::Rng`] if the generator fails; [`Error::Misuse`] if the server requires PAR.
    pub fn authorize<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<(AuthorizationUrl, PendingAuthorization), Error> {
        if self.config.par_required {
            return Err(Error::ParRequired);
        }
        let pending = self.new_pending(rng)?;
        let challenge = pending.verifier.challenge();
        let params = authorization_params(&pending, &challenge, true);
        let endpoint = &self.config.authorization_endpoint;
        // Measured, then written once: one allocation, one pass.
        let mut url = String::with_capacity(endpoint.len() + 1 + encoded_pairs_len(params.clone()));
        url.push_str(endpoint);
        push_separator(&mut url);
        let mut form = FormEncoder::new(&mut url);
        for (name, value) in params {
            // Writing into a String cannot fail.
            let _ = form.append_pair(name, value);
        }
        Ok((AuthorizationUrl(url), pending))
    }

    /// Restores a stored pending authorization for this client.
    ///
    /// # Errors
    /// [`Mismatch::ForeignAuthorization`] when it was made for another client id, redirect
    /// URI, issuer or token endpoint (RFC 9700 §4.4.2: the token request goes only where the
    /// authorization request was meant to go).
    pub fn resume(&self, stored: StoredAuthorization) -> Result<PendingAuthorization, Error> {
        let c = &*self.config;
        let same = stored.client_id == *c.client_id
            && stored.redirect_uri == *c.redirect_uri
            && stored.issuer.as_deref() == c.issuer.as_deref()
            && stored.token_endpoint == *c.token_endpoint;
        if !same {
            return Err(Mismatch::ForeignAuthorization.into());
        }
        Ok(PendingAuthorization {
            config: Arc::clone(&self.config),
            verifier: stored.verifier,
            state: stored.state,
            nonce: stored.nonce,
        })
    }

    pub(crate) fn new_pending<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<PendingAuthorization, Error> {
        let verifier = CodeVerifier::generate(rng)?;
        let state = State::generate(rng)?;
        let nonce = if self.config.send_nonce {
            Some(Nonce::generate(rng)?)
        } else {
            None
        };
        Ok(PendingAuthorization {
            config: Arc::clone(&self.config),
            verifier,
            state,
            nonce,
        })
    }
}

/// Every authorization request parameter, in order, each exactly once: RFC 6749 §4.1.1,
/// RFC 7636 §4.3, the OpenID Connect `nonce`, then the configured extras. The authorization
/// URL and the PAR body (RFC 9126 §2.1) are both written from this one list.
pub(crate) fn authorization_params<'a>(
    pending: &'a PendingAuthorization,
    challenge: &'a CodeChallenge,
    with_client_id: bool,
) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
    let c = &*pending.config;
    [
        Some(("response_type", "code")),
        with_client_id.then_some(("client_id", &*c.client_id)),
        Some(("redirect_uri", &*c.redirect_uri)),
        c.scope.as_deref().map(|scope| ("scope", scope)),
        Some(("state", pending.state.expose_secret())),
        Some(("code_challenge", challenge.as_str())),
        Some(("code_challenge_method", challenge.method().as_str())),
        pending.nonce.as_ref().map(|n| ("nonce", n.expose_secret())),
    ]
    .into_iter()
    .flatten()
    .chain(
        c.authorization_params
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    )
}
