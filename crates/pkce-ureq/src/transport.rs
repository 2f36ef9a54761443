//! The driver: one generic loop, and the one place where a flow request becomes a ureq
//! request with its policy applied.

use std::io::Read;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use pkce_flow::{Exchange, HttpRequest, HttpResponse, Method, Poll, RequestPolicy, trace};
use ureq::http::header::USER_AGENT;
use ureq::http::{self, HeaderMap, HeaderValue, Uri};
use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use ureq::{Agent, AsSendBody, Body, ResponseExt};

use crate::Error;

/// The `User-Agent` of every request: `pkce-ureq/<version>`.
pub const USER_AGENT_VALUE: &str = concat!("pkce-ureq/", env!("CARGO_PKG_VERSION"));

/// Sends the requests of `pkce-flow` exchanges over a ureq [`Agent`], enforcing the
/// [`RequestPolicy`] each one carries.
///
/// Cheap to clone (the agent and its connection pool are shared); keep one per program so
/// connections are reused.
#[derive(Clone, Debug)]
pub struct Transport {
    agent: Agent,
    resource_policy: RequestPolicy,
}

impl Transport {
    /// A transport with its own agent: rustls with the *ring* provider, the Mozilla roots
    /// (webpki-roots), no redirects, HTTP error statuses returned as responses, and the
    /// default policy's timeouts (every request then sets its own).
    ///
    /// # Errors
    /// None with this crate's settings; the signature matches pkce-reqwest's
    /// `Transport::new`, whose HTTP client builder is fallible, so that code moves between
    /// the twins unchanged.
    pub fn new() -> Result<Self, Error> {
        let policy = RequestPolicy::default();
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .root_certs(RootCerts::WebPki)
            .build();
        let config = Agent::config_builder()
            .tls_config(tls)
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(policy.timeout))
            .timeout_connect(Some(policy.connect_timeout))
            .user_agent(USER_AGENT_VALUE)
            .build();
        let agent = Agent::with_parts(
            config,
            DefaultConnector::default(),
            LiteralFirstResolver::default(),
        );
        Ok(Self {
            agent,
            resource_policy: policy,
        })
    }

    /// A transport over an agent the caller already has (proxy, pool or TLS settings).
    ///
    /// The policy does not depend on the agent's settings: every request is configured on
    /// its own with `max_redirects(0)`, `http_status_as_error(false)` and the policy's
    /// timeouts, and its body is read with the policy's cap. Two things stay the caller's
    /// responsibility, because ureq cannot show them: a middleware of the agent must not
    /// resend requests or follow redirects itself (a followed redirect is detected, after
    /// the fact, as [`Error::UnexpectedRedirect`]), and `RootCerts::PlatformVerifier` needs
    /// ureq's `platform-verifier` feature.
    ///
    /// # Errors
    /// [`Error::ClientSetup`] when the agent has no rustls crypto provider and none is
    /// installed process-wide: ureq (built without a provider, as here) would panic on the
    /// first https request.
    pub fn with_agent(agent: Agent) -> Result<Self, Error> {
        let tls = agent.config().tls_config();
        let has_provider = tls.unversioned_rustls_crypto_provider().is_some()
            || rustls::crypto::CryptoProvider::get_default().is_some();
        if tls.provider() == TlsProvider::Rustls && !has_provider {
            return Err(Error::ClientSetup {
                reason: "the agent's TlsConfig has no rustls crypto provider and none is installed process-wide",
            });
        }
        Ok(Self {
            agent,
            resource_policy: RequestPolicy::default(),
        })
    }

    /// Sets the policy of the requests this transport makes on its own behalf
    /// ([`Self::bearer_get`]); the flow's requests carry their own. Default:
    /// [`RequestPolicy::default`] (1 MiB, 30 s, 10 s to connect).
    #[must_use]
    pub fn resource_policy(mut self, policy: RequestPolicy) -> Self {
        self.resource_policy = policy;
        self
    }

    /// The agent, for other requests of the program (they get none of this crate's policy).
    #[must_use]
    pub fn agent(&self) -> &Agent {
        &self.agent
    }

    /// Drives an exchange to its end: the one generic loop. Each request the exchange asks
    /// for is sent once, never resent (a single-use code must not be replayed; whether a
    /// whole exchange may be repeated is the caller's decision), and its response, whatever
    /// the status, goes back to the exchange, which makes every OAuth decision.
    ///
    /// Traced with `tracing` ([`pkce_flow::trace`]): a `pkce_exchange` span with the
    /// exchange's kind, one event per request with the method, the URL without its query,
    /// the status and the time taken, and one at the end; never a header value, a body or a
    /// query.
    ///
    /// # Errors
    /// [`Error::Flow`] when the exchange refuses a response; a transport variant when no
    /// response could be read within the policy.
    pub fn drive<E: Exchange>(&self, exchange: E) -> Result<E::Output, Error> {
        let span = trace::exchange_span("pkce-ureq", &exchange);
        let _entered = span.enter();
        let outcome = self.drive_loop(exchange);
        match &outcome {
            Ok(_) => trace::exchange_done(),
            Err(e) => trace::exchange_failed(e.action(), e.is_invalid_grant(), e),
        }
        outcome
    }

    fn drive_loop<E: Exchange>(&self, mut exchange: E) -> Result<E::Output, Error> {
        loop {
            match exchange.poll_output()? {
                Poll::Request(request) => {
                    let started = Instant::now();
                    let received = self.send(&request).inspect_err(|e| {
                        trace::request_failed(&request, started.elapsed(), e.action(), e);
                    })?;
                    let response = received.as_response();
                    trace::response_received(&request, &response, started.elapsed());
                    exchange.handle_response(response)?;
                }
                Poll::Done(output) => return Ok(output),
            }
        }
    }

    /// Sends one flow request exactly as described, under its policy.
    fn send(&self, request: &HttpRequest) -> Result<Received, Error> {
        let uri: Uri = request
            .url()
            .parse()
            .map_err(|e| Error::Http(ureq::Error::Http(http::Error::from(e))))?;
        let mut builder = http::Request::builder()
            .method(request.method().as_str())
            .uri(uri.clone());
        for (name, value) in request.headers() {
            builder = builder.header(name, header_value(name, value)?);
        }
        builder = builder.header(USER_AGENT, USER_AGENT_VALUE);
        let policy = request.policy();
        // A GET without a body is sent without one (no `Content-Length: 0`).
        if request.method() == Method::Get && request.body().is_empty() {
            self.execute(builder.body(()).map_err(http_error)?, &uri, policy)
        } else {
            self.execute(
                builder.body(request.body()).map_err(http_error)?,
                &uri,
                policy,
            )
        }
    }

    /// Runs a request under `policy` and reads its response with the cap.
    pub(crate) fn execute<S: AsSendBody>(
        &self,
        request: http::Request<S>,
        uri: &Uri,
        policy: &RequestPolicy,
    ) -> Result<Received, Error> {
        // Per request, so an agent from `with_agent` cannot relax the policy.
        let request = self
            .agent
            .configure_request(request)
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(policy.timeout))
            .timeout_connect(Some(policy.connect_timeout))
            .build();
        let response = self.agent.run(request).map_err(Error::from_ureq)?;
        if response.get_uri() != uri {
            return Err(Error::UnexpectedRedirect);
        }
        let status = response.status().as_u16();
        let (parts, body) = response.into_parts();
        let body = read_capped(body, policy.max_response_bytes)?;
        Ok(Received {
            status,
            headers: parts.headers,
            body,
        })
    }

    /// The policy of [`Self::bearer_get`].
    pub(crate) fn resource_policy_ref(&self) -> &RequestPolicy {
        &self.resource_policy
    }
}

/// A header value; a credential is marked sensitive so that `http`'s `Debug` hides it.
pub(crate) fn header_value(name: &str, value: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(value).map_err(|e| http_error(e.into()))?;
    if HttpRequest::is_secret_header(name) {
        value.set_sensitive(true);
    }
    Ok(value)
}

pub(crate) fn http_error(e: http::Error) -> Error {
    Error::Http(ureq::Error::Http(e))
}

/// Reads at most `limit` bytes: a `Content-Length` over the cap fails before reading, and a
/// streamed body fails as soon as byte `limit + 1` arrives, so memory stays bounded by the
/// cap whatever the server sends. The connection of a body not read to its end is closed,
/// not pooled.
fn read_capped(body: Body, limit: usize) -> Result<Vec<u8>, Error> {
    let limit_u64 = u64::try_from(limit).unwrap_or(u64::MAX);
    let declared = body.content_length();
    if declared.is_some_and(|n| n > limit_u64) {
        return Err(Error::BodyTooLarge { limit });
    }
    let capacity = declared
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0)
        .min(limit);
    let mut buf = Vec::with_capacity(capacity);
    body.into_reader()
        .take(limit_u64.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(Error::from_io)?;
    if buf.len() > limit {
        return Err(Error::BodyTooLarge { limit });
    }
    Ok(buf)
}

/// A response read to its end: owns what [`HttpResponse`] borrows.
pub(crate) struct Received {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Received {
    /// The flow's view of it. Every header is offered as the bytes received, none dropped;
    /// the flow keeps the ones it reads.
    pub(crate) fn as_response(&self) -> HttpResponse<'_> {
        let mut response = HttpResponse::new(self.status, &self.body);
        for (name, value) in &self.headers {
            response.push_header_bytes(name.as_str(), value.as_bytes());
        }
        response
    }
}

/// ureq's default resolver runs every lookup that has a deadline on a fresh thread (so that
/// the deadline holds), even for an IP literal, and it resolves before it looks for a pooled
/// connection: every request to `127.0.0.1` paid a thread spawn and join, which made
/// keep-alive exchanges several times slower than reqwest's (measured in
/// `benches/benches/transports.rs`). An IP literal needs no lookup, so it is answered here;
/// names still go to ureq's resolver and keep its deadline.
#[derive(Debug, Default)]
struct LiteralFirstResolver(DefaultResolver);

impl Resolver for LiteralFirstResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let literal = uri.authority().and_then(|a| {
            let host = a.host().trim_start_matches('[').trim_end_matches(']');
            let ip = host.parse::<IpAddr>().ok()?;
            let port = a.port_u16().or(match uri.scheme_str() {
                Some("https") => Some(443),
                Some("http") => Some(80),
                _ => None,
            })?;
            Some(std::net::SocketAddr::new(ip, port))
        });
        match literal {
            Some(addr) => {
                let mut out = self.empty();
                out.push(addr);
                Ok(out)
            }
            None => self.0.resolve(uri, config, timeout),
        }
    }
}
