//! Token polling for the device flow (RFC 8628 §3.4-3.5): a machine that never sleeps. It
//! tells its driver when the next request may go, and each request is one [`Exchange`].

use alloc::sync::Arc;

use crate::client::{Client, ClientConfig};
use crate::error::{Error, TokenErrorCode};
use crate::exchange::OneShot;
use crate::http::{Exchange, HttpRequest, HttpResponse, Poll};
use crate::request::{Piece, concat};
use crate::secret::DeviceCode;
use crate::token::{TokenResponse, parse_token_response_as};

use super::DeviceAuthorization;

/// What `slow_down` adds to the polling interval, in seconds (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP: u64 = 5;

/// The grant type of the device access token request (RFC 8628 §3.4).
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Where the polling stands after one attempt.
#[derive(Debug)]
#[must_use]
pub enum DeviceStatus {
    /// The user has not answered yet: make the next attempt at `retry_at` (seconds since
    /// the Unix epoch, on the caller's clock) or later.
    Pending {
        /// The earliest instant for the next attempt.
        retry_at: u64,
    },
    /// The user approved: the tokens.
    Done(TokenResponse),
}

/// Token polling for one device authorization. Made by [`Client::device_poll`].
#[derive(Debug)]
pub struct DevicePoll {
    pub(super) config: Arc<ClientConfig>,
    device_code: DeviceCode,
    interval: u64,
    expires_at: u64,
    next_at: u64,
    slow_downs: u32,
}

impl Client {
    /// Starts polling for the tokens of `authorization`, received at `now` (seconds since
    /// the Unix epoch): the device code expires `expires_in` seconds after `now`, and the
    /// first request may go one interval after it.
    #[must_use]
    pub fn device_poll(&self, authorization: &DeviceAuthorization, now: u64) -> DevicePoll {
        DevicePoll {
            config: Arc::clone(&self.config),
            device_code: authorization.device_code().clone(),
            interval: authorization.interval(),
            expires_at: now.saturating_add(authorization.expires_in()),
            next_at: now.saturating_add(authorization.interval()),
            slow_downs: 0,
        }
    }
}

impl DevicePoll {
    /// The current interval in seconds: the server's, plus 5 s for each `slow_down`.
    #[must_use]
    pub fn interval(&self) -> u64 {
        self.interval
    }

    /// How many times the server answered `slow_down`.
    #[must_use]
    pub fn slow_downs(&self) -> u32 {
        self.slow_downs
    }

    /// When the device code expires (seconds since the Unix epoch).
    #[must_use]
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    /// The earliest instant for the next request.
    #[must_use]
    pub fn next_at(&self) -> u64 {
        self.next_at
    }

    /// One polling attempt at `now`: an [`Exchange`] with at most one request. Drive it
    /// with the same loop as every other exchange; it ends in a [`DeviceStatus`].
    ///
    /// Before [`Self::next_at`] it sends nothing and ends in `Pending` at once; from
    /// [`Self::expires_at`] on it sends nothing and fails with
    /// [`Error::DeviceCodeExpired`].
    pub fn attempt(&mut self, now: u64) -> DeviceAttempt<'_> {
        let step = if now >= self.expires_at {
            AttemptStep::Expired
        } else if now < self.next_at {
            AttemptStep::Early(Some(self.next_at))
        } else {
            AttemptStep::Sending(OneShot::new(self.request()))
        };
        DeviceAttempt {
            poll: self,
            sent_at: now,
            step,
        }
    }

    fn request(&self) -> HttpRequest {
        let c = &*self.config;
        let p = &c.prebuilt;
        // RFC 8628 §3.4: grant_type and device_code, then the token request's extra
        // parameters and the body credentials.
        let body = concat(&[
            Piece::Raw("grant_type="),
            Piece::Encoded(GRANT_TYPE),
            Piece::Raw("&device_code="),
            Piece::Encoded(self.device_code.expose_secret()),
            Piece::Raw(&p.exchange_tail),
            Piece::Raw(p.credentials.expose_secret()),
        ]);
        p.post(&c.token_endpoint, c.policy, body)
    }

    /// The decision on one token endpoint response received for a request sent at
    /// `sent_at`.
    ///
    /// With a DPoP key configured the tokens must be `DPoP` tokens (RFC 9449 §5), as for
    /// the code exchange.
    fn decide(&mut self, response: &HttpResponse<'_>, sent_at: u64) -> Result<DeviceStatus, Error> {
        let dpop = self.config.dpop.is_some();
        match parse_token_response_as(response, self.config.quirks, dpop) {
            Ok(tokens) => Ok(DeviceStatus::Done(tokens)),
            Err(Error::Token(e)) => {
                match e.code {
                    TokenErrorCode::AuthorizationPending => {}
                    TokenErrorCode::SlowDown => {
                        self.interval = self.interval.saturating_add(SLOW_DOWN_STEP);
                        self.slow_downs = self.slow_downs.saturating_add(1);
                    }
                    _ => return Err(Error::Token(e)),
                }
                self.next_at = sent_at.saturating_add(self.interval);
                if self.next_at >= self.expires_at {
                    // No request may go before the code is dead: waiting would be for
                    // nothing.
                    return Err(Error::DeviceCodeExpired);
                }
                Ok(DeviceStatus::Pending {
                    retry_at: self.next_at,
                })
            }
            Err(e) => Err(e),
        }
    }
}

#[derive(Debug)]
enum AttemptStep {
    Expired,
    Early(Option<u64>),
    Sending(OneShot<DeviceStatus>),
}

/// One polling attempt: an [`Exchange`] ending in a [`DeviceStatus`]. Made by
/// [`DevicePoll::attempt`].
#[derive(Debug)]
pub struct DeviceAttempt<'p> {
    poll: &'p mut DevicePoll,
    sent_at: u64,
    step: AttemptStep,
}

impl crate::dpop::DpopTarget for DeviceAttempt<'_> {
    fn dpop_binding(&self) -> crate::dpop::DpopBinding<'_> {
        crate::dpop::DpopBinding::authorization_server(self.poll.config.dpop.as_ref())
    }
}

impl Exchange for DeviceAttempt<'_> {
    type Output = DeviceStatus;

    fn kind(&self) -> &'static str {
        "device_poll"
    }

    fn poll_output(&mut self) -> Result<Poll<DeviceStatus>, Error> {
        match &mut self.step {
            AttemptStep::Expired => Err(Error::DeviceCodeExpired),
            AttemptStep::Early(retry_at) => match retry_at.take() {
                Some(retry_at) => Ok(Poll::Done(DeviceStatus::Pending { retry_at })),
                None => Err(crate::error::Misuse::Finished.into()),
            },
            AttemptStep::Sending(machine) => machine.poll(),
        }
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        let sent_at = self.sent_at;
        let poll = &mut *self.poll;
        match &mut self.step {
            AttemptStep::Sending(machine) => {
                machine.handle(&response, |r| poll.decide(r, sent_at).map(Some))
            }
            AttemptStep::Expired | AttemptStep::Early(_) => {
                Err(crate::error::Misuse::NoRequestOutstanding.into())
            }
        }
    }
}
