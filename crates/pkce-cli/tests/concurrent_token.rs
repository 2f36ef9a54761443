//! Many `pkce token` processes at once on one profile: on an expiring session the server
//! sees one refresh; with no session, one browser login, and every process prints the
//! token it produced. Real processes, a real file store, real HTTP on loopback.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Child;

use pkce_flow::AccessToken;
use pkce_testkit::{AuthServer, Endpoint};

mod support;
use support::{
    auto_approving_server, browsers_opened, curl_browser, log_in, pkce_in, session_file, temp_dir,
    work_profile, write_config,
};

/// Every child's stdout, asserting each succeeded.
fn outputs(children: Vec<Child>) -> Vec<String> {
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "a pkce token failed: {err}");
            String::from_utf8(out.stdout).unwrap().trim().to_owned()
        })
        .collect()
}

fn accepted_by_server(server: &AuthServer, token: &str) -> bool {
    let transport = pkce_ureq::Transport::new().unwrap();
    let answer = transport
        .bearer_get(
            &server.url("/userinfo"),
            &AccessToken::new(token.to_owned()),
        )
        .unwrap();
    answer.status == 200
}

/// Logs the profile in through the scripted browser and moves the stored expiry to a few
/// seconds from now, inside the minimum remaining lifetime: every reader finds it due.
fn expiring_session(server: &AuthServer, home: &Path) {
    log_in(home);
    let path = session_file(home, "work");
    let mut stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    stored["expires_at"] = serde_json::json!(now + 5);
    std::fs::write(&path, serde_json::to_vec(&stored).unwrap()).unwrap();
    assert_eq!(server.rotation_counters().refreshes_served, 0);
}

fn concurrent_tokens_on_an_expiring_session_refresh_once(n: usize) {
    let server = auto_approving_server();
    let home = temp_dir("expiring");
    write_config(&home, &work_profile(server.issuer(), ""));
    expiring_session(&server, &home);
    let children: Vec<Child> = (0..n)
        .map(|_| pkce_in(&home, &["token"]).spawn().unwrap())
        .collect();
    let tokens = outputs(children);
    let counters = server.rotation_counters();
    assert_eq!(
        counters.refreshes_served, 1,
        "one refresh for {n} processes"
    );
    assert_eq!(counters.reuse_detections, 0);
    assert!(tokens.iter().all(|t| t == &tokens[0]), "one token for all");
    assert!(accepted_by_server(&server, &tokens[0]));
}

#[test]
fn two_concurrent_tokens_on_an_expiring_session_cause_one_refresh() {
    concurrent_tokens_on_an_expiring_session_refresh_once(2);
}

#[test]
fn sixteen_concurrent_tokens_on_an_expiring_session_cause_one_refresh() {
    concurrent_tokens_on_an_expiring_session_refresh_once(16);
}

#[test]
fn eight_concurrent_tokens_without_a_session_share_one_browser_login() {
    let server = auto_approving_server();
    let home = temp_dir("no-session");
    let browser = curl_browser(&home);
    write_config(
        &home,
        &work_profile(
            server.issuer(),
            &format!("browser_command = \"{browser}\"\n"),
        ),
    );
    let children: Vec<Child> = (0..8)
        .map(|_| {
            pkce_in(&home, &["token", "--interactive", "--timeout", "20"])
                .spawn()
                .unwrap()
        })
        .collect();
    let tokens = outputs(children);
    assert_eq!(
        server.hits(Endpoint::Authorize),
        1,
        "one authorization request"
    );
    assert_eq!(browsers_opened(&home), 1, "one browser opened");
    assert!(tokens.iter().all(|t| t == &tokens[0]), "{tokens:?}");
    assert!(accepted_by_server(&server, &tokens[0]));
}
