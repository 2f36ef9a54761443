//! Polling attempts that carry a DPoP proof when the client has a key: RFC 9449 §5 asks for
//! a proof on every token request whatever the grant, so the `device_code` grant's polls are
//! signed like the code exchange, and the tokens come back bound to the key. A driver's
//! polling loop calls [`DevicePoll::attempt_with_dpop`] and needs no DPoP knowledge of its
//! own.
//!
//! The device authorization request (RFC 8628 §3.1) is not signed: RFC 9449 defines proofs
//! for the token endpoint, PAR and resources only.

use rand_core::TryCryptoRng;

use crate::dpop::{DpopExchange, MaybeDpop, NonceMemory};
use crate::error::Error;

use super::{DeviceAttempt, DevicePoll};

/// One polling attempt as the client is configured: with a DPoP proof (and the one nonce
/// retry) when the client has a key, plain otherwise. Made by
/// [`DevicePoll::attempt_with_dpop`]; an [`crate::Exchange`] ending in a
/// [`DeviceStatus`](super::DeviceStatus) (`is_dpop` says whether it is signed).
pub type DpopAttempt<'a, R> = MaybeDpop<'a, DeviceAttempt<'a>, R>;

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
    /// Building the attempt checks that the key is the client's own
    /// ([`crate::Misuse::DpopKeyMismatch`] otherwise, which this method cannot cause); the
    /// requests' failures ([`Error::Dpop`], [`Error::Token`] …) come from driving it.
    pub fn attempt_with_dpop<'a, R: TryCryptoRng + ?Sized>(
        &'a mut self,
        now: u64,
        nonces: &'a mut NonceMemory,
        rng: &'a mut R,
    ) -> Result<DpopAttempt<'a, R>, Error> {
        let Some(key) = self.config.dpop.clone() else {
            return Ok(MaybeDpop::plain(self.attempt(now)));
        };
        let signed = DpopExchange::new(self.attempt(now), &key, nonces, rng, now)?;
        Ok(MaybeDpop::signed(signed))
    }
}
