//! `pkce login --flow device` (RFC 8628): the built binary against pkce-testkit, the user
//! code read from the process's stderr and answered by the test, as a person would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::time::Duration;

use pkce_testkit::{AuthServer, ServerConfig, clients};

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
    let mut child = support::pkce_in(
        &home,
        &[
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
        ],
    )
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
    (child, shown, code, stderr, home)
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
