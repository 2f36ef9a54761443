//! Debian's Chromium for the tests that drive a real browser (the CLI's, the axum login
//! app's and the single-page app's), and its WebDriver (`chromedriver`, which
//! `wasm-bindgen-test-runner` and the SPA's tests speak to): installed when missing. The
//! tests run it headless; the flags it needs as root on a machine without network are in
//! `examples/axum-login/tests/chromium.rs` and `examples/spa/tests/support/webdriver.rs`.

use crate::Result;

/// Installs the `chromium` package unless `chromium` already runs.
pub(crate) fn ensure_browser() -> Result {
    crate::apt::ensure("chromium", "chromium")
}

/// Installs the `chromium-driver` package (the `chromedriver` matching Debian's Chromium)
/// unless `chromedriver` already runs.
pub(crate) fn ensure_driver() -> Result {
    ensure_browser()?;
    crate::apt::ensure("chromedriver", "chromium-driver")
}
