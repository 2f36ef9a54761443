//! Token requests and responses (RFC 6749 §4.1.3, §5), hostile token bodies, RFC vectors,
//! client authentication, refresh, revocation and PAR.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use pkce_flow::{
    Error, Exchange, HttpResponse, Method, Quirk, RefreshToken, ResponseError, TokenErrorCode,
    TokenResponse,
};

fn parse(response: HttpResponse<'_>) -> Result<TokenResponse, Error> {
    finish(exchange_for(&client(), "SplxlOBeZQQYbYS6WxSbIA"), response)
}

fn parse_with(quirk: Quirk, response: HttpResponse<'_>) -> Result<TokenResponse, Error> {
    finish(
        exchange_for(&builder().quirk(quirk).build().unwrap(), "c"),
        response,
    )
}

const OK: &str = r#"{"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA"}"#;

#[test]
fn tk_public_client_token_request_has_every_parameter_once() {
    let mut ex = exchange_for(&client(), "SplxlOBeZQQYbYS6WxSbIA");
    let req = request_of(&mut ex);
    assert_eq!(req.method(), Method::Post);
    assert_eq!(req.url(), "https://as.example/token");
    let p = body_pairs(&req);
    assert_eq!(one(&p, "grant_type"), "authorization_code");
    assert_eq!(one(&p, "code"), "SplxlOBeZQQYbYS6WxSbIA");
    assert_eq!(
        one(&p, "redirect_uri"),
        REDIRECT,
        "byte-identical to the authorization request"
    );
    assert_eq!(one(&p, "client_id"), "s6BhdRkqt3");
    assert_eq!(one(&p, "code_verifier").len(), 43);
    assert!(header(&req, "authorization").is_none());
    assert_eq!(
        header(&req, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(header(&req, "accept"), Some("application/json"));
}

#[test]
fn basic_auth_header_and_no_secret_in_the_body() {
    let mut ex = exchange_for(&basic_client(), "SplxlOBeZQQYbYS6WxSbIA");
    let req = request_of(&mut ex);
    assert_eq!(
        header(&req, "authorization"),
        Some("Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW")
    );
    let p = body_pairs(&req);
    assert!(
        p.iter()
            .all(|(n, _)| n != "client_secret" && n != "client_id"),
        "one auth method only: {p:?}"
    );
}

#[test]
fn ca_post_auth_puts_credentials_in_body_only() {
    let mut ex = exchange_for(&post_client(), "c");
    let req = request_of(&mut ex);
    assert!(header(&req, "authorization").is_none());
    let p = body_pairs(&req);
    assert_eq!(one(&p, "client_secret"), "7Fjfp0ZBr1KtDRbnfVdmIw");
    assert_eq!(one(&p, "client_id"), "s6BhdRkqt3");
    assert!(
        !req.url().contains("7Fjfp0"),
        "credentials never in the URL"
    );
}

#[test]
fn request_debug_hides_body_and_header_values() {
    let mut ex = exchange_for(&basic_client(), "SECRETCODE");
    let req = request_of(&mut ex);
    let shown = format!("{req:?}");
    assert!(
        !shown.contains("SECRETCODE") && !shown.contains("czZCaGRS"),
        "{shown}"
    );
}

#[test]
fn bearer_success() {
    let t = parse(json(200, OK)).unwrap();
    assert_eq!(t.access_token().expose_secret(), "mF_9.B5f-4.1JqM");
    assert_eq!(t.expires_in(), Some(3600));
    assert_eq!(
        t.refresh_token().unwrap().expose_secret(),
        "tGzv3JOkF0XG5Qx2TlKWIA"
    );
    assert_eq!(t.granted_scope(), None, "absent scope means as requested");
    assert!(t.quirks_applied().is_empty());
}

#[test]
fn unknown_token_type_is_unsupported_and_extra_members_ignored() {
    let body = r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"example","expires_in":3600,"example_parameter":"example_value"}"#;
    assert!(matches!(
        parse(json(200, body)),
        Err(Error::Response(ResponseError::UnsupportedTokenType(_)))
    ));
    let body = r#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","example_parameter":{"nested":[1,2]}}"#;
    assert!(parse(json(200, body)).is_ok());
}

#[test]
fn error_with_200_is_never_success() {
    let body = r#"{"error":"invalid_grant","error_description":"bad code"}"#;
    assert_eq!(
        parse(json(200, body)).unwrap_err(),
        ResponseError::ErrorWithSuccessStatus(TokenErrorCode::InvalidGrant).into()
    );
    let Error::Token(e) = parse_with(Quirk::ErrorWith200, json(200, body)).unwrap_err() else {
        panic!()
    };
    assert_eq!((e.status, e.code), (200, TokenErrorCode::InvalidGrant));
}

#[test]
fn html_is_unexpected_content_type() {
    let r = HttpResponse::new(200, b"<html>Login to Wi-Fi</html>")
        .with_header("content-type", "text/html");
    assert_eq!(
        parse(r).unwrap_err(),
        ResponseError::UnexpectedContentType.into()
    );
}

#[test]
fn access_token_and_token_type_rules() {
    let cases: [(&str, ResponseError); 8] = [
        (
            r#"{"token_type":"Bearer"}"#,
            ResponseError::MissingField("access_token"),
        ),
        (
            r#"{"access_token":"","token_type":"Bearer"}"#,
            ResponseError::InvalidValue("access_token"),
        ),
        (
            r#"{"access_token":12345,"token_type":"Bearer"}"#,
            ResponseError::InvalidType("access_token"),
        ),
        (
            r#"{"access_token":{},"token_type":"Bearer"}"#,
            ResponseError::InvalidType("access_token"),
        ),
        (
            r#"{"access_token":["a"],"token_type":"Bearer"}"#,
            ResponseError::InvalidType("access_token"),
        ),
        (
            r#"{"access_token":"x"}"#,
            ResponseError::MissingField("token_type"),
        ),
        (
            r#"{"access_token":"abc\r\nX-Injected: 1","token_type":"Bearer"}"#,
            ResponseError::InvalidValue("access_token"),
        ),
        (
            r#"{"access_token":"tøken","token_type":"Bearer"}"#,
            ResponseError::InvalidValue("access_token"),
        ),
    ];
    for (body, want) in cases {
        assert_eq!(parse(json(200, body)).unwrap_err(), want.into(), "{body}");
    }
    assert_eq!(
        parse(json(200, r#"{"access_token":null,"token_type":"Bearer"}"#)).unwrap_err(),
        ResponseError::MissingField("access_token").into()
    );
    assert_eq!(
        parse(json(
            200,
            r#"{"access_token":"\u0000","token_type":"Bearer"}"#
        ))
        .unwrap_err(),
        ResponseError::InvalidValue("access_token").into()
    );
}

#[test]
fn token_type_is_case_insensitive() {
    for tt in ["bearer", "BEARER", "bEaReR"] {
        let body: &'static str =
            Box::leak(format!(r#"{{"access_token":"a","token_type":"{tt}"}}"#).into_boxed_str());
        assert!(parse(json(200, body)).is_ok(), "{tt}");
    }
}

#[test]
fn other_token_types_are_unsupported() {
    for tt in ["mac", "N_A", "urn:x:custom", "DPoP"] {
        let body: &'static str =
            Box::leak(format!(r#"{{"access_token":"a","token_type":"{tt}"}}"#).into_boxed_str());
        assert!(
            matches!(
                parse(json(200, body)),
                Err(Error::Response(ResponseError::UnsupportedTokenType(_)))
            ),
            "{tt}"
        );
    }
}

#[test]
fn empty_and_null_are_absent() {
    let t = parse(json(200, r#"{"access_token":"a","token_type":"Bearer","refresh_token":"","scope":null,"expires_in":null}"#)).unwrap();
    assert!(t.refresh_token().is_none() && t.granted_scope().is_none() && t.expires_in().is_none());
}

#[test]
fn expires_in_rules() {
    let strict: [(&str, ResponseError); 6] = [
        (r#""3600""#, ResponseError::InvalidType("expires_in")),
        ("-1", ResponseError::InvalidValue("expires_in")),
        ("3600.5", ResponseError::InvalidValue("expires_in")),
        ("true", ResponseError::InvalidType("expires_in")),
        ("{}", ResponseError::InvalidType("expires_in")),
        (r#""1h""#, ResponseError::InvalidType("expires_in")),
    ];
    for (v, want) in strict {
        let body: &'static str = Box::leak(
            format!(r#"{{"access_token":"a","token_type":"Bearer","expires_in":{v}}}"#)
                .into_boxed_str(),
        );
        assert_eq!(parse(json(200, body)).unwrap_err(), want.into(), "{v}");
    }
    let zero = parse(json(
        200,
        r#"{"access_token":"a","token_type":"Bearer","expires_in":0}"#,
    ))
    .unwrap();
    assert_eq!(
        zero.expires_at(100),
        Some(100),
        "already expired, no division"
    );
    let huge = parse(json(
        200,
        r#"{"access_token":"a","token_type":"Bearer","expires_in":18446744073709551615}"#,
    ))
    .unwrap();
    assert_eq!(
        huge.expires_at(1),
        Some(pkce_flow::MAX_EXPIRES_AT),
        "an absurd lifetime saturates"
    );
    assert_eq!(
        parse(json(
            200,
            r#"{"access_token":"a","token_type":"Bearer","expires_in":1e400}"#
        ))
        .unwrap_err(),
        ResponseError::Json.into()
    );
    assert!(
        parse(json(
            200,
            r#"{"access_token":"a","token_type":"Bearer","expires_in":18446744073709551616}"#
        ))
        .is_err()
    );
}

#[test]
fn string_expires_in_only_with_the_quirk() {
    let body = r#"{"token_type":"Bearer","expires_in":"3599","ext_expires_in":"3599","expires_on":"1547579127","access_token":"eyJ0"}"#;
    assert!(parse(json(200, body)).is_err());
    let t = parse_with(Quirk::StringExpiresIn, json(200, body)).unwrap();
    assert_eq!(t.expires_in(), Some(3599));
    assert!(t.quirks_applied().contains(Quirk::StringExpiresIn));
    assert!(
        parse_with(
            Quirk::StringExpiresIn,
            json(
                200,
                r#"{"access_token":"a","token_type":"Bearer","expires_in":"-5"}"#
            )
        )
        .is_err()
    );
}

#[test]
fn expires_field_and_missing_token_type_quirks() {
    let body = r#"{"access_token":"AYjcyMzY3ZDhiNmJkNTY","refresh_token":"RjY2NjM5NzA2OWJjuE7c","token_type":"Bearer","expires":3600}"#;
    assert_eq!(
        parse(json(200, body)).unwrap().expires_in(),
        None,
        "unknown member ignored"
    );
    assert_eq!(
        parse_with(Quirk::ExpiresField, json(200, body))
            .unwrap()
            .expires_in(),
        Some(3600)
    );
    let no_type = r#"{"access_token":"a"}"#;
    let t = parse_with(Quirk::MissingTokenType, json(200, no_type)).unwrap();
    assert!(t.quirks_applied().contains(Quirk::MissingTokenType));
}

#[test]
fn duplicate_member_is_refused() {
    let body = r#"{"access_token":"a","access_token":"b","token_type":"Bearer"}"#;
    assert_eq!(
        parse(json(200, body)).unwrap_err(),
        ResponseError::DuplicateField.into()
    );
}

#[test]
fn malformed_json_is_refused() {
    let deep: &'static str = Box::leak(
        format!(
            r#"{{"access_token":"a","token_type":"Bearer","x":{}}}"#,
            "[".repeat(100_000)
        )
        .into_boxed_str(),
    );
    assert_eq!(
        parse(json(200, deep)).unwrap_err(),
        ResponseError::Json.into()
    );
    for body in ["[]", "\"x\"", "null", "", "{"] {
        assert_eq!(
            parse(json(200, body)).unwrap_err(),
            ResponseError::Json.into(),
            "{body:?}"
        );
    }
    let bom = b"\xEF\xBB\xBF{\"access_token\":\"a\",\"token_type\":\"Bearer\"}";
    assert!(
        parse(HttpResponse::new(200, bom).with_header("content-type", "application/json")).is_ok(),
        "one BOM is skipped"
    );
    let utf16 = b"\xFF\xFE{\x00}\x00";
    assert_eq!(
        parse(HttpResponse::new(200, utf16).with_header("content-type", "application/json"))
            .unwrap_err(),
        ResponseError::Json.into()
    );
}

#[test]
fn scope_forms() {
    let keep = |s: &'static str| {
        parse(json(200, s))
            .unwrap()
            .granted_scope()
            .map(str::to_owned)
    };
    assert_eq!(
        keep(r#"{"access_token":"a","token_type":"Bearer","scope":"read  write"}"#).as_deref(),
        Some("read  write")
    );
    assert_eq!(
        keep(r#"{"access_token":"a","token_type":"Bearer","scope":"repo,gist"}"#).as_deref(),
        Some("repo,gist")
    );
    assert_eq!(
        keep(r#"{"access_token":"a","token_type":"Bearer","scope":["read"]}"#),
        None
    );
    let comma = parse_with(
        Quirk::CommaScope,
        json(
            200,
            r#"{"access_token":"a","token_type":"bearer","scope":"repo,gist"}"#,
        ),
    )
    .unwrap();
    assert_eq!(comma.granted_scope(), Some("repo gist"));
    let array = parse_with(
        Quirk::ScopeArray,
        json(
            200,
            r#"{"access_token":"a","token_type":"Bearer","scope":["openid","profile"]}"#,
        ),
    )
    .unwrap();
    assert_eq!(array.granted_scope(), Some("openid profile"));
}

#[test]
fn error_statuses_carry_the_oauth_error() {
    assert_eq!(
        parse(HttpResponse::new(400, b"Bad Request").with_header("content-type", "text/plain"))
            .unwrap_err(),
        ResponseError::UnexpectedStatus {
            status: 400,
            retry_after: None
        }
        .into()
    );
    let r = json(401, r#"{"error":"invalid_client"}"#)
        .with_header("WWW-Authenticate", "Basic realm=\"x\"");
    let Error::Token(e) = parse(r).unwrap_err() else {
        panic!()
    };
    assert_eq!((e.status, e.code), (401, TokenErrorCode::InvalidClient));
    let Error::Token(e) = parse(json(400, r#"{"error":"invalid_request"}"#)).unwrap_err() else {
        panic!()
    };
    assert_eq!(e.code, TokenErrorCode::InvalidRequest);
    let Error::Token(e) = parse(json(400, r#"{"error":"example_extension_code"}"#)).unwrap_err()
    else {
        panic!()
    };
    assert!(matches!(e.code, TokenErrorCode::Other(_)));
}

#[test]
fn redirect_is_an_error() {
    for status in [302, 307, 308] {
        let r =
            HttpResponse::new(status, b"").with_header("Location", "https://evil.example/token");
        assert_eq!(
            parse(r).unwrap_err(),
            ResponseError::UnexpectedRedirect { status }.into()
        );
    }
}

#[test]
fn transient_statuses_carry_retry_after_and_201_needs_its_quirk() {
    let r = HttpResponse::new(503, b"").with_header("Retry-After", "5");
    assert_eq!(
        parse(r).unwrap_err(),
        ResponseError::UnexpectedStatus {
            status: 503,
            retry_after: Some(5)
        }
        .into()
    );
    assert_eq!(
        parse(json(201, OK)).unwrap_err(),
        ResponseError::UnexpectedStatus {
            status: 201,
            retry_after: None
        }
        .into()
    );
    assert!(
        parse_with(Quirk::Status201, json(201, OK))
            .unwrap()
            .quirks_applied()
            .contains(Quirk::Status201)
    );
}

#[test]
fn long_hostile_description_is_truncated_and_escaped() {
    let desc = format!("{}\u{1b}[2J", "x".repeat(1 << 20));
    let body: &'static str = Box::leak(
        format!(r#"{{"error":"invalid_request","error_description":"{desc}"}}"#)
            .replace('\u{1b}', "\\u001b")
            .into_boxed_str(),
    );
    let e = parse(json(400, body)).unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.len() < 1024 && !shown.contains('\u{1b}'),
        "{}",
        shown.len()
    );
}

#[test]
fn body_over_the_cap_is_too_large() {
    let big = vec![b' '; 1024 * 1024 + 1];
    let r = HttpResponse::new(200, &big).with_header("content-type", "application/json");
    assert_eq!(parse(r).unwrap_err(), ResponseError::BodyTooLarge.into());
}

#[test]
fn form_encoded_success_is_refused() {
    let r = HttpResponse::new(200, b"access_token=x&token_type=bearer")
        .with_header("content-type", "application/x-www-form-urlencoded");
    assert_eq!(
        parse(r).unwrap_err(),
        ResponseError::UnexpectedContentType.into()
    );
}

#[test]
fn token_values_never_appear_in_debug() {
    let t = parse(json(200, OK)).unwrap();
    let shown = format!("{t:?}");
    assert!(
        !shown.contains("mF_9") && !shown.contains("tGzv3"),
        "{shown}"
    );
}

// ---- refresh (RFC 6749 §6) ----

fn refresh(body: &'static str, status: u16) -> Result<TokenResponse, Error> {
    let rt = RefreshToken::new("tGzv3JOkF0XG5Qx2TlKWIA".into());
    finish(client().refresh(&rt), json(status, body))
}

#[test]
fn refresh_request() {
    let mut ex = basic_client().refresh(&RefreshToken::new("tGzv3JOkF0XG5Qx2TlKWIA".into()));
    let req = request_of(&mut ex);
    let p = body_pairs(&req);
    assert_eq!(
        p,
        vec![
            ("grant_type".into(), "refresh_token".into()),
            ("refresh_token".into(), "tGzv3JOkF0XG5Qx2TlKWIA".into())
        ]
    );
    assert_eq!(
        header(&req, "authorization"),
        Some("Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW")
    );
}

#[test]
fn refresh_with_post_credentials() {
    let mut ex = post_client().refresh(&RefreshToken::new("tGzv3JOkF0XG5Qx2TlKWIA".into()));
    let p = body_pairs(&request_of(&mut ex));
    assert_eq!(one(&p, "client_secret"), "7Fjfp0ZBr1KtDRbnfVdmIw");
    assert_eq!(one(&p, "refresh_token"), "tGzv3JOkF0XG5Qx2TlKWIA");
}

#[test]
fn refresh_rotation_is_reported() {
    let t = refresh(
        r#"{"access_token":"a2","token_type":"Bearer","refresh_token":"new-rt"}"#,
        200,
    )
    .unwrap();
    assert!(t.rotated());
    assert_eq!(t.refresh_token().unwrap().expose_secret(), "new-rt");
}

#[test]
fn refresh_without_new_token_keeps_the_old_one() {
    for body in [
        r#"{"access_token":"a2","token_type":"Bearer"}"#,
        r#"{"access_token":"a2","token_type":"Bearer","refresh_token":""}"#,
    ] {
        let t = refresh(body, 200).unwrap();
        assert!(!t.rotated());
        assert_eq!(
            t.refresh_token().unwrap().expose_secret(),
            "tGzv3JOkF0XG5Qx2TlKWIA"
        );
    }
}

#[test]
fn invalid_grant_on_refresh() {
    let Error::Token(e) = refresh(r#"{"error":"invalid_grant"}"#, 400).unwrap_err() else {
        panic!()
    };
    assert_eq!(e.code, TokenErrorCode::InvalidGrant);
}

#[test]
fn refresh_with_scope_checks_syntax() {
    let rt = RefreshToken::new("r".into());
    assert!(client().refresh_with_scope(&rt, "read").is_ok());
    assert!(client().refresh_with_scope(&rt, "read  write").is_err());
}

// ---- revocation (RFC 7009) ----

#[test]
fn revocation_request_and_its_body_ignored() {
    let c = basic_client();
    let mut ex = c
        .revoke_refresh_token(&RefreshToken::new("45ghiukldjahdnhzdauz".into()))
        .unwrap();
    let req = request_of(&mut ex);
    assert_eq!(req.url(), "https://as.example/revoke");
    assert_eq!(
        header(&req, "authorization"),
        Some("Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW")
    );
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        "token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token"
    );
    ex.handle_response(
        HttpResponse::new(200, b"<b>ok</b>").with_header("content-type", "text/html"),
    )
    .unwrap();
    assert!(matches!(ex.poll_output(), Ok(pkce_flow::Poll::Done(()))));
}

#[test]
fn unavailable_keeps_the_token_possibly_alive() {
    for (retry, want) in [
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
        ("-5", None),
        ("99999999999", Some(86_400)),
        ("5", Some(5)),
    ] {
        let ex = client()
            .revoke_access_token(&pkce_flow::AccessToken::new("t".into()))
            .unwrap();
        let r = HttpResponse::new(503, b"").with_header("Retry-After", retry);
        assert_eq!(
            finish(ex, r).unwrap_err(),
            ResponseError::RevocationUnavailable { retry_after: want }.into()
        );
    }
    let no_endpoint = builder().build().unwrap();
    let _ = no_endpoint;
}

// ---- PAR (RFC 9126) ----

fn par(status: u16, body: &'static str) -> Result<pkce_flow::PushedAuthorizationUrl, Error> {
    let ex = client().push_authorization(&mut rng()).unwrap();
    finish(ex, json(status, body))
}

#[test]
fn pushed_request_and_short_url() {
    let mut ex = client().push_authorization(&mut rng()).unwrap();
    let req = request_of(&mut ex);
    assert_eq!(req.url(), "https://as.example/par");
    let p = body_pairs(&req);
    for name in AUTHORIZATION_PARAMS {
        let _ = one(&p, name);
    }
    assert!(p.iter().all(|(n, _)| n != "request_uri"));
    ex.handle_response(json(201, r#"{"request_uri":"urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c","expires_in":60}"#)).unwrap();
    let pkce_flow::Poll::Done(out) = ex.poll_output().unwrap() else {
        panic!()
    };
    assert_eq!(
        out.url.as_str(),
        "https://as.example/authorize?client_id=s6BhdRkqt3&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A6esc_11ACC5bwc014ltc14eY22c"
    );
    assert_eq!(out.expires_in, 60);
}

#[test]
fn par_body_always_holds_client_id_exactly_once() {
    for c in [client(), basic_client(), post_client()] {
        let mut ex = c.push_authorization(&mut rng()).unwrap();
        let req = request_of(&mut ex);
        assert_eq!(
            one(&body_pairs(&req), "client_id"),
            "s6BhdRkqt3",
            "RFC 9126 §2.1"
        );
    }
}

#[test]
fn par_response_rules() {
    assert!(
        par(200, r#"{"request_uri":"urn:x","expires_in":60}"#).is_ok(),
        "200 accepted"
    );
    for body in [
        r#"{"request_uri":"urn:x","expires_in":0}"#,
        r#"{"request_uri":"urn:x","expires_in":-1}"#,
    ] {
        assert_eq!(
            par(201, body).unwrap_err(),
            ResponseError::InvalidValue("expires_in").into()
        );
    }
    assert_eq!(
        par(201, r#"{"request_uri":"urn:x","expires_in":"60"}"#).unwrap_err(),
        ResponseError::InvalidType("expires_in").into()
    );
    assert_eq!(
        par(201, r#"{"request_uri":"urn:x"}"#).unwrap_err(),
        ResponseError::MissingField("expires_in").into()
    );
    assert_eq!(
        par(201, r#"{"request_uri":42,"expires_in":60}"#).unwrap_err(),
        ResponseError::InvalidType("request_uri").into()
    );
    assert_eq!(
        par(201, r#"{"expires_in":60}"#).unwrap_err(),
        ResponseError::MissingField("request_uri").into()
    );
    assert_eq!(
        par(201, r#"{"request_uri":"","expires_in":60}"#).unwrap_err(),
        ResponseError::InvalidValue("request_uri").into()
    );
    let huge: &'static str = Box::leak(
        format!(
            r#"{{"request_uri":"{}","expires_in":60}}"#,
            "u".repeat(1 << 19)
        )
        .into_boxed_str(),
    );
    assert_eq!(
        par(201, huge).unwrap_err(),
        ResponseError::InvalidValue("request_uri").into()
    );
}

// ---- the poll loop itself ----

#[test]
fn out_of_order_calls_are_misuse_not_panics() {
    use pkce_flow::Misuse;
    let mut ex = exchange_for(&client(), "c");
    assert_eq!(
        ex.handle_response(json(200, OK)).unwrap_err(),
        Misuse::NoRequestOutstanding.into()
    );
    let _ = request_of(&mut ex);
    assert_eq!(
        ex.poll_output().unwrap_err(),
        Misuse::ResponseAwaited.into()
    );
    ex.handle_response(json(200, OK)).unwrap();
    assert_eq!(
        ex.handle_response(json(200, OK)).unwrap_err(),
        Misuse::Finished.into()
    );
    assert!(matches!(ex.poll_output(), Ok(pkce_flow::Poll::Done(_))));
    assert_eq!(ex.poll_output().unwrap_err(), Misuse::Finished.into());
}

#[test]
fn a_failed_exchange_is_finished_and_never_resends() {
    let mut ex = exchange_for(&client(), "c");
    let _ = request_of(&mut ex);
    assert!(
        ex.handle_response(json(400, r#"{"error":"invalid_grant"}"#))
            .is_err()
    );
    assert_eq!(
        ex.poll_output().unwrap_err(),
        pkce_flow::Misuse::Finished.into()
    );
}

/// Fuzzing finding F-2: a body that is not UTF-8 as a whole is not JSON,
/// even when the bad bytes sit in a member the client ignores.
#[test]
fn invalid_utf8_anywhere_in_the_body_is_a_json_error() {
    let token = b"{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"x\":\"\xFF\"}";
    let r = HttpResponse::new(200, token).with_header("content-type", "application/json");
    assert_eq!(parse(r).unwrap_err(), ResponseError::Json.into());
    let ex = client().push_authorization(&mut rng()).unwrap();
    let body = b"{\"request_uri\":\"urn:x\",\"expires_in\":60,\"x\":\"\xFF\"}";
    let r = HttpResponse::new(201, body).with_header("content-type", "application/json");
    assert_eq!(finish(ex, r).unwrap_err(), ResponseError::Json.into());
}

/// Every back-channel request of every client kind carries exactly the headers it needs
/// (requests keep their headers inline, so a header lost to a full buffer would show here),
/// and the body's content length is exact.
#[test]
fn request_headers_are_complete() {
    let rt = RefreshToken::new("8xLOxBtZp8".into());
    for (kind, c) in [
        ("none", client()),
        ("basic", basic_client()),
        ("post", post_client()),
    ] {
        let mut requests = vec![
            request_of(&mut exchange_for(&c, "SplxlOBeZQQYbYS6WxSbIA")),
            request_of(&mut c.refresh(&rt)),
            request_of(&mut c.revoke_refresh_token(&rt).unwrap()),
            request_of(&mut c.push_authorization(&mut rng()).unwrap()),
        ];
        for req in requests.drain(..) {
            let names: Vec<&str> = req.headers().map(|(n, _)| n).collect();
            let want: &[&str] = if kind == "basic" {
                &["accept", "content-type", "authorization"]
            } else {
                &["accept", "content-type"]
            };
            assert_eq!(names, want, "{kind} {}", req.url());
            let body = std::str::from_utf8(req.body()).unwrap();
            assert!(!body.starts_with('&') && !body.ends_with('&') && !body.contains("&&"));
            assert_eq!(body_pairs(&req).len(), body.split('&').count());
        }
    }
}

#[test]
fn json_media_type_is_matched_case_insensitively_without_parameters() {
    for (ct, json) in [
        ("application/json", true),
        ("Application/JSON", true),
        ("application/json; charset=UTF-8", true),
        ("\tapplication/json ;charset=utf-8", true),
        ("application/jsonx", false),
        ("application/json-patch+json", false),
        ("text/html; application/json", false),
        ("application/json\u{a0}", false),
        ("", false),
    ] {
        let r = HttpResponse::new(200, b"{}").with_header("Content-Type", ct);
        assert_eq!(r.is_json(), json, "{ct:?}");
    }
    assert!(!HttpResponse::new(200, b"{}").is_json(), "no content type");
}
