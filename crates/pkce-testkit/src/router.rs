//! From a request to a response: routing, hit counting, misbehaviours, then the handler.

use std::sync::Arc;

use http::{Request, StatusCode};
use hyper::body::Incoming;

use crate::context::Ctx;
use crate::cors::{self, Cors};
use crate::misbehavior::{Endpoint, Plan, plan};
use crate::pages::DECISION_PATH;
use crate::respond::{self, Resp};
use crate::{authorize, device, metadata, par, request, revoke, token, userinfo};

/// Answers one request. Total: every outcome is a response.
pub(crate) async fn handle(ctx: Arc<Ctx>, req: Request<Incoming>) -> Resp {
    let Some(endpoint) = Endpoint::route(req.uri().path()) else {
        return respond::text(StatusCode::NOT_FOUND, "not found");
    };
    // CORS wraps everything the endpoint answers, misbehaviours included: a browser hides
    // even a redirect from the page unless the response allows the page's origin.
    match cors::check(&ctx.config, endpoint, req.method(), req.headers()) {
        Cors::None => serve(ctx, endpoint, req).await,
        Cors::Preflight(resp) => resp,
        Cors::Allow(origin) => cors::allow(serve(ctx, endpoint, req).await, origin),
    }
}

/// Serves a routed request.
async fn serve(ctx: Arc<Ctx>, endpoint: Endpoint, req: Request<Incoming>) -> Resp {
    // Counted before anything else, so a test can prove a request arrived (or never did).
    let quirk = match plan(endpoint, ctx.hit(endpoint)) {
        Plan::Replace(resp) => return resp,
        Plan::Serve { delay, quirk } => {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            quirk
        }
    };
    let req = match request::read(req).await {
        Ok(req) => req,
        Err(resp) => return resp,
    };
    let quirk = quirk.as_ref();
    match endpoint {
        Endpoint::Metadata => metadata::metadata(&ctx, &req, quirk),
        Endpoint::Authorize if req.path == DECISION_PATH => authorize::decision(&ctx, &req),
        Endpoint::Authorize => authorize::authorize(&ctx, &req),
        Endpoint::Token => token::token(&ctx, &req, quirk),
        Endpoint::Par => par::par(&ctx, &req),
        Endpoint::Revocation => revoke::revoke(&ctx, &req),
        Endpoint::UserInfo => userinfo::userinfo(&ctx, &req),
        Endpoint::Device if req.path == device::VERIFICATION_PATH => {
            device::verification(&ctx, &req)
        }
        Endpoint::Device => device::device_authorization(&ctx, &req),
    }
}
