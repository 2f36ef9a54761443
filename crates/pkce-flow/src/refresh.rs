//! Refresh (RFC 6749 §6): the request, and keeping the old refresh token when no new one
//! comes back (policy P-11).

use alloc::sync::Arc;

use crate::client::{Client, ClientConfig};
use crate::dpop::DpopKey;
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
    /// The key the refreshed tokens are bound to: the client's, or the one given to
    /// [`Client::refresh_bound_to`].
    dpop: Option<DpopKey>,
    old: RefreshToken,
    machine: OneShot<TokenResponse>,
}

impl Client {
    /// Starts a refresh with the granted scope.
    #[must_use]
    pub fn refresh(&self, refresh_token: &RefreshToken) -> RefreshExchange {
        self.refresh_request(refresh_token, None)
    }

    /// Starts a refresh of tokens bound to the DPoP key `key` (RFC 9449 §5), whatever key
    /// the client is configured with: the exchange must be driven through
    /// [`crate::dpop::DpopExchange`] with `key` (any other key is
    /// [`crate::Misuse::DpopKeyMismatch`]), and the answer must be a `DPoP` token. This is
    /// how a stored session's refresh is signed with the key stored beside it.
    ///
    /// ```
    /// # #[cfg(feature = "dpop-es256")] {
    /// # use std::sync::Arc;
    /// use pkce_flow::dpop::{DpopExchange, DpopKey, Es256Key, NonceMemory};
    /// # use pkce_flow::{Client, RefreshToken};
    /// # let client = Client::builder("cli")
    /// #     .authorization_endpoint("https://as.example/authorize")
    /// #     .token_endpoint("https://as.example/token")
    /// #     .build_for_tokens().unwrap();
    /// # use rand_chacha::rand_core::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1); // use the OS CSPRNG in real code
    /// let stored_key = DpopKey::new(Arc::new(Es256Key::generate(&mut rng).unwrap()));
    /// let refresh = client.refresh_bound_to(&RefreshToken::new("rt".into()), &stored_key);
    /// let mut nonces = NonceMemory::new();
    /// let signed = DpopExchange::new(refresh, &stored_key, &mut nonces, &mut rng, 1_700_000_000);
    /// assert!(signed.is_ok());
    /// # }
    /// ```
    #[must_use]
    pub fn refresh_bound_to(&self, refresh_token: &RefreshToken, key: &DpopKey) -> RefreshExchange {
        RefreshExchange {
            dpop: Some(key.clone()),
            ..self.refresh_request(refresh_token, None)
        }
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
            dpop: self.config.dpop.clone(),
            old: refresh_token.clone(),
            machine: OneShot::new(request),
        }
    }
}

impl crate::dpop::DpopTarget for RefreshExchange {
    fn dpop_binding(&self) -> crate::dpop::DpopBinding<'_> {
        crate::dpop::DpopBinding::authorization_server(self.dpop.as_ref())
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
        let (quirks, dpop) = (self.config.quirks, self.dpop.is_some());
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
