//! Heap allocations of one `seal` and one `open` of `seal.rs`'s authorization, counted with
//! allocation-counter (a separate binary, so the counting allocator never runs under the
//! timings). The floors work in a buffer made once and allocate nothing.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "shared/floors.rs"]
mod floors;
#[path = "shared/seal_ops.rs"]
mod seal_ops;

use std::hint::black_box;

use pkce_flow::StoredAuthorization;
use seal_ops::*;

fn main() {
    let mut fx = SealFixture::new();
    let mut buf = fx.buffer();
    let seal = allocation_counter::measure(|| {
        black_box(fx.stored.seal(&fx.keys, NOW, &mut fx.rng).unwrap());
    });
    let open = allocation_counter::measure(|| {
        black_box(StoredAuthorization::open(&fx.sealed, &fx.keys, NOW, 600).unwrap());
    });
    let floor = allocation_counter::measure(|| {
        black_box(floor_seal(&fx.aead, &mut fx.rng, &fx.plaintext, &mut buf));
        black_box(floor_open(&fx.aead, &fx.bytes, &mut buf));
    });
    // The heading and indented lines `cargo xtask bench` copies into RESULTS.md.
    println!(
        "allocations per operation (pkce-flow seal; both floors together: {}):",
        floor.count_total
    );
    println!("  seal: {}", seal.count_total);
    println!("  open: {}", open.count_total);
}
