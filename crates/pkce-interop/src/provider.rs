//! [`OidcProvider`]: panva's oidc-provider, run by `node interop/server.mjs` on 127.0.0.1.

use std::path::Path;

use crate::error::HarnessError;
use crate::node::NodeServer;

/// A running oidc-provider on `http://127.0.0.1:PORT`, stopped when dropped.
///
/// Each value is its own server with its own in-memory state, on an ephemeral port. The
/// server's stderr (oidc-provider's warnings and one line per request) goes to a log file
/// under the target directory, see [`OidcProvider::log_path`].
///
/// ```no_run
/// let op = pkce_interop::OidcProvider::start()?;
/// assert!(op.issuer().starts_with("http://127.0.0.1:"));
/// # Ok::<(), pkce_interop::HarnessError>(())
/// ```
#[derive(Debug)]
pub struct OidcProvider {
    server: NodeServer,
}

impl OidcProvider {
    /// Installs the pinned packages if needed (`npm ci` in `interop/`), starts `node
    /// server.mjs --port 0` and waits (at most [`crate::START_TIMEOUT`]) until it listens.
    ///
    /// # Errors
    /// [`HarnessError::NodeMissing`] / [`HarnessError::NpmMissing`] when `node` / `npm` is not
    /// on `PATH` (tests must fail on this, not skip), [`HarnessError::NpmInstall`] when
    /// `npm ci` fails, [`HarnessError::StartTimeout`] / [`HarnessError::ServerExited`] /
    /// [`HarnessError::UnexpectedOutput`] when the server does not come up, with its log.
    pub fn start() -> Result<Self, HarnessError> {
        Ok(Self {
            server: NodeServer::start("server.mjs", &[], "")?,
        })
    }

    /// The issuer identifier, `http://127.0.0.1:PORT` (no trailing slash), exactly as the
    /// server's discovery document and its `iss` authorization response parameter say it.
    #[must_use]
    pub fn issuer(&self) -> &str {
        self.server.url()
    }

    /// `issuer` + `path`, e.g. `url("/.well-known/openid-configuration")`.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer())
    }

    /// The file that receives the server's stderr.
    #[must_use]
    pub fn log_path(&self) -> &Path {
        self.server.log_path()
    }

    /// The server's log so far (empty if it cannot be read).
    #[must_use]
    pub fn log(&self) -> String {
        self.server.log()
    }
}
