//! Heap allocations per operation of every `versus.rs` group, ours and oauth2-rs, counted with
//! allocation-counter on the very functions `versus.rs` times (`shared/versus_ops.rs`).
//!
//! It prints one `alloc | group | ours | oauth2-rs` line per group, which `cargo xtask bench`
//! reads into `benches/RESULTS.md`. It is a separate binary so that the counting allocator
//! never runs under the timings.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "shared/floors.rs"]
mod floors;
#[path = "shared/versus_ops.rs"]
mod ops;

use std::hint::black_box;

use oauth2::basic::BasicTokenResponse;
use oauth2::{CsrfToken, PkceCodeChallenge};
use pkce_core::{CodeVerifier, State};
use pkce_flow::{QuirkSet, parse_token_response};
use rand_chacha::{ChaCha12Rng, ChaCha20Rng};
use rand_core::SeedableRng;

use floors::*;
use ops::*;

/// Allocations of one call of `f`, after one uncounted warm-up call (oauth2-rs's thread RNG
/// allocates once per thread on first use; that is not a per-operation cost).
fn count(mut f: impl FnMut()) -> u64 {
    f();
    allocation_counter::measure(f).count_total
}

/// Allocations of `f(setup())`, the setup not counted.
fn count_with<I>(mut setup: impl FnMut() -> I, mut f: impl FnMut(I)) -> u64 {
    f(setup());
    let input = setup();
    allocation_counter::measure(|| f(input)).count_total
}

fn print_allocations(fx: &Fixture) {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut rng2 = ChaCha20Rng::seed_from_u64(4);
    let ours = &fx.ours;
    let theirs = &fx.theirs;
    // oauth2-rs has no callback validation: its cell counts what its users write instead.
    let reference = count_with(oauth2_pending, |(_, s, q)| {
        black_box(reference_callback(&q, &s));
    });
    let mut rng12 = ChaCha12Rng::seed_from_u64(5);
    let parse_ours = count(|| {
        black_box(parse_token_response(&ours_response(), QuirkSet::empty()).ok());
    });
    let parse_theirs = count(|| {
        black_box(serde_json::from_slice::<BasicTokenResponse>(TOKEN_BODY).ok());
    });
    let rows: [(&str, u64, Option<u64>); 12] = [
        (
            G_VC_CHACHA,
            count(|| {
                black_box(CodeVerifier::generate(&mut rng).map(|v| v.challenge()).ok());
            }),
            Some(count(|| {
                black_box(PkceCodeChallenge::new_random_sha256());
            })),
        ),
        (
            G_VC_CHACHA12,
            count(|| {
                black_box(
                    CodeVerifier::generate(&mut rng12)
                        .map(|v| v.challenge())
                        .ok(),
                );
            }),
            Some(count(|| {
                black_box(PkceCodeChallenge::new_random_sha256());
            })),
        ),
        (
            G_VC_OS,
            count(|| {
                let v = CodeVerifier::generate(&mut getrandom::SysRng);
                black_box(v.map(|v| v.challenge()).ok());
            }),
            Some(count(|| {
                black_box(PkceCodeChallenge::new_random_sha256());
            })),
        ),
        (
            G_STATE,
            count(|| {
                black_box(State::generate(&mut rng).ok());
            }),
            Some(count(|| {
                let _ = black_box(CsrfToken::new_random());
            })),
        ),
        (
            G_URL,
            count(|| {
                black_box(ours_url(ours, &mut rng));
            }),
            Some(count(|| {
                black_box(oauth2_url(theirs));
            })),
        ),
        (
            G_CALLBACK,
            count_with(
                || ours_pending(ours, &mut rng),
                |(p, q)| {
                    black_box(p.callback(&q).is_ok());
                },
            ),
            None,
        ),
        (
            G_REQUEST,
            count_with(
                || ours_pending(ours, &mut rng),
                |i| {
                    black_box(ours_request(i));
                },
            ),
            Some(count_with(oauth2_pending, |i| {
                black_box(oauth2_request(theirs, i));
            })),
        ),
        // The two token-parse groups time the same two parsers beside different floors.
        (G_PARSE, parse_ours, Some(parse_theirs)),
        (G_PARSE_OWNED, parse_ours, Some(parse_theirs)),
        (
            G_EXCHANGE,
            count_with(
                || ours_pending(ours, &mut rng2),
                |i| {
                    black_box(ours_exchange(i));
                },
            ),
            Some(count_with(oauth2_pending, |i| {
                black_box(oauth2_exchange(theirs, i));
            })),
        ),
        (
            G_REFRESH,
            count(|| {
                black_box(ours_refresh(ours, &fx.ours_rt));
            }),
            Some(count(|| {
                black_box(oauth2_refresh(theirs, &fx.theirs_rt));
            })),
        ),
        (
            G_CANNED,
            0,
            Some(count(|| {
                black_box(canned());
            })),
        ),
    ];
    println!("allocations per operation (versus.rs groups; oauth2-rs warmed up first):");
    println!("alloc | operation (criterion group) | ours | oauth2-rs");
    for (group, ours, theirs) in rows {
        // The canned response is oauth2-rs's share of its exchange; ours has none.
        let ours = if group == G_CANNED {
            "—".to_owned()
        } else {
            ours.to_string()
        };
        let theirs = match (group, theirs) {
            (_, Some(n)) => n.to_string(),
            (G_CALLBACK, None) => format!("n/a (ref. {reference})"),
            (_, None) => "—".to_owned(),
        };
        println!("alloc | {group} | {ours} | {theirs}");
    }
}

fn main() {
    // `cargo bench` passes `--bench`; there is nothing to filter or configure here.
    let fx = Fixture::new();
    fx.check();
    print_allocations(&fx);
}
