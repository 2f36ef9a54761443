//! Sealed pending authorizations (pkce-flow feature `seal`), each beside its floor, the bare
//! XChaCha20-Poly1305 on the same bytes in a stack buffer:
//!
//! * seal (encode the fields, nonce, encrypt, base64url) vs. a nonce and the AEAD encrypting
//!   the same plaintext;
//! * open (base64url, decrypt, time checks, decode and validate the fields) vs. the AEAD
//!   decrypting the same bytes.
//!
//! A third line adds base64ct's text encoding or decoding to the floor: the part of the
//! cost that any cookie-safe text format pays.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "shared/floors.rs"]
mod floors;

use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use chacha20poly1305::aead::{AeadInOut, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use criterion::{Criterion, criterion_group, criterion_main};
use pkce_flow::StoredAuthorization;
use pkce_flow::seal::{SealKey, SealKeys};
use rand_chacha::ChaCha20Rng;
use rand_core::{SeedableRng, TryRng};

const NOW: u64 = 1_700_000_000;
const KEY: [u8; 32] = [0x11; 32];
/// Associated data as the format defines it (label, version 1, key id 1).
const AAD: &[u8] = b"pkce-flow sealed authorization\x01\x01";
/// Large enough for the typical authorization (under 300 bytes sealed).
const STACK: usize = 1024;

fn stored(rng: &mut ChaCha20Rng) -> StoredAuthorization {
    let client = pkce_flow::Client::builder(floors::CLIENT_ID)
        .issuer("https://as.example")
        .authorization_endpoint(floors::AUTHORIZE)
        .token_endpoint(floors::TOKEN)
        .redirect_uri(floors::REDIRECT)
        .scopes("openid profile")
        .send_nonce()
        .build()
        .unwrap();
    client.authorize(rng).unwrap().1.into_stored()
}

/// A nonce and encryption in place, on the stack; returns the tag's first byte.
fn floor_seal(aead: &XChaCha20Poly1305, rng: &mut ChaCha20Rng, plaintext: &[u8]) -> u8 {
    let mut buf = [0u8; STACK];
    let (header, body) = buf.split_at_mut(26);
    let _ = rng.try_fill_bytes(&mut header[2..]);
    let body = &mut body[..plaintext.len()];
    body.copy_from_slice(plaintext);
    let nonce = <&XNonce>::try_from(&header[2..]).unwrap();
    aead.encrypt_inout_detached(nonce, AAD, body.into())
        .unwrap()[0]
}

/// The floor, then base64ct's text of the result, on the stack; returns the text length.
fn floor_seal_text(aead: &XChaCha20Poly1305, rng: &mut ChaCha20Rng, plaintext: &[u8]) -> usize {
    let mut buf = [0u8; STACK];
    let _ = rng.try_fill_bytes(&mut buf[2..26]);
    let end = 26 + plaintext.len();
    buf[26..end].copy_from_slice(plaintext);
    let (header, body) = buf.split_at_mut(26);
    let nonce = <&XNonce>::try_from(&header[2..]).unwrap();
    let tag = aead
        .encrypt_inout_detached(nonce, AAD, (&mut body[..plaintext.len()]).into())
        .unwrap();
    buf[end..end + 16].copy_from_slice(&tag);
    let mut text = [0u8; STACK * 4 / 3 + 4];
    Base64UrlUnpadded::encode(&buf[..end + 16], &mut text)
        .unwrap()
        .len()
}

/// The sealed bytes copied to the stack and decrypted in place; returns the plaintext length.
fn floor_open(aead: &XChaCha20Poly1305, bytes: &[u8]) -> usize {
    let mut buf = [0u8; STACK];
    let copy = &mut buf[..bytes.len()];
    copy.copy_from_slice(bytes);
    aead_open(aead, copy)
}

/// base64ct's decoding into the stack, then the floor's decryption.
fn floor_open_text(aead: &XChaCha20Poly1305, text: &[u8]) -> usize {
    let mut buf = [0u8; STACK];
    let len = Base64UrlUnpadded::decode(text, &mut buf).unwrap().len();
    aead_open(aead, &mut buf[..len])
}

fn aead_open(aead: &XChaCha20Poly1305, bytes: &mut [u8]) -> usize {
    let (header, rest) = bytes.split_at_mut(26);
    let (body, tag) = rest.split_at_mut(rest.len() - 16);
    let nonce = <&XNonce>::try_from(&header[2..]).unwrap();
    let tag = <&Tag>::try_from(&*tag).unwrap();
    aead.decrypt_inout_detached(nonce, AAD, body.into(), tag)
        .unwrap();
    body.len()
}

fn bench(c: &mut Criterion) {
    let keys = SealKeys::new(SealKey::new(1, KEY));
    let aead = XChaCha20Poly1305::new(&KEY.into());
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let stored = stored(&mut rng);
    let sealed = stored.seal(&keys, NOW, &mut rng).unwrap();
    let bytes = Base64UrlUnpadded::decode_vec(&sealed).unwrap();
    // The exact plaintext that `seal` encrypts, recovered with the bare AEAD.
    let mut opened = bytes.clone();
    let len = aead_open(&aead, &mut opened);
    let plaintext = opened[26..26 + len].to_vec();
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
        b.iter(|| floor_seal(&aead, &mut rng, black_box(&plaintext)))
    });
    g.bench_function("floor + base64ct text", |b| {
        b.iter(|| floor_seal_text(&aead, &mut rng, black_box(&plaintext)))
    });
    g.finish();

    let mut g = c.benchmark_group("open");
    g.bench_function("ours", |b| {
        b.iter(|| StoredAuthorization::open(black_box(&sealed), &keys, NOW, 600).unwrap())
    });
    g.bench_function("floor", |b| b.iter(|| floor_open(&aead, black_box(&bytes))));
    g.bench_function("floor + base64ct text", |b| {
        b.iter(|| floor_open_text(&aead, black_box(sealed.as_bytes())))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
