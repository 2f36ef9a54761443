//! Using an access token at a protected resource (RFC 6750): a `GET` with
//! `Authorization: Bearer` (or `DPoP` through `dpop::DpopExchange`), and on 401/403 the
//! server's `Bearer` and `DPoP` challenges, as one [`Exchange`].

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use crate::bearer::{BearerChallenge, authorization_header, bearer_challenge};
use crate::endpoint::{LoopbackHttp, check_endpoint};
use crate::error::Error;
use crate::exchange::OneShot;
use crate::http::{Exchange, HttpRequest, HttpResponse, Method, Poll, RequestPolicy};
use crate::secret::AccessToken;

/// The answer of a protected resource.
#[non_exhaustive]
pub struct BearerResponse {
    /// The HTTP status. A 3xx is returned as is: redirects are not followed.
    pub status: u16,
    /// The body, at most the policy's `max_response_bytes`.
    pub body: Vec<u8>,
    /// The `WWW-Authenticate: Bearer` challenge of a 401 or 403 (RFC 6750 §3), parsed;
    /// `error` is `invalid_token` when the token expired or was revoked.
    pub challenge: Option<BearerChallenge>,
    /// The `WWW-Authenticate: DPoP` challenge of a 401 or 403 (RFC 9449 §7.1), parsed: for
    /// a request driven through [`crate::dpop::DpopExchange`], `error` says why the token or
    /// proof was refused ([`crate::dpop::DpopErrorCode::InvalidToken`] for an expired token
    /// or one bound to another key). A `use_dpop_nonce` answer is retried once by
    /// `DpopExchange` and reaches here only when it was not (the request was sent without
    /// `DpopExchange`); a second one in a row is `DpopError::NonceRetryExhausted`.
    pub dpop_challenge: Option<crate::dpop::DpopChallenge>,
}

impl fmt::Debug for BearerResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may be personal data; its length is enough for a log.
        f.debug_struct("BearerResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("challenge", &self.challenge)
            .field("dpop_challenge", &self.dpop_challenge)
            .finish()
    }
}

/// `GET url` with `Authorization: Bearer <token>` (RFC 6750 §2.1), driven like every other
/// exchange. Any status is an answer: the response, with the challenge of a 401 or 403
/// parsed, is the output, and only a body over the policy's cap or a malformed challenge
/// is an error.
#[derive(Debug)]
pub struct ResourceRequest {
    machine: OneShot<BearerResponse>,
    // Kept for a DPoP proof's `ath` and the `DPoP` scheme, when driven by `DpopExchange`.
    token: AccessToken,
}

impl ResourceRequest {
    /// A request for `url` carrying `token` in the header only, never in the URL
    /// (RFC 9700 §4.3.2), under the default [`RequestPolicy`].
    ///
    /// The token goes only over `https`, or over `http` to a loopback IP literal
    /// (`127.0.0.1`, `[::1]`; never `localhost`), where it never leaves the machine.
    ///
    /// # Errors
    /// [`Error::ResourceUrl`] for any other URL (plain `http` elsewhere, a fragment, user
    /// information, characters a URL parser would repair); [`crate::ResponseError::InvalidValue`]
    /// for a token that cannot be a header value.
    pub fn get(url: &str, token: &AccessToken) -> Result<Self, Error> {
        check_endpoint(url, LoopbackHttp::DangerouslyAllow).map_err(Error::ResourceUrl)?;
        let authorization = authorization_header(token)?;
        let policy = RequestPolicy::default();
        let request = HttpRequest::new(Method::Get, Arc::from(url), policy)
            .without_accept()
            .authorization(authorization);
        Ok(Self {
            machine: OneShot::new(request).any_status(),
            token: token.clone(),
        })
    }

    /// Replaces the request's policy (body cap, timeouts).
    #[must_use]
    pub fn policy(mut self, policy: RequestPolicy) -> Self {
        self.machine.set_policy(policy);
        self
    }
}

impl crate::dpop::DpopTarget for ResourceRequest {
    fn dpop_binding(&self) -> crate::dpop::DpopBinding<'_> {
        crate::dpop::DpopBinding::resource_server(&self.token)
    }
}

impl Exchange for ResourceRequest {
    type Output = BearerResponse;

    fn kind(&self) -> &'static str {
        "resource"
    }

    fn poll_output(&mut self) -> Result<Poll<BearerResponse>, Error> {
        self.machine.poll()
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        self.machine.handle(&response, |r| {
            let status = r.status();
            // RFC 6750 §3: the challenge that says why a token was refused comes with 401
            // (invalid or expired token) or 403 (insufficient scope).
            let (challenge, dpop_challenge) = if matches!(status, 401 | 403) {
                (
                    bearer_challenge(r.header_bytes_named("www-authenticate"))?,
                    crate::dpop::dpop_challenge(r.headers_named("www-authenticate"))?,
                )
            } else {
                (None, None)
            };
            Ok(Some(BearerResponse {
                status,
                body: r.body().to_vec(),
                challenge,
                dpop_challenge,
            }))
        })
    }
}
