//! The plain request and response descriptions that cross the sans-io boundary.
//!
//! No HTTP library's types appear here: a driver converts [`HttpRequest`] into its own
//! request, applies the [`RequestPolicy`] the request carries, and hands the answer back as
//! an [`HttpResponse`] that borrows the driver's buffers.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

/// The HTTP method of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET` (discovery).
    Get,
    /// `POST` (token, PAR, revocation; RFC 6749 §3.2 requires it for tokens).
    Post,
}

impl Method {
    /// The method's name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// What a driver must enforce for one request. The flow decides it; a driver never relaxes it.
/// Beyond these limits, a driver never follows a redirect (a 307 or 308 would re-send a code
/// or credentials to another origin, RFC 9700 §4.11) and never resends a request. The one
/// request sent twice is a DPoP nonce retry (RFC 9449 §8, §9), and the driver does not
/// decide it: `dpop::DpopExchange` emits it as a new request from the same poll loop, once
/// per exchange, with a fresh proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestPolicy {
    /// The most response-body bytes to read; past it the driver stops reading and fails
    /// (default 1 MiB).
    pub max_response_bytes: usize,
    /// The whole exchange's time limit (default 30 s).
    pub timeout: Duration,
    /// The time limit for establishing the connection (default 10 s).
    pub connect_timeout: Duration,
}

impl Default for RequestPolicy {
    fn default() -> Self {
        Self {
            max_response_bytes: 1024 * 1024,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// A request the driver must send, exactly as described.
///
/// `Debug` shows the method, URL, header names and the body's length; header values and the
/// body may hold secrets (client credentials, a code, a verifier, a token) and are never
/// printed.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    method: Method,
    // Shared with the client's configuration: building a request copies no URL.
    url: Arc<str>,
    // A request carries `accept`, and `content-type` with a body, and `authorization` for
    // `client_secret_basic`: kept as fields, no header list to allocate.
    accept: Option<&'static str>,
    content_type: Option<&'static str>,
    authorization: Option<String>,
    // The DPoP proof (RFC 9449 §4.1), set by `dpop::DpopExchange` just before sending.
    dpop: Option<String>,
    body: Vec<u8>,
    policy: RequestPolicy,
}

impl HttpRequest {
    pub(crate) fn new(method: Method, url: Arc<str>, policy: RequestPolicy) -> Self {
        Self {
            method,
            url,
            accept: Some("application/json"),
            content_type: None,
            authorization: None,
            dpop: None,
            body: Vec::new(),
            policy,
        }
    }

    pub(crate) fn form_body(mut self, body: String) -> Self {
        self.content_type = Some("application/x-www-form-urlencoded");
        self.body = body.into_bytes();
        self
    }

    /// A JSON body (dynamic client registration, RFC 7591 §3.1).
    pub(crate) fn json_body(mut self, body: String) -> Self {
        self.content_type = Some("application/json");
        self.body = body.into_bytes();
        self
    }

    pub(crate) fn authorization(mut self, value: String) -> Self {
        self.authorization = Some(value);
        self
    }

    pub(crate) fn set_authorization(&mut self, value: String) {
        self.authorization = Some(value);
    }

    pub(crate) fn set_dpop(&mut self, proof: String) {
        self.dpop = Some(proof);
    }

    /// No `Accept`: a protected resource answers in its own media type.
    pub(crate) fn without_accept(mut self) -> Self {
        self.accept = None;
        self
    }

    pub(crate) fn set_policy(&mut self, policy: RequestPolicy) {
        self.policy = policy;
    }

    /// The method.
    #[must_use]
    pub fn method(&self) -> Method {
        self.method
    }

    /// The absolute URL (never holds a credential).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL without its query and fragment: what a driver may write to its logs (a
    /// resource URL's query may carry anything).
    #[must_use]
    pub fn url_without_query(&self) -> &str {
        crate::endpoint::without_query(&self.url)
    }

    /// The headers to send, names in lower case. `authorization` may hold a secret.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        [
            ("accept", self.accept),
            ("content-type", self.content_type),
            ("authorization", self.authorization.as_deref()),
            ("dpop", self.dpop.as_deref()),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
    }

    /// Whether a header's value holds a credential (`authorization`, RFC 9110 §11.6.2, or a
    /// `dpop` proof, RFC 9449 §4.1): a driver marks it sensitive so that its HTTP library's
    /// logs and `Debug` hide it.
    #[must_use]
    pub fn is_secret_header(name: &str) -> bool {
        name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("dpop")
    }

    /// The body, already form-encoded; it may hold secrets.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// What the driver must enforce.
    #[must_use]
    pub fn policy(&self) -> &RequestPolicy {
        &self.policy
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers().map(|(n, _)| n).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .field("policy", &self.policy)
            .finish()
    }
}

#[cfg(feature = "zeroize")]
impl Drop for HttpRequest {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.body);
        if let Some(v) = &mut self.authorization {
            zeroize::Zeroize::zeroize(v);
        }
        if let Some(v) = &mut self.dpop {
            zeroize::Zeroize::zeroize(v);
        }
    }
}

/// The headers the flow reads: the media type of a body, the delay of a 429/503, a
/// protected resource's challenge, and a server's DPoP nonce. A driver may pass every
/// header; the rest are ignored.
const RELEVANT_HEADERS: [&str; 4] = [
    "content-type",
    "dpop-nonce",
    "retry-after",
    "www-authenticate",
];
const MAX_HEADERS: usize = 8;

/// A response as received, borrowing the driver's buffers. Only the headers the flow reads
/// are kept (up to eight, without allocating). Header values are bytes: a value with
/// obs-text (bytes 0x80-0xFF, RFC 9110 §5.5) reaches the flow as sent, and the flow decides
/// what to make of it.
#[derive(Clone, Debug)]
pub struct HttpResponse<'a> {
    status: u16,
    headers: heapless::Vec<(&'a str, &'a [u8]), MAX_HEADERS>,
    body: &'a [u8],
}

impl<'a> HttpResponse<'a> {
    /// A response with a status and a body.
    #[must_use]
    pub fn new(status: u16, body: &'a [u8]) -> Self {
        Self {
            status,
            headers: heapless::Vec::new(),
            body,
        }
    }

    /// Adds a header (name in any case). Headers the flow does not read are dropped.
    #[must_use]
    pub fn with_header(mut self, name: &'a str, value: &'a str) -> Self {
        self.push_header(name, value);
        self
    }

    /// Adds a header in place; see [`Self::with_header`].
    pub fn push_header(&mut self, name: &'a str, value: &'a str) {
        self.push_header_bytes(name, value.as_bytes());
    }

    /// Adds a header whose value is bytes as received (which may not be UTF-8). A driver
    /// passes every value this way and drops none.
    pub fn push_header_bytes(&mut self, name: &'a str, value: &'a [u8]) {
        if RELEVANT_HEADERS
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name))
        {
            // Past eight relevant headers the rest are dropped: the flow reads one of each
            // except WWW-Authenticate, which this still keeps several of.
            let _ = self.headers.push((name, value));
        }
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body.
    #[must_use]
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The first value of a header, by case-insensitive name, if it is UTF-8.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers_named(name).next()
    }

    /// Every UTF-8 value of a header, by case-insensitive name.
    pub fn headers_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.header_bytes_named(name)
            .filter_map(|v| core::str::from_utf8(v).ok())
    }

    /// Every value of a header as bytes, by case-insensitive name.
    pub fn header_bytes_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a [u8]> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// Whether the media type is `application/json` (case-insensitive, parameters ignored).
    #[must_use]
    pub fn is_json(&self) -> bool {
        self.header("content-type").is_some_and(|ct| {
            let media_type = ct.split_once(';').map_or(ct, |(mt, _)| mt);
            // Optional whitespace is SP and HTAB (RFC 9110 §5.6.3).
            media_type
                .trim_matches([' ', '\t'])
                .eq_ignore_ascii_case("application/json")
        })
    }

    /// `Retry-After` as delay-seconds, clamped to a day; an HTTP date or garbage gives `None`.
    #[must_use]
    pub fn retry_after(&self) -> Option<u64> {
        let v = self.header("retry-after")?.trim();
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(v.parse::<u64>().unwrap_or(u64::MAX).min(86_400))
    }
}

/// What an exchange wants next.
#[derive(Debug)]
#[must_use]
pub enum Poll<T> {
    /// Send this request and pass its response to `handle_response`.
    Request(HttpRequest),
    /// The exchange is complete.
    Done(T),
}

/// One protocol exchange driven by the poll loop. Every exchange in this crate implements it,
/// so a driver is written once:
///
/// ```ignore
/// loop {
///     match exchange.poll_output()? {
///         Poll::Request(req) => exchange.handle_response(send(&req)?.as_response())?,
///         Poll::Done(value) => return Ok(value),
///     }
/// }
/// ```
///
/// Calls out of order give [`crate::Error::Misuse`], never a panic. After an error the
/// exchange is finished: a single-use code is never sent twice.
pub trait Exchange {
    /// What the exchange produces.
    type Output;

    /// The next request to send, or the result.
    ///
    /// # Errors
    /// [`crate::Error::Misuse`] when a response is awaited or the exchange is finished.
    fn poll_output(&mut self) -> Result<Poll<Self::Output>, crate::Error>;

    /// Consumes the response to the last request.
    ///
    /// # Errors
    /// Whatever the response reveals (an OAuth error, a protocol violation), or
    /// [`crate::Error::Misuse`] when no request is outstanding.
    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), crate::Error>;

    /// What this exchange is, in one word, for drivers' logs and traces (`"refresh"`,
    /// `"code_exchange"`, …; never a value of the exchange). An adapter that wraps another
    /// exchange returns the inner one's.
    fn kind(&self) -> &'static str {
        "exchange"
    }
}
