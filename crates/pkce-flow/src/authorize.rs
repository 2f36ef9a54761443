//! The authorization request (RFC 6749 §4.1.1 + RFC 7636 §4.3) and the pending
//! authorization that waits for the browser to come back. Its parameters are one list,
//! shared with the pushed form (`par.rs`).

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

use pkce_core::{CodeChallenge, CodeVerifier, Nonce, State};
use rand_core::TryCryptoRng;

use crate::client::{Client, ClientConfig};
use crate::error::{Error, Mismatch};
use crate::params::{client_params, extra_params, request_params};
use crate::request::{Piece, concat};

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
    /// The configuration's redirect URI: a pending authorization exists only for a client
    /// that has one.
    pub(crate) redirect_uri: Arc<str>,
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
            redirect_uri: String::from(&*self.redirect_uri),
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
            .field("redirect_uri", &self.redirect_uri)
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
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) issuer: Option<String>,
    pub(crate) token_endpoint: String,
    pub(crate) verifier: CodeVerifier,
    pub(crate) state: State,
    pub(crate) nonce: Option<Nonce>,
}

impl Client {
    /// Starts an authorization: a fresh verifier, S256 challenge and state from `rng`, and
    /// the URL to open. `code_challenge_method=S256` is always sent (RFC 7636 §4.3).
    ///
    /// # Errors
    /// [`Error::Rng`] if the generator fails; [`Error::ParRequired`] if the server requires
    /// PAR; [`Error::NotConfigured`]`("redirect_uri")` for a client built without one.
    pub fn authorize<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<(AuthorizationUrl, PendingAuthorization), Error> {
        if self.config.par_required {
            return Err(Error::ParRequired);
        }
        let pending = self.new_pending(rng)?;
        let challenge = pending.verifier.challenge();
        let p = &self.config.prebuilt;
        // The list of `params.rs`: its configuration-only parts were encoded at `build`
        // (the head ends with them, the tail holds the extras). The request's own part is
        // written as is: its names are literals and its values (state, challenge, method,
        // nonce) base64url or `S256`, which form encoding leaves unchanged. Joined by
        // `concat`: measured, then written once, one allocation.
        let fresh = request_params(
            pending.state.expose_secret(),
            &challenge,
            pending.nonce.as_ref().map(Nonce::expose_secret),
        );
        let mut pieces = [Piece::Raw(""); 18];
        pieces[0] = Piece::Raw(&p.authorize_head);
        for (slot, (name, value)) in pieces[1..17].chunks_exact_mut(4).zip(fresh) {
            slot.copy_from_slice(&[
                Piece::Raw("&"),
                Piece::Raw(name),
                Piece::Raw("="),
                Piece::Raw(value),
            ]);
        }
        pieces[17] = Piece::Raw(&p.authorize_tail);
        Ok((AuthorizationUrl(concat(&pieces)), pending))
    }

    /// Restores a stored pending authorization for this client.
    ///
    /// # Errors
    /// [`Mismatch::ForeignAuthorization`] when it was made for another client id, redirect
    /// URI, issuer or token endpoint (RFC 9700 §4.4.2: the token request goes only where the
    /// authorization request was meant to go).
    pub fn resume(&self, stored: StoredAuthorization) -> Result<PendingAuthorization, Error> {
        let c = &*self.config;
        let Some(redirect_uri) = &c.redirect_uri else {
            return Err(Error::NotConfigured("redirect_uri"));
        };
        let same = stored.client_id == *c.client_id
            && stored.redirect_uri == **redirect_uri
            && stored.issuer.as_deref() == c.issuer.as_deref()
            && stored.token_endpoint == *c.token_endpoint;
        if !same {
            return Err(Mismatch::ForeignAuthorization.into());
        }
        Ok(PendingAuthorization {
            config: Arc::clone(&self.config),
            redirect_uri: Arc::clone(redirect_uri),
            verifier: stored.verifier,
            state: stored.state,
            nonce: stored.nonce,
        })
    }

    pub(crate) fn new_pending<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<PendingAuthorization, Error> {
        // Checked before anything is drawn: without a redirect URI there is no flow to start.
        let redirect_uri = self
            .config
            .redirect_uri
            .clone()
            .ok_or(Error::NotConfigured("redirect_uri"))?;
        let verifier = CodeVerifier::generate(rng)?;
        let state = State::generate(rng)?;
        let nonce = if self.config.send_nonce {
            Some(Nonce::generate(rng)?)
        } else {
            None
        };
        Ok(PendingAuthorization {
            config: Arc::clone(&self.config),
            redirect_uri,
            verifier,
            state,
            nonce,
        })
    }
}

/// Every authorization request parameter, in order, each exactly once (see `params.rs`):
/// the PAR body is written from this.
pub(crate) fn authorization_params<'a>(
    pending: &'a PendingAuthorization,
    challenge: &'a CodeChallenge,
    with_client_id: bool,
) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
    let c = &*pending.config;
    client_params(
        &c.client_id,
        Some(&pending.redirect_uri),
        c.scope.as_deref(),
        with_client_id,
    )
    .chain(request_params(
        pending.state.expose_secret(),
        challenge,
        pending.nonce.as_ref().map(Nonce::expose_secret),
    ))
    .chain(extra_params(&c.authorization_params))
}
