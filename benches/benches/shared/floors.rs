//! Inputs and floors shared by every bench binary (`core`, `flow`, `versus`,
//! `versus_allocations`), included by `#[path]` so each measures exactly the same floor.
//! A floor is the work an operation cannot avoid, on the stack.
// Each binary uses a part of this file; a broken fixture panics at bench set-up.
#![allow(dead_code, clippy::panic)]

use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use pkce_flow::{Client, HttpResponse};
use rand_core::TryRng;
use sha2::{Digest, Sha256};

/// The same token response for every parser (RFC 6749 §5.1, with a rotated refresh token).
pub(crate) const TOKEN_BODY: &[u8] = br#"{"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","scope":"openid profile"}"#;
pub(crate) const CLIENT_ID: &str = "s6BhdRkqt3";
pub(crate) const AUTHORIZE: &str = "https://as.example/authorize";
pub(crate) const TOKEN: &str = "https://as.example/token";
pub(crate) const REDIRECT: &str = "http://127.0.0.1:51004/callback";

/// The client every flow benchmark uses: public, two scopes, an issuer.
pub(crate) fn client() -> Client {
    Client::builder(CLIENT_ID)
        .issuer("https://as.example")
        .authorization_endpoint(AUTHORIZE)
        .token_endpoint(TOKEN)
        .redirect_uri(REDIRECT)
        .scopes("openid profile")
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// `TOKEN_BODY` as a 200 JSON response.
pub(crate) fn ours_response() -> HttpResponse<'static> {
    HttpResponse::new(200, TOKEN_BODY).with_header("content-type", "application/json")
}

pub(crate) fn floor_verifier_challenge<R: TryRng>(rng: &mut R) -> ([u8; 43], [u8; 43]) {
    let mut raw = [0u8; 32];
    let _ = rng.try_fill_bytes(&mut raw);
    let mut verifier = [0u8; 43];
    let _ = Base64UrlUnpadded::encode(&raw, &mut verifier);
    let digest = Sha256::digest(verifier);
    let mut challenge = [0u8; 43];
    let _ = Base64UrlUnpadded::encode(&digest, &mut challenge);
    (verifier, challenge)
}

pub(crate) fn floor_state<R: TryRng>(rng: &mut R) -> [u8; 43] {
    let mut raw = [0u8; 32];
    let _ = rng.try_fill_bytes(&mut raw);
    let mut state = [0u8; 43];
    let _ = Base64UrlUnpadded::encode(&raw, &mut state);
    state
}

/// Randomness, hash and encodings into stack buffers, and the URL's bytes copied once.
pub(crate) fn floor_url<R: TryRng>(rng: &mut R, template: &[u8]) -> usize {
    let mut raw = [0u8; 64];
    let _ = rng.try_fill_bytes(&mut raw);
    let mut verifier = [0u8; 43];
    let mut state = [0u8; 43];
    let mut challenge = [0u8; 43];
    let _ = Base64UrlUnpadded::encode(&raw[..32], &mut verifier);
    let _ = Base64UrlUnpadded::encode(&raw[32..], &mut state);
    let _ = Base64UrlUnpadded::encode(&Sha256::digest(verifier), &mut challenge);
    let mut out = [0u8; 512];
    let n = template.len().min(out.len());
    out[..n].copy_from_slice(&template[..n]);
    black_box((&out, state, challenge));
    n
}

/// A bare split on `&`/`=` and a constant-time compare of the state.
pub(crate) fn floor_callback(query: &[u8], state: &[u8]) -> bool {
    let mut ok = false;
    for pair in query.split(|&b| b == b'&') {
        let mut it = pair.splitn(2, |&b| b == b'=');
        if it.next() == Some(b"state") {
            ok = pkce_flow::pkce_core::constant_time_eq(it.next().unwrap_or(&[]), state);
        }
    }
    ok
}

/// A request body's bytes copied into a stack buffer.
pub(crate) fn floor_body(body: &[u8]) -> usize {
    let mut out = [0u8; 512];
    let n = body.len().min(out.len());
    out[..n].copy_from_slice(&body[..n]);
    black_box(&out);
    n
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
pub(crate) struct Borrowed<'a> {
    access_token: &'a str,
    token_type: &'a str,
    expires_in: u64,
    refresh_token: &'a str,
    scope: &'a str,
}

pub(crate) fn floor_parse(body: &[u8]) -> Option<u64> {
    serde_json::from_slice::<Borrowed<'_>>(body)
        .ok()
        .map(|t| t.expires_in)
}
