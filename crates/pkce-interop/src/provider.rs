//! [`OidcProvider`]: panva's oidc-provider, run by `node interop/server.mjs` on 127.0.0.1.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use crate::error::HarnessError;

/// How long [`OidcProvider::start`] waits for the `listening on` line.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The oldest Node.js major version oidc-provider (the pinned 8.x) runs on.
const MIN_NODE_MAJOR: u32 = 18;

/// The line prefix `server.mjs` prints once it accepts connections.
const LISTENING_PREFIX: &str = "listening on ";

/// Serialises `npm ci` between the tests of one process, which start providers in parallel.
/// Two *processes* installing at once are not guarded against (`npm ci` first deletes
/// `node_modules`); run `npm ci` in `interop/` beforehand when test binaries run in parallel.
static NPM_LOCK: Mutex<()> = Mutex::new(());

/// Numbers the log files of one process.
static LOG_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The `interop/` folder of the workspace: `package.json`, `package-lock.json`, `server.mjs`.
#[must_use]
pub fn interop_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // crates/pkce-interop -> workspace root.
    manifest
        .parent()
        .and_then(Path::parent)
        .unwrap_or(manifest)
        .join("interop")
}

/// A running oidc-provider on `http://127.0.0.1:PORT`, stopped when dropped.
///
/// Each value is its own server with its own in-memory state, on an ephemeral port. The
/// server's stderr (oidc-provider's warnings and one line per request) goes to a log file
/// under the target directory, see [`OidcProvider::log_path`].
///
/// ```no_run
/// let op = pkce_interop::OidcProvider::start()?;
/// assert!(op.issuer().starts_with("http://127.0.0.1:"));
/// # Ok::<(), pkce_interop::HarnessError>(())
/// ```
#[derive(Debug)]
pub struct OidcProvider {
    child: Child,
    // Held open: the server exits when its stdin closes, so it also goes away if this
    // process dies without running `Drop`.
    stdin: Option<ChildStdin>,
    issuer: String,
    log_path: PathBuf,
}

impl OidcProvider {
    /// Installs oidc-provider if needed (`npm ci` in `interop/`), starts `node server.mjs
    /// --port 0` and waits (at most [`START_TIMEOUT`]) until it listens.
    ///
    /// # Errors
    /// [`HarnessError::NodeMissing`] / [`HarnessError::NpmMissing`] when `node` / `npm` is not
    /// on `PATH` (tests must fail on this, not skip), [`HarnessError::NpmInstall`] when
    /// `npm ci` fails, [`HarnessError::StartTimeout`] / [`HarnessError::ServerExited`] /
    /// [`HarnessError::UnexpectedOutput`] when the server does not come up, with its log.
    pub fn start() -> Result<Self, HarnessError> {
        let dir = interop_dir();
        if !dir.join("server.mjs").is_file() || !dir.join("package.json").is_file() {
            return Err(HarnessError::InteropDirMissing { path: dir });
        }
        check_node()?;
        ensure_installed(&dir)?;

        let log_path = new_log_path();
        let log = File::create(&log_path).map_err(|source| HarnessError::Io {
            context: format!("creating the server log {}", log_path.display()),
            source,
        })?;
        let mut child = Command::new("node")
            .arg("server.mjs")
            .args(["--port", "0"])
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .map_err(|e| spawn_error(e, HarnessError::NodeMissing, "starting node server.mjs"))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        // From here on, dropping `op` kills the child.
        let mut op = Self {
            child,
            stdin,
            issuer: String::new(),
            log_path,
        };
        let Some(stdout) = stdout else {
            return Err(op.exited());
        };

        let (tx, rx) = mpsc::channel::<Option<String>>();
        std::thread::Builder::new()
            .name("oidc-provider-stdout".into())
            .spawn(move || {
                let mut lines = BufReader::new(stdout).lines();
                let first = lines.next().and_then(Result::ok);
                let _ = tx.send(first);
                // Keep draining so the server never blocks on a full pipe.
                for _ in lines {}
            })
            .map_err(|source| HarnessError::Io {
                context: "spawning the stdout reader thread".into(),
                source,
            })?;

        match rx.recv_timeout(START_TIMEOUT) {
            Ok(Some(line)) => {
                let issuer = line
                    .trim_end()
                    .strip_prefix(LISTENING_PREFIX)
                    .filter(|i| is_loopback_issuer(i))
                    .ok_or_else(|| HarnessError::UnexpectedOutput { line: line.clone() })?;
                op.issuer = issuer.to_owned();
                Ok(op)
            }
            Ok(None) | Err(mpsc::RecvTimeoutError::Disconnected) => Err(op.exited()),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(HarnessError::StartTimeout {
                waited: START_TIMEOUT,
                log: op.log_tail(),
            }),
        }
    }

    /// The issuer identifier, `http://127.0.0.1:PORT` (no trailing slash), exactly as the
    /// server's discovery document and its `iss` authorization response parameter say it.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `issuer` + `path`, e.g. `url("/.well-known/openid-configuration")`.
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// The file that receives the server's stderr.
    #[must_use]
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The server's log so far (empty if it cannot be read).
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The last lines of the log, for error messages.
    fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        let start = lines.len().saturating_sub(40);
        lines[start..].join("\n")
    }

    /// The error for a server that stopped before it was listening.
    fn exited(&mut self) -> HarnessError {
        // Give it a moment to finish exiting and flushing its log.
        let mut status = None;
        for _ in 0..20 {
            if let Ok(Some(s)) = self.child.try_wait() {
                status = Some(s.to_string());
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        HarnessError::ServerExited {
            status,
            log: self.log_tail(),
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        drop(self.stdin.take());
        // Errors mean it has already exited; `wait` reaps it either way.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_loopback_issuer(issuer: &str) -> bool {
    issuer
        .strip_prefix("http://127.0.0.1:")
        .and_then(|port| port.parse::<u16>().ok())
        .is_some_and(|port| port != 0)
}

/// Maps a spawn error: "not found" is the tool missing, anything else is I/O.
fn spawn_error(e: std::io::Error, missing: HarnessError, context: &str) -> HarnessError {
    if e.kind() == std::io::ErrorKind::NotFound {
        missing
    } else {
        HarnessError::Io {
            context: context.to_owned(),
            source: e,
        }
    }
}

fn check_node() -> Result<(), HarnessError> {
    let out = Command::new("node")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error(e, HarnessError::NodeMissing, "running node --version"))?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let major = version
        .strip_prefix('v')
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(m) if out.status.success() && m >= MIN_NODE_MAJOR => Ok(()),
        _ => Err(HarnessError::NodeTooOld { version }),
    }
}

/// The `oidc-provider` version `package.json` pins.
fn pinned_version(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("dependencies")?
        .get("oidc-provider")?
        .as_str()
        .map(str::to_owned)
}

/// The `oidc-provider` version in `node_modules`, if installed.
fn installed_version(dir: &Path) -> Option<String> {
    let path = dir.join("node_modules/oidc-provider/package.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json.get("version")?.as_str().map(str::to_owned)
}

fn is_installed(dir: &Path) -> bool {
    match (installed_version(dir), pinned_version(dir)) {
        (Some(have), Some(want)) => have == want,
        _ => false,
    }
}

/// Runs `npm ci --no-audit --no-fund` in `dir` unless the pinned oidc-provider is there.
fn ensure_installed(dir: &Path) -> Result<(), HarnessError> {
    let _guard = NPM_LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if is_installed(dir) {
        return Ok(());
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error(e, HarnessError::NpmMissing, "running npm ci"))?;
    let mut output = String::from_utf8_lossy(&out.stdout).into_owned();
    output.push_str(&String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err(HarnessError::NpmInstall {
            status: out.status.to_string(),
            output: tail(&output, 40),
        });
    }
    if !is_installed(dir) {
        return Err(HarnessError::NpmInstall {
            status: "succeeded, but node_modules/oidc-provider is not the pinned version".into(),
            output: tail(&output, 40),
        });
    }
    Ok(())
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A fresh log file path under `<target>/pkce-interop/`, or the temp dir if that fails.
fn new_log_path() -> PathBuf {
    let target = option_env!("CARGO_TARGET_DIR")
        .map_or_else(|| interop_dir().with_file_name("target"), PathBuf::from);
    let mut dir = target.join("pkce-interop");
    if std::fs::create_dir_all(&dir).is_err() {
        dir = std::env::temp_dir();
    }
    let n = LOG_COUNTER.fetch_add(1, Ordering::Relaxed);
    if n == 0 {
        remove_old_logs(&dir);
    }
    dir.join(format!("oidc-provider-{}-{n}.log", std::process::id()))
}

/// Removes server logs older than an hour, so runs do not pile them up.
fn remove_old_logs(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_log = name
            .to_str()
            .is_some_and(|n| n.starts_with("oidc-provider-") && n.ends_with(".log"));
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if is_log && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
