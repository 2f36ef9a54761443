//! The fetch driver in a real browser (headless Chromium through `wasm-bindgen-test-runner`)
//! against the testkit over loopback. `cargo xtask spa` starts the servers
//! (`pkce-testkit-serve`, allowing the runner's fixed origin) and compiles their URLs in.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use pkce_fetch::{Error, Transport};
use pkce_flow::{
    AccessToken, Client, Discovery, DiscoveryKind, LoopbackHttp, RequestPolicy, ServerMetadata,
};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A server's URL, compiled in by `cargo xtask spa` (`option_env!`, so that clippy and
/// builds without the servers still compile; a test run without them fails saying so).
macro_rules! server {
    ($name:literal) => {
        match option_env!($name) {
            Some(url) => url,
            None => panic!(concat!(
                $name,
                " was not set at compile time: `cargo xtask spa` starts the testkit and sets it"
            )),
        }
    };
}

fn server_url() -> &'static str {
    server!("PKCE_TESTKIT_URL")
}
fn redirecting() -> &'static str {
    server!("PKCE_TESTKIT_REDIRECT_URL")
}
fn huge() -> &'static str {
    server!("PKCE_TESTKIT_HUGE_URL")
}
fn stalling() -> &'static str {
    server!("PKCE_TESTKIT_STALL_URL")
}
fn no_cors() -> &'static str {
    server!("PKCE_TESTKIT_NO_CORS_URL")
}

async fn discover(issuer: &str) -> Result<ServerMetadata, Error> {
    Transport::new()
        .unwrap()
        .discover(issuer, DiscoveryKind::OAuth, LoopbackHttp::DangerouslyAllow)
        .await
}

fn client(metadata: &ServerMetadata) -> Client {
    Client::builder("pkce-public")
        .metadata(metadata)
        .redirect_uri("http://127.0.0.1/callback")
        .dangerous_allow_insecure_loopback()
        .build()
        .unwrap()
}

#[wasm_bindgen_test]
async fn discovery_and_revocation_succeed_through_fetch() {
    let metadata = discover(server_url()).await.unwrap();
    assert_eq!(metadata.issuer, server_url());
    // RFC 7009 §2.2: an unknown token is revoked with 200; a POST with a body, through CORS.
    Transport::new()
        .unwrap()
        .revoke_access_token(&client(&metadata), &AccessToken::new("never-issued".into()))
        .await
        .unwrap();
}

#[wasm_bindgen_test]
async fn a_code_the_server_never_issued_is_invalid_grant() {
    let metadata = discover(server_url()).await.unwrap();
    let client = client(&metadata);
    // The browser's CSPRNG (getrandom's wasm_js backend) draws the verifier and state.
    let (_url, pending) = client.authorize_with_os_rng().unwrap();
    let callback = format!(
        "http://127.0.0.1/callback?code=never-issued&state={}&iss={}",
        pending.state().expose_secret(),
        server_url().replace(':', "%3A").replace('/', "%2F"),
    );
    let exchange = pending.callback_url(&callback).unwrap();
    let error = Transport::new()
        .unwrap()
        .exchange(exchange)
        .await
        .unwrap_err();
    assert!(error.is_invalid_grant(), "{error:?}");
    assert_eq!(error.oauth_error_code(), Some("invalid_grant"));
    assert_eq!(error.action(), pkce_flow::Action::LoginAgain);
}

#[wasm_bindgen_test]
async fn a_redirect_is_refused_and_not_followed() {
    let error = discover(redirecting()).await.unwrap_err();
    assert!(matches!(error, Error::UnexpectedRedirect), "{error:?}");
    assert_eq!(error.action(), pkce_flow::Action::Stop);
}

#[wasm_bindgen_test]
async fn a_huge_body_is_capped_while_it_streams() {
    // 2 MiB without Content-Length against the default 1 MiB cap: only counting while
    // reading can stop it.
    let error = discover(huge()).await.unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit } if limit == 1024 * 1024),
        "{error:?}"
    );
}

#[wasm_bindgen_test]
async fn a_stalling_server_times_out_through_the_abort_controller() {
    let policy = RequestPolicy {
        timeout: Duration::from_millis(1500),
        ..RequestPolicy::default()
    };
    let discovery = Discovery::new(
        stalling(),
        DiscoveryKind::OAuth,
        LoopbackHttp::DangerouslyAllow,
    )
    .unwrap()
    .with_policy(policy);
    let started = js_sys::Date::now();
    let error = Transport::new()
        .unwrap()
        .drive(discovery)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout), "{error:?}");
    // The server stays silent for 30 s: the abort, not the server, ended the request.
    assert!(js_sys::Date::now() - started < 20_000.0);
}

#[wasm_bindgen_test]
async fn a_server_that_does_not_allow_the_origin_is_a_network_error() {
    let error = discover(no_cors()).await.unwrap_err();
    assert!(matches!(error, Error::Network), "{error:?}");
    assert_eq!(error.action(), pkce_flow::Action::RetryLater);
}
