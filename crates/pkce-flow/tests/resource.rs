//! The protected-resource exchange: which URLs may carry a bearer token, the request it
//! sends, and the challenge read from a 401 or 403.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pkce_flow::bearer::BearerErrorCode;
use pkce_flow::{
    AccessToken, EndpointError, Error, Exchange, HttpResponse, Method, Poll, RequestPolicy,
    ResourceRequest,
};

fn token() -> AccessToken {
    AccessToken::new("mF_9.B5f-4.1JqM".to_owned())
}

fn url_error(url: &str) -> Option<EndpointError> {
    match ResourceRequest::get(url, &token()) {
        Err(Error::ResourceUrl(e)) => Some(e),
        Err(other) => panic!("{other:?}"),
        Ok(_) => None,
    }
}

#[test]
fn token_goes_over_https_or_plain_http_to_a_loopback_ip_only() {
    assert_eq!(url_error("https://rs.example/me"), None);
    assert_eq!(url_error("http://127.0.0.1:8080/me"), None);
    assert_eq!(url_error("http://[::1]/me"), None);
    assert_eq!(
        url_error("http://192.0.2.1/me"),
        Some(EndpointError::Insecure)
    );
    assert_eq!(
        url_error("http://localhost/me"),
        Some(EndpointError::Insecure)
    );
    assert_eq!(
        url_error("ftp://rs.example/me"),
        Some(EndpointError::NotAbsolute)
    );
    assert_eq!(
        url_error("https://u:p@rs.example/me"),
        Some(EndpointError::UserInfo)
    );
    assert_eq!(
        url_error(" https://rs.example/me"),
        Some(EndpointError::NotAbsolute)
    );
}

#[test]
fn request_is_a_get_with_the_token_in_the_header_only() {
    let mut exchange = ResourceRequest::get("https://rs.example/me?x=1", &token()).unwrap();
    let Poll::Request(request) = exchange.poll_output().unwrap() else {
        panic!("a request first")
    };
    assert_eq!(request.method(), Method::Get);
    assert_eq!(request.url(), "https://rs.example/me?x=1");
    assert!(request.body().is_empty());
    let headers: Vec<_> = request.headers().collect();
    assert_eq!(headers, [("authorization", "Bearer mF_9.B5f-4.1JqM")]);
    assert!(!format!("{request:?}").contains("mF_9"));
}

#[test]
fn a_token_that_cannot_be_a_header_value_is_refused() {
    let bad = AccessToken::new("abc def".to_owned());
    assert!(ResourceRequest::get("https://rs.example/me", &bad).is_err());
}

fn answer(response: HttpResponse<'_>) -> Result<pkce_flow::BearerResponse, Error> {
    let mut exchange = ResourceRequest::get("https://rs.example/me", &token()).unwrap();
    let Poll::Request(_) = exchange.poll_output().unwrap() else {
        panic!("a request first")
    };
    exchange.handle_response(response)?;
    match exchange.poll_output()? {
        Poll::Done(answer) => Ok(answer),
        Poll::Request(_) => panic!("one request only"),
    }
}

#[test]
fn challenge_is_read_on_401_and_403_only() {
    let header = r#"Bearer realm="rs", error="invalid_token""#;
    for status in [401, 403] {
        let a =
            answer(HttpResponse::new(status, b"").with_header("WWW-Authenticate", header)).unwrap();
        assert_eq!(a.status, status);
        let challenge = a.challenge.expect("a challenge");
        assert_eq!(challenge.error, Some(BearerErrorCode::InvalidToken));
    }
    let a = answer(HttpResponse::new(200, b"{}").with_header("WWW-Authenticate", header)).unwrap();
    assert!(a.challenge.is_none());
    assert_eq!(a.body, b"{}");
}

#[test]
fn a_malformed_challenge_is_an_error() {
    let response =
        HttpResponse::new(401, b"").with_header("WWW-Authenticate", r#"Bearer realm="x"#);
    assert!(answer(response).is_err());
}

#[test]
fn a_redirect_is_an_answer_not_followed() {
    let a =
        answer(HttpResponse::new(302, b"").with_header("Location", "https://elsewhere/")).unwrap();
    assert_eq!(a.status, 302);
}

#[test]
fn a_body_over_the_policy_cap_is_refused() {
    let policy = RequestPolicy {
        max_response_bytes: 4,
        ..RequestPolicy::default()
    };
    let mut exchange = ResourceRequest::get("https://rs.example/me", &token())
        .unwrap()
        .policy(policy);
    let Poll::Request(request) = exchange.poll_output().unwrap() else {
        panic!("a request first")
    };
    assert_eq!(request.policy().max_response_bytes, 4);
    assert!(
        exchange
            .handle_response(HttpResponse::new(200, b"12345"))
            .is_err()
    );
}

#[test]
fn a_challenge_with_obs_text_is_read_from_its_bytes() {
    let value: &[u8] = b"Bearer realm=\"caf\xe9\", error=\"insufficient_scope\", scope=\"a b\"";
    let mut response = HttpResponse::new(403, b"");
    response.push_header_bytes("WWW-Authenticate", value);
    assert_eq!(
        response.header("www-authenticate"),
        None,
        "not UTF-8, so not a str"
    );
    let challenge = answer(response).unwrap().challenge.expect("a challenge");
    assert_eq!(challenge.error, Some(BearerErrorCode::InsufficientScope));
    assert_eq!(challenge.scope, ["a", "b"]);
    assert_eq!(challenge.realm.unwrap().raw(), "caf\u{fffd}");
}
