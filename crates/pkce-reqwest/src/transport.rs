//! The driver: one generic loop, and the one place where a flow request becomes a reqwest
//! request with its policy applied.

use std::sync::Arc;
use std::time::Instant;

use pkce_flow::{Exchange, HttpRequest, HttpResponse, Method, Poll, RequestPolicy, trace};
use reqwest::header::{HeaderMap, USER_AGENT};
use reqwest::{Client, RequestBuilder, redirect};
use tracing::Instrument;

use crate::Error;

/// The `User-Agent` of every request: `pkce-reqwest/<version>`.
pub const USER_AGENT_VALUE: &str = concat!("pkce-reqwest/", env!("CARGO_PKG_VERSION"));

/// Sends the requests of `pkce-flow` exchanges over a reqwest [`Client`], enforcing the
/// [`RequestPolicy`] each one carries.
///
/// Cheap to clone (the client and its connection pool are shared); keep one per program so
/// connections are reused. Needs a tokio runtime, as reqwest does.
#[derive(Clone, Debug)]
pub struct Transport {
    client: Client,
    resource_policy: RequestPolicy,
}

impl Transport {
    /// A transport with its own client: rustls with the *ring* provider, the Mozilla roots
    /// (webpki-roots), no redirects, no retries, and the default policy's timeouts (every
    /// request then sets its own total timeout).
    ///
    /// # Errors
    /// [`Error::Http`] when reqwest cannot build the client (it never has here, but its
    /// builder is fallible); [`Error::ClientSetup`] if rustls refuses the configuration.
    pub fn new() -> Result<Self, Error> {
        let policy = RequestPolicy::default();
        let client = Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .redirect(redirect::Policy::none())
            .retry(reqwest::retry::never())
            .timeout(policy.timeout)
            .connect_timeout(policy.connect_timeout)
            .user_agent(USER_AGENT_VALUE)
            .build()
            .map_err(Error::from_reqwest)?;
        Ok(Self {
            client,
            resource_policy: policy,
        })
    }

    /// A transport over a client built from the caller's builder (proxy, pool or TLS
    /// settings). The transport sets the parts of the policy that reqwest fixes per client
    /// before it builds: no redirects (`redirect::Policy::none()`, whatever the builder said:
    /// a followed 307 or 308 would re-send the code, the verifier and the client credentials
    /// to the `Location`) and no retries (`retry::never()`). The rest of the policy is
    /// applied per request: the total timeout (which also bounds connecting; the builder's
    /// own `connect_timeout` applies as configured) and the body cap.
    ///
    /// Bring the TLS configuration in the builder (`tls_backend_preconfigured`) or install a
    /// process-wide rustls crypto provider: this crate enables reqwest without one.
    ///
    /// # Errors
    /// [`Error::Http`] when reqwest cannot build the client.
    pub fn with_client_builder(builder: reqwest::ClientBuilder) -> Result<Self, Error> {
        let client = builder
            .redirect(redirect::Policy::none())
            .retry(reqwest::retry::never())
            .build()
            .map_err(Error::from_reqwest)?;
        Ok(Self {
            client,
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

    /// The client, for other requests of the program (they get none of this crate's policy).
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
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
    pub async fn drive<E: Exchange>(&self, exchange: E) -> Result<E::Output, Error> {
        let span = trace::exchange_span("pkce-reqwest", &exchange);
        // Instrumented, not `enter`ed: the span is entered on each poll of the future and
        // left while the task is suspended.
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
                    let started = Instant::now();
                    let received = self.send(&request).await.inspect_err(|e| {
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
    async fn send(&self, request: &HttpRequest) -> Result<Received, Error> {
        let method = match request.method() {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            other => reqwest::Method::from_bytes(other.as_str().as_bytes()).map_err(|_| {
                Error::ClientSetup {
                    reason: "the flow asked for an HTTP method reqwest cannot send",
                }
            })?,
        };
        // Invalid URLs and header values surface as reqwest builder errors in `prepare`.
        let mut builder = self.client.request(method, request.url());
        for (name, value) in request.headers() {
            builder = builder.header(name, value);
        }
        builder = builder.header(USER_AGENT, USER_AGENT_VALUE);
        // A GET without a body is sent without one (no `Content-Length: 0`).
        if !(request.method() == Method::Get && request.body().is_empty()) {
            builder = builder.body(request.body().to_vec());
        }
        let prepared = prepare(builder, request.policy())?;
        self.execute(prepared, request.policy()).await
    }

    /// Runs a prepared request and reads its response with the policy's cap.
    pub(crate) async fn execute(
        &self,
        request: reqwest::Request,
        policy: &RequestPolicy,
    ) -> Result<Received, Error> {
        let url = request.url().clone();
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(Error::from_reqwest)?;
        if response.url() != &url {
            return Err(Error::UnexpectedRedirect);
        }
        let status = response.status().as_u16();
        let limit = policy.max_response_bytes;
        let declared = response.content_length();
        if declared.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX)) {
            return Err(Error::BodyTooLarge { limit });
        }
        let headers = std::mem::take(response.headers_mut());
        let capacity = declared
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0)
            .min(limit);
        let mut body = Vec::with_capacity(capacity);
        // Chunk by chunk: the first chunk that crosses the cap ends the read, so memory stays
        // bounded by the cap plus one chunk whatever the server sends. Dropping the response
        // closes the connection instead of pooling it.
        while let Some(chunk) = response.chunk().await.map_err(Error::from_reqwest)? {
            if chunk.len() > limit - body.len() {
                return Err(Error::BodyTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
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

/// Builds the request with the policy's total timeout, and marks credential header values
/// sensitive so that `http`'s `Debug` hides them.
fn prepare(builder: RequestBuilder, policy: &RequestPolicy) -> Result<reqwest::Request, Error> {
    let mut request = builder
        .timeout(policy.timeout)
        .build()
        .map_err(Error::from_reqwest)?;
    for (name, value) in request.headers_mut().iter_mut() {
        if HttpRequest::is_secret_header(name.as_str()) {
            value.set_sensitive(true);
        }
    }
    Ok(request)
}

/// The TLS configuration: rustls with the *ring* provider and the Mozilla roots
/// (webpki-roots), HTTP/1.1 only. Handing reqwest a finished configuration keeps it from
/// looking for a process-wide provider (with `rustls-no-provider` it would panic without
/// one) and from using the platform verifier.
fn tls_config() -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| Error::ClientSetup {
            reason: "rustls refuses the ring provider's protocol versions",
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
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
