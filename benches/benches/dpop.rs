//! DPoP proofs (ES256), each beside its floor: one bare `p256` signature of the same signing
//! input, which every proof must pay. Allocations per proof are printed first.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use pkce_flow::AccessToken;
use pkce_flow::dpop::{DpopNonce, DpopProof, Es256Key, ProofRequest};
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

    /// What a code exchange's proof covers: no nonce, no `ath`.
    fn token_request(&self) -> ProofRequest<'_> {
        ProofRequest::new("POST", TOKEN_URL).unwrap()
    }

    /// What a resource request's proof covers: the server's nonce and `ath`.
    fn resource_request(&self) -> ProofRequest<'_> {
        ProofRequest::new("GET", API_URL)
            .unwrap()
            .nonce(Some(&self.nonce))
            .access_token(&self.token)
            .unwrap()
    }

    fn sign(&self, request: &ProofRequest<'_>, rng: &mut ChaCha20Rng) -> Option<DpopProof> {
        request.sign(&self.key, rng, NOW).ok()
    }
}

/// The floor's input: the signing input (header and claims) of a real proof.
fn signing_input(proof: Option<DpopProof>) -> Vec<u8> {
    let proof = proof.unwrap();
    let proof = proof.expose_secret();
    proof.as_bytes()[..proof.rfind('.').unwrap()].to_vec()
}

fn floor(key: &SigningKey, input: &[u8]) -> Signature {
    key.sign(input)
}

fn bench(c: &mut Criterion) {
    let fx = Fixture::new();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let token_input = signing_input(fx.sign(&fx.token_request(), &mut rng));
    let resource_input = signing_input(fx.sign(&fx.resource_request(), &mut rng));

    // Each proof is counted and timed from its description: `ProofRequest::new` (and the
    // `ath` hash) included.
    type Build = for<'f> fn(&'f Fixture) -> ProofRequest<'f>;
    let groups: [(&str, Build, Vec<u8>); 2] = [
        (
            "DPoP proof, token request (ES256)",
            Fixture::token_request,
            token_input,
        ),
        (
            "DPoP proof, resource request (nonce + ath)",
            Fixture::resource_request,
            resource_input,
        ),
    ];
    println!("allocations per operation (pkce-flow DPoP):");
    for (name, build, _) in &groups {
        let count = allocation_counter::measure(|| {
            black_box(fx.sign(&build(&fx), &mut rng));
        });
        println!("  {name:<46}{}", count.count_total);
    }
    for (name, build, input) in groups {
        let mut g = c.benchmark_group(name);
        g.bench_function("ours", |b| {
            b.iter(|| fx.sign(&build(black_box(&fx)), &mut rng))
        });
        g.bench_function("floor", |b| b.iter(|| floor(&fx.bare, black_box(&input))));
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
