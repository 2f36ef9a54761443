//! Sealed pending authorizations (pkce-flow feature `seal`), each beside its floor, the bare
//! XChaCha20-Poly1305 on the same bytes (what the floor includes is said in
//! `shared/seal_ops.rs`):
//!
//! * seal (encode the fields, nonce, encrypt, base64url) vs. a nonce and the AEAD encrypting
//!   the same plaintext;
//! * open (base64url, decrypt, time checks, decode and validate the fields) vs. the AEAD
//!   decrypting the same bytes.
//!
//! A third line adds base64ct's text encoding or decoding to the floor: the part of the
//! cost that any cookie-safe text format pays. `seal_allocations.rs` counts the heap
//! allocations of the same calls.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "shared/floors.rs"]
mod floors;
#[path = "shared/seal_ops.rs"]
mod seal_ops;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pkce_flow::StoredAuthorization;
use seal_ops::*;

fn bench(c: &mut Criterion) {
    let SealFixture {
        keys,
        aead,
        mut rng,
        stored,
        sealed,
        bytes,
        plaintext,
    } = SealFixture::new();
    let mut buf = Vec::with_capacity(bytes.len());
    let mut text = vec![0u8; sealed.len() + 4];
    println!(
        "sealed typical authorization with nonce: {} characters ({} bytes plaintext)",
        sealed.len(),
        plaintext.len()
    );

    let mut g = c.benchmark_group("seal");
    g.bench_function("ours", |b| {
        b.iter(|| black_box(&stored).seal(&keys, NOW, &mut rng).unwrap())
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor_seal(&aead, &mut rng, black_box(&plaintext), &mut buf))
    });
    g.bench_function("floor + base64ct text", |b| {
        b.iter(|| floor_seal_text(&aead, &mut rng, black_box(&plaintext), &mut buf, &mut text))
    });
    g.finish();

    let mut g = c.benchmark_group("open");
    g.bench_function("ours", |b| {
        b.iter(|| StoredAuthorization::open(black_box(&sealed), &keys, NOW, 600).unwrap())
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor_open(&aead, black_box(&bytes), &mut buf))
    });
    g.bench_function("floor + base64ct text", |b| {
        b.iter(|| floor_open_text(&aead, black_box(sealed.as_bytes()), &mut buf))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
