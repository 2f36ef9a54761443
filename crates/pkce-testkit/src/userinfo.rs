//! A protected resource: the OIDC `userinfo` endpoint, guarded by RFC 6750 bearer tokens.

use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderValue, Method, StatusCode};

use crate::context::Ctx;
use crate::params::Params;
use crate::request::{Req, is_form};
use crate::respond::{self, Resp};

/// The one user of this server.
pub(crate) const SUBJECT: &str = "alice";

/// An RFC 6750 §3 error: the JSON body plus the `WWW-Authenticate: Bearer` challenge.
fn bearer_error(status: StatusCode, error: Option<&str>, description: &str) -> Resp {
    let (mut resp, challenge) = match error {
        // No credentials: the challenge carries no error code (RFC 6750 §3.1).
        None => (
            respond::text(status, "bearer token required"),
            format!("Bearer realm=\"{}\"", respond::REALM),
        ),
        Some(error) => (
            respond::oauth_error(status, error, description),
            format!(
                "Bearer realm=\"{}\", error=\"{error}\", error_description=\"{description}\"",
                respond::REALM
            ),
        ),
    };
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    resp
}

/// `GET` or `POST /userinfo` with `Authorization: Bearer <token>` (scheme case-insensitive).
/// Tokens in the query or body are refused: one method per request, and never the URL
/// (RFC 6750 §2, RFC 9700 §4.3.2).
pub(crate) fn userinfo(ctx: &Ctx, req: &Req) -> Resp {
    if req.method != Method::GET && req.method != Method::POST {
        return respond::method_not_allowed("GET, POST");
    }
    let in_body = req.method == Method::POST
        && is_form(&req.headers)
        && Params::parse(&req.body).has("access_token");
    if in_body || Params::parse(req.query.as_bytes()).has("access_token") {
        let why = "send the access token in the Authorization header only";
        return bearer_error(StatusCode::BAD_REQUEST, Some("invalid_request"), why);
    }
    let mut values = req.headers.get_all(AUTHORIZATION).iter();
    let (header, None) = (values.next(), values.next()) else {
        return bearer_error(
            StatusCode::BAD_REQUEST,
            Some("invalid_request"),
            "more than one Authorization header",
        );
    };
    let token = header.and_then(|h| h.to_str().ok()).and_then(|h| {
        let (scheme, token) = h.split_once(' ')?;
        scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim_start_matches(' '))
    });
    let Some(token) = token else {
        return bearer_error(StatusCode::UNAUTHORIZED, None, "");
    };
    let scope = ctx.store().access_scope(token);
    match scope {
        Ok(scope) => respond::json(
            StatusCode::OK,
            &serde_json::json!({ "sub": SUBJECT, "scope": scope }),
        ),
        Err(why) => bearer_error(StatusCode::UNAUTHORIZED, Some("invalid_token"), why),
    }
}
