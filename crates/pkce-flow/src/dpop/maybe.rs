//! `MaybeDpop`: one exchange type for a request that is signed or not depending on the
//! configuration, so a driver's loop has no DPoP branch of its own.

use rand_core::TryCryptoRng;

use super::exchange::{DpopExchange, DpopTarget};
use crate::error::Error;
use crate::http::{Exchange, HttpResponse, Poll};

/// `E` as it is to be sent: wrapped in a [`DpopExchange`] (a proof on every request, the one
/// nonce retry) or plain. Made by [`Self::plain`] and [`Self::signed`], or by a method that
/// decides from the client's configuration, such as
/// [`crate::device::DevicePoll::attempt_with_dpop`].
///
/// ```
/// use pkce_flow::dpop::MaybeDpop;
/// use pkce_flow::{Client, Exchange, Poll, RefreshToken};
/// use rand_chacha::ChaCha20Rng;
/// # fn main() -> Result<(), pkce_flow::Error> {
/// let client = Client::builder("my-app")
///     .authorization_endpoint("https://as.example/authorize")
///     .token_endpoint("https://as.example/token")
///     .redirect_uri("http://127.0.0.1:51004/callback")
///     .build()?;
/// let refresh = client.refresh(&RefreshToken::new("rt-1".to_owned()));
/// // No key configured: sent as is (`MaybeDpop::signed(DpopExchange::new(..)?)` otherwise).
/// let mut exchange: MaybeDpop<'_, _, ChaCha20Rng> = MaybeDpop::plain(refresh);
/// assert!(!exchange.is_dpop());
/// let Poll::Request(request) = exchange.poll_output()? else { unreachable!() };
/// assert!(request.headers().all(|(name, _)| name != "dpop"));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct MaybeDpop<'a, E, R: ?Sized>(Inner<'a, E, R>);

#[derive(Debug)]
// One value per exchange, moved once into the driver's loop: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Inner<'a, E, R: ?Sized> {
    Plain(E),
    Signed(DpopExchange<'a, E, R>),
}

impl<'a, E, R: ?Sized> MaybeDpop<'a, E, R> {
    /// `exchange` sent without a proof.
    pub fn plain(exchange: E) -> Self {
        Self(Inner::Plain(exchange))
    }

    /// `exchange` sent with proofs.
    pub fn signed(exchange: DpopExchange<'a, E, R>) -> Self {
        Self(Inner::Signed(exchange))
    }

    /// Whether the requests carry a DPoP proof.
    #[must_use]
    pub fn is_dpop(&self) -> bool {
        matches!(self.0, Inner::Signed(_))
    }
}

impl<E: DpopTarget, R: TryCryptoRng + ?Sized> Exchange for MaybeDpop<'_, E, R> {
    type Output = E::Output;

    fn kind(&self) -> &'static str {
        match &self.0 {
            Inner::Plain(e) => e.kind(),
            Inner::Signed(e) => e.kind(),
        }
    }

    fn poll_output(&mut self) -> Result<Poll<E::Output>, Error> {
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
