//! The transport's error: the flow's verdict, or what went wrong in the browser.
//!
//! `Display` says what happened in words chosen here; it never prints a URL, a header value,
//! a body or a JavaScript exception (whose text may quote a URL with a code in it), so no
//! code, verifier or token can reach a log or a page through it.

use std::error::Error as StdError;
use std::fmt;

/// Everything that can go wrong while driving an exchange through `fetch`, or while carrying
/// a pending authorization across the redirect.
///
/// The variants the other transports have (`Flow`, `Timeout`, `Io`, `BodyTooLarge`,
/// `UnexpectedRedirect`, `ClientSetup`) keep their names and meaning. A browser does not say
/// why a `fetch` failed (refused connection, TLS, name lookup and a CORS refusal all look
/// the same to a page, on purpose), so the native `ConnectionRefused`, `Tls` and `Http` are
/// one [`Error::Network`] here.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The flow refused the exchange: an OAuth error answer (`invalid_grant`, …), a response
    /// that breaks the protocol, a callback that does not match (a foreign `state`, …), a
    /// stored authorization made for another client, or API misuse. `Display` is the flow's;
    /// `source` is the flow's error itself.
    Flow(pkce_flow::Error),
    /// The request's policy timeout ran out; the request was aborted (`AbortController`).
    Timeout,
    /// `fetch` failed without a response: nothing listens there, TLS failed, the name does
    /// not resolve, or the server's CORS answer does not allow this page's origin. The
    /// browser's console says which; a page is not told.
    Network,
    /// The response body broke off while it was read.
    Io,
    /// The response body is longer than the policy's `max_response_bytes`; reading stopped at
    /// the chunk that crossed the cap (or before reading, from `Content-Length`), and the
    /// stream was cancelled.
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The server answered with a redirect. Requests go out with `redirect: "manual"`, so
    /// the browser did not follow it and nothing was sent to its target; a page cannot read
    /// where it pointed. The same fault as the flow's `ResponseError::UnexpectedRedirect`.
    UnexpectedRedirect,
    /// The transport cannot be used: no `window` or worker scope with `fetch`, or the browser
    /// refused to build the request (a header value it will not send, …).
    ClientSetup {
        /// What is wrong.
        reason: &'static str,
    },
    /// `sessionStorage` is unavailable (storage disabled, quota) or refused the write.
    Storage,
    /// The page was opened with a callback but this tab holds no pending authorization: the
    /// callback was opened in another tab, opened twice, or the login was not started here.
    /// Nothing was exchanged.
    NoPendingAuthorization,
    /// The pending authorization in `sessionStorage` is not one this crate wrote (edited, or
    /// from an incompatible version). It was removed; nothing was exchanged.
    StoredAuthorizationUnreadable,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flow(e) => e.fmt(f),
            Self::Timeout => f.write_str("the request timed out (the time limit of its policy ran out)"),
            Self::Network => f.write_str(
                "the request failed without a response (no server, TLS, or the server's CORS answer does not allow this page)",
            ),
            Self::Io => f.write_str("the response body broke off while it was read"),
            Self::BodyTooLarge { limit } => {
                write!(f, "the response body is larger than the limit of {limit} bytes; reading stopped")
            }
            Self::UnexpectedRedirect => {
                f.write_str("the server answered with a redirect, which the policy forbids; it was not followed")
            }
            Self::ClientSetup { reason } => write!(f, "the browser transport cannot be used: {reason}"),
            Self::Storage => f.write_str("sessionStorage is unavailable or refused the pending authorization"),
            Self::NoPendingAuthorization => f.write_str(
                "this tab has no pending authorization for the callback (opened in another tab, or twice); nothing was exchanged",
            ),
            Self::StoredAuthorizationUnreadable => f.write_str(
                "the pending authorization stored in this tab is unreadable (edited?); it was removed and nothing was exchanged",
            ),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Flow(e) => Some(e),
            _ => None,
        }
    }
}

impl Error {
    /// What an application can do about this error: the flow's verdict for
    /// [`Error::Flow`]; a later retry for a timeout, a failed or broken request; a fix of the
    /// setup for an unusable transport or storage; a new login for a missing or unreadable
    /// pending authorization; and a stop for a body over the cap or a redirect (each may be
    /// an attack).
    ///
    /// ```
    /// use pkce_flow::Action;
    ///
    /// let error = pkce_fetch::Error::BodyTooLarge { limit: 1024 };
    /// assert_eq!(error.action(), Action::Stop);
    /// assert_eq!(pkce_fetch::Error::NoPendingAuthorization.action(), Action::LoginAgain);
    /// assert!(!error.is_invalid_grant());
    /// ```
    #[must_use]
    pub fn action(&self) -> pkce_flow::Action {
        use pkce_flow::Action;
        match self {
            Self::Flow(e) => e.action(),
            Self::Timeout | Self::Network | Self::Io => Action::RetryLater,
            Self::ClientSetup { .. } | Self::Storage => Action::FixConfiguration,
            Self::NoPendingAuthorization | Self::StoredAuthorizationUnreadable => {
                Action::LoginAgain
            }
            Self::BodyTooLarge { .. } | Self::UnexpectedRedirect => Action::Stop,
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
