//! Debian's Chromium for the tests that drive a real browser (the CLI's and the axum login
//! app's): installed when missing. The tests run it headless; the flags it needs as root on a machine without
//! network are in `examples/axum-login/tests/chromium.rs`.

use crate::Result;

/// Installs the `chromium` package unless `chromium` already runs.
pub(crate) fn ensure_browser() -> Result {
    crate::apt::ensure("chromium", "chromium")
}
