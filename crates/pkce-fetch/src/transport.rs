//! The driver: one generic loop, and the one place where a flow request becomes a `fetch`
//! with its policy applied.

use core::time::Duration;

use js_sys::{Array, Uint8Array};
use pkce_flow::{Exchange, HttpRequest, HttpResponse, Method, Poll, RequestPolicy, trace};
use tracing::Instrument;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, Headers, RequestCache, RequestCredentials, RequestInit, RequestMode,
    RequestRedirect, Response, ResponseType,
};

use crate::Error;
use crate::body::read_capped;
use crate::scope::{AbortTimer, Scope};

/// Sends the requests of `pkce-flow` exchanges through the browser's `fetch`, enforcing the
/// [`RequestPolicy`] each one carries.
///
/// Every request goes out with `redirect: "manual"` (a redirect is
/// [`Error::UnexpectedRedirect`], never followed), `credentials: "omit"` (no cookie or HTTP
/// authentication of the page rides along), `mode: "cors"` and `cache: "no-store"`, the
/// policy's total timeout through an `AbortController`, and its body cap counted while the
/// body streams. The browser sets `User-Agent` itself (a page cannot), and `fetch` has no
/// separate connect timeout: the total timeout bounds connecting too.
#[derive(Clone, Debug)]
pub struct Transport {
    scope: Scope,
    resource_policy: RequestPolicy,
}

impl Transport {
    /// A transport over the page's (or the worker's) `fetch`.
    ///
    /// # Errors
    /// [`Error::ClientSetup`] outside a browser (no window or worker scope).
    pub fn new() -> Result<Self, Error> {
        Ok(Self {
            scope: Scope::current()?,
            resource_policy: RequestPolicy::default(),
        })
    }

    /// Sets the policy of the requests this transport makes on its own behalf
    /// ([`Self::bearer_get`]); the flow's requests carry their own. Default:
    /// [`RequestPolicy::default`] (1 MiB, 30 s).
    #[must_use]
    pub fn resource_policy(mut self, policy: RequestPolicy) -> Self {
        self.resource_policy = policy;
        self
    }

    /// Drives an exchange to its end: the one generic loop. Each request the exchange asks
    /// for is sent once, never resent, and its response, whatever the status, goes back to
    /// the exchange, which makes every OAuth decision.
    ///
    /// Traced with `tracing` ([`pkce_flow::trace`]), as the other transports: the exchange's
    /// kind, method, URL without query, status and time; never a header value or a body.
    ///
    /// # Errors
    /// [`Error::Flow`] when the exchange refuses a response; a transport variant when no
    /// response could be read within the policy.
    pub async fn drive<E: Exchange>(&self, exchange: E) -> Result<E::Output, Error> {
        let span = trace::exchange_span("pkce-fetch", &exchange);
        async move {
            let outcome = self.drive_loop(exchange).await;
            match &outcome {
                Ok(_) => trace::exchange_done(),
                Err(e) => trace::exchange_failed(e.action(), e.is_invalid_grant(), e),
            }
            outcome
        }
        .instrument(span)
        .await
    }

    async fn drive_loop<E: Exchange>(&self, mut exchange: E) -> Result<E::Output, Error> {
        loop {
            match exchange.poll_output()? {
                Poll::Request(request) => {
                    let started = js_sys::Date::now();
                    let received = self.send(&request).await.inspect_err(|e| {
                        trace::request_failed(&request, since(started), e.action(), e);
                    })?;
                    let response = received.as_response();
                    trace::response_received(&request, &response, since(started));
                    exchange.handle_response(response)?;
                }
                Poll::Done(output) => return Ok(output),
            }
        }
    }

    /// Sends one flow request exactly as described, under its policy.
    async fn send(&self, request: &HttpRequest) -> Result<Received, Error> {
        let refused = |reason| move |_| Error::ClientSetup { reason };
        let init = RequestInit::new();
        init.set_method(request.method().as_str());
        init.set_redirect(RequestRedirect::Manual);
        init.set_credentials(RequestCredentials::Omit);
        init.set_mode(RequestMode::Cors);
        init.set_cache(RequestCache::NoStore);
        let headers = Headers::new().map_err(refused("the browser cannot make a Headers"))?;
        for (name, value) in request.headers() {
            headers
                .append(name, value)
                .map_err(refused("the browser refuses a header of the request"))?;
        }
        init.set_headers(&headers);
        // A GET without a body is sent without one.
        if !(request.method() == Method::Get && request.body().is_empty()) {
            init.set_body(&Uint8Array::from(request.body()));
        }
        let policy = request.policy();
        let controller =
            AbortController::new().map_err(refused("the browser has no AbortController"))?;
        init.set_signal(Some(&controller.signal()));
        let millis = i32::try_from(policy.timeout.as_millis()).unwrap_or(i32::MAX);
        // Cleared on return: the timeout covers the response and the whole body.
        let _timer = AbortTimer::start(&self.scope, &controller, millis)?;
        let aborted = || controller.signal().aborted();

        let response: Response = JsFuture::from(self.scope.fetch(request.url(), &init))
            .await
            .map_err(|_| {
                if aborted() {
                    Error::Timeout
                } else {
                    Error::Network
                }
            })?
            .dyn_into()
            .map_err(|_| Error::Network)?;
        // `redirect: "manual"` turns any 3xx with a `Location` into this opaque answer; the
        // browser followed nothing.
        if response.type_() == ResponseType::Opaqueredirect {
            return Err(Error::UnexpectedRedirect);
        }
        let status = response.status();
        let headers = header_pairs(&response.headers());
        let body = read_capped(&response, policy.max_response_bytes, aborted).await?;
        Ok(Received {
            status,
            headers,
            body,
        })
    }

    /// The policy of [`Self::bearer_get`].
    pub(crate) fn resource_policy_ref(&self) -> &RequestPolicy {
        &self.resource_policy
    }
}

/// The time since `started` (milliseconds from `Date.now()`): `std::time::Instant` panics
/// on `wasm32-unknown-unknown`.
fn since(started: f64) -> Duration {
    Duration::from_secs_f64(((js_sys::Date::now() - started) / 1000.0).max(0.0))
}

/// Every header the page may read, as (name, value) pairs, in the order the browser gives.
fn header_pairs(headers: &Headers) -> Vec<(String, String)> {
    let Ok(Some(entries)) = js_sys::try_iter(headers) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let pair = entry.dyn_into::<Array>().ok()?;
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// A response read to its end: owns what [`HttpResponse`] borrows.
struct Received {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    /// The flow's view of it; every readable header is offered, the flow keeps the ones it
    /// reads.
    fn as_response(&self) -> HttpResponse<'_> {
        let mut response = HttpResponse::new(self.status, &self.body);
        for (name, value) in &self.headers {
            response.push_header(name, value);
        }
        response
    }
}
