//! The token endpoint (RFC 6749 §4.1.3, §6; RFC 7636 §4.6): code and refresh grants.

use http::StatusCode;
use serde_json::{Map, Value};

use crate::client_auth::authenticate;
use crate::config::ClientRegistration;
use crate::context::Ctx;
use crate::dpop_gate::{self, Role};
use crate::misbehavior::Misbehavior;
use crate::params::{Params, check_scope, scope_within};
use crate::request::{Req, form_post};
use crate::respond::{self, JSON, Resp, invalid_request, oauth_error, server_error};
use crate::store::Issued;

fn invalid_grant(description: &str) -> Resp {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

fn invalid_scope(description: &str) -> Resp {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", description)
}

/// `POST /token`. A body `quirk` (see [`Misbehavior`]) mangles a success response only.
pub(crate) fn token(ctx: &Ctx, req: &Req, quirk: Option<&Misbehavior>) -> Resp {
    let params = match form_post(req) {
        Ok(params) => params,
        Err(resp) => return resp,
    };
    let client = match authenticate(&ctx.config, &req.headers, &params) {
        Ok(client) => client,
        Err(resp) => return resp,
    };
    // Before the grant is looked at: a proof refused for its nonce does not consume a code.
    let jkt = match dpop_gate::check(ctx, req, Role::AuthorizationServer, None) {
        Ok(jkt) => jkt,
        Err(resp) => return resp,
    };
    let issued = match params.get("grant_type") {
        None => return invalid_request("grant_type is required"),
        Some("authorization_code") => code_grant(ctx, client, &params, jkt, quirk),
        Some("refresh_token") => refresh_grant(ctx, client, &params, jkt.as_deref(), quirk),
        Some(crate::device::GRANT_TYPE) => crate::device::device_grant(ctx, client, &params, jkt),
        Some(_) => {
            let why = "only authorization_code, refresh_token and device_code are supported";
            return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", why);
        }
    };
    let resp = match issued {
        Ok(issued) => render_success(&issued, quirk),
        Err(resp) => resp,
    };
    dpop_gate::with_nonce(ctx, resp)
}

/// `grant_type=authorization_code`: a code issued to this client, unexpired and unused,
/// the identical `redirect_uri`, and a verifier that satisfies the challenge.
/// With `dpop_jkt` in the authorization request, the code is redeemed only with a proof of
/// that key (RFC 9449 §10).
fn code_grant(
    ctx: &Ctx,
    client: &ClientRegistration,
    params: &Params,
    jkt: Option<String>,
    quirk: Option<&Misbehavior>,
) -> Result<Issued, Resp> {
    let code = params
        .get("code")
        .ok_or_else(|| invalid_request("code is required"))?;
    let mut store = ctx.store();
    let auth = store
        .redeem_code(code, &client.client_id)
        .map_err(invalid_grant)?;
    // RFC 6749 §4.1.3: "identical", so a byte comparison of the once-decoded strings.
    if params.get("redirect_uri") != Some(auth.redirect_uri.as_str()) {
        return Err(invalid_grant(
            "redirect_uri is missing or differs from the authorization request",
        ));
    }
    let verifier = params
        .get("code_verifier")
        .ok_or_else(|| invalid_grant("code_verifier is required"))?;
    if !auth.challenge.is_satisfied_by(verifier) {
        return Err(invalid_grant(
            "code_verifier does not match the code_challenge",
        ));
    }
    if auth.dpop_jkt.is_some() && auth.dpop_jkt != jkt {
        return Err(invalid_grant(
            "the DPoP proof's key is not the dpop_jkt of the authorization request",
        ));
    }
    let ttl = ctx.config.access_token_ttl;
    let mut issued = store
        .start_grant(&client.client_id, &auth.scope, Some(code), ttl, jkt)
        .map_err(|_| server_error())?;
    if ctx.config.id_tokens && asked_for_openid(&auth.scope) {
        let id_token = crate::id_token::issue(ctx, &client.client_id, auth.nonce.as_deref(), quirk);
        issued.id_token = Some(id_token.ok_or_else(server_error)?);
    }
    Ok(issued)
}

/// Whether a grant's authorization asked for `openid`: its code exchange and refreshes get an
/// ID token (`ServerConfig::id_tokens`).
fn asked_for_openid(scope: &str) -> bool {
    scope.split(' ').any(|s| s == "openid")
}

/// `grant_type=refresh_token`, with rotation when configured and an optional narrower scope.
/// A refresh token bound to a DPoP key needs a proof of that key (RFC 9449 §5). A grant
/// whose authorization asked for `openid` gets a new ID token (OpenID Connect Core §12.2).
fn refresh_grant(
    ctx: &Ctx,
    client: &ClientRegistration,
    params: &Params,
    jkt: Option<&str>,
    quirk: Option<&Misbehavior>,
) -> Result<Issued, Resp> {
    let rt = params
        .get("refresh_token")
        .ok_or_else(|| invalid_request("refresh_token is required"))?;
    let mut store = ctx.store();
    let (grant, granted) = store
        .check_refresh(rt, &client.client_id)
        .map_err(invalid_grant)?;
    if let Some(bound) = store.grant_jkt(grant)
        && Some(bound.as_str()) != jkt
    {
        return Err(invalid_grant(
            "the refresh token is bound to another DPoP key",
        ));
    }
    let openid = asked_for_openid(&granted);
    let scope = match params.get("scope") {
        None => granted,
        Some(requested) => {
            check_scope(requested).map_err(invalid_scope)?;
            if !scope_within(requested, &granted) {
                return Err(invalid_scope("scope exceeds the scope originally granted"));
            }
            requested.to_owned()
        }
    };
    let (rotate, ttl) = (
        ctx.config.rotate_refresh_tokens,
        ctx.config.access_token_ttl,
    );
    let mut issued = store
        .refresh(rt, grant, &scope, rotate, ttl)
        .map_err(|_| server_error())?;
    if ctx.config.id_tokens && openid {
        let id_token = crate::id_token::issue(ctx, &client.client_id, None, quirk);
        issued.id_token = Some(id_token.ok_or_else(server_error)?);
    }
    Ok(issued)
}

/// The RFC 6749 §5.1 success response, or the provider quirk a test asked for.
pub(crate) fn render_success(issued: &Issued, quirk: Option<&Misbehavior>) -> Resp {
    let mut body = Map::new();
    body.insert("access_token".into(), issued.access_token.clone().into());
    let token_type = if issued.bound && quirk != Some(&Misbehavior::BearerForDpop) {
        "DPoP"
    } else {
        "Bearer"
    };
    if quirk != Some(&Misbehavior::MissingTokenType) {
        body.insert("token_type".into(), token_type.into());
    }
    match quirk {
        Some(Misbehavior::StringExpiresIn) => {
            body.insert("expires_in".into(), issued.expires_in.to_string().into())
        }
        Some(Misbehavior::ExpiresInsteadOfExpiresIn) => {
            body.insert("expires".into(), issued.expires_in.into())
        }
        _ => body.insert("expires_in".into(), issued.expires_in.into()),
    };
    if let Some(rt) = &issued.refresh_token {
        body.insert("refresh_token".into(), rt.clone().into());
    }
    if let Some(id_token) = &issued.id_token {
        body.insert("id_token".into(), id_token.clone().into());
    }
    let scope = match quirk {
        Some(Misbehavior::ScopeArray) => Value::from(issued.scope.split(' ').collect::<Vec<_>>()),
        Some(Misbehavior::CommaScope) => Value::from(issued.scope.replace(' ', ",")),
        _ => Value::from(issued.scope.clone()),
    };
    body.insert("scope".into(), scope);
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
    let body = respond::full(Value::Object(body).to_string());
    respond::no_store(respond::with_body(status, content_type, body))
}
