//! DPoP (RFC 9449) through the `pkce` binary against a testkit that requires proofs and its
//! nonce: `pkce login --dpop` (and `dpop = true` in the profile) binds the session to a new
//! key stored with it, `pkce token` refreshes with that stored key (the server refuses
//! another), and `pkce token --format dpop` prints headers the server accepts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

use std::path::Path;

use pkce_testkit::{AuthServer, ServerConfig};
use support::{
    curl_browser, dpop_headers, get_with, pkce_in, run, session_file, temp_dir, work_profile,
    write_config,
};

mod support;

fn dpop_server() -> AuthServer {
    AuthServer::start_with(ServerConfig {
        auto_approve: true,
        dpop_required: true,
        dpop_nonce_required: true,
        ..ServerConfig::default()
    })
    .unwrap()
}

/// `pkce login` through the scripted browser with `extra` flags; asserts success.
fn log_in(home: &Path, extra: &[&str]) {
    let browser = curl_browser(home);
    let mut args = vec!["login", "--browser-command", &browser, "--timeout", "20"];
    args.extend_from_slice(extra);
    let (code, _, err) = run(pkce_in(home, &args), "");
    assert_eq!(code, 0, "{err}");
}

fn stored(home: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(session_file(home, "work")).unwrap()).unwrap()
}

fn store(home: &Path, session: &serde_json::Value) {
    std::fs::write(
        session_file(home, "work"),
        serde_json::to_vec(session).unwrap(),
    )
    .unwrap();
}

/// Moves the stored expiry into the past: the next `pkce token` must refresh.
fn expire(home: &Path) {
    let mut session = stored(home);
    session["expires_at"] = serde_json::json!(1);
    store(home, &session);
}

#[test]
fn login_with_dpop_stores_the_key_privately_and_token_refreshes_with_it() {
    let server = dpop_server();
    let home = temp_dir("dpop-login");
    write_config(&home, &work_profile(server.issuer(), ""));
    log_in(&home, &["--dpop"]);

    let (code, status, _) = run(pkce_in(&home, &["status"]), "");
    assert_eq!(code, 0);
    assert!(status.contains("bound to a DPoP key"), "{status}");
    let session = stored(&home);
    let key = &session["dpop_key"];
    assert_eq!(key["alg"], "ES256");
    assert!(key["d"].as_str().is_some_and(|d| d.len() == 43), "{key}");
    // The nonce the server gave while logging in is kept for the next proofs.
    assert!(key["nonces"][0]["nonce"].is_string(), "{key}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(session_file(&home, "work"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // After expiry `pkce token` refreshes, signed with the stored key, and keeps it.
    let before = session["access_token"].as_str().unwrap().to_owned();
    expire(&home);
    server.rotate_dpop_nonce();
    let (code, out, err) = run(pkce_in(&home, &["token"]), "");
    assert_eq!(code, 0, "{err}");
    assert_ne!(out.trim(), before);
    assert_eq!(server.rotation_counters().refreshes_served, 1);
    let refreshed = stored(&home);
    assert_eq!(refreshed["dpop_key"]["d"], key["d"]);
    assert_eq!(refreshed["access_token"].as_str(), Some(out.trim()));
}

#[test]
fn a_refresh_signed_with_another_key_is_refused() {
    let server = dpop_server();
    let home = temp_dir("dpop-thief");
    write_config(&home, &work_profile(server.issuer(), ""));
    log_in(&home, &["--dpop"]);
    // Another login's key, planted in this session: its refresh token is bound to the first.
    let other = temp_dir("dpop-other");
    write_config(&other, &work_profile(server.issuer(), ""));
    log_in(&other, &["--dpop"]);
    let mut session = stored(&home);
    session["dpop_key"] = stored(&other)["dpop_key"].clone();
    session["expires_at"] = serde_json::json!(1);
    store(&home, &session);

    let (code, _, err) = run(pkce_in(&home, &["token"]), "");
    assert_eq!(code, 3, "login required: {err}");
    assert_eq!(server.rotation_counters().refreshes_served, 0);
}

#[test]
fn format_dpop_prints_headers_the_protected_resource_accepts() {
    let server = dpop_server();
    let home = temp_dir("dpop-headers");
    write_config(&home, &work_profile(server.issuer(), "dpop = true\n"));
    // The profile's `dpop = true`, no flag.
    log_in(&home, &[]);
    assert_eq!(stored(&home)["dpop_key"]["alg"], "ES256");

    // The query is not part of the proof's `htu` (RFC 9449 §4.2); the server checks it.
    let url = format!("{}?fields=sub#top", server.url("/userinfo"));
    let (code, first, err) = dpop_headers(&home, &url);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines.len(), 2, "{first}");
    let token = stored(&home)["access_token"].as_str().unwrap().to_owned();
    assert_eq!(lines[0], format!("Authorization: DPoP {token}"));
    assert!(lines[1].starts_with("DPoP: ey"), "{first}");
    assert_eq!(get_with(&server, "/userinfo?fields=sub", &first), 200);

    // A proof is good once (the server keeps its `jti`); the next call prints a new one.
    assert_eq!(get_with(&server, "/userinfo?fields=sub", &first), 401);
    let (code, second, err) = dpop_headers(&home, &url);
    assert_eq!(code, 0, "{err}");
    assert_ne!(first, second);
    assert_eq!(get_with(&server, "/userinfo", &second), 200);

    // A proof for another URL or method is refused.
    let (_, other, _) = dpop_headers(&home, &server.url("/token"));
    assert_eq!(get_with(&server, "/userinfo", &other), 401);

    // The same token as a Bearer header, without the key's proof, is refused; the CLI
    // refuses to print it so.
    let bearer = format!("Authorization: Bearer {token}");
    assert_eq!(get_with(&server, "/userinfo", &bearer), 401);
    let (code, out, err) = run(pkce_in(&home, &["token", "--format", "header"]), "");
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("--format dpop"), "{err}");
}

#[test]
fn format_dpop_of_a_session_without_a_key_is_its_own_failure() {
    let server = support::auto_approving_server();
    let home = temp_dir("dpop-none");
    write_config(&home, &work_profile(server.issuer(), ""));
    log_in(&home, &[]);
    let (code, out, err) = dpop_headers(&home, &server.url("/userinfo"));
    assert_eq!(code, 4, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("not bound to a DPoP key"), "{err}");
    assert!(err.contains("pkce login --dpop"), "{err}");
}

#[test]
fn format_dpop_without_a_url_is_a_usage_error() {
    let server = dpop_server();
    let home = temp_dir("dpop-usage");
    write_config(&home, &work_profile(server.issuer(), ""));
    log_in(&home, &["--dpop"]);
    let (code, _, err) = run(pkce_in(&home, &["token", "--format", "dpop"]), "");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--url"), "{err}");
}
