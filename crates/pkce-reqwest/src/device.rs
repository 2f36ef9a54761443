//! The device flow (RFC 8628) driven to its end: every step is a `pkce-flow` exchange
//! through [`Transport::drive`] (each poll signed by the flow when the client has a DPoP
//! key); this file only sleeps (tokio's timer) for as long as the
//! flow says.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pkce_flow::device::{DeviceAuthorization, DeviceStatus};
use pkce_flow::dpop::NonceMemory;
use pkce_flow::{Client, OsRng, TokenResponse};

use crate::{Error, Transport};

/// Seconds since the Unix epoch on a clock that never jumps: the system time once, then a
/// monotonic instant, so a clock step cannot stretch or cut a wait.
struct Clock {
    unix: u64,
    start: Instant,
}

impl Clock {
    fn start() -> Self {
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self {
            unix,
            start: Instant::now(),
        }
    }

    fn now(&self) -> u64 {
        self.unix.saturating_add(self.start.elapsed().as_secs())
    }
}

impl Transport {
    /// Runs the whole Device Authorization Grant (RFC 8628): the device authorization
    /// request, then `show` with the user code and verification URI (print them for the
    /// user), then token polling, waiting on tokio's timer between polls for as long as the
    /// flow asks (the interval, 5 s more after each `slow_down`), until the tokens come.
    ///
    /// When the client is configured with a DPoP key (`ClientBuilder::dpop_key`) every poll
    /// carries a proof and the tokens come back bound to the key (RFC 9449 §5): each attempt
    /// is [`pkce_flow::device::DevicePoll::attempt_with_dpop`], which also answers a
    /// `use_dpop_nonce` error with the one retry; the server's nonces are kept for this
    /// login only ([`Self::device_login_with_nonces`] keeps them).
    ///
    /// # Errors
    /// [`Error::Flow`] with [`pkce_flow::Error::Token`] for `access_denied` and
    /// `expired_token`, [`pkce_flow::Error::DeviceCodeExpired`] when the code ran out
    /// first, [`pkce_flow::Error::NotConfigured`] without a device authorization endpoint;
    /// [`pkce_flow::Error::Dpop`] when a signed poll failed (a proof refused twice for its
    /// nonce, a `Bearer` answer); a transport variant when a request failed.
    pub async fn device_login<F: FnOnce(&DeviceAuthorization)>(
        &self,
        client: &Client,
        show: F,
    ) -> Result<TokenResponse, Error> {
        self.device_login_with_nonces(client, &mut NonceMemory::new(), show)
            .await
    }

    /// [`Self::device_login`] with the caller's DPoP nonce memory: the signed polls' proofs
    /// read it and every answer's `DPoP-Nonce` updates it, so the nonces seen can be kept
    /// with the tokens for the next requests. Unused without a DPoP key.
    ///
    /// # Errors
    /// As [`Self::device_login`].
    pub async fn device_login_with_nonces<F: FnOnce(&DeviceAuthorization)>(
        &self,
        client: &Client,
        nonces: &mut NonceMemory,
        show: F,
    ) -> Result<TokenResponse, Error> {
        let clock = Clock::start();
        let started = self.drive(client.device_authorization()?).await?;
        let mut polling = client.device_poll(&started, clock.now());
        show(&started);
        let mut rng = OsRng::default();
        loop {
            let attempt_at = Instant::now();
            let now = clock.now();
            let attempt = polling.attempt_with_dpop(now, nonces, &mut rng)?;
            match self.drive(attempt).await? {
                DeviceStatus::Done(tokens) => return Ok(tokens),
                DeviceStatus::Pending { retry_at } => {
                    // Measured from before the request went out, so the gap between two
                    // requests is never shorter than the interval.
                    let wait = Duration::from_secs(retry_at.saturating_sub(now));
                    tokio::time::sleep(wait.saturating_sub(attempt_at.elapsed())).await;
                }
            }
        }
    }
}
