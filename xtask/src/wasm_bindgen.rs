//! `wasm-bindgen-cli` (the `wasm-bindgen` post-processor and `wasm-bindgen-test-runner`): its
//! version must be the `wasm-bindgen` crate's that Cargo.lock pins, so it is installed with
//! `cargo install` at that version, and skipped when that version is already installed.

use std::process::Command;

use crate::{Result, cargo, root};

/// The `wasm-bindgen` version Cargo.lock pins.
pub(crate) fn locked_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
        {
            return Ok(version.to_owned());
        }
    }
    Err("Cargo.lock pins no wasm-bindgen".into())
}

/// The installed `wasm-bindgen`'s version, if any.
fn installed_version() -> Option<String> {
    let out = Command::new("wasm-bindgen")
        .arg("--version")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace().nth(1).map(str::to_owned)
}

/// Installs `wasm-bindgen-cli` at the locked version unless it is already there.
pub(crate) fn ensure_cli() -> Result {
    let version = locked_version()?;
    if installed_version().as_deref() == Some(version.as_str()) {
        return Ok(());
    }
    let locked = crate::run(cargo().args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &version,
        "--locked",
    ]));
    if locked.is_ok() {
        return Ok(());
    }
    // `--locked` uses the lock file published with wasm-bindgen-cli; a registry mirror that
    // lacks one of its exact versions refuses it. The CLI's own version stays pinned; only its
    // dependencies are resolved afresh then.
    eprintln!("xtask: `cargo install --locked` failed; retrying without `--locked`");
    crate::run(cargo().args(["install", "wasm-bindgen-cli", "--version", &version]))
}
