//! Shared by the `pkce` binary's tests: a command whose config, store and browser come only
//! from the test, never from the machine's user.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A test's own directory, deleted when dropped.
pub(crate) struct TempHome(PathBuf);

impl std::ops::Deref for TempHome {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh directory under the system temp dir, mode 0700 (the session store refuses more).
pub(crate) fn temp_dir(what: &str) -> TempHome {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "pkce-cli-test-{what}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    TempHome(dir)
}

/// `pkce ARGS` with its config directory and session store in `home`, and none of the
/// user's `PKCE_*`, `BROWSER` or `KUBERNETES_EXEC_INFO` settings.
pub(crate) fn pkce_in(home: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pkce"));
    cmd.args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("PKCE_STORE_DIR", home.join("sessions"))
        .env_remove("PKCE_CONFIG")
        .env_remove("PKCE_PROFILE")
        .env_remove("BROWSER")
        .env_remove("KUBERNETES_EXEC_INFO")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Writes `home`'s config file.
pub(crate) fn write_config(home: &Path, text: &str) -> PathBuf {
    let dir = home.join("config").join("pkce");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A config with one profile `work` for the testkit's public client at `issuer`.
pub(crate) fn work_profile(issuer: &str, extra: &str) -> String {
    format!(
        "default_profile = \"work\"\n\n[profiles.work]\nissuer = \"{issuer}\"\n\
         client_id = \"{}\"\nscopes = [\"openid offline_access\"]\n\
         dangerous_allow_http_loopback = true\n{extra}",
        pkce_testkit::clients::PUBLIC_ID
    )
}

/// The stored session file of `profile`.
pub(crate) fn session_file(home: &Path, profile: &str) -> PathBuf {
    home.join("sessions").join(format!("{profile}.json"))
}

/// A shell script in `home` that plays a browser which approves at once: it fetches the
/// URL (the server auto-approves) and follows the redirect to the CLI's listener, and
/// appends a line to `opened.log` each time it runs.
#[cfg(unix)]
pub(crate) fn curl_browser(home: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = home.join("browser.sh");
    let log = home.join("opened.log");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\necho opened >> '{}'\nexec curl -s -o /dev/null -L --max-redirs 2 \"$1\"\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

/// How many times the scripted browser ran.
pub(crate) fn browsers_opened(home: &Path) -> usize {
    std::fs::read_to_string(home.join("opened.log"))
        .map(|s| s.lines().count())
        .unwrap_or(0)
}

/// `pkce login` for `home`'s default profile through the scripted browser (the server must
/// auto-approve); returns its stdout.
#[cfg(unix)]
pub(crate) fn log_in(home: &Path) -> String {
    let browser = curl_browser(home);
    succeed(pkce_in(
        home,
        &["login", "--browser-command", &browser, "--timeout", "20"],
    ))
}

/// Runs `cmd` to the end; it must succeed (else its stderr is the panic message). Its stdout.
pub(crate) fn succeed(mut cmd: Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// An auto-approving testkit server.
pub(crate) fn auto_approving_server() -> pkce_testkit::AuthServer {
    pkce_testkit::AuthServer::start_with(pkce_testkit::ServerConfig {
        auto_approve: true,
        ..pkce_testkit::ServerConfig::default()
    })
    .unwrap()
}

/// Runs to the end; (exit code, stdout, stderr).
pub(crate) fn run(mut cmd: Command, stdin: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `GET path` on the server with the header lines `headers`; the status.
pub(crate) fn get_with(server: &pkce_testkit::AuthServer, path: &str, headers: &str) -> u16 {
    let authority = server.issuer().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&authority).unwrap();
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\n{}\r\nConnection: close\r\n\r\n",
        headers.trim_end().replace('\n', "\r\n")
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// `pkce token --format dpop` for `GET url`; (exit code, stdout, stderr).
pub(crate) fn dpop_headers(home: &Path, url: &str) -> (i32, String, String) {
    run(
        pkce_in(
            home,
            &["token", "--format", "dpop", "--method", "GET", "--url", url],
        ),
        "",
    )
}
