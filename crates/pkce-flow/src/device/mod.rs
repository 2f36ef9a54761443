//! The Device Authorization Grant (RFC 8628), for devices without a browser or keyboard.
//!
//! Two steps, both sans-io:
//!
//! 1. [`crate::Client::device_authorization`] is an [`crate::Exchange`] whose output is a
//!    [`DeviceAuthorization`]: the `user_code` and `verification_uri` to show the user, and
//!    the secret device code.
//! 2. [`crate::Client::device_poll`] makes a [`DevicePoll`]: the token polling. It never
//!    sleeps and never reads a clock. Each [`DevicePoll::attempt`] takes the time and is an
//!    [`crate::Exchange`] of its own, so the transports' one generic driver loop runs it; it
//!    ends in [`DeviceStatus::Pending`] with the instant before which the next request may
//!    not be sent (`authorization_pending`, or `slow_down`, which adds 5 s to the interval
//!    for good, RFC 8628 §3.5), or in [`DeviceStatus::Done`] with the tokens. An attempt made
//!    too early sends nothing and answers `Pending` again. `access_denied` and
//!    `expired_token` are [`crate::Error::Token`] errors with their own
//!    [`crate::TokenErrorCode`]; once the device code's own lifetime has run out (counted
//!    from the `now` the polling started with), an attempt sends nothing and fails with
//!    [`crate::Error::DeviceCodeExpired`].
//!
//! With DPoP (RFC 9449 §5: a proof on every token request, whatever the grant), a client
//! configured with a key signs each poll: [`DevicePoll::attempt_with_dpop`] is the attempt
//! with a proof, the one nonce retry inside it (a `use_dpop_nonce` answer is not a poll),
//! and `DPoP` tokens required. The device authorization request itself carries no proof.
//!
//! ```
//! use pkce_flow::device::DeviceStatus;
//! use pkce_flow::{Client, Exchange, HttpResponse, Poll};
//! # fn main() -> Result<(), pkce_flow::Error> {
//! let client = Client::builder("tv-app")
//!     .authorization_endpoint("https://as.example/authorize")
//!     .token_endpoint("https://as.example/token")
//!     .device_authorization_endpoint("https://as.example/device")
//!     .redirect_uri("http://127.0.0.1/unused")
//!     .build()?;
//! let json = |status, body: &'static [u8]| {
//!     HttpResponse::new(status, body).with_header("content-type", "application/json")
//! };
//!
//! let mut start = client.device_authorization()?;
//! let Poll::Request(request) = start.poll_output()? else { unreachable!() };
//! assert_eq!(request.url(), "https://as.example/device");
//! start.handle_response(json(200, br#"{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS",
//!     "user_code":"WDJB-MJHT","verification_uri":"https://as.example/device",
//!     "expires_in":1800,"interval":5}"#))?;
//! let Poll::Done(authorization) = start.poll_output()? else { unreachable!() };
//! assert_eq!(authorization.user_code(), "WDJB-MJHT"); // show it with the verification URI
//!
//! let now = 1_700_000_000; // from your clock
//! let mut polling = client.device_poll(&authorization, now);
//! let mut attempt = polling.attempt(now + 5);
//! let Poll::Request(_) = attempt.poll_output()? else { unreachable!() };
//! attempt.handle_response(json(400, br#"{"error":"slow_down"}"#))?;
//! let Poll::Done(DeviceStatus::Pending { retry_at }) = attempt.poll_output()? else { unreachable!() };
//! assert_eq!(retry_at, now + 5 + 10); // the interval grew by 5 s
//! # Ok(()) }
//! ```

mod authorization;
mod dpop_attempt;
mod poll;

pub use authorization::parse_device_authorization;
pub use authorization::{DeviceAuthorization, DeviceAuthorizationRequest, MAX_USER_CODE_LEN};
pub use dpop_attempt::DpopAttempt;
pub use poll::{DeviceAttempt, DevicePoll, DeviceStatus, SLOW_DOWN_STEP};
