//! Callback validation: hostile callback queries, RFC 9207 vectors, and the pending/consumed rule.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pkce_flow::{
    AuthorizationErrorCode, CallbackError, Error, Mismatch, PendingAuthorization, Rejected,
};

fn pending() -> (PendingAuthorization, String) {
    let (_, pending) = client().authorize(&mut rng()).unwrap();
    let s = pending.state().expose_secret().to_owned();
    (pending, s)
}

fn reject(query: &str) -> Rejected {
    let (pending, _) = pending();
    pending
        .callback(query)
        .expect_err("callback must be rejected")
}

/// Rejects `query` (with `{S}` replaced by the real state) and returns the error and
/// whether the pending authorization survived.
fn outcome(query: &str) -> (Error, bool) {
    let (pending, s) = pending();
    let r = pending
        .callback(&query.replace("{S}", &s))
        .expect_err("must be rejected");
    let keep = r.is_recoverable();
    (r.into_error(), keep)
}

const ISS_Q: &str = "iss=https%3A%2F%2Fas.example";

#[test]
fn valid_callback_gives_a_token_exchange() {
    let (pending, s) = pending();
    assert!(
        pending
            .callback(&format!("code=SplxlOBeZQQYbYS6WxSbIA&state={s}&{ISS_Q}"))
            .is_ok()
    );
}

#[test]
fn missing_state_keeps_pending() {
    assert_eq!(
        outcome(&format!("code=abc&{ISS_Q}")),
        (Mismatch::StateMissing.into(), true)
    );
}

#[test]
fn wrong_state_keeps_pending_and_real_callback_still_works() {
    let (pending, s) = pending();
    let r = pending.callback("code=abc&state=ATTACKER").unwrap_err();
    assert_eq!(r.error(), &Error::Mismatch(Mismatch::StateMismatch));
    let pending = r
        .into_pending()
        .expect("a forged callback must not cancel the login");
    assert!(
        pending
            .callback(&format!("code=real&state={s}&{ISS_Q}"))
            .is_ok()
    );
}

#[test]
fn duplicate_state_is_rejected() {
    assert_eq!(
        outcome("code=abc&state={S}&state={S}").0,
        CallbackError::DuplicateParameter("state").into()
    );
}

#[test]
fn plus_is_a_space_and_equivalent_escapes_match() {
    let (pending, s) = pending();
    // Replace a '-' or '_' in the state with its escape: still the same decoded value.
    let escaped: String = s
        .chars()
        .map(|c| match c {
            '-' => "%2D".to_owned(),
            '_' => "%5F".to_owned(),
            c => c.to_string(),
        })
        .collect();
    assert!(
        pending
            .callback(&format!("code=a&state={escaped}&{ISS_Q}"))
            .is_ok()
    );
    let (pending, s) = self::pending();
    let plus = format!("{}+", &s[..42]);
    let r = pending
        .callback(&format!("code=a&state={plus}"))
        .unwrap_err();
    assert_eq!(r.error(), &Error::Mismatch(Mismatch::StateMismatch));
}

#[test]
fn empty_code_is_missing_and_consumes() {
    assert_eq!(
        outcome(&format!("code=&state={{S}}&{ISS_Q}")),
        (CallbackError::MissingCode.into(), false)
    );
    assert_eq!(
        outcome(&format!("state={{S}}&{ISS_Q}")),
        (CallbackError::MissingCode.into(), false)
    );
}

#[test]
fn duplicate_code_is_rejected() {
    assert_eq!(
        outcome("code=a&code=b&state={S}").0,
        CallbackError::DuplicateParameter("code").into()
    );
    // An escaped name is the same name.
    assert_eq!(
        outcome("code=a&%63ode=b&state={S}").0,
        CallbackError::DuplicateParameter("code").into()
    );
}

#[test]
fn code_and_error_is_ambiguous() {
    assert_eq!(
        outcome(&format!("code=abc&error=access_denied&state={{S}}&{ISS_Q}")).0,
        CallbackError::AmbiguousResponse.into()
    );
}

#[test]
fn no_code_no_error_is_missing_code() {
    assert_eq!(
        outcome(&format!("state={{S}}&foo=bar&{ISS_Q}")).0,
        CallbackError::MissingCode.into()
    );
}

#[test]
fn access_denied_keeps_the_description_as_untrusted_text() {
    let (e, keep) = outcome(&format!(
        "error=access_denied&error_description=User+cancelled&state={{S}}&{ISS_Q}"
    ));
    assert!(!keep, "an answered authorization is consumed");
    let Error::Authorization(a) = e else {
        panic!("{e:?}")
    };
    assert_eq!(a.code, AuthorizationErrorCode::AccessDenied);
    assert_eq!(a.description.unwrap().raw(), "User cancelled");
}

#[test]
fn unknown_error_codes_map_to_other() {
    for code in ["interaction_required", "x_vendor_thing"] {
        let (e, _) = outcome(&format!("error={code}&state={{S}}&{ISS_Q}"));
        let Error::Authorization(a) = e else { panic!() };
        assert!(matches!(&a.code, AuthorizationErrorCode::Other(t) if t.raw() == code));
    }
}

#[test]
fn iss_is_compared_exactly_after_one_decoding() {
    for iss in [
        "https%3A%2F%2Fevil.example",
        "https%3A%2F%2Fas.example%2F",
        "https%3A%2F%2FAS.EXAMPLE",
        "https%253A%252F%252Fas.example",
    ] {
        assert_eq!(
            outcome(&format!("code=abc&state={{S}}&iss={iss}")),
            (Mismatch::IssuerMismatch.into(), false),
            "{iss}"
        );
    }
}

#[test]
fn exact_issuer_accepted_and_trailing_slash_config_rejects() {
    let c = builder().build().unwrap();
    let (_, p) = c.authorize(&mut rng()).unwrap();
    let s = p.state().expose_secret().to_owned();
    assert!(
        p.callback(&format!(
            "code=x1848ZT64p4IirMPT0R-X3141MFPTuBX-VFL_cvaplMH58&state={s}&{ISS_Q}"
        ))
        .is_ok()
    );
    let c = builder().issuer("https://as.example/").build().unwrap();
    let (_, p) = c.authorize(&mut rng()).unwrap();
    let s = p.state().expose_secret().to_owned();
    let r = p
        .callback(&format!("code=x&state={s}&{ISS_Q}"))
        .unwrap_err();
    assert_eq!(r.error(), &Error::Mismatch(Mismatch::IssuerMismatch));
}

#[test]
fn fragment_parameters_are_never_read() {
    let (pending, s) = pending();
    let r = pending
        .callback_url(&format!("{REDIRECT}#code=abc&state={s}"))
        .unwrap_err();
    assert_eq!(
        r.error(),
        &Error::Callback(CallbackError::AmbiguousResponse)
    );
    let pending = r.into_pending().unwrap();
    let r = pending
        .callback_url(&format!(
            "{REDIRECT}?code=good&state={s}&{ISS_Q}#code=evil&state={s}"
        ))
        .unwrap_err();
    assert_eq!(
        r.error(),
        &Error::Callback(CallbackError::AmbiguousResponse)
    );
    let pending = r.into_pending().unwrap();
    assert!(
        pending
            .callback_url(&format!("{REDIRECT}?code=good&state={s}&{ISS_Q}#section"))
            .is_ok()
    );
}

#[test]
fn callback_url_on_another_path_is_rejected() {
    let (pending, s) = pending();
    let r = pending
        .callback_url(&format!(
            "http://127.0.0.1:51004/other?code=a&state={s}&{ISS_Q}"
        ))
        .unwrap_err();
    assert_eq!(
        r.error(),
        &Error::Callback(CallbackError::RedirectUriMismatch)
    );
}

#[test]
fn access_token_in_callback_is_ignored() {
    assert_eq!(
        outcome(&format!(
            "access_token=stolen&token_type=bearer&state={{S}}&{ISS_Q}"
        ))
        .0,
        CallbackError::MissingCode.into()
    );
}

#[test]
fn malformed_encoding_is_typed() {
    assert_eq!(
        outcome(&format!("code=abc%E0%A4%A&state={{S}}&{ISS_Q}")).0,
        CallbackError::MalformedEncoding("code").into()
    );
    assert_eq!(
        outcome("code=abc&state=%zz").0,
        CallbackError::MalformedEncoding("state").into()
    );
    let (e, keep) = outcome("code=abc&state=%FF%FE");
    assert!(keep);
    assert!(matches!(
        e,
        Error::Callback(CallbackError::MalformedEncoding("state"))
            | Error::Mismatch(Mismatch::StateMismatch)
    ));
}

#[test]
fn control_characters_in_code_are_invalid() {
    for code in ["abc%00def", "abc%0D%0ASet-Cookie:x", "t%C3%B8ken"] {
        assert_eq!(
            outcome(&format!("code={code}&state={{S}}&{ISS_Q}")).0,
            CallbackError::InvalidCode.into(),
            "{code}"
        );
    }
}

#[test]
fn hostile_description_is_escaped_on_display() {
    let (e, _) = outcome(&format!(
        "error=access_denied&state={{S}}&{ISS_Q}&error_description=%1B%5B31mRED%1B%5B0m%0D%0A%3Cscript%3Ealert(1)%3C%2Fscript%3E"
    ));
    let shown = e.to_string();
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\r') && !shown.contains('\n'),
        "{shown:?}"
    );
    let Error::Authorization(a) = e else { panic!() };
    assert!(
        a.description.unwrap().raw().contains("<script>"),
        "the raw text is kept for the caller to escape"
    );
}

#[test]
fn oversized_queries_and_values_are_refused() {
    assert_eq!(
        outcome(&format!(
            "error_description={}&state={{S}}",
            "a".repeat(1 << 20)
        ))
        .0,
        CallbackError::TooLarge.into()
    );
    assert_eq!(
        outcome(&"a=1&".repeat(100_000)).0,
        CallbackError::TooLarge.into()
    );
    assert_eq!(
        outcome(&format!("code={}&state={{S}}", "A".repeat(20 * 1024))).0,
        CallbackError::TooLarge.into()
    );
    let (pending, s) = pending();
    assert!(
        pending
            .callback(&format!("code={}&state={s}&{ISS_Q}", "A".repeat(4096)))
            .is_ok(),
        "a 4 KiB code passes"
    );
}

#[test]
fn parameter_names_are_case_sensitive() {
    assert_eq!(
        outcome("CODE=abc&State={S}").0,
        Mismatch::StateMissing.into()
    );
}

#[test]
fn semicolon_is_data() {
    assert_eq!(
        outcome("code=abc;state={S}").0,
        Mismatch::StateMissing.into()
    );
}

#[test]
fn missing_iss_when_required_and_error_with_wrong_iss_are_mismatches() {
    let c = builder().require_iss().build().unwrap();
    let (_, p) = c.authorize(&mut rng()).unwrap();
    let s = p.state().expose_secret().to_owned();
    assert_eq!(
        p.callback(&format!("code=abc&state={s}"))
            .unwrap_err()
            .into_error(),
        Mismatch::IssuerMissing.into()
    );
    assert_eq!(
        outcome("error=access_denied&state={S}&iss=https%3A%2F%2Fevil.example").0,
        Mismatch::IssuerMismatch.into(),
        "a mix-up is reported as such, not as the honest server's denial"
    );
}

#[test]
fn errors_never_contain_the_state_or_code() {
    let (pending, s) = pending();
    let r = pending
        .callback(&format!("code=SECRETCODE%00&state={s}&{ISS_Q}"))
        .unwrap_err();
    let shown = format!("{r} {r:?}");
    assert!(
        !shown.contains(&s) && !shown.contains("SECRETCODE"),
        "{shown}"
    );
}

#[test]
fn unsolicited_state_lookup_helper() {
    assert_eq!(
        pkce_flow::callback_state("code=a&state=xyz").as_deref(),
        Some("xyz")
    );
    assert_eq!(pkce_flow::callback_state("code=a"), None);
    let _ = reject("code=a");
}

#[test]
fn error_with_matching_state_is_denied() {
    let (e, _) = outcome(&format!("error=access_denied&state={{S}}&{ISS_Q}"));
    assert!(matches!(e, Error::Authorization(a) if a.code == AuthorizationErrorCode::AccessDenied));
}
