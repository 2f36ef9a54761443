//! `cargo xtask wasm`: prove the flow and the browser crates build for
//! `wasm32-unknown-unknown` (the browser), beside `nostd`'s bare-metal build.

use crate::{Result, cargo};

pub(crate) const TARGET: &str = "wasm32-unknown-unknown";

/// Builds pkce-core and pkce-flow for the browser (bare, and with `os-rng`, whose getrandom
/// reads `crypto.getRandomValues` there, plus `seal`, `dpop-es256` and `tracing`), and runs
/// clippy for that target on the wasm crates (pkce-fetch and the SPA example), whose
/// browser-only tests are compiled there only.
pub(crate) fn check() -> Result {
    crate::nostd::ensure_rustup_target(TARGET)?;
    crate::nostd::build_for(TARGET, "pkce-core", "alloc,serde,zeroize", "")?;
    for features in ["", "os-rng,seal,dpop-es256,tracing,serde"] {
        crate::nostd::build_for(TARGET, "pkce-flow", features, "")?;
    }
    crate::run(cargo().args([
        "clippy",
        "-p",
        "pkce-fetch",
        "-p",
        "pkce-spa",
        "--all-targets",
        "--target",
        TARGET,
        "--",
        "-D",
        "warnings",
    ]))?;
    eprintln!("\nxtask wasm: pkce-core, pkce-flow, pkce-fetch and the SPA build for {TARGET}");
    Ok(())
}
