//! The authorization endpoint (RFC 6749 §4.1.1, RFC 7636 §4.3, RFC 9126 §4): validation,
//! consent and the redirect back to the client.

use http::{Method, StatusCode};
use pkce_core::CodeChallenge;
use pkce_core::form::FormEncoder;

use crate::context::Ctx;
use crate::pages::{consent_page, error_page};
use crate::params::{DEFAULT_SCOPE, Params, check_scope};
use crate::request::{Req, is_form};
use crate::respond::{self, Resp};
use crate::store::AuthRequest;

/// The prefix of every `request_uri` this server hands out (RFC 9126 §2.2).
pub(crate) const REQUEST_URI_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// Why an authorization request was refused.
pub(crate) enum Reject {
    /// No trustworthy redirect URI (unknown client, bad `redirect_uri`): the server must not
    /// redirect (RFC 6749 §4.1.2.1).
    NoRedirect(String),
    /// An error to send back to the client's redirect URI.
    Redirect {
        redirect_uri: String,
        state: Option<String>,
        error: &'static str,
        description: String,
    },
}

/// Where the parameters came from.
#[derive(Clone, Copy)]
pub(crate) enum Source<'a> {
    /// The front channel: a `GET /authorize` query.
    Front,
    /// A PAR body, from the already authenticated `client_id`.
    Pushed { client_id: &'a str },
}

/// Validates an authorization request: client and redirect URI first (failures there are
/// never redirected), everything else next.
pub(crate) fn validate(
    ctx: &Ctx,
    params: &Params,
    source: Source<'_>,
) -> Result<AuthRequest, Reject> {
    let broken = |name: &str| params.problem().is_some_and(|p| p.concerns(name));
    let no_redirect = |why: &str| Reject::NoRedirect(why.to_owned());
    if broken("client_id") || broken("redirect_uri") {
        return Err(no_redirect(
            &params.problem().map(|p| p.describe()).unwrap_or_default(),
        ));
    }
    let client_id = match source {
        Source::Front => params
            .get("client_id")
            .ok_or_else(|| no_redirect("client_id is required"))?,
        Source::Pushed { client_id } => client_id,
    };
    let client = ctx
        .config
        .client(client_id)
        .ok_or_else(|| no_redirect("client_id is unknown"))?;
    let redirect_uri = params
        .get("redirect_uri")
        .ok_or_else(|| no_redirect("redirect_uri is required"))?;
    if !client.allows_redirect(redirect_uri) {
        return Err(no_redirect(
            "redirect_uri is not registered for this client",
        ));
    }
    let state = if broken("state") {
        None
    } else {
        params.get("state").map(str::to_owned)
    };
    let fail = |error: &'static str, description: &str| Reject::Redirect {
        redirect_uri: redirect_uri.to_owned(),
        state: state.clone(),
        error,
        description: description.to_owned(),
    };
    if let Some(problem) = params.problem() {
        return Err(fail("invalid_request", &problem.describe()));
    }
    if params.has("request_uri") {
        return Err(fail(
            "invalid_request",
            "request_uri must not be pushed or combined with other parameters",
        ));
    }
    if ctx.config.require_par && matches!(source, Source::Front) {
        return Err(fail(
            "invalid_request",
            "this server requires pushed authorization requests (RFC 9126)",
        ));
    }
    match params.get("response_type") {
        None => return Err(fail("invalid_request", "response_type is required")),
        Some("code") => {}
        Some(_) => {
            return Err(fail(
                "unsupported_response_type",
                "only response_type=code is supported",
            ));
        }
    }
    let challenge = params
        .get("code_challenge")
        .ok_or_else(|| fail("invalid_request", "code_challenge is required"))?;
    match params.get("code_challenge_method") {
        None => {
            return Err(fail(
                "invalid_request",
                "code_challenge_method is required (absent means plain)",
            ));
        }
        Some("S256") => {}
        Some(_) => {
            return Err(fail(
                "invalid_request",
                "code_challenge_method must be S256",
            ));
        }
    }
    let challenge = CodeChallenge::parse(challenge).ok_or_else(|| {
        fail(
            "invalid_request",
            "code_challenge must be 43 base64url characters",
        )
    })?;
    let scope = params.get("scope").unwrap_or(DEFAULT_SCOPE);
    check_scope(scope).map_err(|why| fail("invalid_scope", why))?;
    Ok(AuthRequest {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        scope: scope.to_owned(),
        state,
        challenge,
        dpop_jkt: params.get("dpop_jkt").map(str::to_owned),
        nonce: params.get("nonce").map(str::to_owned),
    })
}

/// The redirect URI with `pairs`, `state` and `iss` appended, form-encoded; an existing
/// query on the redirect URI is kept (RFC 6749 §3.1.2).
pub(crate) fn callback_url(
    ctx: &Ctx,
    redirect_uri: &str,
    pairs: &[(&str, &str)],
    state: Option<&str>,
) -> String {
    let mut url = redirect_uri.to_owned();
    url.push(if redirect_uri.contains('?') { '&' } else { '?' });
    let mut form = FormEncoder::new(&mut url);
    let extra = state
        .map(|s| ("state", s))
        .into_iter()
        .chain(ctx.iss().map(|i| ("iss", i)));
    for (name, value) in pairs.iter().copied().chain(extra) {
        // Writing to a String cannot fail.
        let _ = form.append_pair(name, value);
    }
    url
}

/// The response to a refused front-channel request.
fn refuse(ctx: &Ctx, reject: Reject) -> Resp {
    match reject {
        Reject::NoRedirect(why) => error_page(&why),
        Reject::Redirect {
            redirect_uri,
            state,
            error,
            description,
        } => {
            let pairs = [
                ("error", error),
                ("error_description", description.as_str()),
            ];
            respond::redirect(
                StatusCode::FOUND,
                &callback_url(ctx, &redirect_uri, &pairs, state.as_deref()),
            )
        }
    }
}

/// Issues a code and redirects with it.
fn approve(ctx: &Ctx, req: AuthRequest, status: StatusCode) -> Resp {
    let issued = ctx
        .store()
        .issue_code(req.clone(), ctx.config.code_ttl_secs);
    match issued {
        Ok(code) => respond::redirect(
            status,
            &callback_url(
                ctx,
                &req.redirect_uri,
                &[("code", &code)],
                req.state.as_deref(),
            ),
        ),
        Err(_) => error_page("the server's random generator failed"),
    }
}

/// Approves at once, or shows the consent page.
fn proceed(ctx: &Ctx, req: AuthRequest) -> Resp {
    if ctx.config.auto_approve {
        return approve(ctx, req, StatusCode::FOUND);
    }
    let (client_id, scope) = (req.client_id.clone(), req.scope.clone());
    match ctx.store().begin_interaction(req) {
        Ok(id) => consent_page(&id, &client_id, &scope),
        Err(_) => error_page("the server's random generator failed"),
    }
}

/// `GET /authorize`.
pub(crate) fn authorize(ctx: &Ctx, req: &Req) -> Resp {
    if req.method != Method::GET {
        return respond::method_not_allowed("GET");
    }
    let params = Params::parse(req.query.as_bytes());
    if params.has("request_uri") || params.problem().is_some_and(|p| p.concerns("request_uri")) {
        return from_pushed(ctx, &params);
    }
    match validate(ctx, &params, Source::Front) {
        Ok(auth) => proceed(ctx, auth),
        Err(reject) => refuse(ctx, reject),
    }
}

/// `GET /authorize?client_id=…&request_uri=…` (RFC 9126 §4): only those two parameters;
/// the pushed request is used once.
fn from_pushed(ctx: &Ctx, params: &Params) -> Resp {
    if let Some(p) = params
        .problem()
        .filter(|p| p.concerns("client_id") || p.concerns("request_uri"))
    {
        return error_page(&p.describe());
    }
    let Some(client_id) = params.get("client_id") else {
        return error_page("client_id is required");
    };
    let Some(id) = params
        .get("request_uri")
        .and_then(|u| u.strip_prefix(REQUEST_URI_PREFIX))
    else {
        return error_page("request_uri was not issued by this server");
    };
    let pushed = ctx.store().take_pushed(id, client_id);
    let auth = match pushed {
        Ok(auth) => auth,
        Err(why) => return error_page(why),
    };
    let extra = params
        .names()
        .any(|n| n != "client_id" && n != "request_uri");
    if params.problem().is_some() || extra {
        let description =
            "only client_id and request_uri may accompany a pushed request".to_owned();
        let (redirect_uri, state) = (auth.redirect_uri, auth.state);
        return refuse(
            ctx,
            Reject::Redirect {
                redirect_uri,
                state,
                error: "invalid_request",
                description,
            },
        );
    }
    proceed(ctx, auth)
}

/// `POST /authorize/decision`: the consent form's answer.
pub(crate) fn decision(ctx: &Ctx, req: &Req) -> Resp {
    if req.method != Method::POST {
        return respond::method_not_allowed("POST");
    }
    if !is_form(&req.headers) {
        return error_page("the consent form must be posted as a form");
    }
    let params = Params::parse(&req.body);
    if let Some(p) = params.problem() {
        return error_page(&p.describe());
    }
    let approved = match params.get("decision") {
        Some("approve") => true,
        Some("deny") => false,
        _ => return error_page("decision must be approve or deny"),
    };
    let pending = params
        .get("interaction")
        .and_then(|id| ctx.store().take_interaction(id));
    let Some(auth) = pending else {
        return error_page("this consent page has expired or was already answered");
    };
    if approved {
        return approve(ctx, auth, StatusCode::SEE_OTHER);
    }
    let pairs = [
        ("error", "access_denied"),
        ("error_description", "the resource owner denied the request"),
    ];
    respond::redirect(
        StatusCode::SEE_OTHER,
        &callback_url(ctx, &auth.redirect_uri, &pairs, auth.state.as_deref()),
    )
}
