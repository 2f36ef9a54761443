//! The authorization request (RFC 6749 §4.1.1 + RFC 7636 §4.3), plain or pushed (RFC 9126),
//! and the pending authorization that waits for the browser to come back.

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

use pkce_core::form::{FormEncoder, encoded_pairs_len};
use pkce_core::{CodeChallenge, CodeVerifier, Nonce, State};
use rand_core::TryCryptoRng;

use crate::config::{Client, ClientConfig};
use crate::error::{Error, Misuse, ResponseError};
use crate::exchange::{OneShot, error_status};
use crate::http::{Exchange, HttpResponse, Poll};
use crate::json::{json_members, json_object};
use crate::loose::Loose;
use crate::request::push_separator;

/// The URL to open in the user's browser. It holds the state and the challenge (never the
/// verifier), so it may be shown to the user.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationUrl(String);

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
            return Err(Misuse::ParRequired.into());
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

    /// Starts a pushed authorization (RFC 9126): the same parameters go to the PAR endpoint
    /// through the poll loop; the result is a short URL with `client_id` and `request_uri`.
    ///
    /// # Errors
    /// [`Error::Rng`]; [`Error::Misuse`] when no PAR endpoint is configured.
    pub fn push_authorization<R: TryCryptoRng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<PushedAuthorization, Error> {
        let c = &*self.config;
        let endpoint = c.par_endpoint.as_ref().ok_or(Misuse::NoParEndpoint)?;
        let pending = self.new_pending(rng)?;
        let challenge = pending.verifier.challenge();
        // RFC 9126 §2.1: the body holds every authorization request parameter, client_id
        // included, and the client authenticates as at the token endpoint. authenticated_post
        // already writes client_id for public and client_secret_post clients; with Basic it
        // does not (the token request must not repeat it), so it is listed here instead.
        let basic = matches!(c.auth, crate::config::ClientAuth::Basic(_));
        let params = authorization_params(&pending, &challenge, basic);
        let request = c.prebuilt.authenticated_post(endpoint, c.policy, params);
        Ok(PushedAuthorization {
            pending: Some(pending),
            machine: OneShot::new(request),
        })
    }

    /// Restores a stored pending authorization for this client.
    ///
    /// # Errors
    /// [`Misuse::ForeignAuthorization`] when it was made for another client id, redirect
    /// URI, issuer or token endpoint (RFC 9700 §4.4.2: the token request goes only where the
    /// authorization request was meant to go).
    pub fn resume(&self, stored: StoredAuthorization) -> Result<PendingAuthorization, Error> {
        let c = &*self.config;
        let same = stored.client_id == *c.client_id
            && stored.redirect_uri == *c.redirect_uri
            && stored.issuer.as_deref() == c.issuer.as_deref()
            && stored.token_endpoint == *c.token_endpoint;
        if !same {
            return Err(Misuse::ForeignAuthorization.into());
        }
        Ok(PendingAuthorization {
            config: Arc::clone(&self.config),
            verifier: stored.verifier,
            state: stored.state,
            nonce: stored.nonce,
        })
    }

    fn new_pending<R: TryCryptoRng + ?Sized>(
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
fn authorization_params<'a>(
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

/// The most characters of a `request_uri` accepted (it goes into a browser URL).
const MAX_REQUEST_URI: usize = 4096;

#[derive(Default)]
struct ParBody<'a> {
    request_uri: Option<Loose<'a>>,
    expires_in: Option<Loose<'a>>,
}
json_members!(ParBody<'a> { request_uri, expires_in });

/// A pushed authorization request in flight (RFC 9126).
#[derive(Debug)]
pub struct PushedAuthorization {
    pending: Option<PendingAuthorization>,
    machine: OneShot<(AuthorizationUrl, u64)>,
}

/// The result of a pushed authorization request.
#[derive(Debug)]
pub struct PushedAuthorizationUrl {
    /// The short URL to open: `client_id` and `request_uri` only.
    pub url: AuthorizationUrl,
    /// Seconds the `request_uri` stays valid.
    pub expires_in: u64,
    /// The pending authorization, for the callback.
    pub pending: PendingAuthorization,
}

impl Exchange for PushedAuthorization {
    type Output = PushedAuthorizationUrl;

    fn poll_output(&mut self) -> Result<Poll<PushedAuthorizationUrl>, Error> {
        match self.machine.poll()? {
            Poll::Request(r) => Ok(Poll::Request(r)),
            Poll::Done((url, expires_in)) => {
                let pending = self.pending.take().ok_or(Misuse::Finished)?;
                Ok(Poll::Done(PushedAuthorizationUrl {
                    url,
                    expires_in,
                    pending,
                }))
            }
        }
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        let Some(pending) = &self.pending else {
            return Err(Misuse::Finished.into());
        };
        let c = &*pending.config;
        self.machine.handle(&response, |r| {
            // RFC 9126 §2.2 says 201; a 200 with a valid body is accepted too (policy P-10).
            if !matches!(r.status(), 200 | 201) {
                return Err(error_status(r));
            }
            if !r.is_json() {
                return Err(ResponseError::UnexpectedContentType.into());
            }
            let body: ParBody<'_> = json_object(r.body())?;
            let request_uri = match body.request_uri {
                Some(Loose::Str(s)) if s.len() > MAX_REQUEST_URI => {
                    return Err(ResponseError::TooLarge.into());
                }
                Some(Loose::Str(s)) if crate::secret::is_vschar_string(&s) => s,
                Some(Loose::Str(_)) => {
                    return Err(ResponseError::InvalidValue("request_uri").into());
                }
                Some(_) => return Err(ResponseError::InvalidType("request_uri").into()),
                None => return Err(ResponseError::MissingField("request_uri").into()),
            };
            let expires_in = match body.expires_in {
                Some(Loose::UInt(n)) if n > 0 => n,
                Some(Loose::UInt(_) | Loose::NegInt | Loose::Float) => {
                    return Err(ResponseError::InvalidValue("expires_in").into());
                }
                Some(_) => return Err(ResponseError::InvalidType("expires_in").into()),
                None => return Err(ResponseError::MissingField("expires_in").into()),
            };
            let mut url = String::from(c.authorization_endpoint.as_str());
            push_separator(&mut url);
            let mut form = FormEncoder::new(&mut url);
            let _ = form.append_pair("client_id", &c.client_id);
            let _ = form.append_pair("request_uri", &request_uri);
            Ok(Some((AuthorizationUrl(url), expires_in)))
        })
    }
}
