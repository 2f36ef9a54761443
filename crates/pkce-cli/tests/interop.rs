//! The `pkce` binary against a real third-party authorization server (oidc-provider), with
//! the interop harness's scripted browser playing the user.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use pkce_interop::{
    BASIC_CLIENT_ID, BASIC_CLIENT_SECRET, Browser, OidcProvider, PUBLIC_CLIENT_ID, http_agent,
    query_param,
};

fn login(
    provider: &OidcProvider,
    client_id: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> serde_json::Value {
    // A known free port, so the scripted browser can tell the CLI's redirect from the
    // provider's own (both are on 127.0.0.1).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pkce"))
        .args([
            "login",
            "--issuer",
            provider.issuer(),
            "--client-id",
            client_id,
            "--scope",
            "openid",
            "--no-browser",
            "--output",
            "json",
        ])
        .env(
            "PKCE_STORE_DIR",
            std::env::temp_dir().join(format!("pkce-interop-{}", std::process::id())),
        )
        .env_remove("PKCE_CONFIG")
        .env_remove("PKCE_PROFILE")
        .args([
            "--dangerous-allow-http-loopback",
            "--timeout",
            "60",
            "--port",
            &port,
        ])
        .args(extra)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "pkce exited before printing the URL"
        );
        if line.starts_with("http") {
            break line.trim().to_owned();
        }
    };
    let callback = Browser::new()
        .authorize(&url, &format!("http://127.0.0.1:{port}/callback"))
        .unwrap();
    assert!(query_param(&callback, "iss").is_some());
    let answer = http_agent()
        .get(&callback)
        .config()
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .call()
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let out = child.wait_with_output().unwrap();
    let rest: String = stderr
        .lines()
        .map_while(Result::ok)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(out.status.success(), "{rest}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn cli_logs_in_to_oidc_provider_as_a_public_client() {
    let provider = OidcProvider::start().unwrap_or_else(|e| panic!("{e}"));
    let tokens = login(&provider, PUBLIC_CLIENT_ID, &[], &[]);
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["refresh_token"].is_string());
}

#[test]
fn cli_logs_in_with_par_and_client_secret_basic() {
    let provider = OidcProvider::start().unwrap_or_else(|e| panic!("{e}"));
    let env = [("PKCE_INTEROP_SECRET", BASIC_CLIENT_SECRET)];
    let tokens = login(
        &provider,
        BASIC_CLIENT_ID,
        &[
            "--par",
            "--auth-method",
            "basic",
            "--client-secret-env",
            "PKCE_INTEROP_SECRET",
        ],
        &env,
    );
    assert!(tokens["access_token"].is_string());
}
