//! RFC 6750: the Authorization header and WWW-Authenticate parsing, hostile challenges included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pkce_flow::bearer::{
    BearerErrorCode, authorization_header, bearer_challenge, parse_challenges,
};
use pkce_flow::{AccessToken, Error, ResponseError};

fn bearer(v: &str) -> pkce_flow::bearer::BearerChallenge {
    bearer_challenge([v]).unwrap().expect("a Bearer challenge")
}

#[test]
fn header_value() {
    assert_eq!(
        authorization_header(&AccessToken::new("mF_9.B5f-4.1JqM".into())).unwrap(),
        "Bearer mF_9.B5f-4.1JqM"
    );
    assert!(
        authorization_header(&AccessToken::new("abc def".into())).is_err(),
        "never split across a header"
    );
}

#[test]
fn bearer_challenges_are_read() {
    let c = bearer(r#"Bearer realm="example""#);
    assert_eq!((c.realm.unwrap().raw(), c.error), ("example", None));
    let c = bearer(
        r#"Bearer realm="example", error="invalid_token", error_description="The access token expired""#,
    );
    assert_eq!(c.error, Some(BearerErrorCode::InvalidToken));
    assert_eq!(
        c.error_description.unwrap().raw(),
        "The access token expired"
    );
    let c = bearer(r#"bEaReR error="insufficient_scope", scope="read write""#);
    assert_eq!(
        (c.error, c.scope),
        (
            Some(BearerErrorCode::InsufficientScope),
            vec!["read".to_owned(), "write".to_owned()]
        )
    );
    assert_eq!(
        bearer(r#"Basic realm="x", Bearer error="invalid_token""#).error,
        Some(BearerErrorCode::InvalidToken)
    );
    let c = bearer(r#"Bearer error_description="a \"quoted\" b", error="invalid_request""#);
    assert_eq!(c.error_description.unwrap().raw(), r#"a "quoted" b"#);
    let all = parse_challenges([r#"DPoP algs="ES256", Bearer realm="api""#]).unwrap();
    assert_eq!(
        all.iter().map(|c| c.scheme.as_str()).collect::<Vec<_>>(),
        ["DPoP", "Bearer"]
    );
}

#[test]
fn malformed_challenges_are_errors() {
    let err = Error::Response(ResponseError::MalformedChallenge);
    assert_eq!(
        bearer_challenge([r#"Bearer error="invalid_token", error="insufficient_scope""#])
            .unwrap_err(),
        err
    );
    assert_eq!(bearer_challenge([r#"Bearer realm="abc"#]).unwrap_err(), err);
}

#[test]
fn quoting_multiple_challenges_and_token68_forms() {
    assert_eq!(
        bearer(r#"Bearer error_description="a \"quoted\" \\ b""#)
            .error_description
            .unwrap()
            .raw(),
        r#"a "quoted" \ b"#
    );
    let c = bearer(
        r#"Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple", Bearer error="invalid_token""#,
    );
    assert_eq!(c.error, Some(BearerErrorCode::InvalidToken));
    assert_eq!(
        bearer(r#"BEARER error="invalid_token""#).error,
        Some(BearerErrorCode::InvalidToken)
    );
    assert_eq!(
        bearer("bearer   error=invalid_token").error,
        Some(BearerErrorCode::InvalidToken)
    );
    // Several header fields, and a token68 challenge before ours.
    let c = bearer_challenge(["Negotiate abc==", r#"Bearer realm="r""#])
        .unwrap()
        .unwrap();
    assert_eq!(c.realm.unwrap().raw(), "r");
    let all = parse_challenges(["Negotiate abc==, Basic realm=\"x\""]).unwrap();
    assert_eq!(all[0].token68.as_deref(), Some("abc=="));
    assert_eq!(all[1].scheme, "Basic");
}

#[test]
fn large_headers_are_refused_in_linear_time() {
    let huge = format!("Bearer {}", "a=b, ".repeat(20_000));
    assert_eq!(
        bearer_challenge([huge.as_str()]).unwrap_err(),
        Error::Response(ResponseError::ChallengeTooLarge)
    );
    let many = format!("Bearer {}", "x=1, ".repeat(3_000));
    assert!(bearer_challenge([many.as_str()]).unwrap().is_some());
}

#[test]
fn non_ascii_description_is_lossy_text() {
    let c = bearer("Bearer error_description=\"caf\u{e9} \u{fffd}\"");
    assert!(c.error_description.unwrap().raw().starts_with("caf"));
}

#[test]
fn no_bearer_challenge_is_none() {
    assert!(bearer_challenge([r#"Basic realm="x""#]).unwrap().is_none());
    assert!(bearer_challenge([""]).unwrap().is_none());
}
