//! The OS CSPRNG behind `authorize_with_os_rng` and its PAR twin (feature `os-rng`).
#![cfg(feature = "os-rng")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pkce_flow::{Exchange, Poll};

#[test]
fn authorize_with_os_rng_draws_a_fresh_state_and_verifier_each_time() {
    let c = client();
    let (url_a, a) = c.authorize_with_os_rng().unwrap();
    let (url_b, b) = c.authorize_with_os_rng().unwrap();
    assert_ne!(a.state().expose_secret(), b.state().expose_secret());
    assert_ne!(
        url_a.as_str(),
        url_b.as_str(),
        "another challenge and state"
    );
    assert_eq!(a.state().expose_secret().len(), 43, "256 bits, base64url");
    assert!(url_a.as_str().contains("code_challenge_method=S256"));
}

#[test]
fn push_authorization_with_os_rng_sends_the_request_to_the_par_endpoint() {
    let c = builder()
        .par_endpoint("https://as.example/par")
        .build()
        .unwrap();
    let mut pushed = c.push_authorization_with_os_rng().unwrap();
    let Poll::Request(request) = pushed.poll_output().unwrap() else {
        panic!("a request first");
    };
    assert_eq!(request.url(), "https://as.example/par");
}
