//! Seal and open beside their floors (`shared/seal_ops.rs`), interleaved: each round times a
//! batch of ours and a batch of the floor back to back, so the load of a shared machine
//! weighs on both alike, and the ratio of the round is kept. Prints the median ratio and
//! the 10th and 90th percentiles over the rounds. `seal.rs` gives criterion's times; a
//! ratio taken from two criterion runs seconds apart moves with the load in between.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "shared/floors.rs"]
mod floors;
#[path = "shared/seal_ops.rs"]
mod seal_ops;

use std::hint::black_box;
use std::time::Instant;

use pkce_flow::StoredAuthorization;
use seal_ops::*;

const ROUNDS: usize = 300;
const BATCH: u32 = 200;

/// Nanoseconds of `BATCH` calls of `f`.
fn batch(mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..BATCH {
        f();
    }
    start.elapsed().as_secs_f64() * 1e9
}

/// The median, 10th and 90th percentile of `ours / floor` over interleaved rounds.
fn ratios(mut ours: impl FnMut(), mut floor: impl FnMut()) -> (f64, f64, f64) {
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            // Alternate which goes first, so neither always follows the other.
            if round % 2 == 0 {
                let o = batch(&mut ours);
                o / batch(&mut floor)
            } else {
                let f = batch(&mut floor);
                batch(&mut ours) / f
            }
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    let at = |p: usize| ratios[(ROUNDS - 1) * p / 100];
    (at(50), at(10), at(90))
}

fn main() {
    let mut fx = SealFixture::new();
    let mut buf = fx.buffer();
    let mut floor_rng = fx.rng.clone();
    let (keys, stored, sealed) = (&fx.keys, &fx.stored, &fx.sealed);
    let (aead, plaintext, bytes) = (&fx.aead, &fx.plaintext, &fx.bytes);
    let seal = ratios(
        || {
            black_box(stored.seal(keys, NOW, &mut fx.rng).unwrap());
        },
        || {
            black_box(floor_seal(
                aead,
                &mut floor_rng,
                black_box(plaintext),
                &mut buf,
            ));
        },
    );
    let open = ratios(
        || {
            black_box(StoredAuthorization::open(black_box(sealed), keys, NOW, 600).unwrap());
        },
        || {
            black_box(floor_open(aead, black_box(bytes), &mut buf));
        },
    );
    println!("seal vs. floor, interleaved ({ROUNDS} rounds of {BATCH} calls each):");
    for (name, (median, p10, p90)) in [("seal", seal), ("open", open)] {
        println!("  {name}: {median:.2}x the floor (10th percentile {p10:.2}x, 90th {p90:.2}x)");
    }
}
