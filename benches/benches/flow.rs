//! pkce-flow hot paths, each beside its floor, with allocations per operation printed first.
//!
//! * authorization URL (2 scopes + PKCE + state) vs. the unavoidable work: RNG fill, SHA-256,
//!   base64url, and copying the URL's bytes into a stack buffer;
//! * callback parse + state check vs. a bare split on `&`/`=` and a constant-time compare;
//! * token response parse vs. a borrowed `serde_json` parse of the same bytes into `&str`s.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "shared/floors.rs"]
mod floors;

use criterion::{Criterion, criterion_group, criterion_main};
use pkce_flow::{Client, QuirkSet, parse_token_response};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::hint::black_box;

use floors::{TOKEN_BODY, client, floor_callback, floor_parse, floor_url, ours_response};

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
    let response = ours_response();
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
        b.iter(|| floor_url(&mut rng, black_box(&template)))
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
    let response = ours_response();
    g.bench_function("ours", |b| {
        b.iter(|| parse_token_response(black_box(&response), QuirkSet::empty()).ok())
    });
    g.bench_function("floor", |b| b.iter(|| floor_parse(black_box(TOKEN_BODY))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
