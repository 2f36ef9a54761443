//! Calls out of order.

use core::fmt;

/// The API was used out of order. Never a panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misuse {
    /// `poll_output` was called while a response is awaited.
    ResponseAwaited,
    /// `handle_response` was called with no request outstanding.
    NoRequestOutstanding,
    /// The exchange already finished (or failed) and was used again.
    Finished,
    /// No revocation endpoint is configured.
    NoRevocationEndpoint,
    /// No PAR endpoint is configured.
    NoParEndpoint,
    /// The server requires PAR (`require_pushed_authorization_requests`); use it.
    ParRequired,
    /// A stored authorization was resumed with a client configured for another server.
    ForeignAuthorization,
}

impl fmt::Display for Misuse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ResponseAwaited => {
                "poll_output called while a response is awaited; call handle_response first"
            }
            Self::NoRequestOutstanding => {
                "handle_response called with no request outstanding; call poll_output first"
            }
            Self::Finished => "the exchange is finished and cannot be used again",
            Self::NoRevocationEndpoint => "no revocation endpoint is configured",
            Self::NoParEndpoint => "no pushed authorization request endpoint is configured",
            Self::ParRequired => "the server requires pushed authorization requests",
            Self::ForeignAuthorization => {
                "the stored authorization belongs to another client or server"
            }
        })
    }
}
