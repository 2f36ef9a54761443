//! The Node.js servers of `interop/`: the dependencies installed with `npm ci` when
//! `node_modules` does not hold every pinned version, one server script started on an
//! ephemeral loopback port, its ready line awaited, its stderr kept in a log file, and the
//! process stopped when dropped.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use crate::error::HarnessError;

/// How long a server's start waits for its `listening on` line.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The oldest Node.js major version the pinned packages run on.
const MIN_NODE_MAJOR: u32 = 18;

/// The line prefix each server script prints once it accepts connections.
const LISTENING_PREFIX: &str = "listening on ";

/// Serialises `npm ci` between the tests of one process, which start servers in parallel.
/// Two *processes* installing at once are not guarded against (`npm ci` first deletes
/// `node_modules`); run `npm ci` in `interop/` beforehand when test binaries run in parallel.
static NPM_LOCK: Mutex<()> = Mutex::new(());

/// Numbers the log files of one process.
static LOG_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The `interop/` folder of the workspace: `package.json`, `package-lock.json`, the server
/// scripts.
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

/// A running server script; killed (and reaped) when dropped.
#[derive(Debug)]
pub(crate) struct NodeServer {
    child: Child,
    // Held open: the server exits when its stdin closes, so it also goes away if this
    // process dies without running `Drop`.
    stdin: Option<ChildStdin>,
    /// What followed `listening on ` in the ready line.
    url: String,
    log_path: PathBuf,
}

impl NodeServer {
    /// Installs the pinned packages if needed, starts `node SCRIPT --port 0 ARGS…` in
    /// `interop/` and waits (at most [`START_TIMEOUT`]) for its ready line, whose URL must
    /// be `http://127.0.0.1:PORT` followed by exactly `path`.
    pub(crate) fn start(script: &str, args: &[&str], path: &str) -> Result<Self, HarnessError> {
        let dir = interop_dir();
        if !dir.join(script).is_file() || !dir.join("package.json").is_file() {
            return Err(HarnessError::InteropDirMissing { path: dir });
        }
        check_node()?;
        ensure_installed(&dir)?;

        let stem = script.trim_end_matches(".mjs");
        let log_path = new_log_path(stem);
        let log = File::create(&log_path).map_err(|source| HarnessError::Io {
            context: format!("creating the server log {}", log_path.display()),
            source,
        })?;
        let mut child = Command::new("node")
            .arg(script)
            .args(["--port", "0"])
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .map_err(|e| spawn_error(e, HarnessError::NodeMissing, "starting node"))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        // From here on, dropping `server` kills the child.
        let mut server = Self {
            child,
            stdin,
            url: String::new(),
            log_path,
        };
        let Some(stdout) = stdout else {
            return Err(server.exited());
        };

        let (tx, rx) = mpsc::channel::<Option<String>>();
        std::thread::Builder::new()
            .name(format!("{stem}-stdout"))
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
                let url = line
                    .trim_end()
                    .strip_prefix(LISTENING_PREFIX)
                    .filter(|u| is_loopback_url(u, path))
                    .ok_or_else(|| HarnessError::UnexpectedOutput { line: line.clone() })?;
                server.url = url.to_owned();
                Ok(server)
            }
            Ok(None) | Err(mpsc::RecvTimeoutError::Disconnected) => Err(server.exited()),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(HarnessError::StartTimeout {
                waited: START_TIMEOUT,
                log: server.log_tail(),
            }),
        }
    }

    /// The URL of the ready line.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The file that receives the server's stderr.
    pub(crate) fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The server's log so far (empty if it cannot be read).
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The last lines of the log, for error messages.
    fn log_tail(&self) -> String {
        tail(&self.log(), 40)
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

impl Drop for NodeServer {
    fn drop(&mut self) {
        drop(self.stdin.take());
        // Errors mean it has already exited; `wait` reaps it either way.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `http://127.0.0.1:PORT` followed by exactly `path`; the port not 0.
fn is_loopback_url(url: &str, path: &str) -> bool {
    url.strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix(path))
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

fn read_json(path: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Every dependency `package.json` pins, with its version (exact pins only).
fn pinned_versions(dir: &Path) -> Option<Vec<(String, String)>> {
    let json = read_json(&dir.join("package.json"))?;
    let deps = json.get("dependencies")?.as_object()?;
    deps.iter()
        .map(|(name, v)| Some((name.clone(), v.as_str()?.to_owned())))
        .collect()
}

/// The version of package `name` in `node_modules`, if installed.
fn installed_version(dir: &Path, name: &str) -> Option<String> {
    let json = read_json(&dir.join("node_modules").join(name).join("package.json"))?;
    json.get("version")?.as_str().map(str::to_owned)
}

/// Whether `node_modules` holds every pinned dependency at its pinned version, so a
/// dependency added to `package.json` triggers `npm ci` as a changed version does.
fn is_installed(dir: &Path) -> bool {
    pinned_versions(dir).is_some_and(|pins| {
        !pins.is_empty()
            && pins
                .iter()
                .all(|(name, want)| installed_version(dir, name).as_deref() == Some(want))
    })
}

/// Runs `npm ci --no-audit --no-fund` in `dir` unless every pinned package is there.
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
            status: "succeeded, but node_modules does not hold every pinned version".into(),
            output: tail(&output, 40),
        });
    }
    Ok(())
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A fresh log file path `STEM-PID-N.log` under `<target>/pkce-interop/`, or the temp dir if
/// that fails.
fn new_log_path(stem: &str) -> PathBuf {
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
    dir.join(format!("{stem}-{}-{n}.log", std::process::id()))
}

/// Removes server logs older than an hour, so runs do not pile them up.
fn remove_old_logs(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_log = name.to_str().is_some_and(|n| n.ends_with(".log"));
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
