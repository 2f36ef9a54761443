//! The `pkce` binary against a real third-party authorization server (oidc-provider), with
//! the interop harness's scripted browser playing the user.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use pkce_interop::{
    BASIC_CLIENT_ID, BASIC_CLIENT_SECRET, Browser, OidcProvider, PUBLIC_CLIENT_ID, http_agent,
    query_param,
};

/// A store directory of its own for one test: tests run in parallel, and each logs in to the
/// profile `default`.
fn store_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pkce-interop-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `pkce login` against `provider` with the sessions kept in `store`, the scripted browser
/// logging in and consenting; the JSON output.
fn login(
    provider: &OidcProvider,
    store: &Path,
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
        .env("PKCE_STORE_DIR", store)
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
    let tokens = login(&provider, &store_dir("public"), PUBLIC_CLIENT_ID, &[], &[]);
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["refresh_token"].is_string());
}

#[test]
fn cli_logs_in_with_par_and_client_secret_basic() {
    let provider = OidcProvider::start().unwrap_or_else(|e| panic!("{e}"));
    let env = [("PKCE_INTEROP_SECRET", BASIC_CLIENT_SECRET)];
    let tokens = login(
        &provider,
        &store_dir("basic"),
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

/// `pkce token --format dpop --method GET --url URL` for the session at `provider` kept in
/// `store`; the two
/// header lines it prints.
fn dpop_headers(provider: &OidcProvider, store: &Path, url: &str) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pkce"))
        .args(["token", "--format", "dpop", "--method", "GET", "--url", url])
        .args([
            "--issuer",
            provider.issuer(),
            "--client-id",
            PUBLIC_CLIENT_ID,
        ])
        .args(["--dangerous-allow-http-loopback"])
        .env("PKCE_STORE_DIR", store)
        .env_remove("PKCE_CONFIG")
        .env_remove("PKCE_PROFILE")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines = stdout.lines();
    let authorization = lines
        .next()
        .unwrap()
        .strip_prefix("Authorization: ")
        .unwrap();
    let proof = lines.next().unwrap().strip_prefix("DPoP: ").unwrap();
    assert_eq!(lines.next(), None, "{stdout}");
    (authorization.to_owned(), proof.to_owned())
}

/// `GET url` with the two DPoP headers; the status and the `WWW-Authenticate` header.
fn userinfo_with(url: &str, (authorization, proof): &(String, String)) -> (u16, String) {
    let answer = http_agent()
        .get(url)
        .header("Authorization", authorization)
        .header("DPoP", proof)
        .config()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .call()
        .unwrap();
    let challenge = answer
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (answer.status().as_u16(), challenge)
}

/// `pkce login --dpop` (with `extra` flags) against oidc-provider, which requires proofs
/// with its nonce at PAR, the token and the userinfo endpoint: a `DPoP` token bound to the
/// stored key. Then `pkce token --format dpop` prints headers oidc-provider's userinfo
/// endpoint accepts: the token as a `DPoP` token and a proof for `GET` of that URL with the
/// nonce remembered from the login. A replayed proof and the token as a Bearer token are
/// refused. Once the stored token has expired, `pkce token` refreshes it with the stored key
/// and the new token's headers are accepted too.
fn dpop_login_then_userinfo(name: &str, extra: &[&str]) {
    let provider = OidcProvider::start().unwrap_or_else(|e| panic!("{e}"));
    let store = store_dir(name);
    let mut args = vec!["--dpop"];
    args.extend_from_slice(extra);
    let tokens = login(&provider, &store, PUBLIC_CLIENT_ID, &args, &[]);
    assert_eq!(tokens["token_type"], "DPoP");
    let access_token = tokens["access_token"].as_str().unwrap();

    let discovery = http_agent()
        .get(provider.url("/.well-known/openid-configuration"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let discovery: serde_json::Value = serde_json::from_str(&discovery).unwrap();
    let userinfo = discovery["userinfo_endpoint"].as_str().unwrap().to_owned();
    let headers = dpop_headers(&provider, &store, &userinfo);
    assert_eq!(headers.0, format!("DPoP {access_token}"));
    let (status, challenge) = userinfo_with(&userinfo, &headers);
    assert_eq!(status, 200, "{challenge}\n{}", provider.log());

    // oidc-provider keeps each proof's `jti`: the same headers again are refused, new ones
    // from the CLI are accepted.
    assert_eq!(userinfo_with(&userinfo, &headers).0, 401);
    let fresh = dpop_headers(&provider, &store, &userinfo);
    assert_ne!(fresh.1, headers.1, "a new proof for each call");
    assert_eq!(userinfo_with(&userinfo, &fresh).0, 200);

    // The token alone, as a Bearer token (what a thief without the key can send).
    let bearer = http_agent()
        .get(&userinfo)
        .header("Authorization", &format!("Bearer {access_token}"))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .unwrap();
    assert_eq!(bearer.status().as_u16(), 401, "Bearer refused");

    // The stored token expired: `pkce token` refreshes it, signed with the stored key.
    let file = store.join("default.json");
    let mut session: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    session["expires_at"] = serde_json::json!(1);
    std::fs::write(&file, serde_json::to_vec(&session).unwrap()).unwrap();
    let refreshed = dpop_headers(&provider, &store, &userinfo);
    assert_ne!(refreshed.0, headers.0, "a new access token");
    let (status, challenge) = userinfo_with(&userinfo, &refreshed);
    assert_eq!(status, 200, "{challenge}\n{}", provider.log());
}

#[test]
fn cli_dpop_login_then_format_dpop_headers_open_oidc_providers_userinfo() {
    dpop_login_then_userinfo("dpop", &[]);
}

#[test]
fn cli_dpop_login_with_par_then_format_dpop_headers_open_oidc_providers_userinfo() {
    dpop_login_then_userinfo("dpop-par", &["--par"]);
}
