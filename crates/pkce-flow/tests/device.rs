//! The Device Authorization Grant (RFC 8628): the device authorization request and every
//! response to it, then token polling through every answer of §3.5 and the code's expiry.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pkce_flow::device::{
    DeviceAuthorization, DevicePoll, DeviceStatus, parse_device_authorization,
};
use pkce_flow::{
    Action, Client, ClientBuilder, ClientSecret, Error, Exchange, HttpResponse, LoopbackHttp, Poll,
    ResponseError, TokenErrorCode,
};

const NOW: u64 = 1_700_000_000;
const DEVICE_OK: &str = r#"{"device_code":"GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS","user_code":"WDJB-MJHT","verification_uri":"https://as.example/device","verification_uri_complete":"https://as.example/device?user_code=WDJB-MJHT","expires_in":1800,"interval":5}"#;
const TOKENS: &str =
    r#"{"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600}"#;

fn device_builder() -> ClientBuilder {
    builder().device_authorization_endpoint("https://as.example/device_authorization")
}

fn device_client() -> Client {
    device_builder().build().unwrap()
}

fn parse(body: &'static str) -> Result<DeviceAuthorization, Error> {
    parse_device_authorization(&json(200, body), LoopbackHttp::Refuse)
}

fn authorization(body: &'static str) -> DeviceAuthorization {
    finish(
        device_client().device_authorization().unwrap(),
        json(200, body),
    )
    .unwrap()
}

/// One attempt at `now` answered with `response`.
fn answer(
    poll: &mut DevicePoll,
    now: u64,
    response: HttpResponse<'_>,
) -> Result<DeviceStatus, Error> {
    finish(poll.attempt(now), response)
}

fn error(code: &'static str) -> HttpResponse<'static> {
    let body: &'static str = Box::leak(format!(r#"{{"error":"{code}"}}"#).into_boxed_str());
    json(400, body)
}

#[test]
fn device_request_carries_client_id_scope_and_resource() {
    let client = device_builder()
        .resource("https://api.example/")
        .build()
        .unwrap();
    let request = request_of(&mut client.device_authorization().unwrap());
    assert_eq!(request.url(), "https://as.example/device_authorization");
    let p = body_pairs(&request);
    assert_eq!(one(&p, "client_id"), "s6BhdRkqt3");
    assert_eq!(one(&p, "scope"), "openid profile");
    assert_eq!(one(&p, "resource"), "https://api.example/");
    assert_eq!(p.len(), 3, "nothing else: {p:?}");
}

#[test]
fn device_request_authenticates_as_the_client_is_configured() {
    let basic = device_builder()
        .client_secret_basic(ClientSecret::new("gX1fBat3bV".into()))
        .build()
        .unwrap();
    let request = request_of(&mut basic.device_authorization().unwrap());
    assert!(
        header(&request, "authorization")
            .unwrap()
            .starts_with("Basic ")
    );
    assert!(
        body_pairs(&request)
            .iter()
            .all(|(n, _)| n != "client_id" && n != "client_secret")
    );

    let post = device_builder()
        .client_secret_post(ClientSecret::new("7Fjfp0ZBr1KtDRbnfVdmIw".into()))
        .build()
        .unwrap();
    let request = request_of(&mut post.device_authorization().unwrap());
    assert_eq!(
        one(&body_pairs(&request), "client_secret"),
        "7Fjfp0ZBr1KtDRbnfVdmIw"
    );
    assert!(header(&request, "authorization").is_none());
}

#[test]
fn device_request_without_scope_has_no_leading_separator() {
    let client = Client::builder("tv")
        .authorization_endpoint("https://as.example/authorize")
        .token_endpoint("https://as.example/token")
        .device_authorization_endpoint("https://as.example/device")
        .redirect_uri(REDIRECT)
        .build()
        .unwrap();
    let request = request_of(&mut client.device_authorization().unwrap());
    assert_eq!(request.body(), b"client_id=tv");
}

#[test]
fn device_request_without_an_endpoint_is_not_configured() {
    let err = client().device_authorization().unwrap_err();
    assert_eq!(err, Error::NotConfigured("device_authorization_endpoint"));
}

#[test]
fn device_endpoint_comes_from_metadata() {
    let body = br#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t","response_types_supported":["code"],"code_challenge_methods_supported":["S256"],"device_authorization_endpoint":"https://as.example/d"}"#;
    let metadata = pkce_flow::parse_metadata(ISS, body, LoopbackHttp::Refuse).unwrap();
    let client = Client::builder("c")
        .metadata(&metadata)
        .redirect_uri(REDIRECT)
        .build()
        .unwrap();
    let request = request_of(&mut client.device_authorization().unwrap());
    assert_eq!(request.url(), "https://as.example/d");
}

#[test]
fn device_endpoint_must_be_https() {
    let err = builder()
        .device_authorization_endpoint("http://as.example/device")
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Config(pkce_flow::ConfigError::Endpoint(
            "device_authorization_endpoint",
            _
        ))
    ));
}

#[test]
fn device_response_gives_every_member_and_hides_the_device_code() {
    let a = authorization(DEVICE_OK);
    assert_eq!(
        a.device_code().expose_secret(),
        "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"
    );
    assert_eq!(a.user_code(), "WDJB-MJHT");
    assert_eq!(a.verification_uri(), "https://as.example/device");
    assert_eq!(
        a.verification_uri_complete(),
        Some("https://as.example/device?user_code=WDJB-MJHT")
    );
    assert_eq!(a.expires_in(), 1800);
    assert_eq!(a.interval(), 5);
    let debug = format!("{a:?}");
    assert!(!debug.contains("GmRhmhcx"), "{debug}");
    assert!(debug.contains("DeviceCode(<redacted>)"), "{debug}");
}

#[test]
fn device_response_without_interval_polls_every_five_seconds() {
    let a = parse(r#"{"device_code":"d","user_code":"U","verification_uri":"https://as.example/device","expires_in":600}"#).unwrap();
    assert_eq!(a.interval(), 5);
    assert_eq!(a.verification_uri_complete(), None);
}

#[test]
fn device_response_with_a_missing_member_names_it() {
    for (body, name) in [
        (
            r#"{"user_code":"U","verification_uri":"https://a.example/d","expires_in":6}"#,
            "device_code",
        ),
        (
            r#"{"device_code":"d","verification_uri":"https://a.example/d","expires_in":6}"#,
            "user_code",
        ),
        (
            r#"{"device_code":"d","user_code":"U","expires_in":6}"#,
            "verification_uri",
        ),
        (
            r#"{"device_code":"d","user_code":"U","verification_uri":"https://a.example/d"}"#,
            "expires_in",
        ),
    ] {
        assert_eq!(
            parse(body).unwrap_err(),
            ResponseError::MissingField(name).into(),
            "{body}"
        );
    }
}

#[test]
fn device_response_with_a_bad_member_is_refused() {
    let cases: [(&str, ResponseError); 10] = [
        (
            r#"{"device_code":7,"user_code":"U","verification_uri":"https://a.example/d","expires_in":6}"#,
            ResponseError::InvalidType("device_code"),
        ),
        (
            r#"{"device_code":"","user_code":"U","verification_uri":"https://a.example/d","expires_in":6}"#,
            ResponseError::InvalidValue("device_code"),
        ),
        (
            r#"{"device_code":"d","user_code":"U\u001b[2J","verification_uri":"https://a.example/d","expires_in":6}"#,
            ResponseError::InvalidValue("user_code"),
        ),
        (
            r#"{"device_code":"d","user_code":"UUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUUU","verification_uri":"https://a.example/d","expires_in":6}"#,
            ResponseError::InvalidValue("user_code"),
        ),
        (
            r#"{"device_code":"d","user_code":"U","verification_uri":"http://a.example/d","expires_in":6}"#,
            ResponseError::InvalidValue("verification_uri"),
        ),
        (
            r#"{"device_code":"d","user_code":"U","verification_uri":"javascript:alert(1)","expires_in":6}"#,
            ResponseError::InvalidValue("verification_uri"),
        ),
        (
            r#"{"device_code":"d","user_code":"U","verification_uri":"https://a.example/d","verification_uri_complete":"https://a.example/d x","expires_in":6}"#,
            ResponseError::InvalidValue("verification_uri_complete"),
        ),
        (
            r#"{"device_code":"d","user_code":"U","verification_uri":"https://a.example/d","expires_in":0}"#,
            ResponseError::InvalidValue("expires_in"),
        ),
        (
            r#"{"device_code":"d","user_code":"U","verification_uri":"https://a.example/d","expires_in":"600"}"#,
            ResponseError::InvalidType("expires_in"),
        ),
        (
            r#"{"device_code":"d","user_code":"U","verification_uri":"https://a.example/d","expires_in":6,"interval":-1}"#,
            ResponseError::InvalidValue("interval"),
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(parse(body).unwrap_err(), expected.into(), "{body}");
    }
}

#[test]
fn device_response_repeating_a_member_is_refused() {
    let body = r#"{"device_code":"a","device_code":"b","user_code":"U","verification_uri":"https://a.example/d","expires_in":6}"#;
    assert_eq!(
        parse(body).unwrap_err(),
        ResponseError::DuplicateField.into()
    );
}

#[test]
fn device_response_error_is_an_oauth_error() {
    let err =
        parse_device_authorization(&error("invalid_client"), LoopbackHttp::Refuse).unwrap_err();
    assert_eq!(err.oauth_error_code(), Some("invalid_client"));
    let err = parse_device_authorization(&json(500, "{}"), LoopbackHttp::Refuse).unwrap_err();
    assert_eq!(err.action(), Action::RetryLater);
    let html =
        HttpResponse::new(200, DEVICE_OK.as_bytes()).with_header("content-type", "text/html");
    assert_eq!(
        parse_device_authorization(&html, LoopbackHttp::Refuse).unwrap_err(),
        ResponseError::UnexpectedContentType.into()
    );
}

#[test]
fn device_response_may_use_loopback_http_only_when_the_endpoint_does() {
    let body = r#"{"device_code":"d","user_code":"U","verification_uri":"http://127.0.0.1:8080/device","expires_in":6}"#;
    assert!(parse(body).is_err());
    assert!(parse_device_authorization(&json(200, body), LoopbackHttp::DangerouslyAllow).is_ok());
    let local = Client::builder("c")
        .authorization_endpoint("http://127.0.0.1:8080/authorize")
        .token_endpoint("http://127.0.0.1:8080/token")
        .device_authorization_endpoint("http://127.0.0.1:8080/device")
        .redirect_uri(REDIRECT)
        .dangerous_allow_insecure_loopback()
        .build()
        .unwrap();
    assert!(finish(local.device_authorization().unwrap(), json(200, body)).is_ok());
}

#[test]
fn poll_request_is_the_device_grant_with_client_credentials() {
    let client = device_builder()
        .client_secret_post(ClientSecret::new("s3cr3t".into()))
        .build()
        .unwrap();
    let mut poll = client.device_poll(&authorization(DEVICE_OK), NOW);
    let request = request_of(&mut poll.attempt(NOW + 5));
    assert_eq!(request.url(), "https://as.example/token");
    let p = body_pairs(&request);
    assert_eq!(
        one(&p, "grant_type"),
        "urn:ietf:params:oauth:grant-type:device_code"
    );
    assert_eq!(
        one(&p, "device_code"),
        "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"
    );
    assert_eq!(one(&p, "client_id"), "s6BhdRkqt3");
    assert_eq!(one(&p, "client_secret"), "s3cr3t");
    assert!(
        !format!("{poll:?}").contains("GmRhmhcx"),
        "the device code is redacted"
    );
}

#[test]
fn poll_before_the_interval_sends_nothing_and_names_the_instant() {
    let mut poll = device_client().device_poll(&authorization(DEVICE_OK), NOW);
    let mut early = poll.attempt(NOW + 4);
    match early.poll_output().unwrap() {
        Poll::Done(DeviceStatus::Pending { retry_at }) => assert_eq!(retry_at, NOW + 5),
        other => panic!("expected to wait, got {other:?}"),
    }
    assert!(matches!(early.poll_output(), Err(Error::Misuse(_))));
}

#[test]
fn poll_pending_keeps_the_interval_and_slow_down_adds_five_seconds() {
    let mut poll = device_client().device_poll(&authorization(DEVICE_OK), NOW);
    let DeviceStatus::Pending { retry_at } =
        answer(&mut poll, NOW + 5, error("authorization_pending")).unwrap()
    else {
        panic!("pending")
    };
    assert_eq!(retry_at, NOW + 10);
    assert_eq!(poll.interval(), 5);
    let DeviceStatus::Pending { retry_at } =
        answer(&mut poll, NOW + 10, error("slow_down")).unwrap()
    else {
        panic!("pending")
    };
    assert_eq!(poll.interval(), 10);
    assert_eq!(retry_at, NOW + 20);
    let DeviceStatus::Pending { retry_at } =
        answer(&mut poll, NOW + 20, error("slow_down")).unwrap()
    else {
        panic!("pending")
    };
    assert_eq!(
        (poll.interval(), retry_at, poll.slow_downs()),
        (15, NOW + 35, 2)
    );
    let DeviceStatus::Pending { retry_at } =
        answer(&mut poll, NOW + 35, error("authorization_pending")).unwrap()
    else {
        panic!("pending")
    };
    assert_eq!(retry_at, NOW + 50, "the slower interval stays");
}

#[test]
fn poll_success_gives_the_tokens() {
    let mut poll = device_client().device_poll(&authorization(DEVICE_OK), NOW);
    let DeviceStatus::Done(tokens) = answer(&mut poll, NOW + 5, json(200, TOKENS)).unwrap() else {
        panic!("done")
    };
    assert_eq!(tokens.access_token().expose_secret(), "mF_9.B5f-4.1JqM");
}

#[test]
fn poll_denied_or_expired_at_the_server_is_a_typed_error_meaning_login_again() {
    for (code, expected) in [
        ("access_denied", TokenErrorCode::AccessDenied),
        ("expired_token", TokenErrorCode::ExpiredToken),
    ] {
        let mut poll = device_client().device_poll(&authorization(DEVICE_OK), NOW);
        let err = answer(&mut poll, NOW + 5, error(code)).unwrap_err();
        assert!(
            matches!(&err, Error::Token(e) if e.code == expected),
            "{err:?}"
        );
        assert_eq!(err.action(), Action::LoginAgain);
    }
}

#[test]
fn poll_other_errors_end_the_polling() {
    let mut poll = device_client().device_poll(&authorization(DEVICE_OK), NOW);
    let err = answer(&mut poll, NOW + 5, error("invalid_grant")).unwrap_err();
    assert!(err.is_invalid_grant());
    let err = answer(&mut poll, NOW + 5, json(503, "{}")).unwrap_err();
    assert_eq!(err.action(), Action::RetryLater);
    let err = answer(&mut poll, NOW + 5, HttpResponse::new(302, b"")).unwrap_err();
    assert!(matches!(
        err,
        Error::Response(ResponseError::UnexpectedRedirect { .. })
    ));
}

#[test]
fn poll_after_the_device_code_expired_sends_nothing() {
    let a = parse(r#"{"device_code":"d","user_code":"U","verification_uri":"https://as.example/device","expires_in":30,"interval":5}"#).unwrap();
    let mut poll = device_client().device_poll(&a, NOW);
    assert_eq!(poll.expires_at(), NOW + 30);
    assert!(matches!(
        poll.attempt(NOW + 29).poll_output(),
        Ok(Poll::Request(_))
    ));
    assert_eq!(
        poll.attempt(NOW + 30).poll_output().unwrap_err(),
        Error::DeviceCodeExpired
    );
    assert_eq!(Error::DeviceCodeExpired.action(), Action::LoginAgain);
}

#[test]
fn poll_stops_when_the_next_allowed_request_would_come_too_late() {
    let a = parse(r#"{"device_code":"d","user_code":"U","verification_uri":"https://as.example/device","expires_in":12,"interval":5}"#).unwrap();
    let mut poll = device_client().device_poll(&a, NOW);
    assert!(answer(&mut poll, NOW + 5, error("authorization_pending")).is_ok());
    assert_eq!(
        answer(&mut poll, NOW + 10, error("slow_down")).unwrap_err(),
        Error::DeviceCodeExpired
    );
}

#[test]
fn poll_attempt_answers_misuse_out_of_order() {
    let mut poll = device_client().device_poll(&authorization(DEVICE_OK), NOW);
    let mut attempt = poll.attempt(NOW + 5);
    assert!(matches!(
        attempt.handle_response(json(200, TOKENS)),
        Err(Error::Misuse(_))
    ));
    let _ = request_of(&mut attempt);
    assert!(matches!(attempt.poll_output(), Err(Error::Misuse(_))));
}
