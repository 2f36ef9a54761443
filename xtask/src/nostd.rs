//! `cargo xtask nostd`: prove the core builds where there is no `std`.

use std::process::Command;

use crate::{Result, cargo};

pub(crate) const TARGET: &str = "thumbv7em-none-eabihf";

/// Builds pkce-core for a bare-metal Cortex-M target without and with `alloc`, and pkce-flow
/// bare, with `seal`, with its DPoP ES256 key (`dpop-es256`) and with `tracing`. If the
/// target cannot be installed, falls back to proving from `cargo tree` that nothing in
/// pkce-core's dependency tree enables `std`, and says so loudly.
pub(crate) fn run() -> Result {
    if ensure_target().is_err() {
        eprintln!(
            "\n!!! xtask nostd: the {TARGET} target could not be installed.\n\
             !!! Falling back to checking that no dependency of pkce-core enables `std`.\n\
             !!! This is weaker than a real cross build."
        );
        return check_tree_has_no_std();
    }
    for features in ["", "alloc", "alloc,serde,zeroize"] {
        build_for(TARGET, "pkce-core", features, "--release")?;
    }
    if crate::root().join("crates/pkce-flow/Cargo.toml").exists() {
        // `seal` brings the AEAD, base64ct and zeroize, the DPoP ES256 key brings `p256`,
        // `tracing` the drivers' events: all must stay `no_std`.
        for features in ["", "seal", "dpop-es256", "tracing"] {
            build_for(TARGET, "pkce-flow", features, "--release")?;
        }
    }
    eprintln!("\nxtask nostd: pkce-core and pkce-flow build for {TARGET}");
    Ok(())
}

/// `cargo build -p PACKAGE --target TARGET --no-default-features`, plus `--features FEATURES`
/// unless `features` is empty, plus `profile_flag` (`--release`) unless it is empty (then the
/// dev profile). Shared with `wasm`.
pub(crate) fn build_for(target: &str, package: &str, features: &str, profile_flag: &str) -> Result {
    let mut cmd = cargo();
    cmd.args([
        "build",
        "-p",
        package,
        "--target",
        target,
        "--no-default-features",
    ]);
    if !profile_flag.is_empty() {
        cmd.arg(profile_flag);
    }
    if !features.is_empty() {
        cmd.args(["--features", features]);
    }
    crate::run(&mut cmd)
}

/// Installs the bare-metal target with rustup if it is missing (shared with `size`).
pub(crate) fn ensure_target() -> Result {
    ensure_rustup_target(TARGET)
}

/// Installs `target` with rustup if it is missing (the bare-metal one, wasm32).
pub(crate) fn ensure_rustup_target(target: &str) -> Result {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup not found: {e}"))?;
    if String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == target)
    {
        return Ok(());
    }
    crate::run(Command::new("rustup").args(["target", "add", target]))
}

fn check_tree_has_no_std() -> Result {
    let out = cargo()
        .args([
            "tree",
            "-p",
            "pkce-core",
            "--no-default-features",
            "-e",
            "features",
            "--prefix",
            "none",
        ])
        .output()
        .map_err(|e| format!("cargo tree: {e}"))?;
    if !out.status.success() {
        return Err("cargo tree failed".into());
    }
    let tree = String::from_utf8_lossy(&out.stdout);
    let offenders: Vec<&str> = tree
        .lines()
        .filter(|l| l.contains("feature \"std\""))
        .collect();
    if offenders.is_empty() {
        eprintln!("xtask nostd: no crate in pkce-core's tree enables `std` (fallback check only)");
        Ok(())
    } else {
        Err(format!(
            "`std` is enabled in pkce-core's tree:\n{}",
            offenders.join("\n")
        ))
    }
}
