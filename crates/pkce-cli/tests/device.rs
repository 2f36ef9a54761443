//! `pkce login --flow device` (RFC 8628): the built binary against pkce-testkit, the user
//! code read from the process's stderr and answered by the test, as a person would; with
//! `--dpop` against a server that requires proofs and its nonce on every token request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use pkce_testkit::{AuthServer, Endpoint, ServerConfig, clients};

mod support;

fn server() -> AuthServer {
    AuthServer::start_with(ServerConfig {
        device_interval_secs: 1,
        ..ServerConfig::default()
    })
    .unwrap()
}

/// Starts the device login; returns the process, the stderr lines shown before waiting,
/// the user code, its stderr and the temporary home (config and store) it runs in,
/// and the user code from them.
fn start(
    server: &AuthServer,
) -> (
    Child,
    Vec<String>,
    String,
    BufReader<std::process::ChildStderr>,
    support::TempHome,
) {
    let home = support::temp_dir("device");
    let args = [
        "login",
        "--flow",
        "device",
        "--issuer",
        server.issuer(),
        "--client-id",
        clients::PUBLIC_ID,
        "--dangerous-allow-http-loopback",
        "--scope",
        "openid offline_access",
        "--output",
        "json",
    ];
    let (child, shown, code, stderr) = start_in(&home, &args);
    (child, shown, code, stderr, home)
}

/// Starts `pkce ARGS` (a device login) in `home` and reads what it shows until it waits:
/// the process, the stderr lines shown, the user code and the rest of its stderr.
fn start_in(
    home: &Path,
    args: &[&str],
) -> (
    Child,
    Vec<String>,
    String,
    BufReader<std::process::ChildStderr>,
) {
    let mut child = support::pkce_in(home, args)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut shown = Vec::new();
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "stderr ended: {shown:?}"
        );
        let waiting = line.starts_with("Waiting for approval");
        shown.push(line.trim_end().to_owned());
        if waiting {
            break;
        }
    }
    let code = shown[0]
        .rsplit(' ')
        .next()
        .expect("the user code ends the first line")
        .to_owned();
    (child, shown, code, stderr)
}

fn finish(
    mut child: Child,
    mut stderr: BufReader<std::process::ChildStderr>,
) -> (bool, String, String) {
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut err = String::new();
    stderr.read_to_string(&mut err).unwrap();
    let status = child.wait().unwrap();
    (status.success(), out, err)
}

#[test]
fn device_login_shows_the_code_and_prints_tokens_once_approved() {
    let server = server();
    let (child, shown, code, stderr, _home) = start(&server);
    let verification = server.url("/device");
    assert_eq!(
        shown[0],
        format!("To log in, open {verification} and enter the code {code}")
    );
    assert_eq!(shown[1], format!("or open {verification}?user_code={code}"));
    std::thread::sleep(Duration::from_millis(1200));
    assert!(server.approve_device(&code));
    let (ok, out, err) = finish(child, stderr);
    assert!(ok, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["token_type"], "Bearer");
    assert!(json["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(
        server.device_polls(&code).len() >= 2,
        "polled while pending"
    );
}

#[test]
fn device_login_denied_fails_with_one_line() {
    let server = server();
    let (child, _, code, stderr, _home) = start(&server);
    assert!(server.deny_device(&code));
    let (ok, out, err) = finish(child, stderr);
    assert!(!ok);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("access_denied"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn device_login_with_dpop_binds_the_session_and_format_dpop_is_accepted() {
    // `--dpop` with the profile's device flow, and the profile's `dpop = true` with
    // `--flow device`.
    device_login_with_dpop("flow = \"device\"\n", &["login", "--dpop"]);
    device_login_with_dpop("dpop = true\n", &["login", "--flow", "device"]);
}

/// A DPoP device login with the work profile plus `profile_extra`, run as `args`, against a
/// server requiring proofs and its nonce; then the session's `--format dpop` headers.
fn device_login_with_dpop(profile_extra: &str, args: &[&str]) {
    let server = AuthServer::start_with(ServerConfig {
        device_interval_secs: 1,
        dpop_required: true,
        dpop_nonce_required: true,
        ..ServerConfig::default()
    })
    .unwrap();
    let home = support::temp_dir("device-dpop");
    support::write_config(
        &home,
        &support::work_profile(server.issuer(), profile_extra),
    );
    let (child, _, code, stderr) = start_in(&home, args);
    std::thread::sleep(Duration::from_millis(1200));
    assert!(server.approve_device(&code));
    let (ok, out, err) = finish(child, stderr);
    assert!(ok, "{err}");
    assert!(out.starts_with("logged in: profile work"), "{out}");
    let polls = server.device_polls(&code).len();
    assert!(polls >= 2, "polled while pending");
    assert_eq!(
        server.hits(Endpoint::Token),
        polls + 1,
        "the first poll, without a nonce, went once more with it; no other was refused"
    );

    // The key is stored with the session, privately, as after a code-flow login.
    let file = support::session_file(&home, "work");
    let session: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(session["dpop_key"]["alg"], "ES256");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }

    // The headers `pkce token --format dpop` prints are accepted at once: the proof carries
    // the nonce the polling saw (stored with the key); the token alone as Bearer is not.
    let (status, headers, err) = support::dpop_headers(&home, &server.url("/userinfo"));
    assert_eq!(status, 0, "{err}");
    assert_eq!(support::get_with(&server, "/userinfo", &headers), 200);
    let token = session["access_token"].as_str().unwrap();
    let bearer = format!("Authorization: Bearer {token}");
    assert_eq!(support::get_with(&server, "/userinfo", &bearer), 401);
}
