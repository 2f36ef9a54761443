//! Token revocation (RFC 7009).

use crate::client::Client;
use crate::error::{Error, ResponseError};
use crate::exchange::{OneShot, error_status};
use crate::http::{Exchange, HttpResponse, Poll};
use crate::secret::{AccessToken, RefreshToken};

/// Revokes one token. A 200 means revoked *or* already invalid, and its body is ignored
/// (RFC 7009 §2.2); a 503 means the token may still be valid.
#[derive(Debug)]
pub struct Revocation {
    machine: OneShot<()>,
}

impl Client {
    /// Revokes a refresh token (which also ends the grant's access tokens, RFC 7009 §2.1).
    ///
    /// # Errors
    /// [`Error::NotConfigured`] without a revocation endpoint.
    pub fn revoke_refresh_token(&self, token: &RefreshToken) -> Result<Revocation, Error> {
        self.revocation(token.expose_secret(), "refresh_token")
    }

    /// Revokes an access token.
    ///
    /// # Errors
    /// [`Error::NotConfigured`] without a revocation endpoint.
    pub fn revoke_access_token(&self, token: &AccessToken) -> Result<Revocation, Error> {
        self.revocation(token.expose_secret(), "access_token")
    }

    fn revocation(&self, token: &str, hint: &str) -> Result<Revocation, Error> {
        let c = &*self.config;
        let endpoint = c
            .revocation_endpoint
            .as_ref()
            .ok_or(Error::NotConfigured("revocation_endpoint"))?;
        let request = c.prebuilt.authenticated_post(
            endpoint,
            c.policy,
            [("token", token), ("token_type_hint", hint)],
        );
        Ok(Revocation {
            machine: OneShot::new(request),
        })
    }
}

impl Exchange for Revocation {
    type Output = ();

    fn kind(&self) -> &'static str {
        "revocation"
    }

    fn poll_output(&mut self) -> Result<Poll<()>, Error> {
        self.machine.poll()
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        self.machine.handle(&response, |r| match r.status() {
            200 => Ok(Some(())),
            503 => Err(ResponseError::RevocationUnavailable {
                retry_after: r.retry_after(),
            }
            .into()),
            _ => Err(error_status(r)),
        })
    }
}
