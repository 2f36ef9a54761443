//! pkce-core operations, each beside its floor: the bare RNG fill, SHA-256 and base64ct work
//! the operation cannot avoid, written into stack buffers. Allocations per operation are
//! counted and printed first; they must all be zero.

#[path = "shared/floors.rs"]
mod floors;

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{Criterion, criterion_group, criterion_main};
use pkce_core::{CodeVerifier, State, form::FormEncoder};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest, Sha256};
use std::hint::black_box;

use floors::{floor_state, floor_verifier_challenge};

/// The body of a typical confidential-client-less token request (RFC 7636 §4.5 plus
/// RFC 6749 §4.1.3), as pairs.
const TOKEN_REQUEST: [(&str, &str); 5] = [
    ("grant_type", "authorization_code"),
    ("code", "SplxlOBeZQQYbYS6WxSbIA.Jq-4Zx"),
    ("redirect_uri", "http://127.0.0.1:53117/callback"),
    ("client_id", "pkce-cli/test client"),
    (
        "code_verifier",
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    ),
];

fn ours_token_body(buf: &mut [u8; 512]) -> usize {
    pkce_core::form::encode_pairs_into(TOKEN_REQUEST, buf).map_or(0, str::len)
}

fn print_allocations() {
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let mut buf = [0u8; 512];
    let rows: [(&str, allocation_counter::AllocationInfo); 4] = [
        (
            "verifier + challenge",
            allocation_counter::measure(|| {
                let v = CodeVerifier::generate(&mut rng);
                black_box(v.map(|v| v.challenge()).ok());
            }),
        ),
        (
            "state",
            allocation_counter::measure(|| {
                black_box(State::generate(&mut rng).ok());
            }),
        ),
        (
            "token request body (buffer)",
            allocation_counter::measure(|| {
                black_box(ours_token_body(&mut buf));
            }),
        ),
        (
            "token request body (heapless fmt::Write)",
            allocation_counter::measure(|| {
                let mut s = heapless_like::Buf::default();
                let mut enc = FormEncoder::new(&mut s);
                for (k, v) in TOKEN_REQUEST {
                    let _ = enc.append_pair(k, v);
                }
                black_box(s.len);
            }),
        ),
    ];
    println!("allocations per operation (pkce-core):");
    for (name, info) in rows {
        println!(
            "  {name:<42} {} allocations, {} bytes",
            info.count_total, info.bytes_total
        );
    }
}

/// A tiny fixed-capacity `fmt::Write` sink so this bench does not need heapless itself.
mod heapless_like {
    use core::fmt;

    pub(crate) struct Buf {
        pub(crate) bytes: [u8; 512],
        pub(crate) len: usize,
    }

    impl Default for Buf {
        fn default() -> Self {
            Self {
                bytes: [0; 512],
                len: 0,
            }
        }
    }

    impl fmt::Write for Buf {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.len + s.len();
            self.bytes
                .get_mut(self.len..end)
                .ok_or(fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
}

fn bench(c: &mut Criterion) {
    print_allocations();

    let mut g = c.benchmark_group("verifier+challenge (ChaCha20)");
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    g.bench_function("ours", |b| {
        b.iter(|| CodeVerifier::generate(&mut rng).map(|v| v.challenge()).ok())
    });
    let mut rng = ChaCha20Rng::seed_from_u64(42);
    g.bench_function("floor", |b| b.iter(|| floor_verifier_challenge(&mut rng)));
    g.finish();

    let mut g = c.benchmark_group("verifier+challenge (OS RNG)");
    g.bench_function("ours", |b| {
        b.iter(|| {
            CodeVerifier::generate(&mut getrandom::SysRng)
                .map(|v| v.challenge())
                .ok()
        })
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor_verifier_challenge(&mut getrandom::SysRng))
    });
    g.finish();

    let mut g = c.benchmark_group("challenge only");
    let v = CodeVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").ok();
    g.bench_function("ours", |b| {
        b.iter(|| black_box(v.as_ref()).map(CodeVerifier::challenge))
    });
    let raw = *b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    g.bench_function("floor", |b| {
        b.iter(|| {
            let digest = Sha256::digest(black_box(raw));
            let mut out = [0u8; 43];
            let _ = Base64UrlUnpadded::encode(&digest, &mut out);
            out
        })
    });
    g.finish();

    let mut g = c.benchmark_group("state (ChaCha20)");
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    g.bench_function("ours", |b| b.iter(|| State::generate(&mut rng).ok()));
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    g.bench_function("floor", |b| b.iter(|| floor_state(&mut rng)));
    g.finish();

    let mut g = c.benchmark_group("token request body form encoding");
    let mut buf = [0u8; 512];
    g.bench_function("ours", |b| b.iter(|| ours_token_body(black_box(&mut buf))));
    // The floor: the same output bytes copied into a stack buffer.
    let mut scratch = [0u8; 512];
    let n = ours_token_body(&mut scratch);
    let expected = scratch;
    g.bench_function("floor", |b| {
        b.iter(|| {
            let mut out = [0u8; 512];
            out[..n].copy_from_slice(&black_box(&expected)[..n]);
            out
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
