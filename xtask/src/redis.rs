//! `redis-server` for the tests of the Redis session store (pkce-session, the axum login
//! app): installed from the Debian package when missing.

use crate::Result;

/// Installs the `redis-server` package unless it is already there.
pub(crate) fn ensure_server() -> Result {
    crate::apt::ensure("redis-server", "redis-server")
}
