//! End-to-end: the built `pkce` binary against the pkce-testkit server, with a scripted
//! browser playing the user. Real processes, real HTTP on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use pkce_testkit::{AuthServer, UserAgent, clients};

mod support;

struct Run {
    child: Child,
    lines: Receiver<String>,
    reader: std::thread::JoinHandle<()>,
    url: String,
}

fn pkce(args: &[&str]) -> Command {
    static HOME: std::sync::OnceLock<support::TempHome> = std::sync::OnceLock::new();
    support::pkce_in(HOME.get_or_init(|| support::temp_dir("e2e")), args)
}

/// Starts `pkce login` and waits for the authorization URL on its own stderr line.
fn login(server: &AuthServer, client_id: &str, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = pkce(&[
        "login",
        "--issuer",
        server.issuer(),
        "--client-id",
        client_id,
        "--no-browser",
        "--dangerous-allow-http-loopback",
    ]);
    if !extra.contains(&"--timeout") {
        cmd.args(["--timeout", "20"]);
    }
    if !extra.contains(&"--output") {
        cmd.args(["--output", "json"]);
    }
    cmd.args(extra).envs(env.iter().copied());
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, lines) = channel();
    let reader = std::thread::spawn(move || {
        let mut reader = BufReader::new(stderr);
        let mut buf = Vec::new();
        loop {
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => {
                    let _ = tx.send(String::from_utf8_lossy(&buf).trim_end().to_owned());
                    buf.clear();
                }
                Err(e) => {
                    let _ = tx.send(format!("[stderr read failed: {e}]"));
                    break;
                }
            }
        }
    });
    let url = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(20))
            .expect("the URL line");
        if line.starts_with("http") {
            break line;
        }
    };
    Run {
        child,
        lines,
        reader,
        url,
    }
}

/// Waits for exit; returns success, stdout, and the rest of stderr.
fn finish(mut run: Run) -> (bool, String, String) {
    let status = run.child.wait().unwrap();
    let mut out = String::new();
    run.child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    // The reader ends at EOF; joining it first means every stderr line is in the channel.
    run.reader.join().unwrap();
    let err: Vec<String> = run.lines.try_iter().collect();
    (status.success(), out, err.join("\n"))
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

fn redirect_base(url: &str) -> String {
    let q = url.split_once('?').unwrap().1;
    let redirect = form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned());
    redirect.unwrap_or_default()
}

#[test]
fn public_client_logs_in_and_prints_one_json_object() {
    let server = AuthServer::start().unwrap();
    let run = login(
        &server,
        clients::PUBLIC_ID,
        &["--scope", "openid profile"],
        &[],
    );
    let ua = UserAgent::new();
    let callback = ua.approve(&run.url).unwrap();
    let (status, body) = ua.deliver(&callback).unwrap();
    assert_eq!(status, 200);
    assert!(
        body.contains("Login succeeded") && !body.contains("code="),
        "static page, no echo"
    );
    let (ok, out, err) = finish(run);
    assert!(ok, "{err}");
    let v = json(&out);
    assert_eq!(v["token_type"], "Bearer");
    assert!(v["access_token"].as_str().unwrap().len() > 10);
    assert!(v["refresh_token"].is_string() && v["expires_in"].is_u64());
    assert_eq!(v["scope"], "openid profile");
    assert_eq!(out.trim().lines().count(), 1);
}

#[test]
fn stray_requests_are_answered_and_the_login_continues() {
    let server = AuthServer::start().unwrap();
    let run = login(&server, clients::PUBLIC_ID, &[], &[]);
    let redirect = redirect_base(&run.url);
    let origin = redirect.trim_end_matches("/callback").to_owned();
    let ua = UserAgent::new();
    assert_eq!(ua.deliver(&format!("{origin}/favicon.ico")).unwrap().0, 404);
    assert_eq!(
        ua.deliver(&format!("{origin}/other?code=x&state=y"))
            .unwrap()
            .0,
        404
    );
    assert_eq!(
        ua.deliver(&format!("{redirect}?code=x")).unwrap().0,
        400,
        "no state"
    );
    // A wrong Host (DNS rebinding) and a POST are refused without reading a body.
    let port = origin.rsplit(':').next().unwrap();
    assert_eq!(
        raw(
            port,
            &format!("GET /callback?code=x HTTP/1.1\r\nHost: evil.example:{port}\r\n\r\n")
        ),
        400
    );
    assert_eq!(
        raw(
            port,
            &format!(
                "POST /callback HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 5\r\n\r\nhello"
            )
        ),
        405
    );
    assert_eq!(raw(port, "garbage\r\n\r\n"), 400);
    let callback = ua.approve(&run.url).unwrap();
    assert_eq!(ua.deliver(&callback).unwrap().0, 200);
    let (ok, out, err) = finish(run);
    assert!(ok, "{err}");
    assert!(json(&out)["access_token"].is_string());
}

fn raw(port: &str, request: &str) -> u16 {
    let mut s = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    let _ = s.read_to_string(&mut response);
    response
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_forged_callback_with_a_wrong_state_does_not_cancel_the_real_login() {
    let server = AuthServer::start().unwrap();
    let run = login(&server, clients::PUBLIC_ID, &[], &[]);
    let ua = UserAgent::new();
    let callback = ua.approve(&run.url).unwrap();
    let state = form_urlencoded::parse(callback.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let forged = callback.replace(&state, "ATTACKER");
    let (status, page) = ua.deliver(&forged).unwrap();
    assert_eq!(status, 400);
    assert!(!page.contains("ATTACKER"), "nothing echoed");
    assert_eq!(ua.deliver(&callback).unwrap().0, 200);
    let (ok, _, err) = finish(run);
    assert!(ok, "{err}");
}

#[test]
fn access_denied_is_a_one_line_failure() {
    let server = AuthServer::start().unwrap();
    let run = login(&server, clients::PUBLIC_ID, &[], &[]);
    let ua = UserAgent::new();
    let callback = ua.deny(&run.url).unwrap();
    assert_eq!(ua.deliver(&callback).unwrap().0, 200);
    let (ok, out, err) = finish(run);
    assert!(!ok);
    assert!(out.is_empty());
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("pkce: error: ") && last.contains("access_denied"),
        "{err}"
    );
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"));
}

#[test]
fn a_mix_up_fails_and_shows_the_claimed_error_marked_unverified() {
    let server = AuthServer::start().unwrap();
    let run = login(&server, clients::PUBLIC_ID, &[], &[]);
    let ua = UserAgent::new();
    let denied = ua.deny(&run.url).unwrap();
    // The same denial, as if another issuer had sent it.
    let (before, after) = denied.split_once("iss=").unwrap();
    let rest = after
        .split_once('&')
        .map_or(String::new(), |(_, r)| format!("&{r}"));
    let forged = format!("{before}iss=https%3A%2F%2Fevil.example{rest}");
    assert_eq!(ua.deliver(&forged).unwrap().0, 200);
    let (ok, _, err) = finish(run);
    assert!(!ok);
    let last = err.lines().last().unwrap_or_default();
    assert!(last.contains("mix-up"), "{err}");
    assert!(last.contains("unverified: access_denied"), "{err}");
}

#[test]
fn no_callback_times_out() {
    let server = AuthServer::start().unwrap();
    let run = login(&server, clients::PUBLIC_ID, &["--timeout", "1"], &[]);
    let (ok, _, err) = finish(run);
    assert!(!ok);
    assert!(err.contains("no valid callback within 1 s"), "{err}");
}

#[test]
fn ipv6_loopback_redirect() {
    let server = AuthServer::start().unwrap();
    let run = login(
        &server,
        clients::PUBLIC_ID,
        &["--redirect-host", "[::1]"],
        &[],
    );
    assert!(
        redirect_base(&run.url).starts_with("http://[::1]:"),
        "{}",
        run.url
    );
    let ua = UserAgent::new();
    let callback = ua.approve(&run.url).unwrap();
    assert_eq!(ua.deliver(&callback).unwrap().0, 200);
    let (ok, _, err) = finish(run);
    assert!(ok, "{err}");
}

#[test]
fn pushed_authorization_request() {
    let server = AuthServer::start().unwrap();
    let run = login(&server, clients::PUBLIC_ID, &["--par"], &[]);
    assert!(
        run.url.contains("request_uri=") && !run.url.contains("code_challenge"),
        "{}",
        run.url
    );
    let ua = UserAgent::new();
    let callback = ua.approve(&run.url).unwrap();
    assert_eq!(ua.deliver(&callback).unwrap().0, 200);
    let (ok, _, err) = finish(run);
    assert!(ok, "{err}");
}

#[test]
fn both_confidential_auth_methods_and_the_secret_stays_out_of_argv() {
    for (method, id, secret) in [
        ("basic", clients::BASIC_ID, clients::BASIC_SECRET),
        ("post", clients::POST_ID, clients::POST_SECRET),
    ] {
        let server = AuthServer::start().unwrap();
        let run = login(
            &server,
            id,
            &[
                "--auth-method",
                method,
                "--client-secret-env",
                "PKCE_TEST_SECRET",
                "-v",
            ],
            &[("PKCE_TEST_SECRET", secret)],
        );
        let ua = UserAgent::new();
        let callback = ua.approve(&run.url).unwrap();
        assert_eq!(ua.deliver(&callback).unwrap().0, 200);
        let (ok, out, err) = finish(run);
        assert!(ok, "{method}: {err}");
        assert!(!err.contains(secret), "-v never shows the secret");
        let at = json(&out)["access_token"].as_str().unwrap().to_owned();
        assert!(!err.contains(&at), "-v never shows the token");
    }
    let out = pkce(&[
        "login",
        "--issuer",
        "https://as.example",
        "--client-id",
        "c",
        "--client-secret",
        "s",
    ])
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "there is no option that takes a secret"
    );
}

#[test]
fn refresh_and_revoke_read_tokens_from_stdin_or_env() {
    let server = AuthServer::start().unwrap();
    let run = login(&server, clients::PUBLIC_ID, &[], &[]);
    let ua = UserAgent::new();
    let callback = ua.approve(&run.url).unwrap();
    ua.deliver(&callback).unwrap();
    let (ok, out, _) = finish(run);
    assert!(ok);
    let rt = json(&out)["refresh_token"].as_str().unwrap().to_owned();

    let common = [
        "--issuer",
        server.issuer(),
        "--client-id",
        clients::PUBLIC_ID,
        "--dangerous-allow-http-loopback",
    ];
    let mut child = pkce(&[&["refresh"][..], &common[..]].concat())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{rt}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new_rt = json(&String::from_utf8(out.stdout).unwrap())["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_rt, rt);
    assert!(String::from_utf8_lossy(&out.stderr).contains("rotated"));

    let out = pkce(
        &[
            &["revoke"][..],
            &common[..],
            &["--token-env", "PKCE_RT"][..],
        ]
        .concat(),
    )
    .env("PKCE_RT", &new_rt)
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut child = pkce(&[&["refresh"][..], &common[..]].concat())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(new_rt.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid_grant"));
}

#[test]
fn an_issuer_that_is_not_https_is_refused_without_the_dangerous_flag() {
    let server = AuthServer::start().unwrap();
    let out = pkce(&[
        "login",
        "--issuer",
        server.issuer(),
        "--client-id",
        clients::PUBLIC_ID,
        "--no-browser",
    ])
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.trim().lines().count() == 1 && err.contains("issuer must be an https URL"),
        "{err}"
    );
}

#[test]
fn demo_runs_every_step() {
    let out = pkce(&["demo"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("All 12 steps passed."), "{text}");
    assert!(
        text.contains("token requests: 2 (the first refused with use_dpop_nonce"),
        "{text}"
    );
    assert!(
        text.contains("refreshes the server saw: 1; refresh tokens used twice: 0"),
        "{text}"
    );
}
