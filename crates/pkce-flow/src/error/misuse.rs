//! Calls out of order.

use core::fmt;

/// The API was called out of order: a mistake of the calling program, never caused by what
/// a server or browser sent. Never a panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misuse {
    /// `poll_output` was called while a response is awaited.
    ResponseAwaited,
    /// `handle_response` was called with no request outstanding.
    NoRequestOutstanding,
    /// The exchange already finished (or failed) and was used again.
    Finished,
    /// A DPoP exchange was given a key its client is not configured with
    /// (`ClientBuilder::dpop_key`).
    DpopKeyMismatch,
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
            Self::DpopKeyMismatch => "the client is not configured with this DPoP key",
        })
    }
}
