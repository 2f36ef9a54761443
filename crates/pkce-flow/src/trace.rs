//! `tracing` spans and events for drivers (feature `tracing`), written here once so that
//! what a log may hold is decided beside the types that know what is secret.
//!
//! A driver opens [`exchange_span`] around its loop, calls [`response_received`] or
//! [`request_failed`] after each request and [`exchange_done`] or [`exchange_failed`] at
//! the end. Recorded: the
//! driver's name, the exchange's kind, the method, the URL without query or fragment, the
//! status, the body's length, the time taken, and for a failure the [`Action`] and the
//! error's `Display` (which never holds a secret). Never recorded: a header value, a body,
//! a query: no code, verifier, state, token or client secret reaches a subscriber.

use core::fmt;
use core::time::Duration;

use crate::error::Action;
use crate::http::{Exchange, HttpRequest, HttpResponse};

/// The span of one exchange driven to its end (`DEBUG`, named `pkce_exchange`), with the
/// driver's name (`"pkce-ureq"`, …) and the exchange's [`Exchange::kind`].
pub fn exchange_span<E: Exchange + ?Sized>(driver: &'static str, exchange: &E) -> tracing::Span {
    tracing::debug_span!("pkce_exchange", driver, kind = exchange.kind())
}

/// A `DEBUG` event: one request answered (method, URL without query, status, body length,
/// time taken).
pub fn response_received(request: &HttpRequest, response: &HttpResponse<'_>, elapsed: Duration) {
    tracing::debug!(
        method = request.method().as_str(),
        url = request.url_without_query(),
        status = response.status(),
        body_bytes = response.body().len(),
        elapsed_ms = millis(elapsed),
        "response received"
    );
}

/// A `WARN` event: no response was read (timeout, refused connection, oversized body, …).
pub fn request_failed(
    request: &HttpRequest,
    elapsed: Duration,
    action: Action,
    error: &dyn fmt::Display,
) {
    tracing::warn!(
        method = request.method().as_str(),
        url = request.url_without_query(),
        elapsed_ms = millis(elapsed),
        action = ?action,
        error = %error,
        "request failed"
    );
}

/// A `DEBUG` event: the exchange is done.
pub fn exchange_done() {
    tracing::debug!("exchange done");
}

/// A `DEBUG` event: the exchange failed, with what the application can do about it and
/// whether the server answered `invalid_grant`.
pub fn exchange_failed(action: Action, invalid_grant: bool, error: &dyn fmt::Display) {
    tracing::debug!(
        action = ?action,
        invalid_grant,
        error = %error,
        "exchange failed"
    );
}

fn millis(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
}
