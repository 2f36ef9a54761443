//! What a refused callback gives back: the error and the pending authorization in one call,
//! and, after a refused `iss`, the callback's `error` kept as unverified text for logs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pkce_flow::{Error, Mismatch, PendingAuthorization, Rejected};

fn pending_for(client: &pkce_flow::Client) -> (PendingAuthorization, String) {
    let (_, pending) = client.authorize(&mut rng()).unwrap();
    let state = pending.state().expose_secret().to_owned();
    (pending, state)
}

/// Refuses `query` (`{S}` replaced by the real state) for a client that requires `iss`.
fn refuse(query: &str) -> Rejected {
    let (pending, state) = pending_for(&builder().require_iss().build().unwrap());
    pending
        .callback(&query.replace("{S}", &state))
        .expect_err("refused")
}

#[test]
fn into_parts_gives_the_error_and_the_pending_authorization_together() {
    let (pending, state) = pending_for(&client());
    let (error, kept) = pending
        .callback("code=abc&state=FORGED")
        .unwrap_err()
        .into_parts();
    assert_eq!(error, Mismatch::StateMismatch.into());
    let kept = kept.expect("a forged state leaves the pending authorization usable");
    // The authorization given back is the same one: the real callback still works.
    assert!(
        kept.callback(&format!(
            "code=abc&state={state}&iss=https%3A%2F%2Fas.example"
        ))
        .is_ok()
    );

    let (error, kept) =
        refuse("error=access_denied&state={S}&iss=https%3A%2F%2Fas.example").into_parts();
    assert!(matches!(error, Error::Authorization(_)), "{error:?}");
    assert!(kept.is_none(), "an answered authorization is over");
}

#[test]
fn keep_waiting_gives_the_pending_authorization_or_the_final_refusal() {
    let (pending, _) = pending_for(&client());
    let forged = pending.callback("state=FORGED").unwrap_err();
    assert!(forged.keep_waiting().is_ok());
    let over = refuse("error=access_denied&state={S}&iss=https%3A%2F%2Fas.example");
    let over = over.keep_waiting().map(drop).unwrap_err();
    assert!(matches!(over.error(), Error::Authorization(_)));
}

#[test]
fn a_refused_iss_keeps_the_error_as_unverified_text() {
    for query in [
        "error=access_denied&error_description=The+user+said+no%0A&state={S}&iss=https%3A%2F%2Fevil.example",
        "error=access_denied&error_description=The+user+said+no%0A&state={S}",
    ] {
        let r = refuse(query);
        assert!(
            matches!(
                r.error(),
                Error::Mismatch(Mismatch::IssuerMismatch | Mismatch::IssuerMissing)
            ),
            "{query}: {:?}",
            r.error()
        );
        let unverified = r.unverified_error().expect("kept for logs");
        assert_eq!(unverified.code().raw(), "access_denied");
        let description = unverified.description().unwrap();
        assert_eq!(description.raw(), "The user said no\n");
        assert_eq!(
            description.to_string(),
            "The user said no\\n",
            "escaped on display"
        );
    }
}

#[test]
fn only_a_refused_iss_keeps_unverified_text() {
    // No `error` in the callback: nothing to keep.
    assert!(
        refuse("code=abc&state={S}&iss=https%3A%2F%2Fevil.example")
            .unverified_error()
            .is_none()
    );
    // The issuer checked out: the error is the verified `Error::Authorization`.
    assert!(
        refuse("error=access_denied&state={S}&iss=https%3A%2F%2Fas.example")
            .unverified_error()
            .is_none()
    );
    // Not this login's state: nothing in it can be attributed, not even for logs.
    let (pending, _) = pending_for(&builder().require_iss().build().unwrap());
    let forged = pending
        .callback("error=access_denied&state=FORGED&iss=https%3A%2F%2Fevil.example")
        .unwrap_err();
    assert!(forged.unverified_error().is_none());
}

#[test]
fn unverified_text_never_shows_in_the_refusals_display_or_debug() {
    let r = refuse(
        "error=ATTACKER_TEXT&error_description=ATTACKER_TEXT&state={S}&iss=https%3A%2F%2Fevil.example",
    );
    assert!(r.unverified_error().is_some());
    let shown = format!("{r} {r:?} {}", r.error());
    assert!(!shown.contains("ATTACKER_TEXT"), "{shown}");
}
