//! Allocation budgets of the hot paths, counted with a counting global allocator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pkce_flow::{Exchange, HttpResponse, QuirkSet, parse_token_response};

#[test]
fn authorization_url_with_two_scopes_allocates_once() {
    let c = client();
    let mut rng = rng();
    let info = allocation_counter::measure(|| {
        let out = c.authorize(&mut rng).unwrap();
        std::hint::black_box(out);
    });
    assert_eq!(info.count_total, 1, "only the URL string");
}

#[test]
fn callback_parse_and_state_check_allocate_only_the_code() {
    let c = client();
    let (_, pending) = c.authorize(&mut rng()).unwrap();
    let query = format!(
        "code=SplxlOBeZQQYbYS6WxSbIA&state={}&iss=https%3A%2F%2Fas.example",
        pending.state().expose_secret()
    );
    let info = allocation_counter::measure(|| {
        let exchange = pending.callback(&query).unwrap();
        std::hint::black_box(&exchange);
        std::mem::forget(exchange);
    });
    assert_eq!(info.count_total, 1, "only the code");
}

#[test]
fn token_response_parse_allocates_only_the_kept_strings() {
    let body = br#"{"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","scope":"openid profile"}"#;
    let response = HttpResponse::new(200, body).with_header("content-type", "application/json");
    let info = allocation_counter::measure(|| {
        std::hint::black_box(parse_token_response(&response, QuirkSet::empty()).unwrap());
    });
    assert_eq!(info.count_total, 3, "access token, refresh token, scope");
}

#[test]
fn whole_in_memory_code_exchange_stays_within_ten_allocations() {
    let c = client();
    let (_, pending) = c.authorize(&mut rng()).unwrap();
    let query = format!(
        "code=SplxlOBeZQQYbYS6WxSbIA&state={}&iss=https%3A%2F%2Fas.example",
        pending.state().expose_secret()
    );
    let body = br#"{"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}"#;
    let info = allocation_counter::measure(|| {
        let mut ex = pending.callback(&query).unwrap();
        let _request = request_of(&mut ex);
        ex.handle_response(
            HttpResponse::new(200, body).with_header("content-type", "application/json"),
        )
        .unwrap();
        let _ = std::hint::black_box(ex.poll_output().unwrap());
    });
    assert_eq!(
        info.count_total, 4,
        "the code, the request body, the access and refresh tokens"
    );
}
