//! The Device Authorization Grant (RFC 8628): the device authorization endpoint, the
//! `device_code` grant the token endpoint hands here, the verification page, and the
//! decisions and faults a test can order (approve, deny, expire, `slow_down`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use pkce_core::form::Pairs;

use crate::client_auth::authenticate;
use crate::config::ClientRegistration;
use crate::context::Ctx;
use crate::params::{Params, check_scope};
use crate::request::{Req, form_post};
use crate::respond::{self, Resp, invalid_request, oauth_error, server_error};
use crate::store::{Issued, random};

/// The grant type of the device access token request (RFC 8628 §3.4).
pub(crate) const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// Where the user enters the code.
pub(crate) const VERIFICATION_PATH: &str = "/device";
/// The user code alphabet: consonants only, no look-alikes (RFC 8628 §6.1).
const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
/// A poll this much earlier than the interval is still accepted (network jitter).
const SLACK: Duration = Duration::from_millis(250);
/// What `slow_down` adds to the interval (RFC 8628 §3.5).
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decision {
    Pending,
    Approved,
    Denied,
    /// Answered once (tokens or `access_denied`); kept so a test can read its polls.
    Over,
}

/// One device authorization, from its request to its redemption.
#[derive(Debug)]
struct DeviceGrant {
    client_id: String,
    scope: String,
    user_code: String,
    expires: Instant,
    interval: Duration,
    decision: Decision,
    polls: Vec<Instant>,
}

/// Every device authorization of one server, and the faults ordered for the next polls.
#[derive(Debug, Default)]
pub(crate) struct DeviceStore {
    by_device_code: HashMap<String, DeviceGrant>,
    slow_downs_ordered: u32,
}

impl DeviceStore {
    fn by_user_code(&mut self, user_code: &str) -> Option<&mut DeviceGrant> {
        self.by_device_code
            .values_mut()
            .find(|g| g.user_code == user_code)
    }

    /// Records the user's decision for `user_code`; `false` when no such code waits.
    pub(crate) fn decide(&mut self, user_code: &str, approve: bool) -> bool {
        match self.by_user_code(user_code) {
            Some(g) if g.decision == Decision::Pending => {
                g.decision = if approve {
                    Decision::Approved
                } else {
                    Decision::Denied
                };
                true
            }
            _ => false,
        }
    }

    /// Makes every device code expired now.
    pub(crate) fn expire_all(&mut self) {
        let now = Instant::now();
        for g in self.by_device_code.values_mut() {
            g.expires = now;
        }
    }

    /// The next `n` polls are answered `slow_down`.
    pub(crate) fn order_slow_downs(&mut self, n: u32) {
        self.slow_downs_ordered = n;
    }

    /// When each poll for `user_code` arrived.
    pub(crate) fn polls(&mut self, user_code: &str) -> Vec<Instant> {
        self.by_user_code(user_code)
            .map(|g| g.polls.clone())
            .unwrap_or_default()
    }
}

/// `XXXX-XXXX` from the consonant alphabet: 20^8 codes, about 34 bits.
fn user_code() -> Result<String, Resp> {
    let seed = random().map_err(|_| server_error())?;
    let mut code = String::with_capacity(9);
    for (i, b) in seed.bytes().take(8).enumerate() {
        if i == 4 {
            code.push('-');
        }
        code.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
    }
    Ok(code)
}

/// `POST /device_authorization` (RFC 8628 §3.1-3.2): client authentication as at the token
/// endpoint, an optional scope.
pub(crate) fn device_authorization(ctx: &Ctx, req: &Req) -> Resp {
    match authorize_device(ctx, req) {
        Ok(resp) | Err(resp) => resp,
    }
}

fn authorize_device(ctx: &Ctx, req: &Req) -> Result<Resp, Resp> {
    let params = form_post(req)?;
    let client = authenticate(&ctx.config, &req.headers, &params)?;
    let scope = params.get("scope").unwrap_or("openid").to_owned();
    check_scope(&scope)
        .map_err(|why| oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", why))?;
    let device_code = random().map_err(|_| server_error())?;
    let user_code = user_code()?;
    let ttl = ctx.config.device_code_ttl_secs;
    let interval = ctx.config.device_interval_secs;
    let grant = DeviceGrant {
        client_id: client.client_id.clone(),
        scope,
        user_code: user_code.clone(),
        expires: Instant::now()
            .checked_add(Duration::from_secs(ttl))
            .ok_or_else(server_error)?,
        interval: Duration::from_secs(interval),
        decision: Decision::Pending,
        polls: Vec::new(),
    };
    ctx.devices()
        .by_device_code
        .insert(device_code.clone(), grant);
    let verification_uri = format!("{}{VERIFICATION_PATH}", ctx.issuer);
    Ok(respond::no_store(respond::json(
        StatusCode::OK,
        &serde_json::json!({
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": verification_uri,
            "verification_uri_complete": format!("{verification_uri}?user_code={user_code}"),
            "expires_in": ttl,
            "interval": interval,
        }),
    )))
}

fn device_error(code: &str, description: &str) -> Resp {
    oauth_error(StatusCode::BAD_REQUEST, code, description)
}

/// The `device_code` grant at `/token` (RFC 8628 §3.4-3.5). A poll sooner than the interval
/// (less a little jitter) is answered `slow_down`, and so are the polls a test ordered;
/// each `slow_down` adds 5 s to the interval this server then requires.
///
/// DPoP (RFC 9449 §5) is checked before this, by the token endpoint's gate, as for every
/// grant: with `dpop_required` a poll without a proof is refused, with
/// `dpop_nonce_required` a proof without the current nonce gets `use_dpop_nonce`, and such a
/// refused poll is not recorded as a poll. `jkt` is the key of the approved poll's proof:
/// the tokens are bound to it.
pub(crate) fn device_grant(
    ctx: &Ctx,
    client: &ClientRegistration,
    params: &Params,
    jkt: Option<String>,
) -> Result<Issued, Resp> {
    let device_code = params
        .get("device_code")
        .ok_or_else(|| invalid_request("device_code is required"))?;
    let now = Instant::now();
    let mut devices = ctx.devices();
    let ordered = devices.slow_downs_ordered > 0;
    let grant = match devices.by_device_code.get_mut(device_code) {
        Some(g) if g.client_id == client.client_id => g,
        _ => {
            let why = "unknown device_code, or issued to another client";
            return Err(device_error("invalid_grant", why));
        }
    };
    let too_soon = grant
        .polls
        .last()
        .is_some_and(|last| now.duration_since(*last) + SLACK < grant.interval);
    grant.polls.push(now);
    if now >= grant.expires {
        return Err(device_error("expired_token", "the device code expired"));
    }
    if too_soon || ordered {
        grant.interval += SLOW_DOWN_STEP;
        if ordered {
            devices.slow_downs_ordered -= 1;
        }
        return Err(device_error("slow_down", "polling too fast"));
    }
    match grant.decision {
        Decision::Pending => Err(device_error(
            "authorization_pending",
            "the user has not answered yet",
        )),
        Decision::Over => Err(device_error("invalid_grant", "the device code was used")),
        Decision::Denied => {
            grant.decision = Decision::Over;
            Err(device_error("access_denied", "the user refused"))
        }
        Decision::Approved => {
            grant.decision = Decision::Over;
            let (client_id, scope) = (grant.client_id.clone(), grant.scope.clone());
            drop(devices);
            let ttl = ctx.config.access_token_ttl;
            ctx.store()
                .start_grant(&client_id, &scope, None, ttl, jkt)
                .map_err(|_| server_error())
        }
    }
}

/// `GET /device` shows the code form (pre-filled from `?user_code=`); `POST /device` with
/// `user_code` and `decision=approve|deny` records the user's answer.
pub(crate) fn verification(ctx: &Ctx, req: &Req) -> Resp {
    let field = |input: &[u8], name: &str| {
        Pairs::new(input)
            .find(|(n, _)| n.decoded_eq(name))
            .and_then(|(_, v)| v.decode_string().ok())
    };
    if req.method == Method::GET {
        let code = field(req.query.as_bytes(), "user_code").unwrap_or_default();
        return respond::html(StatusCode::OK, code_form(&code));
    }
    if req.method != Method::POST {
        return respond::method_not_allowed("GET, POST");
    }
    let code = field(&req.body, "user_code").unwrap_or_default();
    let approve = match field(&req.body, "decision").as_deref() {
        Some("approve") => true,
        Some("deny") => false,
        _ => return respond::text(StatusCode::BAD_REQUEST, "decision must be approve or deny"),
    };
    if ctx.devices().decide(&code, approve) {
        respond::html(StatusCode::OK, done_page(approve))
    } else {
        respond::text(
            StatusCode::BAD_REQUEST,
            "unknown or already answered user code",
        )
    }
}

fn code_form(code: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Device login</title></head>\n<body>\n\
         <h1>Connect a device</h1>\n<form method=\"post\" action=\"{VERIFICATION_PATH}\">\n\
         <input name=\"user_code\" value=\"{}\">\n\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n\
         </form>\n</body></html>\n",
        pkce_core::HtmlEscaped(code)
    )
}

fn done_page(approved: bool) -> String {
    let answer = if approved { "approved" } else { "denied" };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Device login</title></head>\n<body>\n<h1 id=\"result\">Device {answer}</h1>\n</body></html>\n"
    )
}
