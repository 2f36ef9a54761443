//! The operating system's CSPRNG as the source of verifiers and states (feature `os-rng`).
//!
//! [`Client::authorize`] takes any `rand_core` 0.10 `TryCryptoRng`, which asks the caller to
//! find a generator built against that exact `rand_core` version. With this feature the
//! crate brings its own: getrandom's `SysRng` (getrandom 0.4 implements `rand_core` 0.10),
//! which reads the OS generator (`getrandom(2)` on Linux, `BCryptGenRandom` on Windows, …).
//! A failing OS generator is [`Error::Rng`]; nothing falls back to a weaker source.

use crate::authorize::{AuthorizationUrl, PendingAuthorization};
use crate::client::Client;
use crate::error::Error;
use crate::par::PushedAuthorization;

/// The operating system's CSPRNG, as a `rand_core` 0.10 `TryCryptoRng`: the generator the
/// `*_with_os_rng` methods use, for the calls that take a generator.
pub type OsRng = getrandom::SysRng;

impl Client {
    /// [`Client::authorize`] with the operating system's CSPRNG.
    ///
    /// ```
    /// # fn main() -> Result<(), pkce_flow::Error> {
    /// let client = pkce_flow::Client::builder("my-app")
    ///     .authorization_endpoint("https://as.example/authorize")
    ///     .token_endpoint("https://as.example/token")
    ///     .redirect_uri("http://127.0.0.1:51004/callback")
    ///     .build()?;
    /// let (url, pending) = client.authorize_with_os_rng()?;
    /// assert!(url.as_str().contains("code_challenge_method=S256"));
    /// # drop(pending);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Rng`] if the OS generator fails; as [`Client::authorize`] otherwise.
    pub fn authorize_with_os_rng(&self) -> Result<(AuthorizationUrl, PendingAuthorization), Error> {
        self.authorize(&mut OsRng::default())
    }

    /// [`Client::push_authorization`] (RFC 9126) with the operating system's CSPRNG.
    ///
    /// # Errors
    /// [`Error::Rng`] if the OS generator fails; as [`Client::push_authorization`]
    /// otherwise.
    pub fn push_authorization_with_os_rng(&self) -> Result<PushedAuthorization, Error> {
        self.push_authorization(&mut OsRng::default())
    }
}
