//! Refresh (RFC 6749 §6): the request, and keeping the old refresh token when no new one
//! comes back (policy P-11).

use alloc::sync::Arc;

use crate::client::{Client, ClientConfig};
use crate::endpoint::is_scope_token;
use crate::error::{ConfigError, Error};
use crate::exchange::OneShot;
use crate::http::{Exchange, HttpResponse, Poll};
use crate::request::{Piece, concat};
use crate::secret::RefreshToken;
use crate::token::{TokenResponse, parse_token_response_as};

/// A refresh (RFC 6749 §6). If the response carries no new refresh token, the one used is
/// kept; [`TokenResponse::rotated`] says which happened.
#[derive(Debug)]
pub struct RefreshExchange {
    config: Arc<ClientConfig>,
    old: RefreshToken,
    machine: OneShot<TokenResponse>,
}

impl Client {
    /// Starts a refresh with the granted scope.
    #[must_use]
    pub fn refresh(&self, refresh_token: &RefreshToken) -> RefreshExchange {
        self.refresh_request(refresh_token, None)
    }

    /// Starts a refresh asking for a narrower scope (it must be within the original grant).
    ///
    /// # Errors
    /// [`crate::ConfigError::InvalidScope`] when `scope` is not valid scope syntax.
    pub fn refresh_with_scope(
        &self,
        refresh_token: &RefreshToken,
        scope: &str,
    ) -> Result<RefreshExchange, Error> {
        if !scope.split(' ').all(is_scope_token) {
            return Err(ConfigError::InvalidScope.into());
        }
        Ok(self.refresh_request(refresh_token, Some(scope)))
    }

    fn refresh_request(
        &self,
        refresh_token: &RefreshToken,
        scope: Option<&str>,
    ) -> RefreshExchange {
        let c = &*self.config;
        let p = &c.prebuilt;
        let (scope_name, scope) = scope.map_or(("", ""), |s| ("&scope=", s));
        let body = concat(&[
            Piece::Raw("grant_type=refresh_token&refresh_token="),
            Piece::Encoded(refresh_token.expose_secret()),
            Piece::Raw(scope_name),
            Piece::Encoded(scope),
            Piece::Raw(&p.refresh_tail),
            Piece::Raw(p.credentials.expose_secret()),
        ]);
        let request = p.post(&c.token_endpoint, c.policy, body);
        RefreshExchange {
            config: Arc::clone(&self.config),
            old: refresh_token.clone(),
            machine: OneShot::new(request),
        }
    }
}

impl crate::dpop::DpopTarget for RefreshExchange {
    fn dpop_binding(&self) -> crate::dpop::DpopBinding<'_> {
        crate::dpop::DpopBinding::authorization_server(self.config.dpop.as_ref())
    }
}

impl Exchange for RefreshExchange {
    type Output = TokenResponse;

    fn kind(&self) -> &'static str {
        "refresh"
    }

    fn poll_output(&mut self) -> Result<Poll<TokenResponse>, Error> {
        self.machine.poll()
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        let (quirks, dpop) = (self.config.quirks, self.config.dpop.is_some());
        let old = &self.old;
        self.machine.handle(&response, |r| {
            let mut tokens = parse_token_response_as(r, quirks, dpop)?;
            match &tokens.refresh_token {
                Some(new) => tokens.rotated = new != old,
                None => tokens.refresh_token = Some(old.clone()),
            }
            Ok(Some(tokens))
        })
    }
}
