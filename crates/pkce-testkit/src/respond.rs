//! Response builders: JSON, OAuth errors, HTML pages, redirects and plain text.
//!
//! Every builder is total: a header value that cannot be represented turns the response
//! into a 500 instead of a panic, so no client input can bring a connection task down.

use std::io;

use bytes::Bytes;
use http::header::{
    CACHE_CONTROL, CONTENT_TYPE, HeaderName, HeaderValue, LOCATION, PRAGMA, WWW_AUTHENTICATE,
};
use http::{Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};

/// Every response body: a full buffer or a stream that may end in an error (which makes
/// hyper abort the connection, the point of `ResetMidBody`).
pub(crate) type Body = UnsyncBoxBody<Bytes, io::Error>;
/// A response as the handlers return it.
pub(crate) type Resp = Response<Body>;

pub(crate) const JSON: &str = "application/json";
const HTML: &str = "text/html; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";
/// The realm every `WWW-Authenticate` challenge names.
pub(crate) const REALM: &str = "pkce-testkit";

/// A body holding `bytes`.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// A response with `status`, a static content type and `body`.
pub(crate) fn with_body(status: StatusCode, content_type: &'static str, body: Body) -> Resp {
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

/// Adds `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1), which every
/// response that carries or concerns a credential needs.
pub(crate) fn no_store(mut resp: Resp) -> Resp {
    let headers = resp.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// Sets a header whose value came from data; an unrepresentable value is a server error.
pub(crate) fn with_header(mut resp: Resp, name: HeaderName, value: &str) -> Resp {
    match HeaderValue::from_str(value) {
        Ok(v) => {
            resp.headers_mut().insert(name, v);
            resp
        }
        Err(_) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "unrepresentable header value",
        ),
    }
}

/// A JSON response, never cached.
pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Resp {
    no_store(with_body(status, JSON, full(value.to_string())))
}

/// An RFC 6749 §5.2 error: `{"error","error_description"}`, never cached.
pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Resp {
    json(
        status,
        &serde_json::json!({ "error": error, "error_description": description }),
    )
}

/// `400 invalid_request`.
pub(crate) fn invalid_request(description: &str) -> Resp {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// `401 invalid_client` with the Basic challenge RFC 6749 §5.2 asks for.
pub(crate) fn invalid_client(description: &str) -> Resp {
    let mut resp = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", description);
    let challenge = HeaderValue::from_static(r#"Basic realm="pkce-testkit""#);
    resp.headers_mut().insert(WWW_AUTHENTICATE, challenge);
    resp
}

/// `500 server_error`, for the one failure the server can have: the OS random generator.
pub(crate) fn server_error() -> Resp {
    oauth_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        "the random generator failed",
    )
}

/// `405` for a method the endpoint does not serve, with the `Allow` header RFC 9110 requires.
pub(crate) fn method_not_allowed(allow: &'static str) -> Resp {
    let mut resp = oauth_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request",
        "method not allowed",
    );
    resp.headers_mut()
        .insert(http::header::ALLOW, HeaderValue::from_static(allow));
    resp
}

/// An HTML page, never cached, never framed, sending no referrer.
pub(crate) fn html(status: StatusCode, page: String) -> Resp {
    let mut resp = no_store(with_body(status, HTML, full(page)));
    let headers = resp.headers_mut();
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    resp
}

/// Plain text.
pub(crate) fn text(status: StatusCode, body: &'static str) -> Resp {
    with_body(status, TEXT, full(body))
}

/// A redirect to `location` with an empty body.
pub(crate) fn redirect(status: StatusCode, location: &str) -> Resp {
    let mut resp = Response::new(full(Bytes::new()));
    *resp.status_mut() = status;
    no_store(with_header(resp, LOCATION, location))
}
