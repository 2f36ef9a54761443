//! `cargo xtask spa`: the browser tests. pkce-fetch's `wasm-bindgen-test`s run in headless
//! Chromium against the testkit, and the example SPA's whole login runs in Chromium driven
//! through WebDriver.
//!
//! How the wasm tests find the testkit without xtask depending on it: xtask picks a free
//! loopback port for `wasm-bindgen-test-runner`'s page (`WASM_BINDGEN_TEST_ADDRESS`, so its
//! origin is known before the run), starts `pkce-testkit-serve --cors-origin <that origin>`,
//! reads the `NAME=URL` lines it prints and passes them to the wasm build as environment
//! variables, which the tests read with `env!` at compile time.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use crate::wasm::TARGET;
use crate::{Result, cargo, root};

/// The example's crate.
const EXAMPLE: &str = "pkce-spa";
/// The stem of the files cargo and wasm-bindgen write for it.
const EXAMPLE_FILES: &str = "pkce_spa";
/// The cargo profile of the browser's wasm (smallest code; see the workspace's Cargo.toml).
const PROFILE: &str = "wasm-release";

pub(crate) fn run() -> Result {
    crate::wasm::check()?;
    let started = Instant::now();
    crate::chromium::ensure_driver()?;
    crate::wasm_bindgen::ensure_cli()?;
    eprintln!("xtask spa: tools ready in {:.1?}", started.elapsed());
    let started = Instant::now();
    fetch_tests()?;
    eprintln!(
        "xtask spa: pkce-fetch browser tests took {:.1?}",
        started.elapsed()
    );
    let started = Instant::now();
    let dist = build_example()?;
    run_example_tests(&dist)?;
    eprintln!(
        "xtask spa: SPA build and browser tests took {:.1?}",
        started.elapsed()
    );
    Ok(())
}

/// A free port on 127.0.0.1 (bound, read and released).
fn free_port() -> Result<u16> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

/// `chromedriver`'s path, for the runner.
fn chromedriver() -> Result<PathBuf> {
    let out = Command::new("sh")
        .args(["-c", "command -v chromedriver"])
        .output()
        .map_err(|e| format!("sh: {e}"))?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if path.is_empty() {
        return Err("chromedriver is not on PATH".into());
    }
    Ok(PathBuf::from(path))
}

/// The running `pkce-testkit-serve`; killed when dropped.
struct Servers {
    child: Child,
    urls: Vec<(String, String)>,
}

impl Drop for Servers {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_servers(origin: &str) -> Result<Servers> {
    crate::run(cargo().args(["build", "-p", "pkce-testkit", "--bin", "pkce-testkit-serve"]))?;
    let binary = root().join("target/debug/pkce-testkit-serve");
    let mut child = Command::new(&binary)
        .args(["--cors-origin", origin])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or("no stdout from pkce-testkit-serve")?;
    let mut servers = Servers {
        child,
        urls: Vec::new(),
    };
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("pkce-testkit-serve: {e}"))?;
        if line.is_empty() {
            return Ok(servers);
        }
        let (name, url) = line
            .split_once('=')
            .ok_or_else(|| format!("pkce-testkit-serve printed `{line}`"))?;
        servers.urls.push((name.to_owned(), url.to_owned()));
    }
    Err("pkce-testkit-serve ended before printing its URLs".into())
}

fn fetch_tests() -> Result {
    let address = format!("127.0.0.1:{}", free_port()?);
    let servers = start_servers(&format!("http://{address}"))?;
    let mut cmd = cargo();
    cmd.args(["test", "-p", "pkce-fetch", "--target", TARGET])
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("WASM_BINDGEN_TEST_ADDRESS", &address)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .env("CHROMEDRIVER", chromedriver()?);
    for (name, url) in &servers.urls {
        cmd.env(name, url);
    }
    crate::run(&mut cmd)
}

/// Builds the example for the browser (profile `wasm-release`) and lays out its static files
/// in `target/spa-dist`: `index.html`, `pkce_spa.js`, `pkce_spa_bg.wasm`. Reports its size
/// beside the size of pkce-flow alone (the `flow_size_probe` example: no transport, no
/// JavaScript glue).
fn build_example() -> Result<PathBuf> {
    crate::run(cargo().args([
        "build",
        "-p",
        EXAMPLE,
        "--profile",
        PROFILE,
        "--target",
        TARGET,
        "--lib",
        "--example",
        "flow_size_probe",
    ]))?;
    let out = root().join(format!("target/{TARGET}/{PROFILE}"));
    let dist = root().join("target/spa-dist");
    wasm_bindgen(&out.join(format!("{EXAMPLE_FILES}.wasm")), &dist)?;
    std::fs::copy(
        root().join("examples/spa/index.html"),
        dist.join("index.html"),
    )
    .map_err(|e| format!("index.html: {e}"))?;
    // The probe goes through the same post-processing, so both are measured alike.
    let probe = root().join("target/spa-flow-probe");
    wasm_bindgen(&out.join("examples/flow_size_probe.wasm"), &probe)?;
    report_size("the SPA", &dist.join(format!("{EXAMPLE_FILES}_bg.wasm")));
    report_size("pkce-flow alone", &probe.join("flow_size_probe_bg.wasm"));
    Ok(dist)
}

/// `wasm-bindgen --target web` into `out_dir`, without the name and producers sections
/// (function names for debugging a browser's stack traces; not needed to run).
fn wasm_bindgen(wasm: &Path, out_dir: &Path) -> Result {
    crate::run(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript"])
            .args([
                "--remove-name-section",
                "--remove-producers-section",
                "--out-dir",
            ])
            .arg(out_dir)
            .arg(wasm),
    )
}

/// Prints a module's size, and gzipped (`gzip -9`) when gzip is there: what a browser
/// downloads from a server that compresses.
fn report_size(what: &str, path: &Path) {
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => {
            eprintln!("xtask spa: {}: {e}", path.display());
            return;
        }
    };
    let gzipped = Command::new("sh")
        .arg("-c")
        .arg("gzip -9 -c \"$0\" | wc -c")
        .arg(path)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<u64>()
                .ok()
        });
    match gzipped {
        Some(gz) => eprintln!(
            "xtask spa: {what}: {size} bytes ({gz} gzipped), {}",
            path.display()
        ),
        None => eprintln!("xtask spa: {what}: {size} bytes, {}", path.display()),
    }
}

fn run_example_tests(dist: &Path) -> Result {
    crate::run(
        cargo()
            .args([
                "test",
                "-p",
                EXAMPLE,
                "--test",
                "browser",
                "--",
                "--ignored",
            ])
            .env("PKCE_SPA_DIST", dist)
            .env("CHROMEDRIVER", chromedriver()?),
    )
}
