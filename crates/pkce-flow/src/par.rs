//! Pushed authorization requests (RFC 9126): the authorization parameters go to the PAR
//! endpoint in a POST, and the browser gets a short URL with `client_id` and `request_uri`.

use alloc::string::String;

use pkce_core::form::FormEncoder;
use rand_core::TryCryptoRng;

use crate::authorize::{AuthorizationUrl, PendingAuthorization, authorization_params};
use crate::client::Client;
use crate::error::{Error, Misuse, ResponseError};
use crate::exchange::{OneShot, error_status};
use crate::http::{Exchange, HttpResponse, Poll};
use crate::json::{json_members, json_object};
use crate::loose::Loose;
use crate::request::push_separator;

impl Client {
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
        let endpoint = c.par_endpoint.as_ref().ok_or(Error::NotConfigured(
            "pushed_authorization_request_endpoint",
        ))?;
        let pending = self.new_pending(rng)?;
        let challenge = pending.verifier.challenge();
        // RFC 9126 §2.1: the body holds every authorization request parameter, client_id
        // included, and the client authenticates as at the token endpoint. authenticated_post
        // already writes client_id for public and client_secret_post clients; with Basic it
        // does not (the token request must not repeat it), so it is listed here instead.
        let basic = matches!(c.auth, crate::auth::ClientAuth::Basic(_));
        let params = authorization_params(&pending, &challenge, basic);
        let request = c.prebuilt.authenticated_post(endpoint, c.policy, params);
        Ok(PushedAuthorization {
            pending: Some(pending),
            machine: OneShot::new(request),
        })
    }
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

impl crate::dpop::DpopTarget for PushedAuthorization {
    fn dpop_binding(&self) -> crate::dpop::DpopBinding<'_> {
        let key = self.pending.as_ref().and_then(|p| p.config.dpop.as_ref());
        crate::dpop::DpopBinding::authorization_server(key)
    }
}

impl Exchange for PushedAuthorization {
    type Output = PushedAuthorizationUrl;

    fn kind(&self) -> &'static str {
        "pushed_authorization"
    }

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
                    return Err(ResponseError::InvalidValue("request_uri").into());
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
