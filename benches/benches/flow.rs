//! pkce-flow hot paths, each beside its floor, with allocations per operation printed first.
//!
//! * authorization URL (2 scopes + PKCE + state) vs. the unavoidable work: RNG fill, SHA-256,
//!   base64url, and copying the URL's bytes into a stack buffer;
//! * callback parse + state check vs. a bare split on `&`/`=` and a constant-time compare;
//! * token response parse vs. a borrowed `serde_json` parse of the same bytes into `&str`s.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{Criterion, criterion_group, criterion_main};
use pkce_flow::{Client, HttpResponse, QuirkSet, parse_token_response};
use rand_chacha::ChaCha20Rng;
use rand_core::{SeedableRng, TryRng};
use sha2::{Digest, Sha256};
use std::hint::black_box;

const TOKEN_BODY: &[u8] = br#"{"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","scope":"openid profile"}"#;

fn client() -> Client {
    Client::builder("s6BhdRkqt3")
        .issuer("https://as.example")
        .authorization_endpoint("https://as.example/authorize")
        .token_endpoint("https://as.example/token")
        .redirect_uri("http://127.0.0.1:51004/callback")
        .scopes("openid profile")
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The floor of an authorization URL: randomness, hash and encodings into stack buffers,
/// and the URL's bytes copied once.
fn floor_url<R: TryRng>(rng: &mut R, template: &[u8], out: &mut [u8; 512]) -> usize {
    let mut raw = [0u8; 64];
    let _ = rng.try_fill_bytes(&mut raw);
    let mut verifier = [0u8; 43];
    let mut state = [0u8; 43];
    let mut challenge = [0u8; 43];
    let _ = Base64UrlUnpadded::encode(&raw[..32], &mut verifier);
    let _ = Base64UrlUnpadded::encode(&raw[32..], &mut state);
    let _ = Base64UrlUnpadded::encode(&Sha256::digest(verifier), &mut challenge);
    let n = template.len().min(out.len());
    out[..n].copy_from_slice(&template[..n]);
    black_box((state, challenge));
    n
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Borrowed<'a> {
    access_token: &'a str,
    token_type: &'a str,
    expires_in: u64,
    refresh_token: &'a str,
    scope: &'a str,
}

fn floor_callback(query: &[u8], state: &[u8]) -> bool {
    let mut ok = false;
    for pair in query.split(|&b| b == b'&') {
        let mut it = pair.splitn(2, |&b| b == b'=');
        if it.next() == Some(b"state") {
            ok = pkce_flow::pkce_core::constant_time_eq(it.next().unwrap_or(&[]), state);
        }
    }
    ok
}

fn print_allocations(c: &Client) {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let url = allocation_counter::measure(|| {
        black_box(c.authorize(&mut rng).ok());
    });
    let (_, pending) = c.authorize(&mut rng).unwrap_or_else(|e| panic!("{e}"));
    let query = format!(
        "code=SplxlOBeZQQYbYS6WxSbIA&state={}&iss=https%3A%2F%2Fas.example",
        pending.state().expose_secret()
    );
    let callback = allocation_counter::measure(|| {
        black_box(pending.callback(&query).ok());
    });
    let response =
        HttpResponse::new(200, TOKEN_BODY).with_header("content-type", "application/json");
    let token = allocation_counter::measure(|| {
        black_box(parse_token_response(&response, QuirkSet::empty()).ok());
    });
    println!("allocations per operation (pkce-flow):");
    println!(
        "  authorization URL (2 scopes + PKCE + state)   {}",
        url.count_total
    );
    println!(
        "  callback parse + state check                   {}",
        callback.count_total
    );
    println!(
        "  token response parse                           {}",
        token.count_total
    );
}

fn bench(c: &mut Criterion) {
    let client = client();
    print_allocations(&client);

    let mut g = c.benchmark_group("authorization URL");
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    g.bench_function("ours", |b| b.iter(|| client.authorize(&mut rng).ok()));
    let (template, _) = client.authorize(&mut rng).unwrap_or_else(|e| panic!("{e}"));
    let template = template.as_str().as_bytes().to_vec();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    g.bench_function("floor", |b| {
        b.iter(|| {
            let mut out = [0u8; 512];
            floor_url(&mut rng, &template, &mut out)
        })
    });
    g.finish();

    let mut g = c.benchmark_group("callback parse + state check");
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    let (_, pending) = client.authorize(&mut rng).unwrap_or_else(|e| panic!("{e}"));
    let state = pending.state().expose_secret().to_owned();
    let query = format!("code=SplxlOBeZQQYbYS6WxSbIA&state={state}&iss=https%3A%2F%2Fas.example");
    // `callback` consumes the pending authorization; a stored copy is restored each round,
    // which the floor pays too (a clone of the same bytes).
    let stored = serde_json::to_string(&pending.into_stored()).unwrap_or_default();
    g.bench_function("ours", |b| {
        b.iter_batched(
            || {
                client
                    .resume(serde_json::from_str(&stored).unwrap_or_else(|e| panic!("{e}")))
                    .unwrap_or_else(|e| panic!("{e}"))
            },
            |p| p.callback(black_box(&query)).is_ok(),
            criterion::BatchSize::SmallInput,
        )
    });
    g.bench_function("floor", |b| {
        b.iter_batched(
            || state.clone(),
            |s| floor_callback(black_box(query.as_bytes()), s.as_bytes()),
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("token response parse");
    let response =
        HttpResponse::new(200, TOKEN_BODY).with_header("content-type", "application/json");
    g.bench_function("ours", |b| {
        b.iter(|| parse_token_response(black_box(&response), QuirkSet::empty()).ok())
    });
    g.bench_function("floor", |b| {
        b.iter(|| {
            serde_json::from_slice::<Borrowed<'_>>(black_box(TOKEN_BODY))
                .ok()
                .map(|t| t.expires_in)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
