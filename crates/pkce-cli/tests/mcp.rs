//! `pkce login --resource URL` and `pkce token --resource URL` with no issuer and no client
//! id, against a real MCP server built from the official MCP TypeScript SDK (the interop
//! harness's `McpServer`, whose authorization step approves at once, so the curl browser
//! completes the login).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

mod support;

use std::path::Path;

use pkce_interop::{McpServer, initialize_request, mcp_post};
use support::{curl_browser, pkce_in, session_file, succeed, temp_dir};

/// `pkce login --resource URL` through the curl browser; its JSON output.
fn login(home: &Path, resource: &str) -> serde_json::Value {
    let browser = curl_browser(home);
    let args = [
        "login",
        "--resource",
        resource,
        "--dangerous-allow-http-loopback",
        "--browser-command",
        &browser,
        "--timeout",
        "20",
        "--output",
        "json",
    ];
    serde_json::from_str(&succeed(pkce_in(home, &args))).unwrap()
}

/// `pkce token --resource URL`: the printed access token.
fn token(home: &Path, resource: &str) -> String {
    let args = [
        "token",
        "--resource",
        resource,
        "--dangerous-allow-http-loopback",
    ];
    succeed(pkce_in(home, &args)).trim().to_owned()
}

fn registration_files(home: &Path) -> usize {
    std::fs::read_dir(home.join("sessions"))
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_str().unwrap().starts_with("registration-")
        })
        .count()
}

/// From the URL alone: discovery, registration (`application_type` native), login with
/// `resource`, the session and the registered client stored; then `pkce token` refreshes
/// the short-lived token with `resource` and the new token opens an MCP session.
#[test]
fn login_with_only_a_resource_url_then_token_refreshes_with_resource() {
    // Access tokens live 30 s, under the 60 s `pkce token` wants left: every `token` refreshes.
    let server = McpServer::start_with_access_token_ttl(30).unwrap();
    let home = temp_dir("mcp-login");
    let resource = server.resource();

    let tokens = login(&home, resource);
    let first = tokens["access_token"].as_str().unwrap().to_owned();
    assert_eq!(registration_files(&home), 1, "the client is kept");
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(session_file(&home, "default")).unwrap()).unwrap();
    assert_eq!(stored["issuer"], server.issuer().as_str());
    assert_eq!(stored["resources"], serde_json::json!([resource]));

    let refreshed = token(&home, resource);
    assert_ne!(refreshed, first, "refreshed, not the stored token");
    let answer = mcp_post(resource, Some(&refreshed), &initialize_request()).unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");

    let seen = server.observed().unwrap();
    let expected = Some(resource.to_owned());
    assert_eq!(seen.registrations.len(), 1);
    assert_eq!(
        seen.registrations[0].application_type.as_deref(),
        Some("native")
    );
    assert_eq!(
        seen.authorization_resources,
        std::slice::from_ref(&expected)
    );
    assert_eq!(
        seen.code_exchange_resources,
        std::slice::from_ref(&expected)
    );
    assert_eq!(
        seen.refresh_resources,
        [expected],
        "refresh carries resource"
    );
}

/// A second login uses the client registered for the issuer, and a fresh stored token is
/// answered without a refresh.
#[test]
fn second_resource_login_reuses_the_registration_and_token_uses_the_fresh_session() {
    let server = McpServer::start().unwrap();
    let home = temp_dir("mcp-relogin");
    let resource = server.resource();
    login(&home, resource);
    let second = login(&home, resource);
    let stored = token(&home, resource);
    assert_eq!(stored, second["access_token"].as_str().unwrap());
    let seen = server.observed().unwrap();
    assert_eq!(seen.registrations.len(), 1, "registered once");
    assert_eq!(seen.authorization_resources.len(), 2);
    assert!(seen.refresh_resources.is_empty(), "no refresh needed");
}

/// Without a session for the resource and without a terminal, `pkce token` says a login is
/// needed (exit 3) and registers nothing.
#[test]
fn token_for_a_resource_without_a_session_needs_a_login_and_registers_nothing() {
    let server = McpServer::start().unwrap();
    let home = temp_dir("mcp-no-session");
    let resource = server.resource();
    let args = [
        "token",
        "--resource",
        resource,
        "--dangerous-allow-http-loopback",
    ];
    let out = pkce_in(&home, &args).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("pkce login --resource"), "{stderr}");
    assert!(server.observed().unwrap().registrations.is_empty());
}
