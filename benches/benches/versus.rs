//! Our flow beside its floor and beside oauth2-rs 5.0.0, timed in the same run on the same
//! inputs: every group has `ours`, `floor` (the work the operation cannot avoid, on the
//! stack) and `oauth2-rs` where it has the operation. What each side does is in
//! `shared/versus_ops.rs`. Ours is measured with a seeded `ChaCha20Rng` and, for the verifier,
//! with the OS generator (`getrandom::SysRng`: one `getrandom(2)` call per draw).
//!
//! This binary does not link allocation-counter: its counting global allocator adds a few
//! nanoseconds to every allocation and free, which would tax the side that allocates more.
//! `versus_allocations.rs` counts the same operations.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "shared/floors.rs"]
mod floors;
#[path = "shared/versus_ops.rs"]
mod ops;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use oauth2::basic::BasicTokenResponse;
use oauth2::{CsrfToken, PkceCodeChallenge, PkceCodeVerifier};
use pkce_core::{CodeVerifier, State};
use pkce_flow::{PendingAuthorization, QuirkSet, parse_token_response};
use rand_chacha::{ChaCha12Rng, ChaCha20Rng};
use rand_core::{SeedableRng, TryCryptoRng};

use floors::*;
use ops::*;

/// One verifier + challenge group; ours and the floor each draw from their own `rng()`.
fn verifier_group<R: TryCryptoRng>(c: &mut Criterion, name: &str, rng: impl Fn() -> R) {
    let mut g = c.benchmark_group(name);
    let mut ours = rng();
    g.bench_function("ours", |b| {
        b.iter(|| {
            CodeVerifier::generate(&mut ours)
                .map(|v| v.challenge())
                .ok()
        })
    });
    let mut floor = rng();
    g.bench_function("floor", |b| b.iter(|| floor_verifier_challenge(&mut floor)));
    g.bench_function("oauth2-rs", |b| {
        b.iter(PkceCodeChallenge::new_random_sha256)
    });
    g.finish();
}

/// A group whose three sides each start from a fresh callback (set up untimed): ours from a
/// pending authorization, the floor from a state and query, oauth2-rs from what its users
/// keep.
fn callback_group<A, B, C>(
    c: &mut Criterion,
    name: &str,
    mut ours_setup: impl FnMut() -> (PendingAuthorization, String),
    mut ours: impl FnMut((PendingAuthorization, String)) -> A,
    mut floor: impl FnMut((String, String)) -> B,
    mut theirs: impl FnMut((PkceCodeVerifier, String, String)) -> C,
) {
    let mut g = c.benchmark_group(name);
    g.bench_function("ours", |b| {
        b.iter_batched(&mut ours_setup, &mut ours, BatchSize::SmallInput)
    });
    g.bench_function("floor", |b| {
        b.iter_batched(floor_pending, &mut floor, BatchSize::SmallInput)
    });
    g.bench_function("oauth2-rs", |b| {
        b.iter_batched(oauth2_pending, &mut theirs, BatchSize::SmallInput)
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    let fx = Fixture::new();
    fx.check();
    let ours = &fx.ours;
    let theirs = &fx.theirs;

    verifier_group(c, G_VC_CHACHA, || ChaCha20Rng::seed_from_u64(42));
    verifier_group(c, G_VC_CHACHA12, || ChaCha12Rng::seed_from_u64(42));
    verifier_group(c, G_VC_OS, || getrandom::SysRng);

    let mut g = c.benchmark_group(G_STATE);
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    g.bench_function("ours", |b| b.iter(|| State::generate(&mut rng).ok()));
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    g.bench_function("floor", |b| b.iter(|| floor_state(&mut rng)));
    g.bench_function("oauth2-rs", |b| b.iter(CsrfToken::new_random));
    g.finish();

    let mut g = c.benchmark_group(G_URL);
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    g.bench_function("ours", |b| b.iter(|| ours_url(ours, &mut rng)));
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    g.bench_function("floor", |b| {
        b.iter(|| floor_url(&mut rng, black_box(&fx.url_template)))
    });
    g.bench_function("oauth2-rs", |b| b.iter(|| oauth2_url(theirs)));
    g.finish();

    let mut g = c.benchmark_group(G_CALLBACK);
    let mut rng = ChaCha20Rng::seed_from_u64(10);
    g.bench_function("ours", |b| {
        b.iter_batched(
            || ours_pending(ours, &mut rng),
            |(p, q)| p.callback(black_box(&q)).is_ok(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("floor", |b| {
        b.iter_batched(
            floor_pending,
            |(s, q)| floor_callback(black_box(q.as_bytes()), s.as_bytes()),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("reference", |b| {
        b.iter_batched(
            floor_pending,
            |(s, q)| reference_callback(black_box(&q), &s).is_some(),
            BatchSize::SmallInput,
        )
    });
    g.finish();

    let exchange_body = &fx.exchange_body;
    callback_group(
        c,
        G_REQUEST,
        || ours_pending(ours, &mut rng),
        ours_request,
        |(s, q)| {
            floor_callback(black_box(q.as_bytes()), s.as_bytes())
                .then(|| floor_body(black_box(exchange_body)))
        },
        |i| oauth2_request(theirs, i),
    );

    // Two floors, each in its own group beside the same two contenders: serde_json's
    // borrowed parse (a general JSON parser that copies nothing), and less than any parser
    // with owned output can do (`floor_parse_owned`: no scanning at all).
    let response = ours_response();
    let ranges = token_ranges();
    let floors: [(&str, &dyn Fn() -> Option<u64>); 2] = [
        (G_PARSE, &|| floor_parse(black_box(TOKEN_BODY))),
        (G_PARSE_OWNED, &|| {
            floor_parse_owned(black_box(TOKEN_BODY), &ranges)
        }),
    ];
    for (group, floor) in floors {
        let mut g = c.benchmark_group(group);
        g.bench_function("ours", |b| {
            b.iter(|| parse_token_response(black_box(&response), QuirkSet::empty()).ok())
        });
        g.bench_function("floor", |b| b.iter(floor));
        g.bench_function("oauth2-rs", |b| {
            b.iter(|| serde_json::from_slice::<BasicTokenResponse>(black_box(TOKEN_BODY)).ok())
        });
        g.finish();
    }

    callback_group(
        c,
        G_EXCHANGE,
        || ours_pending(ours, &mut rng),
        ours_exchange,
        |(s, q)| floor_exchange(black_box(q.as_bytes()), s.as_bytes(), exchange_body),
        |i| oauth2_exchange(theirs, i),
    );

    let mut g = c.benchmark_group(G_REFRESH);
    g.bench_function("ours", |b| {
        b.iter(|| ours_refresh(ours, black_box(&fx.ours_rt)))
    });
    g.bench_function("floor", |b| {
        b.iter(|| {
            floor_body(black_box(&fx.refresh_body));
            floor_parse(black_box(TOKEN_BODY))
        })
    });
    g.bench_function("oauth2-rs", |b| {
        b.iter(|| oauth2_refresh(theirs, black_box(&fx.theirs_rt)))
    });
    g.finish();

    let mut g = c.benchmark_group(G_CANNED);
    g.bench_function("oauth2-rs", |b| b.iter(canned));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
