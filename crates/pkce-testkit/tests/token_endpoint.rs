//! The token endpoint's request rules: client authentication (RFC 6749 §2.3) and the
//! form, method and size of the request.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64ct::{Base64, Encoding};
use common::{KINDS, get, post_form};
use pkce_testkit::{AuthServer, clients};

#[test]
fn client_authentication_is_strict() {
    let server = AuthServer::start().unwrap();
    let token = server.url("/token");
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "unknown"),
    ];
    let expect_401 = |auth: Option<&str>, extra: &[(&str, &str)]| {
        let mut pairs = form.to_vec();
        pairs.extend_from_slice(extra);
        let reply = post_form(&token, auth, &pairs);
        assert_eq!(
            (reply.status, reply.error().as_str()),
            (401, "invalid_client"),
            "{auth:?} {extra:?}"
        );
        assert_eq!(
            reply.header("www-authenticate"),
            Some(r#"Basic realm="pkce-testkit""#)
        );
    };
    // Basic without the form-encoding step (RFC 6749 §2.3.1) is a wrong secret.
    let raw = format!(
        "Basic {}",
        Base64::encode_string(
            format!("{}:{}", clients::BASIC_ID, clients::BASIC_SECRET).as_bytes()
        )
    );
    expect_401(Some(&raw), &[]);
    expect_401(
        Some(&pkce_core::client_secret_basic_string(
            clients::BASIC_ID,
            "wrong",
        )),
        &[],
    );
    expect_401(
        None,
        &[
            ("client_id", clients::BASIC_ID),
            ("client_secret", clients::BASIC_SECRET),
        ],
    );
    expect_401(None, &[("client_id", clients::POST_ID)]);
    expect_401(
        None,
        &[("client_id", clients::POST_ID), ("client_secret", "wrong")],
    );
    expect_401(None, &[]);
    expect_401(None, &[("client_id", "nobody")]);
    expect_401(Some("Basic !!!"), &[]);
    expect_401(Some("Bearer abc"), &[]);
    // Two methods at once is a malformed request, not a failed authentication.
    let basic = pkce_core::client_secret_basic_string(clients::BASIC_ID, clients::BASIC_SECRET);
    let reply = post_form(
        &token,
        Some(&basic),
        &[form[0], form[1], ("client_secret", clients::BASIC_SECRET)],
    );
    assert_eq!(
        (reply.status, reply.error().as_str()),
        (400, "invalid_request")
    );
    // Correct credentials get past authentication to the grant check.
    for kind in KINDS {
        assert_eq!(
            kind.post(&server, "/token", &form).error(),
            "invalid_grant",
            "{kind:?}"
        );
    }
}

#[test]
fn token_endpoint_request_format_is_strict() {
    let server = AuthServer::start().unwrap();
    let token = server.url("/token");
    let reply = get(&token);
    assert_eq!((reply.status, reply.header("allow")), (405, Some("POST")));
    let reply = common::agent()
        .post(&token)
        .content_type("application/json")
        .send(r#"{"grant_type":"refresh_token"}"#)
        .unwrap();
    assert_eq!(reply.status(), 400);
    let pairs = [
        ("client_id", clients::PUBLIC_ID),
        ("grant_type", "refresh_token"),
        ("grant_type", "refresh_token"),
    ];
    assert_eq!(post_form(&token, None, &pairs).error(), "invalid_request");
    let reply = post_form(
        &token,
        None,
        &[
            ("client_id", clients::PUBLIC_ID),
            ("grant_type", "password"),
        ],
    );
    assert_eq!(reply.error(), "unsupported_grant_type");
    let reply = post_form(&token, None, &[("client_id", clients::PUBLIC_ID)]);
    assert_eq!(reply.error(), "invalid_request");
    let in_url = format!("{token}?client_secret=x");
    assert_eq!(
        post_form(&in_url, None, &[("client_id", clients::PUBLIC_ID)]).error(),
        "invalid_request"
    );
    let huge = "x".repeat(70 * 1024);
    let reply = post_form(
        &token,
        None,
        &[("client_id", clients::PUBLIC_ID), ("pad", &huge)],
    );
    assert_eq!(reply.status, 413);
}
