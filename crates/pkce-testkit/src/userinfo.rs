//! A protected resource: the OIDC `userinfo` endpoint, guarded by RFC 6750 bearer tokens.

use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderValue, Method, StatusCode};

use crate::context::Ctx;
use crate::dpop_gate::{self, Role};
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
    let credentials = header.and_then(|h| h.to_str().ok()).and_then(|h| {
        let (scheme, token) = h.split_once(' ')?;
        let dpop = scheme.eq_ignore_ascii_case("dpop");
        (dpop || scheme.eq_ignore_ascii_case("bearer"))
            .then(|| (dpop, token.trim_start_matches(' ')))
    });
    let Some((dpop, token)) = credentials else {
        return bearer_error(StatusCode::UNAUTHORIZED, None, "");
    };
    if let Err(resp) = key_binding(ctx, req, dpop, token) {
        return resp;
    }
    let scope = ctx.store().access_scope(token);
    let resp = match scope {
        Ok(scope) => respond::json(
            StatusCode::OK,
            &serde_json::json!({ "sub": SUBJECT, "scope": scope }),
        ),
        Err(why) => bearer_error(StatusCode::UNAUTHORIZED, Some("invalid_token"), why),
    };
    dpop_gate::with_nonce(ctx, resp)
}

/// RFC 9449 §7: a token bound to a key is accepted only under the `DPoP` scheme with a
/// valid proof of that key (`ath` its hash), so a stolen token is useless without the key.
fn key_binding(ctx: &Ctx, req: &Req, dpop: bool, token: &str) -> Result<(), Resp> {
    let bound = ctx.store().access_jkt(token);
    let refuse = |why| dpop_gate::refuse(ctx, Role::Resource, "invalid_token", why);
    if !dpop {
        if ctx.config.dpop_required {
            return Err(refuse("a DPoP-bound token and proof are required"));
        }
        return match bound {
            Some(_) => Err(refuse(
                "the token is bound to a DPoP key: use the DPoP scheme",
            )),
            None => Ok(()),
        };
    }
    match dpop_gate::check(ctx, req, Role::Resource, Some(token))? {
        None => Err(refuse("the DPoP scheme needs a DPoP proof")),
        Some(jkt) if bound.as_deref() == Some(jkt.as_str()) => Ok(()),
        Some(_) => Err(refuse("the token is not bound to the proof's key")),
    }
}
