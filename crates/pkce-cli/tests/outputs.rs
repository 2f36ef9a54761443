//! What `pkce token` prints for scripts, kubectl and git: each format field by field, the
//! real `git credential fill` through `credential.helper`, and one-line refusals of bad input.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod support;
use support::{auto_approving_server, log_in, pkce_in, run, temp_dir, work_profile, write_config};

/// A logged-in `work` profile; returns the server, home and the stored access token.
fn logged_in(extra_config: &str) -> (pkce_testkit::AuthServer, support::TempHome, String) {
    let server = auto_approving_server();
    let home = temp_dir("outputs");
    write_config(&home, &work_profile(server.issuer(), extra_config));
    log_in(&home);
    let (code, token, err) = run(pkce_in(&home, &["token"]), "");
    assert_eq!(code, 0, "{err}");
    (server, home, token.trim().to_owned())
}

fn token_with(home: &Path, format: &str, exec_info: Option<&str>) -> (i32, String, String) {
    let mut cmd = pkce_in(home, &["token", "--format", format]);
    if let Some(info) = exec_info {
        cmd.env("KUBERNETES_EXEC_INFO", info);
    }
    run(cmd, "")
}

fn is_rfc3339_utc(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && s.chars().filter(char::is_ascii_digit).count() == 14
}

#[test]
fn login_prints_a_summary_without_secrets_and_token_formats_carry_the_stored_token() {
    let server = auto_approving_server();
    let home = temp_dir("summary");
    write_config(&home, &work_profile(server.issuer(), ""));
    let summary = log_in(&home);
    let stored: Value =
        serde_json::from_slice(&std::fs::read(support::session_file(&home, "work")).unwrap())
            .unwrap();
    let token = stored["access_token"].as_str().unwrap();
    let refresh = stored["refresh_token"].as_str().unwrap();
    assert!(summary.contains("profile work") && summary.contains("refresh token held"));
    assert!(
        !summary.contains(token) && !summary.contains(refresh),
        "{summary}"
    );

    let (_, bare, _) = token_with(&home, "token", None);
    assert_eq!(bare, format!("{token}\n"));
    let (_, header, _) = token_with(&home, "header", None);
    assert_eq!(header, format!("Authorization: Bearer {token}\n"));
    let (_, json, _) = token_with(&home, "json", None);
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["access_token"], token);
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["expires_at"], stored["expires_at"]);
    assert_eq!(json["scope"], "openid offline_access");
}

/// The fields of client-go's `ExecCredential` (`client.authentication.k8s.io`): `kind`,
/// `apiVersion`, `spec.interactive`, `status.token`, `status.expirationTimestamp` (RFC 3339).
fn check_exec_credential(out: &str, api_version: &str, interactive: bool, token: &str) {
    let v: Value = serde_json::from_str(out).unwrap();
    let object = v.as_object().unwrap();
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["apiVersion", "kind", "spec", "status"]);
    assert_eq!(v["kind"], "ExecCredential");
    assert_eq!(v["apiVersion"], api_version);
    assert_eq!(v["spec"]["interactive"], interactive);
    let status = v["status"].as_object().unwrap();
    let mut keys: Vec<&str> = status.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["expirationTimestamp", "token"]);
    assert_eq!(status["token"], token);
    assert!(is_rfc3339_utc(
        status["expirationTimestamp"].as_str().unwrap()
    ));
}

#[test]
fn exec_credential_follows_kubernetes_exec_info_for_v1_and_v1beta1() {
    let (_server, home, token) = logged_in("");
    for version in ["v1", "v1beta1"] {
        let api = format!("client.authentication.k8s.io/{version}");
        let info = format!(
            r#"{{"kind":"ExecCredential","apiVersion":"{api}","spec":{{"interactive":false}}}}"#
        );
        let (code, out, err) = token_with(&home, "exec-credential", Some(&info));
        assert_eq!(code, 0, "{err}");
        check_exec_credential(&out, &api, false, &token);
    }
    let (_, out, _) = token_with(&home, "exec-credential", None);
    check_exec_credential(&out, "client.authentication.k8s.io/v1", false, &token);
}

#[test]
fn kubernetes_exec_info_garbage_is_one_line_and_exit_2() {
    let (_server, home, _) = logged_in("");
    for garbage in [
        "{not json",
        r#"{"kind":"ExecCredential","apiVersion":"v9"}"#,
    ] {
        let (code, out, err) = token_with(&home, "exec-credential", Some(garbage));
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty());
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("KUBERNETES_EXEC_INFO"), "{err}");
    }
}

fn git(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0");
    cmd
}

#[test]
fn git_credential_fill_through_the_helper_returns_the_profile_token() {
    let (_server, home, token) = logged_in("git_hosts = [\"git.example.test\"]\n");
    let repo = home.join("repo");
    assert!(
        git(&home, &["init", "-q", "repo"])
            .status()
            .unwrap()
            .success()
    );
    // git runs `sh -c "<helper> get"` for a helper starting with `!`.
    let helper = format!(
        "!XDG_CONFIG_HOME='{}' PKCE_STORE_DIR='{}' '{}' git-credential",
        home.join("config").display(),
        home.join("sessions").display(),
        env!("CARGO_BIN_EXE_pkce")
    );
    assert!(
        git(&repo, &["config", "credential.helper", &helper])
            .status()
            .unwrap()
            .success()
    );
    let mut fill = git(&repo, &["credential", "fill"]);
    fill.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let (code, out, err) = run(fill, "protocol=https\nhost=git.example.test\n\n");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines().any(|l| l == format!("password={token}")),
        "{out}"
    );
    assert!(out.lines().any(|l| l == "username=oauth2"), "{out}");

    // A host no profile lists: the helper refuses in one line with exit 2.
    let (code, out, err) = run(
        pkce_in(&home, &["git-credential", "get"]),
        "protocol=https\nhost=elsewhere.test\n\n",
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("elsewhere.test"), "{err}");
}
