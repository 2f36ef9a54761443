//! `redis-server` for the tests of pkce-session's Redis store: installed from the Debian
//! package when missing.

use crate::Result;

/// Installs the `redis-server` package unless it is already there.
pub(crate) fn ensure_server() -> Result {
    crate::packages::ensure("redis-server", "redis-server")
}
