//! Profiles, sessions and bad input through the built binary: one-line errors with their
//! documented exit codes, `--flow manual` with a pasted URL, `logout` and `status`.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};

use pkce_flow::AccessToken;
use pkce_testkit::{AuthServer, UserAgent};

mod support;
use support::{
    auto_approving_server, log_in, pkce_in, run, session_file, temp_dir, work_profile, write_config,
};

/// Exit code of a usage or configuration problem.
const USAGE: i32 = 2;
/// Exit code of "a login is required and cannot happen here".
const LOGIN_REQUIRED: i32 = 3;

fn one_line_failure(code: i32, expected: i32, out: &str, err: &str) {
    assert_eq!(code, expected, "{err}");
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("pkce: error: "), "{err}");
}

#[test]
fn a_corrupted_config_names_the_line() {
    let home = temp_dir("corrupt");
    write_config(
        &home,
        "[profiles.work]\nissuer = \"https://a\"\nclient_id = [\n",
    );
    let (code, out, err) = run(pkce_in(&home, &["token", "--profile", "work"]), "");
    one_line_failure(code, USAGE, &out, &err);
    assert!(err.contains("config.toml: line"), "{err}");
}

#[test]
fn an_unknown_key_and_a_secret_in_the_config_are_refused_by_name() {
    let home = temp_dir("keys");
    write_config(
        &home,
        "[profiles.work]\nissuer = \"https://a\"\nclient_secret = \"hunter2\"\n",
    );
    let (code, out, err) = run(pkce_in(&home, &["token", "--profile", "work"]), "");
    one_line_failure(code, USAGE, &out, &err);
    assert!(
        err.contains("line 3") && err.contains("client_secret_env"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    write_config(
        &home,
        "[profiles.work]\nissuer = \"https://a\"\nscope = \"openid\"\n",
    );
    let (code, out, err) = run(pkce_in(&home, &["status"]), "");
    one_line_failure(code, USAGE, &out, &err);
    assert!(err.contains("line 3") && err.contains("`scope`"), "{err}");
}

#[test]
fn an_unknown_profile_lists_the_known_ones() {
    let home = temp_dir("unknown");
    write_config(&home, &work_profile("https://as.example", ""));
    let (code, out, err) = run(pkce_in(&home, &["token", "--profile", "home"]), "");
    one_line_failure(code, USAGE, &out, &err);
    assert!(
        err.contains("unknown profile `home`") && err.contains("work"),
        "{err}"
    );
}

#[test]
fn without_a_session_or_a_terminal_token_says_which_command_to_run() {
    let server = auto_approving_server();
    let home = temp_dir("no-terminal");
    write_config(&home, &work_profile(server.issuer(), ""));
    let (code, out, err) = run(pkce_in(&home, &["token"]), "");
    one_line_failure(code, LOGIN_REQUIRED, &out, &err);
    assert!(err.contains("pkce login --profile work"), "{err}");
}

#[test]
fn a_store_file_of_another_issuer_is_refused_and_kept() {
    let server = auto_approving_server();
    let other = auto_approving_server();
    let home = temp_dir("other-issuer");
    write_config(&home, &work_profile(other.issuer(), ""));
    log_in(&home);
    let written = std::fs::read(session_file(&home, "work")).unwrap();
    write_config(&home, &work_profile(server.issuer(), ""));
    let (code, out, err) = run(pkce_in(&home, &["token"]), "");
    one_line_failure(code, USAGE, &out, &err);
    assert!(err.contains("belongs to another issuer"), "{err}");
    assert_eq!(std::fs::read(session_file(&home, "work")).unwrap(), written);
}

#[test]
fn without_a_display_the_login_suggests_device_or_manual_instead_of_hanging() {
    let server = auto_approving_server();
    let home = temp_dir("headless");
    write_config(&home, &work_profile(server.issuer(), ""));
    let mut cmd = pkce_in(&home, &["login"]);
    cmd.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
    let (code, out, err) = run(cmd, "");
    one_line_failure(code, USAGE, &out, &err);
    assert!(err.contains("--flow device or --flow manual"), "{err}");
    assert_eq!(server.hits(pkce_testkit::Endpoint::Authorize), 0);
}

#[test]
fn manual_flow_refuses_a_pasted_url_with_a_wrong_state_and_goes_on() {
    let server = AuthServer::start().unwrap();
    let home = temp_dir("manual");
    write_config(&home, &work_profile(server.issuer(), ""));
    let mut child = pkce_in(&home, &["login", "--flow", "manual", "--output", "json"])
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no URL printed");
        if line.starts_with("http") {
            break line.trim().to_owned();
        }
    };
    let callback = UserAgent::new().approve(&url).unwrap();
    let (base, query) = callback.split_once('?').unwrap();
    let forged: String = query
        .split('&')
        .map(|kv| {
            if kv.starts_with("state=") {
                "state=forged".to_owned()
            } else {
                kv.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&");
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{base}?{forged}").unwrap();
    let mut refusal = String::new();
    loop {
        refusal.clear();
        assert!(stderr.read_line(&mut refusal).unwrap() > 0, "no refusal");
        if refusal.contains("not the redirect of this login") {
            break;
        }
    }
    // Only the query this time: it is accepted too.
    writeln!(stdin, "{query}").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let tokens: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(
        session_file(&home, "work").exists(),
        "the session is stored"
    );
}

#[test]
fn logout_revokes_at_the_server_and_deletes_the_session_and_status_shows_no_secret() {
    let server = auto_approving_server();
    let home = temp_dir("logout");
    write_config(&home, &work_profile(server.issuer(), ""));
    log_in(&home);
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(session_file(&home, "work")).unwrap()).unwrap();
    let token = stored["access_token"].as_str().unwrap().to_owned();
    let (code, status, err) = run(pkce_in(&home, &["status"]), "");
    assert_eq!(code, 0, "{err}");
    assert!(
        status.starts_with(&format!("work: issuer {}", server.issuer())),
        "{status}"
    );
    assert!(status.contains("refresh token held"), "{status}");
    assert!(!status.contains(&token), "{status}");
    assert!(!status.contains(stored["refresh_token"].as_str().unwrap()));

    let userinfo = |t: &str| {
        pkce_ureq::Transport::new()
            .unwrap()
            .bearer_get(&server.url("/userinfo"), &AccessToken::new(t.to_owned()))
            .unwrap()
            .status
    };
    assert_eq!(userinfo(&token), 200);
    let (code, _, err) = run(pkce_in(&home, &["logout"]), "");
    assert_eq!(code, 0, "{err}");
    assert_ne!(userinfo(&token), 200, "revoked at the server");
    assert!(!session_file(&home, "work").exists());
    let (_, status, _) = run(pkce_in(&home, &["status"]), "");
    assert!(
        status.contains("work: issuer") && status.contains("not logged in"),
        "{status}"
    );
}

#[test]
fn a_session_marked_stale_is_not_served_even_with_time_left() {
    let server = auto_approving_server();
    let home = temp_dir("stale");
    write_config(&home, &work_profile(server.issuer(), ""));
    log_in(&home);
    let path = session_file(&home, "work");
    let mut stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    stored["stale"] = serde_json::json!(true);
    std::fs::write(&path, serde_json::to_vec(&stored).unwrap()).unwrap();
    let (code, out, err) = run(pkce_in(&home, &["token"]), "");
    one_line_failure(code, LOGIN_REQUIRED, &out, &err);
    assert!(err.contains("stale"), "{err}");
}
