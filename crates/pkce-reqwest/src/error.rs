//! The transport's error: the flow's verdict, or what went wrong on the wire.
//!
//! `Display` says what happened in words chosen here; it never prints a URL, a header value or
//! a body, so no code, verifier, client secret or token can reach a log through it. The
//! library's own error (with its URL removed) is the [`std::error::Error::source`].

use std::error::Error as StdError;
use std::{fmt, io};

/// Everything that can go wrong while driving an exchange over reqwest.
///
/// The variants mirror the twin transport's `Error` name for name; only the library error they
/// carry differs.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The flow refused the exchange: an OAuth error answer (`invalid_grant`, …), a response
    /// that breaks the protocol (a redirect, a wrong content type, bad JSON, …), a bad
    /// configuration, or API misuse. `Display` is the flow's; `source` is the flow's error
    /// itself, so a downcast through the chain finds it.
    Flow(pkce_flow::Error),
    /// A time limit of the request's policy ran out (connecting, or the whole exchange).
    Timeout(reqwest::Error),
    /// The connection was refused: nothing listens at that address.
    ConnectionRefused(reqwest::Error),
    /// The TLS handshake failed: the server's certificate is not trusted by the Mozilla roots,
    /// or the peer does not speak TLS.
    Tls(reqwest::Error),
    /// The connection broke during the exchange: reset, or closed before the response was
    /// complete.
    Io(reqwest::Error),
    /// Another failure of the HTTP client: an unusable URL or header, an HTTP protocol
    /// violation, a failed name lookup, ….
    Http(reqwest::Error),
    /// The response body is longer than the policy's `max_response_bytes`; reading stopped at
    /// the chunk that crossed the cap (or before reading, from `Content-Length`).
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The HTTP client followed a redirect (the response is another URL's), which the policy
    /// forbids; the response was discarded. The same fault as the flow's
    /// `ResponseError::UnexpectedRedirect`, met after the fact.
    UnexpectedRedirect,
    /// The HTTP client cannot be set up: rustls refuses the configuration, or the flow asked
    /// for a method reqwest cannot send.
    ClientSetup {
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl Error {
    /// Sorts a reqwest error by cause, after removing its URL.
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        let e = e.without_url();
        if e.is_timeout() {
            return Self::Timeout(e);
        }
        if find::<rustls::Error>(&e).is_some() {
            return Self::Tls(e);
        }
        match find::<io::Error>(&e).map(io::Error::kind) {
            Some(io::ErrorKind::ConnectionRefused) => Self::ConnectionRefused(e),
            Some(io::ErrorKind::TimedOut) => Self::Timeout(e),
            Some(_) => Self::Io(e),
            // Reading the body failed without an I/O error: hyper saw the connection end
            // before the promised length.
            None if e.is_body() || e.is_decode() => Self::Io(e),
            None => Self::Http(e),
        }
    }
}

/// The first error of type `T` in the source chain of `e`.
fn find<T: StdError + 'static>(e: &reqwest::Error) -> Option<&T> {
    let mut current: Option<&(dyn StdError + 'static)> = e.source();
    while let Some(err) = current {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        current = match err.downcast_ref::<io::Error>() {
            // `io::Error::source` skips the error it wraps; look at that one too.
            Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
            None => err.source(),
        };
    }
    None
}

/// A short, secret-free name for the cause of a reqwest error.
fn cause(e: &reqwest::Error) -> &'static str {
    if e.is_builder() {
        "an invalid request (method, URL or header)"
    } else if e.is_dns() {
        "the host name could not be resolved"
    } else if e.is_connect() {
        "the connection could not be established"
    } else if e.is_body() || e.is_decode() {
        "the body could not be read"
    } else if e.is_request() {
        "the request could not be sent"
    } else {
        "an HTTP client error"
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flow(e) => e.fmt(f),
            Self::Timeout(_) => f.write_str("the request timed out (a time limit of its policy ran out)"),
            Self::ConnectionRefused(_) => f.write_str("the connection was refused (nothing listens at that address)"),
            Self::Tls(_) => f.write_str("the TLS handshake failed (untrusted certificate, or no TLS at that address)"),
            Self::Io(e) => match find::<io::Error>(e) {
                Some(io) => write!(f, "the connection broke during the exchange ({})", io.kind()),
                None => f.write_str("the connection broke during the exchange"),
            },
            Self::Http(e) => write!(f, "the HTTP request failed: {}", cause(e)),
            Self::BodyTooLarge { limit } => {
                write!(f, "the response body is larger than the limit of {limit} bytes; reading stopped")
            }
            Self::UnexpectedRedirect => {
                f.write_str("the HTTP client followed a redirect, which the policy forbids; the response was discarded")
            }
            Self::ClientSetup { reason } => write!(f, "the HTTP client cannot be used: {reason}"),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Flow(e) => Some(e),
            Self::Timeout(e)
            | Self::ConnectionRefused(e)
            | Self::Tls(e)
            | Self::Io(e)
            | Self::Http(e) => Some(e),
            Self::BodyTooLarge { .. } | Self::UnexpectedRedirect | Self::ClientSetup { .. } => None,
        }
    }
}

impl Error {
    /// What an application can do about this error: the flow's verdict for
    /// [`Error::Flow`]; a later retry for a timeout, a refused or broken connection; a fix
    /// of the client's setup for an unusable request or client; and a stop for a failed TLS
    /// handshake, a body over the cap or a followed redirect (each may be an attack).
    ///
    /// ```
    /// use pkce_flow::Action;
    ///
    /// let error = pkce_reqwest::Error::BodyTooLarge { limit: 1024 };
    /// assert_eq!(error.action(), Action::Stop);
    /// assert_eq!(error.oauth_error_code(), None);
    /// assert!(!error.is_invalid_grant());
    /// ```
    #[must_use]
    pub fn action(&self) -> pkce_flow::Action {
        use pkce_flow::Action;
        match self {
            Self::Flow(e) => e.action(),
            Self::Timeout(_) | Self::ConnectionRefused(_) | Self::Io(_) => Action::RetryLater,
            Self::Http(_) | Self::ClientSetup { .. } => Action::FixConfiguration,
            Self::Tls(_) | Self::BodyTooLarge { .. } | Self::UnexpectedRedirect => Action::Stop,
        }
    }

    /// The OAuth `error` code the server answered with, if it did.
    #[must_use]
    pub fn oauth_error_code(&self) -> Option<&str> {
        match self {
            Self::Flow(e) => e.oauth_error_code(),
            _ => None,
        }
    }

    /// Whether the token endpoint answered `invalid_grant` (the code or refresh token is
    /// dead: log in again).
    #[must_use]
    pub fn is_invalid_grant(&self) -> bool {
        matches!(self, Self::Flow(e) if e.is_invalid_grant())
    }
}

impl From<pkce_flow::Error> for Error {
    fn from(e: pkce_flow::Error) -> Self {
        Self::Flow(e)
    }
}
