//! pkce-flow alone in a wasm module, for `cargo xtask spa`'s size report: no transport, no
//! JavaScript glue. One exported function configures a client, starts an authorization
//! (verifier, S256 challenge and state from a seeded ChaCha), validates a callback, builds
//! the code exchange request and parses a token response, so every one of those steps is
//! linked in. Built as a `cdylib` with the `wasm-release` profile; on the host it is just a
//! library nobody calls.
#![allow(unsafe_code)]

use pkce_flow::{Client, Exchange, HttpResponse, Poll};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// Runs the steps; returns the authorization URL's length plus the access token's, or 0 when
/// a step fails. `unsafe(no_mangle)` keeps the symbol (and so everything it reaches) in the
/// module.
#[unsafe(no_mangle)]
pub extern "C" fn pkce_flow_probe(seed: u64) -> u32 {
    steps(seed).unwrap_or(0)
}

fn steps(seed: u64) -> Option<u32> {
    let client = Client::builder("probe")
        .authorization_endpoint("https://as.example/authorize")
        .token_endpoint("https://as.example/token")
        .issuer("https://as.example")
        .redirect_uri("https://app.example/callback")
        .scopes("openid")
        .build()
        .ok()?;
    let (url, pending) = client
        .authorize(&mut ChaCha20Rng::seed_from_u64(seed))
        .ok()?;
    let query = format!(
        "code=c&state={}&iss=https%3A%2F%2Fas.example",
        pending.state().expose_secret()
    );
    let mut exchange = pending.callback(&query).ok()?;
    let Poll::Request(_request) = exchange.poll_output().ok()? else {
        return None;
    };
    let body = br#"{"access_token":"at","token_type":"Bearer","expires_in":60}"#;
    exchange
        .handle_response(
            HttpResponse::new(200, body).with_header("content-type", "application/json"),
        )
        .ok()?;
    let Poll::Done(tokens) = exchange.poll_output().ok()? else {
        return None;
    };
    u32::try_from(url.as_str().len() + tokens.access_token().expose_secret().len()).ok()
}
