//! Polling attempts that carry a DPoP proof when the client has a key: RFC 9449 §5 asks for
//! a proof on every token request whatever the grant, so the `device_code` grant's polls are
//! signed like the code exchange, and the tokens come back bound to the key. A driver's
//! polling loop calls [`DevicePoll::attempt_with_dpop`] and needs no DPoP knowledge of its
//! own.
//!
//! The device authorization request (RFC 8628 §3.1) is not signed: RFC 9449 defines proofs
//! for the token endpoint, PAR and resources only.

use rand_core::TryCryptoRng;

use crate::dpop::{DpopExchange, NonceMemory};
use crate::error::Error;
use crate::http::{Exchange, HttpResponse, Poll};

use super::{DeviceAttempt, DevicePoll, DeviceStatus};

/// One polling attempt as the client is configured: with a DPoP proof (and the one nonce
/// retry) when the client has a key, plain otherwise. Made by
/// [`DevicePoll::attempt_with_dpop`]; an [`Exchange`] ending in a [`DeviceStatus`].
#[derive(Debug)]
pub struct DpopAttempt<'a, R: ?Sized>(Inner<'a, R>);

#[derive(Debug)]
// One value per attempt, moved once into the driver's loop: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Inner<'a, R: ?Sized> {
    Plain(DeviceAttempt<'a>),
    Signed(DpopExchange<'a, DeviceAttempt<'a>, R>),
}

impl DevicePoll {
    /// One polling attempt at `now`, signed with the client's DPoP key when it is configured
    /// with one (`ClientBuilder::dpop_key`); without a key it is [`Self::attempt`].
    ///
    /// Signed, the request carries a proof whose nonce comes from `nonces` (and every
    /// answer's `DPoP-Nonce` updates it); `rng` gives each proof's `jti` and `now` its
    /// `iat`. A `use_dpop_nonce` answer is not a poll: the same request goes once more with
    /// the new nonce, inside this attempt, and only its answer (`authorization_pending`,
    /// `slow_down`, the tokens …) reaches the polling; a second nonce error in a row is
    /// [`crate::dpop::DpopError::NonceRetryExhausted`]. The tokens must then be `DPoP`
    /// tokens.
    ///
    /// ```
    /// # #[cfg(all(feature = "dpop-es256", feature = "os-rng"))] {
    /// use std::sync::Arc;
    /// use pkce_flow::device::DeviceStatus;
    /// use pkce_flow::dpop::{DpopKey, Es256Key, NonceMemory};
    /// use pkce_flow::{Client, Exchange, HttpResponse, OsRng, Poll};
    /// # fn main() -> Result<(), pkce_flow::Error> {
    /// let key = DpopKey::new(Arc::new(Es256Key::generate(&mut OsRng::default()).unwrap()));
    /// let client = Client::builder("tv-app")
    ///     .authorization_endpoint("https://as.example/authorize")
    ///     .token_endpoint("https://as.example/token")
    ///     .device_authorization_endpoint("https://as.example/device")
    ///     .redirect_uri("http://127.0.0.1/unused")
    ///     .dpop_key(key)
    ///     .build()?;
    /// let json = |status, body: &'static [u8]| {
    ///     HttpResponse::new(status, body).with_header("content-type", "application/json")
    /// };
    /// let mut start = client.device_authorization()?;
    /// let Poll::Request(_) = start.poll_output()? else { unreachable!() };
    /// start.handle_response(json(200, br#"{"device_code":"dc","user_code":"WDJB-MJHT",
    ///     "verification_uri":"https://as.example/device","expires_in":1800,"interval":5}"#))?;
    /// let Poll::Done(authorization) = start.poll_output()? else { unreachable!() };
    ///
    /// let now = 1_700_000_000;
    /// let (mut nonces, mut rng) = (NonceMemory::new(), OsRng::default());
    /// let mut polling = client.device_poll(&authorization, now);
    /// let mut attempt = polling.attempt_with_dpop(now + 5, &mut nonces, &mut rng)?;
    /// let Poll::Request(request) = attempt.poll_output()? else { unreachable!() };
    /// assert!(request.headers().any(|(name, _)| name.eq_ignore_ascii_case("dpop")));
    /// // The server wants a nonce: the same poll goes again, with it.
    /// attempt.handle_response(json(400, br#"{"error":"use_dpop_nonce"}"#)
    ///     .with_header("DPoP-Nonce", "n-1"))?;
    /// let Poll::Request(_) = attempt.poll_output()? else { unreachable!() };
    /// attempt.handle_response(json(400, br#"{"error":"authorization_pending"}"#))?;
    /// let Poll::Done(DeviceStatus::Pending { retry_at }) = attempt.poll_output()? else {
    ///     unreachable!()
    /// };
    /// assert_eq!(retry_at, now + 5 + 5);
    /// # Ok(()) }
    /// # main().unwrap(); }
    /// ```
    ///
    /// # Errors
    /// [`Error::Dpop`] only from the requests' answers; building the attempt fails only if
    /// the client's own key were refused, which cannot happen (kept typed, not a panic).
    pub fn attempt_with_dpop<'a, R: TryCryptoRng + ?Sized>(
        &'a mut self,
        now: u64,
        nonces: &'a mut NonceMemory,
        rng: &'a mut R,
    ) -> Result<DpopAttempt<'a, R>, Error> {
        let Some(key) = self.config.dpop.clone() else {
            return Ok(DpopAttempt(Inner::Plain(self.attempt(now))));
        };
        let signed = DpopExchange::new(self.attempt(now), &key, nonces, rng, now)?;
        Ok(DpopAttempt(Inner::Signed(signed)))
    }
}

impl<R: ?Sized> DpopAttempt<'_, R> {
    /// Whether the attempt's request carries a DPoP proof.
    #[must_use]
    pub fn is_dpop(&self) -> bool {
        matches!(self.0, Inner::Signed(_))
    }
}

impl<R: TryCryptoRng + ?Sized> Exchange for DpopAttempt<'_, R> {
    type Output = DeviceStatus;

    fn kind(&self) -> &'static str {
        match &self.0 {
            Inner::Plain(e) => e.kind(),
            Inner::Signed(e) => e.kind(),
        }
    }

    fn poll_output(&mut self) -> Result<Poll<DeviceStatus>, Error> {
        match &mut self.0 {
            Inner::Plain(e) => e.poll_output(),
            Inner::Signed(e) => e.poll_output(),
        }
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        match &mut self.0 {
            Inner::Plain(e) => e.handle_response(response),
            Inner::Signed(e) => e.handle_response(response),
        }
    }
}
