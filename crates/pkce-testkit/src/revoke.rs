//! The revocation endpoint (RFC 7009).

use bytes::Bytes;
use http::{Response, StatusCode};

use crate::client_auth::authenticate;
use crate::context::Ctx;
use crate::request::{Req, form_post};
use crate::respond::{self, Resp, invalid_request, oauth_error};

/// `POST /revoke`: client authentication as at the token endpoint, `token` required,
/// `token_type_hint` optional. `200` with an empty body whether or not the token was known
/// (RFC 7009 §2.2), so the endpoint reveals nothing about tokens of other clients.
pub(crate) fn revoke(ctx: &Ctx, req: &Req) -> Resp {
    let params = match form_post(req) {
        Ok(params) => params,
        Err(resp) => return resp,
    };
    let client = match authenticate(&ctx.config, &req.headers, &params) {
        Ok(client) => client,
        Err(resp) => return resp,
    };
    let Some(token) = params.get("token") else {
        return invalid_request("token is required");
    };
    match params.get("token_type_hint") {
        None | Some("access_token" | "refresh_token") => {}
        Some(_) => {
            let why = "token_type_hint must be access_token or refresh_token";
            return oauth_error(StatusCode::BAD_REQUEST, "unsupported_token_type", why);
        }
    }
    // The hint only speeds up a lookup (RFC 7009 §2.1); both kinds are searched anyway.
    ctx.store().revoke(token, &client.client_id);
    respond::no_store(Response::new(respond::full(Bytes::new())))
}
