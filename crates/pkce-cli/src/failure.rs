//! The one-line reason a command failed, and its exit code. Never a stack trace, never a
//! secret: flow and transport errors carry none, and server text is escaped by their Display.
//!
//! Exit codes: 0 success; 1 a runtime failure (network, server, store); 2 a usage or
//! configuration problem (bad flags, bad config file, unknown profile, no profile for a git
//! host, bad `KUBERNETES_EXEC_INFO`, an unsupported flow, no browser available); 3 a login is
//! required and none can happen here (no terminal); 4 DPoP headers were asked for
//! (`--format dpop`) and the session is not bound to a DPoP key.

use std::fmt;

/// A failure to report on stderr.
#[derive(Debug)]
pub(crate) struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    /// A runtime failure (exit 1).
    pub(crate) fn new(message: String) -> Self {
        Self { message, code: 1 }
    }

    /// A usage problem (exit 2, as clap's own).
    pub(crate) fn usage(message: &str) -> Self {
        Self {
            message: message.to_owned(),
            code: 2,
        }
    }

    /// A bad config file, profile or environment setting (exit 2).
    pub(crate) fn config(message: String) -> Self {
        Self { message, code: 2 }
    }

    /// No usable session and no way to log in here (exit 3).
    pub(crate) fn login_required(message: String) -> Self {
        Self { message, code: 3 }
    }

    /// DPoP headers asked of a session without a DPoP key (exit 4).
    pub(crate) fn not_dpop(message: String) -> Self {
        Self { message, code: 4 }
    }

    /// The process exit code.
    pub(crate) fn code(&self) -> u8 {
        self.code
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line: anything that could break the line or drive the terminal is escaped.
        for c in self.message.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?
            } else {
                write!(f, "{c}")?
            }
        }
        Ok(())
    }
}

impl From<pkce_flow::Error> for Failure {
    fn from(e: pkce_flow::Error) -> Self {
        Self::new(e.to_string())
    }
}

impl From<pkce_flow::dpop::DpopError> for Failure {
    fn from(e: pkce_flow::dpop::DpopError) -> Self {
        Self::new(format!("DPoP: {e}"))
    }
}

impl From<pkce_ureq::Error> for Failure {
    fn from(e: pkce_ureq::Error) -> Self {
        Self::new(e.to_string())
    }
}

impl From<pkce_flow::Rejected> for Failure {
    /// The refusal, and after a refused `iss` what the callback claimed, marked unverified
    /// (it tells a cancelled login from a possible mix-up, but proves nothing).
    fn from(e: pkce_flow::Rejected) -> Self {
        let Some(unverified) = e.unverified_error() else {
            return Self::new(e.to_string());
        };
        let description = unverified
            .description()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        Self::new(format!(
            "{e}; the callback said, unverified: {}{description}",
            unverified.code()
        ))
    }
}

impl From<pkce_session::SessionError> for Failure {
    fn from(e: pkce_session::SessionError) -> Self {
        match e {
            pkce_session::SessionError::WrongBinding { .. } => Self::config(format!(
                "session store: {e}; `pkce login` replaces it, or use another profile"
            )),
            // Not the store's doing: the server named another user (or issuer, audience).
            pkce_session::SessionError::RefreshedIdTokenRefused(_) => Self::new(e.to_string()),
            _ => Self::new(format!("session store: {e}")),
        }
    }
}
