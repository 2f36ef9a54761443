//! `DpopExchange`: any exchange that can carry a proof, driven with one, and the one nonce
//! retry (RFC 9449 §8, §9) emitted by the same poll loop.

use alloc::format;
use alloc::string::String;
use core::mem;

use rand_core::TryCryptoRng;

use super::DpopError;
use super::challenge::{DpopServer, nonce_retry};
use super::key::DpopKey;
use super::nonce::NonceMemory;
use super::proof::ProofRequest;
use crate::error::{Error, Misuse};
use crate::http::{Exchange, HttpRequest, HttpResponse, Poll};
use crate::secret::AccessToken;

mod sealed {
    pub trait Sealed {}
}

/// What an exchange tells [`DpopExchange`] about itself. Not constructible outside the crate.
#[doc(hidden)]
#[derive(Debug)]
pub struct DpopBinding<'a> {
    pub(crate) server: DpopServer,
    /// The client's configured key (authorization server exchanges), which the proof key
    /// must be.
    pub(crate) key: Option<&'a DpopKey>,
    /// The token a resource request presents: `Authorization: DPoP` and the proof's `ath`.
    pub(crate) access_token: Option<&'a AccessToken>,
}

impl<'a> DpopBinding<'a> {
    pub(crate) fn authorization_server(key: Option<&'a DpopKey>) -> Self {
        Self {
            server: DpopServer::AuthorizationServer,
            key,
            access_token: None,
        }
    }

    pub(crate) fn resource_server(access_token: &'a AccessToken) -> Self {
        Self {
            server: DpopServer::ResourceServer,
            key: None,
            access_token: Some(access_token),
        }
    }
}

/// An exchange whose requests can carry a DPoP proof: PAR, the code exchange, refresh, the
/// device flow's token polling (RFC 9449 §5: every token request, whatever the grant) and
/// resource requests. Sealed.
pub trait DpopTarget: Exchange + sealed::Sealed {
    #[doc(hidden)]
    fn dpop_binding(&self) -> DpopBinding<'_>;
}

macro_rules! target {
    ($($ty:ty),*) => {$(impl sealed::Sealed for $ty {})*};
}
target!(
    crate::TokenExchange,
    crate::RefreshExchange,
    crate::PushedAuthorization,
    crate::ResourceRequest,
    crate::device::DeviceAttempt<'_>
);

#[derive(Debug)]
enum Retry {
    /// No nonce error yet; the request sent is kept in case one comes.
    Unused(Option<HttpRequest>),
    /// A `use_dpop_nonce` answer came: this request goes again with the new nonce.
    Pending(HttpRequest),
    /// The one retry was sent; another nonce error is a failure.
    Used,
}

/// Drives `E` with a DPoP proof on every request it sends (RFC 9449 §4), and answers a
/// `use_dpop_nonce` error (a 400 from the authorization server with `DPoP-Nonce`, or a 401
/// from a resource server with `WWW-Authenticate: DPoP error="use_dpop_nonce"`) by emitting
/// the same request once more, with a new proof carrying the new nonce, from the same
/// `poll_output` loop. The nonce error never reaches the inner exchange, so a code is not
/// consumed by it; a second nonce error in a row is [`DpopError::NonceRetryExhausted`].
///
/// Every response's `DPoP-Nonce` updates `nonces` for the server's origin (RFC 9449 §8.2);
/// a malformed one is ignored there (the nonce before is kept) unless it comes with a
/// nonce error, which then fails.
///
/// A resource request is sent with `Authorization: DPoP <token>` and a proof with `ath`.
/// Time (`now`, seconds since the Unix epoch, each proof's `iat`) and randomness (each
/// proof's `jti`) come from the caller, as everywhere in this crate.
#[derive(Debug)]
pub struct DpopExchange<'a, E, R: ?Sized> {
    inner: E,
    key: DpopKey,
    nonces: &'a mut NonceMemory,
    rng: &'a mut R,
    now: u64,
    retry: Retry,
    /// The URL of the request awaiting its answer.
    url: Option<String>,
    finished: bool,
}

impl<'a, E: DpopTarget, R: TryCryptoRng + ?Sized> DpopExchange<'a, E, R> {
    /// Wraps `inner`, to be signed with `key`.
    ///
    /// # Errors
    /// [`Misuse::DpopKeyMismatch`] when `inner` belongs to a client not configured with
    /// `key` (`ClientBuilder::dpop_key`): its token responses would be checked for the wrong
    /// token type and its authorization requests carry another `dpop_jkt`.
    pub fn new(
        inner: E,
        key: &DpopKey,
        nonces: &'a mut NonceMemory,
        rng: &'a mut R,
        now: u64,
    ) -> Result<Self, Error> {
        let binding = inner.dpop_binding();
        if binding.server == DpopServer::AuthorizationServer
            && binding.key.map(DpopKey::thumbprint) != Some(key.thumbprint())
        {
            return Err(Misuse::DpopKeyMismatch.into());
        }
        Ok(Self {
            inner,
            key: key.clone(),
            nonces,
            rng,
            now,
            retry: Retry::Unused(None),
            url: None,
            finished: false,
        })
    }

    /// The exchange inside.
    pub fn into_inner(self) -> E {
        self.inner
    }

    fn attach_proof(&mut self, request: &mut HttpRequest) -> Result<(), DpopError> {
        let binding = self.inner.dpop_binding();
        let url = request.url();
        let mut proof =
            ProofRequest::new(request.method().as_str(), url)?.nonce(self.nonces.get(url));
        if let Some(token) = binding.access_token {
            proof = proof.access_token(token)?;
        }
        let proof = proof.sign(self.key.signer(), self.rng, self.now)?;
        if let Some(token) = binding.access_token {
            // RFC 9449 §7.1: the DPoP scheme, never Bearer, for a DPoP-bound token.
            request.set_authorization(format!("DPoP {}", token.expose_secret()));
        }
        request.set_dpop(String::from(proof.expose_secret()));
        Ok(())
    }

    fn send(&mut self, mut request: HttpRequest) -> Result<Poll<E::Output>, Error> {
        if let Err(e) = self.attach_proof(&mut request) {
            self.finished = true;
            return Err(Error::Dpop(e));
        }
        self.url = Some(String::from(request.url()));
        Ok(Poll::Request(request))
    }

    fn take_nonce_answer(&mut self, response: &HttpResponse<'_>) -> Result<bool, Error> {
        let url = self.url.take().ok_or(Misuse::NoRequestOutstanding)?;
        // A malformed nonce on an ordinary answer is not copied anywhere; the one remembered
        // before stays. With a nonce error it fails below, in `nonce_retry`.
        let _ = self.nonces.update(&url, response);
        let server = self.inner.dpop_binding().server;
        let Some(nonce) = nonce_retry(server, response)? else {
            return Ok(false);
        };
        match mem::replace(&mut self.retry, Retry::Used) {
            Retry::Unused(Some(request)) => {
                self.nonces.remember(&url, nonce)?;
                self.retry = Retry::Pending(request);
                Ok(true)
            }
            Retry::Unused(None) | Retry::Pending(_) | Retry::Used => {
                Err(DpopError::NonceRetryExhausted.into())
            }
        }
    }
}

impl<E: DpopTarget, R: TryCryptoRng + ?Sized> Exchange for DpopExchange<'_, E, R> {
    type Output = E::Output;

    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    fn poll_output(&mut self) -> Result<Poll<E::Output>, Error> {
        if self.finished {
            return Err(Misuse::Finished.into());
        }
        if self.url.is_some() {
            return Err(Misuse::ResponseAwaited.into());
        }
        if matches!(self.retry, Retry::Pending(_))
            && let Retry::Pending(request) = mem::replace(&mut self.retry, Retry::Used)
        {
            return self.send(request);
        }
        match self.inner.poll_output()? {
            Poll::Request(request) => {
                if let Retry::Unused(kept) = &mut self.retry {
                    *kept = Some(request.clone());
                }
                self.send(request)
            }
            Poll::Done(output) => Ok(Poll::Done(output)),
        }
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        if self.finished {
            return Err(Misuse::Finished.into());
        }
        match self.take_nonce_answer(&response) {
            Ok(true) => Ok(()),
            Ok(false) => {
                // The request was answered: it will not be sent again.
                if let Retry::Unused(kept) = &mut self.retry {
                    *kept = None;
                }
                self.inner.handle_response(response)
            }
            Err(e) => {
                self.finished = true;
                Err(e)
            }
        }
    }
}

impl From<DpopError> for Error {
    fn from(e: DpopError) -> Self {
        Self::Dpop(e)
    }
}
