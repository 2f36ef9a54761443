//! Authorization server metadata (RFC 8414) and OIDC discovery, one document at both paths.

use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::context::Ctx;
use crate::misbehavior::Misbehavior;
use crate::params::SCOPES;
use crate::request::Req;
use crate::respond::{self, JSON, Resp};

/// The metadata document; every endpoint is the issuer plus a fixed path.
pub(crate) fn document(ctx: &Ctx) -> Value {
    let url = |path: &str| format!("{}{path}", ctx.issuer);
    let auth_methods = ["none", "client_secret_basic", "client_secret_post"];
    let mut document = json!({
        "issuer": ctx.issuer,
        "authorization_endpoint": url("/authorize"),
        "token_endpoint": url("/token"),
        "revocation_endpoint": url("/revoke"),
        "pushed_authorization_request_endpoint": url("/par"),
        "userinfo_endpoint": url("/userinfo"),
        "device_authorization_endpoint": url("/device_authorization"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", crate::device::GRANT_TYPE],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "authorization_response_iss_parameter_supported": ctx.config.send_iss,
        "require_pushed_authorization_requests": ctx.config.require_par,
        "scopes_supported": SCOPES,
        "subject_types_supported": ["public"],
    });
    // RFC 9449 §5.1: the proof algorithms accepted, advertised when DPoP is on.
    if ctx.config.dpop_required || ctx.config.dpop_nonce_required {
        document["dpop_signing_alg_values_supported"] = json!(["ES256"]);
    }
    document
}

/// `GET` either well-known path. `WrongContentType` and `Status201` mangle the real document.
pub(crate) fn metadata(ctx: &Ctx, req: &Req, quirk: Option<&Misbehavior>) -> Resp {
    if req.method != Method::GET {
        return respond::method_not_allowed("GET");
    }
    let status = if quirk == Some(&Misbehavior::Status201) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let content_type = if quirk == Some(&Misbehavior::WrongContentType) {
        "text/html"
    } else {
        JSON
    };
    respond::with_body(
        status,
        content_type,
        respond::full(document(ctx).to_string()),
    )
}
