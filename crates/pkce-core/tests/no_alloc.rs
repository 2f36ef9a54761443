//! Proves with a counting global allocator (`allocation-counter`) that the whole client side of
//! pkce-core (generate, challenge, state, nonce, form encoding and decoding, and
//! `client_secret_basic`) makes no heap allocation at all.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use core::fmt::Write as _;
use std::hint::black_box;

use pkce_core::form::{self, FormEncoder, Pairs};
use pkce_core::rand_core::SeedableRng;
use pkce_core::{CodeVerifier, Nonce, State, client_secret_basic};
use rand_chacha::ChaCha20Rng;

/// What the measured closure produced, copied out so assertions (which may allocate when they
/// fail) run outside the measurement.
#[derive(Default)]
struct Outcome {
    verifier: heapless::String<128>,
    challenge: heapless::String<43>,
    state: heapless::String<43>,
    query: heapless::String<512>,
    via_buffer_len: usize,
    decoded_state: heapless::String<43>,
    decoded_redirect: heapless::String<64>,
    duplicate: bool,
    basic: heapless::String<128>,
    restored: bool,
}

fn run_flow(out: &mut Outcome) {
    let mut rng = ChaCha20Rng::from_seed([42; 32]);
    let verifier = CodeVerifier::generate(&mut rng).unwrap();
    let challenge = verifier.challenge();
    let state = State::generate(&mut rng).unwrap();
    let nonce = Nonce::generate(&mut rng).unwrap();
    let long = CodeVerifier::generate_from_octets(&mut rng, 96).unwrap();

    // The authorization query through FormEncoder over a heapless::String.
    let mut query = heapless::String::<512>::new();
    let mut enc = FormEncoder::new(&mut query);
    enc.append_pair("response_type", "code").unwrap();
    enc.append_pair("client_id", "s6BhdRkqt3").unwrap();
    enc.append_pair("redirect_uri", "http://127.0.0.1:53117/callback")
        .unwrap();
    enc.append_pair("scope", "openid read write").unwrap();
    enc.append_pair("state", state.expose_secret()).unwrap();
    enc.append_pair("nonce", nonce.expose_secret()).unwrap();
    enc.append_pair("code_challenge", challenge.as_str())
        .unwrap();
    enc.append_pair("code_challenge_method", challenge.method().as_str())
        .unwrap();

    // The token request body through encode_pairs_into, including the size probe.
    let body = [
        ("grant_type", "authorization_code"),
        ("code", "SplxlOBeZQQYbYS6WxSbIA"),
        ("redirect_uri", "http://127.0.0.1:53117/callback"),
        ("code_verifier", verifier.expose_secret()),
        ("long", long.expose_secret()),
    ];
    let mut buf = [0u8; 512];
    let needed = form::encode_pairs_into(body, &mut [0u8; 8])
        .unwrap_err()
        .needed;
    out.via_buffer_len = form::encode_pairs_into(body, &mut buf).map_or(0, str::len);
    assert_eq!(needed, out.via_buffer_len);

    // Decoding a callback query.
    let callback = b"code=SplxlOBeZQQYbYS6WxSbIA&state=abc%2Ddef_ghi&redirect=https%3A%2F%2Fclient%2Eexample%2Ecom%2Fcb&x=%zz";
    let mut scratch = [0u8; 64];
    for (name, value) in Pairs::new(callback) {
        if name.decoded_eq("state") {
            let text = value.decode_into(&mut scratch).unwrap();
            out.decoded_state.push_str(text).unwrap();
        } else if name.decoded_eq("redirect") {
            let text = value.decode_into(&mut scratch).unwrap();
            out.decoded_redirect.push_str(text).unwrap();
        } else if name.decoded_eq("x") {
            assert!(value.decode_into(&mut scratch).is_err());
            black_box(value.decoded_bytes().count());
        }
    }
    out.duplicate = form::first_duplicate(callback, &["code", "state"]).is_some();
    out.restored =
        State::restore(state.expose_secret()).is_ok_and(|s| s.matches(state.expose_secret()));

    // client_secret_basic into a stack buffer.
    let mut hdr = [0u8; 128];
    let basic = client_secret_basic("my:client", "p@ss word+/%", &mut hdr).unwrap();
    out.basic.push_str(basic).unwrap();

    // Copy results out (heapless, so still no heap).
    out.verifier.push_str(verifier.expose_secret()).unwrap();
    out.challenge.push_str(challenge.as_str()).unwrap();
    out.state.push_str(state.expose_secret()).unwrap();
    out.query = query;
    let mut sink = heapless::String::<128>::new();
    write!(
        sink,
        "{verifier:?} {state:?} {nonce:?} {}",
        challenge.method()
    )
    .unwrap();
    black_box(sink);
}

#[test]
fn the_counter_is_installed_and_counts() {
    // Without this the zero below would prove nothing.
    let info = allocation_counter::measure(|| {
        black_box(Box::new(black_box(1u64)));
    });
    assert_eq!(info.count_total, 1);
    let info = allocation_counter::measure(|| {
        black_box(String::from("allocates"));
    });
    assert!(info.bytes_total >= 9);
}

#[test]
fn the_whole_client_side_allocates_nothing() {
    let mut out = Outcome::default();
    let info = allocation_counter::measure(|| run_flow(&mut out));
    assert_eq!(info.count_total, 0, "{info:?}");
    assert_eq!(info.bytes_total, 0, "{info:?}");

    // And the work was really done.
    assert_eq!(out.verifier.len(), 43);
    assert_eq!(
        CodeVerifier::new(&out.verifier)
            .unwrap()
            .challenge()
            .as_str(),
        out.challenge.as_str()
    );
    assert!(out.query.starts_with("response_type=code&client_id=s6BhdRkqt3&redirect_uri=http%3A%2F%2F127.0.0.1%3A53117%2Fcallback&scope=openid+read+write&state="));
    assert!(out.query.contains(out.state.as_str()));
    assert!(out.query.contains(out.challenge.as_str()));
    assert!(out.query.ends_with("&code_challenge_method=S256"));
    assert!(out.via_buffer_len > 43 + 128);
    assert_eq!(out.decoded_state.as_str(), "abc-def_ghi");
    assert_eq!(
        out.decoded_redirect.as_str(),
        "https://client.example.com/cb"
    );
    assert!(!out.duplicate);
    assert!(out.restored);
    assert_eq!(
        out.basic.as_str(),
        "Basic bXklM0FjbGllbnQ6cCU0MHNzK3dvcmQlMkIlMkYlMjU="
    );
}

#[test]
fn errors_allocate_nothing_either() {
    let info = allocation_counter::measure(|| {
        black_box(CodeVerifier::new("too short").is_err());
        black_box(CodeVerifier::new("").is_err());
        black_box(State::restore("forged").is_err());
        black_box(client_secret_basic("id", "secret", &mut [0u8; 2]).is_err());
        black_box(form::encode_pairs_into([("a", "b")], &mut []).is_err());
        let mut sink = heapless::String::<128>::new();
        let err = CodeVerifier::new("with space and more characters than forty three in total")
            .unwrap_err();
        write!(sink, "{err}").unwrap();
        black_box(sink);
    });
    assert_eq!(info.count_total, 0, "{info:?}");
}
