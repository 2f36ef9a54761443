//! DPoP proofs (ES256), each beside its floor: one bare `p256` signature of the same signing
//! input, which every proof must pay. Allocations per proof are printed first.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use pkce_flow::AccessToken;
use pkce_flow::dpop::{DpopNonce, Es256Key, ProofRequest};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

const SECRET: [u8; 32] = [7; 32];
const NOW: u64 = 1_700_000_000;
const TOKEN_URL: &str = "https://as.example/token";
const API_URL: &str = "https://rs.example/api/items?page=2";

struct Fixture {
    key: Es256Key,
    bare: SigningKey,
    nonce: DpopNonce,
    token: AccessToken,
}

impl Fixture {
    fn new() -> Self {
        Self {
            key: Es256Key::from_secret_bytes(&SECRET).unwrap(),
            bare: SigningKey::from_slice(&SECRET).unwrap(),
            nonce: DpopNonce::parse("eyJ7S_zG.eyJH0-Z.HX4w-7v").unwrap(),
            token: AccessToken::new("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU".into()),
        }
    }

    /// A code exchange's proof: no nonce, no `ath`.
    fn token_proof(&self, rng: &mut ChaCha20Rng) -> Option<String> {
        let proof = ProofRequest::new("POST", TOKEN_URL).ok()?;
        Some(
            proof
                .sign(&self.key, rng, NOW)
                .ok()?
                .expose_secret()
                .to_owned(),
        )
    }

    /// A resource request's proof: the server's nonce and `ath`.
    fn resource_proof(&self, rng: &mut ChaCha20Rng) -> Option<String> {
        let proof = ProofRequest::new("GET", API_URL)
            .ok()?
            .nonce(Some(&self.nonce))
            .access_token(&self.token)
            .ok()?;
        Some(
            proof
                .sign(&self.key, rng, NOW)
                .ok()?
                .expose_secret()
                .to_owned(),
        )
    }
}

/// The floor: a bare signature of the signing input (header and claims) of a real proof.
fn signing_input(proof: &str) -> Vec<u8> {
    let end = proof.rfind('.').unwrap();
    proof.as_bytes()[..end].to_vec()
}

fn floor(key: &SigningKey, input: &[u8]) -> Signature {
    key.sign(input)
}

fn bench(c: &mut Criterion) {
    let fx = Fixture::new();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let token_input = signing_input(&fx.token_proof(&mut rng).unwrap());
    let resource_input = signing_input(&fx.resource_proof(&mut rng).unwrap());

    // `sign` returns the proof; the `to_owned` in the helpers above is not counted here.
    let count = |rng: &mut ChaCha20Rng, request: ProofRequest<'_>| {
        allocation_counter::measure(|| {
            black_box(request.sign(&fx.key, rng, NOW).ok());
        })
        .count_total
    };
    let token_request = ProofRequest::new("POST", TOKEN_URL).unwrap();
    let resource_request = ProofRequest::new("GET", API_URL)
        .unwrap()
        .nonce(Some(&fx.nonce))
        .access_token(&fx.token)
        .unwrap();
    println!("allocations per operation (pkce-flow DPoP):");
    println!(
        "  DPoP proof, token request (ES256)             {}",
        count(&mut rng, token_request)
    );
    println!(
        "  DPoP proof, resource request (nonce + ath)    {}",
        count(&mut rng, resource_request)
    );

    let mut g = c.benchmark_group("DPoP proof, token request (ES256)");
    g.bench_function("ours", |b| {
        b.iter(|| token_request.sign(&fx.key, &mut rng, black_box(NOW)).ok())
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor(&fx.bare, black_box(&token_input)))
    });
    g.finish();

    let mut g = c.benchmark_group("DPoP proof, resource request (nonce + ath)");
    g.bench_function("ours", |b| {
        b.iter(|| {
            ProofRequest::new("GET", black_box(API_URL))
                .and_then(|r| r.nonce(Some(&fx.nonce)).access_token(&fx.token))
                .and_then(|r| r.sign(&fx.key, &mut rng, NOW))
                .ok()
        })
    });
    g.bench_function("floor", |b| {
        b.iter(|| floor(&fx.bare, black_box(&resource_input)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
