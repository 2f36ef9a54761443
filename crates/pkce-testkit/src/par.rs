//! The pushed authorization request endpoint (RFC 9126 §2).

use http::StatusCode;

use crate::authorize::{REQUEST_URI_PREFIX, Reject, Source, validate};
use crate::client_auth::authenticate;
use crate::context::Ctx;
use crate::dpop_gate::{self, Role};
use crate::request::{Req, form_post};
use crate::respond::{self, Resp, invalid_request, oauth_error, server_error};
use crate::store::PAR_TTL_SECS;

/// `POST /par`: client authentication as at the token endpoint, the authorization request
/// in the body, validated like `/authorize` but with JSON errors; `201` with a single-use
/// `request_uri`.
pub(crate) fn par(ctx: &Ctx, req: &Req) -> Resp {
    let params = match form_post(req) {
        Ok(params) => params,
        Err(resp) => return resp,
    };
    let client = match authenticate(&ctx.config, &req.headers, &params) {
        Ok(client) => client,
        Err(resp) => return resp,
    };
    // RFC 9126 §2.1: the body carries every authorization request parameter, client_id
    // included, even when the client authenticates with HTTP Basic.
    if params.get("client_id") != Some(client.client_id.as_str()) {
        return invalid_request(
            "client_id is required in the pushed request (RFC 9126 section 2.1)",
        );
    }
    let jkt = match dpop_gate::check(ctx, req, Role::AuthorizationServer, None) {
        Ok(jkt) => jkt,
        Err(resp) => return resp,
    };
    // RFC 9449 §10.1: with both, the pushed dpop_jkt must name the proof's key.
    if let (Some(proof), Some(pushed)) = (&jkt, params.get("dpop_jkt"))
        && proof != pushed
    {
        return dpop_gate::refuse(
            ctx,
            Role::AuthorizationServer,
            "invalid_dpop_proof",
            "dpop_jkt is not the thumbprint of the proof's key",
        );
    }
    if params.has("request_uri") {
        return invalid_request("request_uri must not be pushed (RFC 9126 section 2.1)");
    }
    let auth = match validate(
        ctx,
        &params,
        Source::Pushed {
            client_id: &client.client_id,
        },
    ) {
        Ok(auth) => auth,
        Err(Reject::NoRedirect(why)) => return invalid_request(&why),
        Err(Reject::Redirect {
            error, description, ..
        }) => {
            return oauth_error(StatusCode::BAD_REQUEST, error, &description);
        }
    };
    let mut auth = auth;
    if auth.dpop_jkt.is_none() {
        auth.dpop_jkt = jkt;
    }
    let pushed = ctx.store().push(auth);
    let resp = match pushed {
        Ok(id) => respond::json(
            StatusCode::CREATED,
            &serde_json::json!({ "request_uri": format!("{REQUEST_URI_PREFIX}{id}"), "expires_in": PAR_TTL_SECS }),
        ),
        Err(_) => server_error(),
    };
    dpop_gate::with_nonce(ctx, resp)
}
