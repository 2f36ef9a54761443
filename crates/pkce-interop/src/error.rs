//! [`HarnessError`]: everything that can go wrong while starting the provider or driving it.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// An error of the interop harness.
///
/// Messages are written for a person reading a failed test: each says what was missing or
/// what the server did, and errors from the server process carry the tail of its log.
#[derive(Debug)]
#[non_exhaustive]
pub enum HarnessError {
    /// `node` could not be run: it is not on `PATH`.
    NodeMissing,
    /// `npm` could not be run: it is not on `PATH`.
    NpmMissing,
    /// `node --version` reported a version older than oidc-provider supports.
    NodeTooOld {
        /// What `node --version` printed.
        version: String,
    },
    /// The `interop/` folder (with `server.mjs` and `package.json`) is not where it should be.
    InteropDirMissing {
        /// The path that was looked at.
        path: PathBuf,
    },
    /// `npm ci` ran and failed.
    NpmInstall {
        /// The exit status.
        status: String,
        /// The end of its output.
        output: String,
    },
    /// An I/O error while running a process or writing the log.
    Io {
        /// What the harness was doing.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The server did not print its `listening on` line in time.
    StartTimeout {
        /// How long the harness waited.
        waited: Duration,
        /// The end of the server's log.
        log: String,
    },
    /// The server exited, or closed its stdout, before printing its `listening on` line.
    ServerExited {
        /// The exit status, when known.
        status: Option<String>,
        /// The end of the server's log.
        log: String,
    },
    /// The server's first line on stdout was not `listening on http://127.0.0.1:PORT`.
    UnexpectedOutput {
        /// The line it printed.
        line: String,
    },
    /// An HTTP request failed below the HTTP level (connection, timeout, protocol).
    Http {
        /// The request URL without its query.
        url: String,
        /// The underlying error.
        source: ureq::Error,
    },
    /// A URL the harness was given or found could not be used.
    InvalidUrl {
        /// The URL (without its query).
        url: String,
        /// Why.
        reason: &'static str,
    },
    /// The user agent reached a page it has no script for (an error page, an unknown form,
    /// a status other than 200 or a redirect).
    UnexpectedPage {
        /// The page URL without its query.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The visible text of the page, shortened.
        summary: String,
    },
    /// [`crate::Browser::deny`] was redirected back to the client before any page with a
    /// cancel link was shown (the provider had nothing to ask).
    NothingToDeny,
    /// The user agent went through too many requests without reaching the redirect URI.
    TooManySteps {
        /// The last URL requested, without its query.
        last_url: String,
    },
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NodeMissing => f.write_str(
                "node is missing: `node` was not found on PATH; the oidc-provider interop \
                 harness needs Node.js 18 or later (20 LTS recommended) and npm",
            ),
            Self::NpmMissing => f.write_str(
                "npm is missing: `npm` was not found on PATH; the oidc-provider interop \
                 harness runs `npm ci` in interop/ to install oidc-provider",
            ),
            Self::NodeTooOld { version } => write!(
                f,
                "node is too old: `node --version` printed {version:?}; oidc-provider needs \
                 Node.js 18 or later"
            ),
            Self::InteropDirMissing { path } => write!(
                f,
                "the interop directory is missing or incomplete: {} (expected server.mjs and \
                 package.json there)",
                path.display()
            ),
            Self::NpmInstall { status, output } => {
                write!(f, "`npm ci` in interop/ failed ({status}):\n{output}")
            }
            Self::Io { context, source } => write!(f, "{context}: {source}"),
            Self::StartTimeout { waited, log } => write!(
                f,
                "the interop server did not print `listening on ...` within {} s; server log:\n{log}",
                waited.as_secs()
            ),
            Self::ServerExited { status, log } => write!(
                f,
                "the interop server exited before it was listening (status: {}); server log:\n{log}",
                status.as_deref().unwrap_or("unknown")
            ),
            Self::UnexpectedOutput { line } => write!(
                f,
                "the interop server printed {line:?} where `listening on http://127.0.0.1:PORT…` \
                 was expected"
            ),
            Self::Http { url, source } => write!(f, "HTTP request to {url} failed: {source}"),
            Self::InvalidUrl { url, reason } => write!(f, "unusable URL {url}: {reason}"),
            Self::UnexpectedPage {
                url,
                status,
                summary,
            } => write!(
                f,
                "the user agent has no script for the page at {url} (status {status}): {summary}"
            ),
            Self::NothingToDeny => f.write_str(
                "deny: the provider redirected back to the client without showing a page \
                 that could be cancelled",
            ),
            Self::TooManySteps { last_url } => write!(
                f,
                "the user agent did not reach the redirect URI; the last URL was {last_url}"
            ),
        }
    }
}

impl std::error::Error for HarnessError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Http { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The URL without query and fragment, for messages (queries carry codes and states).
pub(crate) fn without_query(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    url[..end].to_owned()
}
