//! The transport's error: the flow's verdict, or what went wrong on the wire.
//!
//! `Display` says what happened in words chosen here; it never prints a URL, a header value or
//! a body, so no code, verifier, client secret or token can reach a log through it. The
//! library's own error, with its details, is the [`std::error::Error::source`].

use std::error::Error as StdError;
use std::{fmt, io};

/// Everything that can go wrong while driving an exchange over ureq.
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
    Timeout(ureq::Error),
    /// The connection was refused: nothing listens at that address.
    ConnectionRefused(ureq::Error),
    /// The TLS handshake failed: the server's certificate is not trusted by the Mozilla roots,
    /// or the peer does not speak TLS.
    Tls(ureq::Error),
    /// The connection broke during the exchange: reset, or closed before the response was
    /// complete.
    Io(ureq::Error),
    /// Another failure of the HTTP client: an unusable URL or header, an HTTP protocol
    /// violation, a failed name lookup, ….
    Http(ureq::Error),
    /// The response body is longer than the policy's `max_response_bytes`; reading stopped at
    /// `limit + 1` bytes (or before reading, from `Content-Length`).
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The HTTP client followed a redirect (the response is another URL's), which the policy
    /// forbids; the response was discarded. The same fault as the flow's
    /// `ResponseError::UnexpectedRedirect`, met after the fact.
    UnexpectedRedirect,
    /// The given HTTP client cannot enforce the request policy or would panic; see
    /// [`crate::Transport::with_agent`].
    ClientSetup {
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl Error {
    /// Sorts a ureq error by cause.
    pub(crate) fn from_ureq(e: ureq::Error) -> Self {
        match &e {
            ureq::Error::Timeout(_) => Self::Timeout(e),
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::TlsRequired => Self::Tls(e),
            ureq::Error::Io(io) if has_rustls_error(io) => Self::Tls(e),
            ureq::Error::Io(io) => match io.kind() {
                io::ErrorKind::ConnectionRefused => Self::ConnectionRefused(e),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Self::Timeout(e),
                _ => Self::Io(e),
            },
            _ => Self::Http(e),
        }
    }

    /// An error while reading the body (ureq hands its own errors through `io::Error`).
    pub(crate) fn from_io(e: io::Error) -> Self {
        Self::from_ureq(ureq::Error::from(e))
    }
}

/// Whether a rustls error is somewhere inside an I/O error (ureq's TLS stream reports
/// handshake failures that way).
fn has_rustls_error(e: &io::Error) -> bool {
    let mut current: Option<&(dyn StdError + 'static)> =
        e.get_ref().map(|inner| inner as &(dyn StdError + 'static));
    while let Some(err) = current {
        if err.is::<rustls::Error>() {
            return true;
        }
        current = match err.downcast_ref::<io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
            None => err.source(),
        };
    }
    false
}

/// A short, secret-free name for the cause of a ureq error.
fn cause(e: &ureq::Error) -> &'static str {
    match e {
        ureq::Error::StatusCode(_) => "an HTTP error status",
        ureq::Error::Http(_) => "an invalid request (method, URL or header)",
        ureq::Error::BadUri(_) => "an invalid URL",
        ureq::Error::Protocol(_) => "an HTTP protocol violation by the server",
        ureq::Error::Io(_) => "an I/O error",
        ureq::Error::HostNotFound => "the host name could not be resolved",
        ureq::Error::ConnectionFailed => "the connection could not be established",
        ureq::Error::LargeResponseHeader(..) => "the response header is too large",
        ureq::Error::RequireHttpsOnly(_) => "the agent allows https only",
        ureq::Error::InvalidProxyUrl | ureq::Error::ConnectProxyFailed(_) => "a proxy error",
        _ => "an HTTP client error",
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flow(e) => e.fmt(f),
            Self::Timeout(_) => f.write_str("the request timed out (a time limit of its policy ran out)"),
            Self::ConnectionRefused(_) => f.write_str("the connection was refused (nothing listens at that address)"),
            Self::Tls(_) => f.write_str("the TLS handshake failed (untrusted certificate, or no TLS at that address)"),
            Self::Io(ureq::Error::Io(e)) => write!(f, "the connection broke during the exchange ({})", e.kind()),
            Self::Io(_) => f.write_str("the connection broke during the exchange"),
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
    /// let error = pkce_ureq::Error::BodyTooLarge { limit: 1024 };
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
