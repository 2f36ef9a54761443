//! Properties of DPoP proofs over generated requests: every proof verifies independently and
//! says exactly what was asked; no input makes the builder panic or write broken JSON.
#![cfg(feature = "dpop-es256")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::jws::decode_and_verify;
use pkce_flow::AccessToken;
use pkce_flow::dpop::{DpopNonce, Es256Key, ProofRequest};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

fn key() -> Es256Key {
    Es256Key::from_secret_bytes(&[3; 32]).unwrap()
}

/// `https://host[:port]/path[?query][#fragment]`, printable ASCII as the builder requires.
fn url() -> impl Strategy<Value = (String, String)> {
    (
        "(https|http|HTTPS)://[a-z0-9.-]{1,20}(:[0-9]{1,5})?",
        "(/[!$&'()*+,;=:@a-zA-Z0-9._~%-]{0,12}){0,4}",
        "(\\?[!-~]{0,20})?",
        "(#[!-~]{0,10})?",
    )
        .prop_map(|(origin, path, query, fragment)| {
            let htu = format!("{origin}{path}");
            let query = query.replace('#', "");
            (format!("{htu}{query}{fragment}"), htu)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The claims are exactly the request: method, URL without query and fragment, `now`,
    /// the nonce and the token's hash; the signature verifies with the header's key.
    #[test]
    fn every_proof_says_what_was_asked(
        method in "[A-Za-z!#$%&'*+.^_`|~-]{1,10}",
        (url, htu) in url(),
        nonce in proptest::option::of("[!#-\\[\\]-~]{1,40}"),
        token in proptest::option::of("[ -~]{1,60}"),
        now in any::<u64>(),
        seed in any::<u64>(),
    ) {
        use rand_chacha::rand_core::SeedableRng;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        let nonce = nonce.map(|n| DpopNonce::parse(&n).unwrap());
        let token = token.map(AccessToken::new);
        let mut request = ProofRequest::new(&method, &url).unwrap().nonce(nonce.as_ref());
        if let Some(token) = &token {
            request = request.access_token(token).unwrap();
        }
        let proof = request.sign(&key(), &mut rng, now).unwrap();
        let d = decode_and_verify(proof.expose_secret());
        prop_assert_eq!(&d.header["typ"], "dpop+jwt");
        prop_assert_eq!(&d.claims["htm"], method.as_str());
        prop_assert_eq!(&d.claims["htu"], htu.as_str());
        prop_assert_eq!(&d.claims["iat"], now);
        prop_assert_eq!(d.claims["nonce"].as_str(), nonce.as_ref().map(DpopNonce::as_str));
        let ath = token.map(|t| URL_SAFE_NO_PAD.encode(Sha256::digest(t.expose_secret())));
        prop_assert_eq!(d.claims["ath"].as_str(), ath.as_deref());
        let jti = URL_SAFE_NO_PAD.decode(d.claims["jti"].as_str().unwrap()).unwrap();
        prop_assert_eq!(jti.len(), 16);
    }

    /// Any method and URL text: a typed error, or a proof that verifies and whose `htu`
    /// is a prefix of the URL without `?` or `#`.
    #[test]
    fn any_method_and_url_give_an_error_or_a_sound_proof(method in ".{0,12}", url in "(https?://)?.{0,40}") {
        use rand_chacha::rand_core::SeedableRng;
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
        if let Ok(request) = ProofRequest::new(&method, &url) {
            let proof = request.sign(&key(), &mut rng, 0).unwrap();
            let d = decode_and_verify(proof.expose_secret());
            let htu = d.claims["htu"].as_str().unwrap();
            prop_assert!(url.starts_with(htu) && !htu.contains(['?', '#']));
            prop_assert_eq!(&d.claims["htm"], method.as_str());
        }
    }
}
