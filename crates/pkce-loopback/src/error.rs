//! Why a wait for the callback ended without a code exchange.

use std::{fmt, io};

use pkce_flow::Rejected;

/// Why the wait ended without a code exchange.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError {
    /// No valid callback arrived before the deadline.
    Timeout,
    /// The callback answered this login with a refusal: the authorization server's error,
    /// or a mix-up (see [`Rejected::unverified_error`]). The login is over.
    Rejected(Rejected),
    /// The listening socket failed.
    Io(io::Error),
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout => f.write_str("no valid callback arrived in time"),
            Self::Rejected(_) => f.write_str("the callback refused the login"),
            Self::Io(e) => write!(f, "the loopback listener failed: {e}"),
        }
    }
}

impl std::error::Error for WaitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Timeout => None,
            Self::Rejected(r) => Some(r.error()),
            Self::Io(e) => Some(e),
        }
    }
}
