//! Shared test support: a logged-in session against the testkit server, private temporary
//! directories, child processes of the test binary, and a real `redis-server`.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pkce_flow::{Client, ClientBuilder};
use pkce_session::{FileStore, SessionKey, SessionStore, Sessions, unix_now};
use pkce_testkit::{AuthServer, ServerConfig, UserAgent, clients};
use pkce_ureq::Transport;

pub(crate) const REDIRECT_URI: &str = "http://127.0.0.1:49152/callback";

/// A test server whose access tokens live `ttl` seconds, rotating refresh tokens strictly.
pub(crate) fn server(ttl: u64) -> AuthServer {
    AuthServer::start_with(ServerConfig {
        auto_approve: true,
        access_token_ttl: ttl,
        ..ServerConfig::default()
    })
    .expect("the test server starts")
}

/// The configuration of the test server's public client at `issuer`.
pub(crate) fn builder(issuer: &str) -> ClientBuilder {
    Client::builder(clients::PUBLIC_ID)
        .issuer(issuer)
        .authorization_endpoint(&format!("{issuer}/authorize"))
        .token_endpoint(&format!("{issuer}/token"))
        .redirect_uri(REDIRECT_URI)
        .scopes("openid offline_access")
        .dangerous_allow_insecure_loopback()
}

/// The public client of the test server at `issuer`.
pub(crate) fn client(issuer: &str) -> Client {
    builder(issuer).build().expect("valid client configuration")
}

/// The sessions of the test server's public client in `store`.
pub(crate) fn sessions<S: SessionStore>(issuer: &str, store: S) -> Sessions<S> {
    Sessions::new(store, client(issuer), &format!("{issuer}/token"))
}

pub(crate) fn key() -> SessionKey {
    SessionKey::new("shared").expect("a valid key")
}

/// Logs in through the scripted browser and stores the session under [`key`].
pub(crate) fn login<S: SessionStore>(server: &AuthServer, sessions: &Sessions<S>) {
    let client = client(server.issuer());
    let (url, pending) = client
        .authorize(&mut getrandom::SysRng)
        .expect("authorization URL");
    let callback = UserAgent::new()
        .approve(url.as_str())
        .expect("the user approves");
    let exchange = pending.callback_url(&callback).expect("valid callback");
    let tokens = Transport::new()
        .unwrap()
        .exchange(exchange)
        .expect("code exchange");
    sessions
        .save_login(&key(), &tokens, unix_now())
        .expect("the session is stored");
}

/// A private (0700) directory, removed on drop.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "pkce-session-{name}-{}-{nanos}",
            std::process::id()
        ));
        FileStore::open(&dir).expect("a private directory");
        Self(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process of this test binary running the (ignored) test `entry` with `env`;
/// killed on drop if still running.
pub(crate) struct ChildProcess(pub(crate) Child);

impl ChildProcess {
    pub(crate) fn spawn(entry: &str, env: &[(&str, String)]) -> Self {
        let exe = std::env::current_exe().expect("the test binary's path");
        let mut cmd = Command::new(exe);
        cmd.args([
            entry,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
        for (name, value) in env {
            cmd.env(name, value);
        }
        Self(cmd.spawn().expect("the child process starts"))
    }

    /// Waits for the child to exit, at most `limit`; panics on a hang.
    pub(crate) fn wait(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.0.try_wait().expect("the child's status") {
                return status;
            }
            assert!(Instant::now() < deadline, "a child process hangs");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `kill -9`.
    pub(crate) fn kill(&mut self) {
        self.0.kill().expect("SIGKILL");
        let _ = self.0.wait();
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits for `path` to exist (a child reached a pause point), at most 10 s.
pub(crate) fn wait_for_file(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A real `redis-server` on 127.0.0.1 and a free port, without persistence; killed on drop.
pub(crate) struct Redis {
    _server: pkce_testkit::RedisServer,
    pub(crate) addr: String,
}

impl Redis {
    pub(crate) fn start() -> Self {
        let server = pkce_testkit::RedisServer::start().expect("redis-server");
        let addr = server.addr().to_owned();
        Self {
            _server: server,
            addr,
        }
    }
}

/// A bare RESP connection for setting up hostile values.
pub(crate) struct RawRedis(std::io::BufReader<std::net::TcpStream>);

impl RawRedis {
    pub(crate) fn connect(addr: &str) -> Self {
        Self(std::io::BufReader::new(
            std::net::TcpStream::connect(addr).unwrap(),
        ))
    }

    /// Sends a command; returns the first line of the reply.
    pub(crate) fn call(&mut self, args: &[&str]) -> String {
        use std::io::{BufRead, Write};
        let mut cmd = format!("*{}\r\n", args.len());
        for a in args {
            cmd.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        self.0.get_mut().write_all(cmd.as_bytes()).unwrap();
        let mut line = String::new();
        self.0.read_line(&mut line).unwrap();
        line.trim_end().to_owned()
    }
}
