//! OpenID Connect through the `pkce` binary against a testkit that issues ID tokens: a login
//! with `openid` stores the identity its validated ID token names and `pkce status` shows the
//! subject; a login (by the browser or a pasted URL) whose ID token has the wrong nonce or
//! audience fails and leaves the stored session as it was; a DPoP login stores its key and
//! the identity together; a refreshed ID token naming another user is refused and the
//! session kept, marked stale.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use pkce_testkit::{AuthServer, Endpoint, Misbehavior, ServerConfig, UserAgent};
use support::{curl_browser, pkce_in, run, session_file, temp_dir, work_profile, write_config};

mod support;

fn id_token_server() -> AuthServer {
    AuthServer::start_with(ServerConfig {
        auto_approve: true,
        id_tokens: true,
        ..ServerConfig::default()
    })
    .unwrap()
}

/// A home whose profile `work` (scope `openid offline_access`) points at `server`.
fn home_for(server: &AuthServer, what: &str) -> support::TempHome {
    let home = temp_dir(what);
    write_config(&home, &work_profile(server.issuer(), ""));
    home
}

/// `pkce login` through the scripted browser; (exit code, stderr).
fn log_in(home: &Path) -> (i32, String) {
    let browser = curl_browser(home);
    let (code, _, err) = run(
        pkce_in(
            home,
            &["login", "--browser-command", &browser, "--timeout", "20"],
        ),
        "",
    );
    (code, err)
}

fn stored(home: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(session_file(home, "work")).unwrap()).unwrap()
}

#[test]
fn an_openid_login_stores_the_validated_identity_and_status_shows_the_subject() {
    let server = id_token_server();
    let home = home_for(&server, "id-login");
    let (code, err) = log_in(&home);
    assert_eq!(code, 0, "{err}");
    let session = stored(&home);
    assert_eq!(session["identity"]["subject"], "alice", "{session}");
    assert_eq!(session["identity"]["issuer"], server.issuer(), "{session}");
    let (code, status, err) = run(pkce_in(&home, &["status"]), "");
    assert_eq!(code, 0, "{err}");
    assert!(status.contains("subject alice"), "{status}");
}

/// Logs in once, then again with the token endpoint answering `misbehavior`: the second
/// login fails with the ID token named, and the first login's session file is untouched.
fn refused_login_keeps_the_stored_session(misbehavior: Misbehavior, why: &str) {
    let server = id_token_server();
    let home = home_for(&server, "id-refused");
    let (code, err) = log_in(&home);
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read(session_file(&home, "work")).unwrap();
    server.set_misbehavior(Endpoint::Token, Some(misbehavior));
    let (code, err) = log_in(&home);
    assert_eq!(code, 1, "{err}");
    let error = err.lines().filter(|l| l.starts_with("pkce: error:"));
    let error: Vec<&str> = error.collect();
    assert_eq!(error.len(), 1, "{err}");
    assert!(
        error[0].contains("the login's ID token was refused") && error[0].contains(why),
        "{err}"
    );
    let after = std::fs::read(session_file(&home, "work")).unwrap();
    assert_eq!(
        before, after,
        "the refused login changed the stored session"
    );
}

#[test]
fn a_login_whose_id_token_has_another_nonce_fails_and_stores_nothing() {
    refused_login_keeps_the_stored_session(Misbehavior::IdTokenWrongNonce, "nonce");
}

#[test]
fn a_login_whose_id_token_is_for_another_client_fails_and_stores_nothing() {
    refused_login_keeps_the_stored_session(
        Misbehavior::IdTokenWrongAudience,
        "not meant for this client",
    );
}

#[test]
fn a_refreshed_id_token_for_another_user_is_refused_and_the_session_kept_stale() {
    let server = id_token_server();
    let home = home_for(&server, "id-refresh");
    let (code, err) = log_in(&home);
    assert_eq!(code, 0, "{err}");
    let expire = || {
        let mut session = stored(&home);
        session["expires_at"] = serde_json::json!(1);
        std::fs::write(
            session_file(&home, "work"),
            serde_json::to_vec(&session).unwrap(),
        )
        .unwrap();
    };
    // A refresh whose ID token names the same user is stored.
    expire();
    let refreshes = server.hits(Endpoint::Token);
    let (code, _, err) = run(pkce_in(&home, &["token"]), "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(server.hits(Endpoint::Token), refreshes + 1);
    assert_ne!(stored(&home)["expires_at"], 1);
    // One naming another user is refused: the session stays, marked stale.
    expire();
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::IdTokenOtherSubject));
    let (code, _, err) = run(pkce_in(&home, &["token"]), "");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("the refreshed ID token was refused") && err.contains("`sub`"),
        "{err}"
    );
    let session = stored(&home);
    assert_eq!(session["stale"], true, "{session}");
    assert_eq!(session["identity"]["subject"], "alice", "{session}");
}

#[test]
fn a_dpop_login_with_openid_stores_both_the_key_and_the_identity() {
    let server = AuthServer::start_with(ServerConfig {
        auto_approve: true,
        id_tokens: true,
        dpop_required: true,
        ..ServerConfig::default()
    })
    .unwrap();
    let home = home_for(&server, "id-dpop");
    let browser = curl_browser(&home);
    let (code, _, err) = run(
        pkce_in(
            &home,
            &[
                "login",
                "--dpop",
                "--browser-command",
                &browser,
                "--timeout",
                "20",
            ],
        ),
        "",
    );
    assert_eq!(code, 0, "{err}");
    let session = stored(&home);
    assert!(session["dpop_key"].is_object(), "{session}");
    assert_eq!(session["identity"]["subject"], "alice", "{session}");
}

#[test]
fn a_manual_login_whose_id_token_has_another_nonce_fails_and_stores_nothing() {
    let server = id_token_server();
    let home = home_for(&server, "id-manual");
    let (code, err) = log_in(&home);
    assert_eq!(code, 0, "{err}");
    let before = std::fs::read(session_file(&home, "work")).unwrap();
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::IdTokenWrongNonce));
    let mut child = pkce_in(&home, &["login", "--flow", "manual"])
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
    writeln!(child.stdin.take().unwrap(), "{callback}").unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(1), "{rest}");
    assert!(rest.contains("the login's ID token was refused"), "{rest}");
    let after = std::fs::read(session_file(&home, "work")).unwrap();
    assert_eq!(
        before, after,
        "the refused login changed the stored session"
    );
}
