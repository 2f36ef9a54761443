//! The expiry instant at the edges: an absurd `expires_in` saturates at an instant every
//! `SystemTime` can hold, and an absent one stays absent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use pkce_flow::{MAX_EXPIRES_AT, TokenResponse};

fn with_lifetime(expires_in: &str) -> TokenResponse {
    let body = format!(r#"{{"access_token":"a","token_type":"Bearer","expires_in":{expires_in}}}"#);
    finish(
        exchange_for(&client(), "SplxlOBeZQQYbYS6WxSbIA"),
        json(200, Box::leak(body.into_boxed_str())),
    )
    .unwrap()
}

/// `UNIX_EPOCH + Duration::from_secs(at)`, which panics when `SystemTime` cannot hold it.
fn system_time(at: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(at)
}

#[test]
fn an_absurd_lifetime_saturates_at_an_instant_system_time_can_hold() {
    let now = 1_700_000_000;
    for lifetime in [u64::MAX, u64::MAX - 1, i64::MAX as u64, i64::MAX as u64 + 1] {
        let tokens = with_lifetime(&lifetime.to_string());
        assert_eq!(tokens.expires_in(), Some(lifetime), "kept as sent");
        let at = tokens.expires_at(now).unwrap();
        assert_eq!(at, MAX_EXPIRES_AT, "{lifetime}");
        assert!(system_time(at) > SystemTime::now());
    }
}

#[test]
fn sums_near_the_overflow_saturate_and_ordinary_ones_are_exact() {
    let tokens = with_lifetime("3600");
    assert_eq!(tokens.expires_at(1_700_000_000), Some(1_700_003_600));
    assert_eq!(tokens.expires_at(u64::MAX), Some(MAX_EXPIRES_AT));
    assert_eq!(tokens.expires_at(u64::MAX - 3600), Some(MAX_EXPIRES_AT));
    assert_eq!(
        tokens.expires_at(MAX_EXPIRES_AT - 3600),
        Some(MAX_EXPIRES_AT)
    );
    assert_eq!(
        tokens.expires_at(MAX_EXPIRES_AT - 3601),
        Some(MAX_EXPIRES_AT - 1)
    );
    let exact = with_lifetime(&(MAX_EXPIRES_AT - 10).to_string());
    assert_eq!(exact.expires_at(10), Some(MAX_EXPIRES_AT));
    assert_eq!(exact.expires_at(11), Some(MAX_EXPIRES_AT));
    assert_eq!(exact.expires_at(9), Some(MAX_EXPIRES_AT - 1));
    let _ = system_time(MAX_EXPIRES_AT);
}

#[test]
fn no_lifetime_means_no_expiry_instant() {
    let tokens = finish(
        exchange_for(&client(), "SplxlOBeZQQYbYS6WxSbIA"),
        json(200, r#"{"access_token":"a","token_type":"Bearer"}"#),
    )
    .unwrap();
    assert_eq!(tokens.expires_at(u64::MAX), None);
}
