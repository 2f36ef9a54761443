//! `cargo xtask`: the project's automation, in Rust, with no dependencies.
//!
//! Every command installs what it needs (a rustup target, cargo-fuzz, npm packages, the
//! `redis-server` and `chromium` Debian packages) so that a fresh machine, and CI, need nothing but a Rust
//! toolchain.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod apt;
mod bench;
mod chromium;
mod fuzz;
mod nostd;
mod redis;
mod size;
mod spa;
#[cfg(test)]
mod tidy;
mod wasm;
mod wasm_bindgen;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  bench    run every benchmark (ours, floor, oauth2-rs) and write benches/RESULTS.md
  ci       fmt check, clippy -D warnings, tests (installs redis-server and chromium when missing), docs -D warnings,
           nostd build, wasm build and browser tests (spa), benches compiled
  deps     install the programs the tests run when missing (Debian redis-server, chromium, chromium-driver)
  nostd    build pkce-core (and pkce-flow) for thumbv7em-none-eabihf without std
  fuzz     [TARGET] [--secs N] [--all] [--replay]: cargo-fuzz targets in fuzz/ (nightly);
           --replay runs the committed corpora once (CI), see fuzz/README.md
  size     link a pkce-core probe for thumbv7em-none-eabihf; report .text/.rodata, fail if .text >= 8 KiB
  wasm     build pkce-core, pkce-flow (os-rng: the browser's CSPRNG), pkce-fetch and the SPA for
           wasm32-unknown-unknown; clippy for that target
  spa      wasm, then the browser tests in headless Chromium (installs chromium-driver and the
           wasm-bindgen-cli that Cargo.lock pins): pkce-fetch against the testkit, the SPA login
";

/// An error that ends the command; its text is printed as the one-line reason.
pub(crate) type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bench") => bench::run(),
        Some("ci") => ci(),
        Some("deps") => test_programs(),
        Some("nostd") => nostd::run(),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("size") => size::run(),
        Some("wasm") => wasm::check(),
        Some("spa") => spa::run(),
        Some("help" | "-h" | "--help") | None => {
            eprint!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's folder).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// `cargo` as the caller invoked it (rustup's proxy honours toolchain overrides).
pub(crate) fn cargo() -> Command {
    let mut cmd = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// Runs a command, echoing it first; a non-zero exit is an error naming the command.
pub(crate) fn run(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}").replace('"', "");
    eprintln!("\n$ {shown}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed with {status}"))
    }
}

/// The programs the tests start: `redis-server` (the Redis session store), `chromium` (the
/// real-browser tests) and `chromedriver` (the browser tests `cargo xtask spa` runs).
fn test_programs() -> Result {
    redis::ensure_server()?;
    chromium::ensure_driver()
}

fn ci() -> Result {
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]))?;
    // The programs the tests run: redis-server (pkce-session's Redis store, the web app
    // fleet) and Debian's headless Chromium (the CLI's and the web app's browser tests).
    test_programs()?;
    run(cargo().args(["test", "--workspace", "--all-features"]))?;
    run(cargo()
        .args(["doc", "--workspace", "--no-deps", "--all-features"])
        .env("RUSTDOCFLAGS", "-D warnings"))?;
    nostd::run()?;
    // The browser: the wasm32 builds, then pkce-fetch and the SPA in headless Chromium.
    spa::run()?;
    // The committed fuzz corpora (seeds and every fixed finding) through the same oracles,
    // on stable, without libFuzzer.
    run(cargo().args(["test", "--manifest-path", "fuzz/Cargo.toml"]))?;
    run(cargo().args(["bench", "--workspace", "--no-run"]))?;
    eprintln!("\nxtask ci: all checks passed");
    Ok(())
}
