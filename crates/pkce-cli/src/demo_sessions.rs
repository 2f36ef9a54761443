//! The demo's session step: several `pkce` processes share one stored session (pkce-session,
//! file store) and ask for a token at the same expiry; the server sees one refresh.
//!
//! The workers are this binary re-executed with the hidden `demo-session-worker` subcommand.

use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pkce_flow::Client;
use pkce_session::{FileStore, SessionKey, Sessions, unix_now};
use pkce_testkit::{AuthServer, ServerConfig, UserAgent, clients};
use pkce_ureq::Transport;

use crate::cli::SessionWorkerArgs;
use crate::failure::Failure;

/// How many worker processes ask at once.
pub(crate) const WORKERS: usize = 4;

const REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// What the step found.
pub(crate) struct Outcome {
    /// Workers whose token the server's userinfo accepted.
    pub(crate) accepted: usize,
    /// Refreshes the server served.
    pub(crate) refreshes: usize,
    /// Refresh tokens presented twice.
    pub(crate) reuses: usize,
}

fn client(issuer: &str) -> Result<Client, Failure> {
    Ok(Client::builder(clients::PUBLIC_ID)
        .issuer(issuer)
        .authorization_endpoint(&format!("{issuer}/authorize"))
        .token_endpoint(&format!("{issuer}/token"))
        .redirect_uri(REDIRECT_URI)
        .scopes("openid offline_access")
        .dangerous_allow_insecure_loopback()
        .build()?)
}

fn sessions(issuer: &str, dir: &str) -> Result<Sessions<FileStore>, Failure> {
    let store = FileStore::open(dir).map_err(session_failure)?;
    // Access tokens live 1 s and expiries are whole seconds: a token is fresh only within
    // the second it was issued in, so every worker finds it due at the next second.
    Ok(Sessions::new(store, client(issuer)?, &format!("{issuer}/token")).min_remaining(1))
}

fn session_failure(e: pkce_session::SessionError) -> Failure {
    Failure::new(format!("session: {e}"))
}

fn key() -> Result<SessionKey, Failure> {
    SessionKey::new("demo").map_err(session_failure)
}

/// Logs in once, stores the session, and runs the workers at the next second.
pub(crate) fn run() -> Result<Outcome, Failure> {
    let server = AuthServer::start_with(ServerConfig {
        auto_approve: true,
        access_token_ttl: 1,
        ..ServerConfig::default()
    })
    .map_err(|e| Failure::new(format!("could not start the server: {e}")))?;
    let dir = std::env::temp_dir().join(format!("pkce-demo-sessions-{}", std::process::id()));
    let dir_text = dir.display().to_string();
    let result = login_and_race(&server, &dir_text);
    // Best effort: the directory is ours and only holds the demo's session.
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn login_and_race(server: &AuthServer, dir: &str) -> Result<Outcome, Failure> {
    let sessions = sessions(server.issuer(), dir)?;
    let (url, pending) = client(server.issuer())?.authorize_with_os_rng()?;
    let callback = UserAgent::new()
        .approve(url.as_str())
        .map_err(|e| Failure::new(format!("browser: {e}")))?;
    let tokens = Transport::new()?.exchange(pending.callback_url(&callback)?)?;
    sessions
        .save_login(&key()?, &tokens, unix_now())
        .map_err(session_failure)?;
    let start_ms = (unix_now() + 1) * 1000 + 100;
    let exe = std::env::current_exe().map_err(|e| Failure::new(format!("own path: {e}")))?;
    let children = (0..WORKERS)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "demo-session-worker",
                    "--issuer",
                    server.issuer(),
                    "--store-dir",
                    dir,
                ])
                .args(["--start-at-ms", &start_ms.to_string()])
                .stdout(Stdio::null())
                .spawn()
                .map_err(|e| Failure::new(format!("could not start a worker: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut accepted = 0;
    for mut child in children {
        let status = child
            .wait()
            .map_err(|e| Failure::new(format!("worker: {e}")))?;
        accepted += usize::from(status.success());
    }
    let counters = server.rotation_counters();
    Ok(Outcome {
        accepted,
        refreshes: counters.refreshes_served,
        reuses: counters.reuse_detections,
    })
}

/// The hidden worker: waits for the agreed instant, asks for a fresh token once, and exits 0
/// when the server's userinfo accepts it.
pub(crate) fn worker(args: &SessionWorkerArgs) -> Result<(), Failure> {
    let sessions = sessions(&args.issuer, &args.store_dir)?;
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let wait = u64::try_from(u128::from(args.start_at_ms).saturating_sub(now_ms)).unwrap_or(0);
    std::thread::sleep(Duration::from_millis(wait.min(5_000)));
    let transport = Transport::new()?;
    let token = transport
        .fresh_access_token(&sessions, &key()?, unix_now())
        .map_err(session_failure)?;
    let answer = transport.bearer_get(&format!("{}/userinfo", args.issuer), &token)?;
    if answer.status == 200 {
        Ok(())
    } else {
        Err(Failure::new(format!("userinfo answered {}", answer.status)))
    }
}
