//! A compact JWS decoded and its ES256 signature verified without pkce-flow: base64 from
//! the `base64` crate, JSON from serde_json, ECDSA from `p256`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::Value;

/// A proof decoded and verified without the builder: base64, JSON and ECDSA of their own.
pub struct Decoded {
    pub header: Value,
    pub claims: Value,
}

pub fn decode_and_verify(proof: &str) -> Decoded {
    let parts: Vec<&str> = proof.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS has three parts");
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let jwk = &header["jwk"];
    let mut point = vec![4u8];
    point.extend(URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap());
    point.extend(URL_SAFE_NO_PAD.decode(jwk["y"].as_str().unwrap()).unwrap());
    let key = VerifyingKey::from_sec1_bytes(&point).unwrap();
    let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
    let signing_input = &proof[..parts[0].len() + 1 + parts[1].len()];
    key.verify(signing_input.as_bytes(), &signature)
        .expect("the signature verifies with the header's key");
    Decoded { header, claims }
}
