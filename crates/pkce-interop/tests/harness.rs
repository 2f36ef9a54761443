//! Proves the interop harness: the full Authorization Code + PKCE flow against a real
//! oidc-provider, hand-rolled with pkce-core and ureq, plus the provider's answers to the
//! negative cases the client tests will rely on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use getrandom::SysRng;
use pkce_core::form::encode_pairs_string;
use pkce_core::{CodeVerifier, State, client_secret_basic_string};
use pkce_interop::{
    API_RESOURCE, BASIC_CLIENT, Browser, ClientAuth, HarnessError, InteropClient, OidcProvider,
    POST_CLIENT, PUBLIC_CLIENT, REDIRECT_PATH, REGISTERED_REDIRECT_URI,
    SHORT_REFRESH_TOKEN_TTL_SECS, SHORT_RT_CLIENT, http_agent, query_param, redirect_uri,
};
use serde_json::Value;

/// Any port: nothing listens there, the browser stops at the redirect.
const CALLBACK_PORT: u16 = 53682;

/// The endpoints from the discovery document.
struct Meta {
    issuer: String,
    authorization: String,
    token: String,
    userinfo: String,
    revocation: String,
    introspection: String,
    par: String,
    doc: Value,
}

/// An HTTP answer: status and JSON body (`Null` when the body is not JSON).
#[derive(Debug)]
struct Answer {
    status: u16,
    json: Value,
    www_authenticate: Option<String>,
}

impl Answer {
    fn str(&self, key: &str) -> &str {
        self.json
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no string {key:?} in {} {}", self.status, self.json))
    }

    fn error(&self) -> &str {
        self.str("error")
    }

    /// Status, `error` and `error_description`, for the report.
    fn describe(&self) -> String {
        format!("{} {}", self.status, self.json)
    }
}

/// What the client keeps between the authorization request and the callback.
struct Pending {
    verifier: CodeVerifier,
    state: State,
    redirect_uri: String,
}

fn start() -> (OidcProvider, Meta) {
    let op = OidcProvider::start().unwrap_or_else(|e| panic!("starting oidc-provider: {e}"));
    let meta = discover(&op);
    (op, meta)
}

fn discover(op: &OidcProvider) -> Meta {
    let mut resp = http_agent()
        .get(op.url("/.well-known/openid-configuration"))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let doc: Value = serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    let s = |k: &str| {
        doc.get(k)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("discovery has no {k}: {doc}"))
            .to_owned()
    };
    Meta {
        issuer: s("issuer"),
        authorization: s("authorization_endpoint"),
        token: s("token_endpoint"),
        userinfo: s("userinfo_endpoint"),
        revocation: s("revocation_endpoint"),
        introspection: s("introspection_endpoint"),
        par: s("pushed_authorization_request_endpoint"),
        doc,
    }
}

fn to_answer(mut resp: ureq::http::Response<ureq::Body>) -> Answer {
    let status = resp.status().as_u16();
    let www_authenticate = resp
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = resp.body_mut().read_to_string().unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        json,
        www_authenticate,
    }
}

/// POSTs a form to `url` with the client's authentication.
fn post_form(client: &InteropClient, url: &str, pairs: &[(&str, &str)]) -> Answer {
    let mut all: Vec<(&str, &str)> = pairs.to_vec();
    let mut req = http_agent()
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded");
    match client.auth {
        ClientAuth::None => all.push(("client_id", client.client_id)),
        ClientAuth::ClientSecretPost => {
            all.push(("client_id", client.client_id));
            all.push(("client_secret", client.client_secret.unwrap()));
        }
        ClientAuth::ClientSecretBasic => {
            // Already `Basic <base64>`.
            let value = client_secret_basic_string(client.client_id, client.client_secret.unwrap());
            req = req.header("Authorization", value);
        }
    }
    let body = encode_pairs_string(all.iter().copied());
    to_answer(req.send(body.as_str()).unwrap())
}

fn userinfo(meta: &Meta, access_token: &str) -> Answer {
    to_answer(
        http_agent()
            .get(&meta.userinfo)
            .header("Authorization", format!("Bearer {access_token}"))
            .call()
            .unwrap(),
    )
}

/// A fresh verifier and state, and the authorization request parameters for them.
fn new_pending() -> Pending {
    Pending {
        verifier: CodeVerifier::generate(&mut SysRng).unwrap(),
        state: State::generate(&mut SysRng).unwrap(),
        redirect_uri: redirect_uri(CALLBACK_PORT),
    }
}

fn authorization_url(
    meta: &Meta,
    client_id: &str,
    scope: &str,
    p: &Pending,
    extra: &[(&str, &str)],
) -> String {
    let challenge = p.verifier.challenge();
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", p.redirect_uri.as_str()),
        ("scope", scope),
        ("state", p.state.expose_secret()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    pairs.extend_from_slice(extra);
    format!("{}?{}", meta.authorization, encode_pairs_string(pairs))
}

/// Checks a success callback (`state`, `iss`) and returns the code.
fn code_from(meta: &Meta, p: &Pending, callback: &str) -> String {
    assert!(
        callback.starts_with(&format!("http://127.0.0.1:{CALLBACK_PORT}{REDIRECT_PATH}?")),
        "{callback}"
    );
    assert_eq!(query_param(callback, "error"), None, "{callback}");
    assert_eq!(
        query_param(callback, "state").as_deref(),
        Some(p.state.expose_secret())
    );
    assert_eq!(
        query_param(callback, "iss").as_deref(),
        Some(meta.issuer.as_str())
    );
    let code = query_param(callback, "code").expect("code in the callback");
    assert!(!code.is_empty());
    code
}

/// Runs the front channel with a new browser: returns the code and the pending state.
fn authorize(
    meta: &Meta,
    client: &InteropClient,
    scope: &str,
    extra: &[(&str, &str)],
) -> (String, Pending) {
    let p = new_pending();
    let url = authorization_url(meta, client.client_id, scope, &p, extra);
    let callback = Browser::new()
        .authorize(&url, &p.redirect_uri)
        .unwrap_or_else(|e| panic!("authorize: {e}"));
    (code_from(meta, &p, &callback), p)
}

fn exchange(meta: &Meta, client: &InteropClient, code: &str, p: &Pending) -> Answer {
    post_form(
        client,
        &meta.token,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &p.redirect_uri),
            ("code_verifier", p.verifier.expose_secret()),
        ],
    )
}

fn refresh(meta: &Meta, client: &InteropClient, refresh_token: &str) -> Answer {
    post_form(
        client,
        &meta.token,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
}

fn revoke(meta: &Meta, client: &InteropClient, token: &str, hint: &str) -> Answer {
    post_form(
        client,
        &meta.revocation,
        &[("token", token), ("token_type_hint", hint)],
    )
}

/// Code → tokens, asserting a bearer token set with a refresh token.
fn tokens(meta: &Meta, client: &InteropClient, scope: &str) -> (String, String) {
    let (code, p) = authorize(meta, client, scope, &[]);
    let t = exchange(meta, client, &code, &p);
    assert_eq!(t.status, 200, "{}", t.describe());
    assert!(t.str("token_type").eq_ignore_ascii_case("bearer"));
    assert!(t.json["expires_in"].is_u64(), "{}", t.json);
    (
        t.str("access_token").to_owned(),
        t.str("refresh_token").to_owned(),
    )
}

/// The whole flow for one client: code, tokens, userinfo, rotation, revocation.
fn full_flow(client: &InteropClient) {
    let (_op, meta) = start();
    let (access, rt1) = tokens(&meta, client, "openid");

    let ui = userinfo(&meta, &access);
    assert_eq!(ui.status, 200, "{}", ui.describe());
    assert_eq!(ui.str("sub"), Browser::new().login());

    let r = refresh(&meta, client, &rt1);
    assert_eq!(r.status, 200, "{}", r.describe());
    let rt2 = r.str("refresh_token").to_owned();
    assert_ne!(rt2, rt1, "refresh tokens rotate");
    let ui = userinfo(&meta, r.str("access_token"));
    assert_eq!(ui.status, 200, "{}", ui.describe());

    let rv = revoke(&meta, client, &rt2, "refresh_token");
    assert_eq!(rv.status, 200, "{}", rv.describe());

    // The old one was consumed by the rotation.
    let old = refresh(&meta, client, &rt1);
    assert_eq!(old.status, 400, "{}", old.describe());
    assert_eq!(old.error(), "invalid_grant");
}

#[test]
fn discovery_advertises_what_the_clients_need() {
    let (op, meta) = start();
    assert_eq!(meta.issuer, op.issuer());
    assert!(op.issuer().starts_with("http://127.0.0.1:"));
    assert!(!op.issuer().ends_with('/'));
    let d = &meta.doc;
    assert_eq!(d["authorization_response_iss_parameter_supported"], true);
    assert_eq!(
        d["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(d["response_types_supported"], serde_json::json!(["code"]));
    for m in ["none", "client_secret_basic", "client_secret_post"] {
        assert!(
            d["token_endpoint_auth_methods_supported"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v == m),
            "{m}"
        );
    }
    for url in [
        &meta.authorization,
        &meta.token,
        &meta.userinfo,
        &meta.revocation,
        &meta.introspection,
        &meta.par,
    ] {
        assert!(url.starts_with(op.issuer()), "{url}");
    }
    // oidc-provider serves only the OpenID Connect location, not RFC 8414's.
    let r = http_agent()
        .get(op.url("/.well-known/oauth-authorization-server"))
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert!(op.log().contains("GET /.well-known/openid-configuration"));
}

#[test]
fn public_client_full_flow() {
    full_flow(&PUBLIC_CLIENT);
}

#[test]
fn client_secret_basic_full_flow() {
    full_flow(&BASIC_CLIENT);
}

#[test]
fn client_secret_post_full_flow() {
    full_flow(&POST_CLIENT);
}

#[test]
fn confidential_client_with_a_wrong_secret_is_invalid_client() {
    let (_op, meta) = start();
    let (code, p) = authorize(&meta, &BASIC_CLIENT, "openid", &[]);
    let wrong = InteropClient {
        client_secret: Some("not-the-secret"),
        ..BASIC_CLIENT
    };
    let t = exchange(&meta, &wrong, &code, &p);
    eprintln!("wrong client secret (basic): {}", t.describe());
    assert_eq!(t.status, 401, "{}", t.describe());
    assert_eq!(t.error(), "invalid_client");
    // The code survives a failed client authentication.
    let t = exchange(&meta, &BASIC_CLIENT, &code, &p);
    assert_eq!(t.status, 200, "{}", t.describe());
}

#[test]
fn pushed_authorization_request_flow() {
    let (_op, meta) = start();
    let p = new_pending();
    let challenge = p.verifier.challenge();
    let par = post_form(
        &PUBLIC_CLIENT,
        &meta.par,
        &[
            ("response_type", "code"),
            ("redirect_uri", &p.redirect_uri),
            ("scope", "openid"),
            ("state", p.state.expose_secret()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    );
    assert_eq!(par.status, 201, "{}", par.describe());
    let request_uri = par.str("request_uri").to_owned();
    assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));
    assert!(par.json["expires_in"].as_u64().unwrap() > 0);

    let url = format!(
        "{}?{}",
        meta.authorization,
        encode_pairs_string([
            ("client_id", PUBLIC_CLIENT.client_id),
            ("request_uri", request_uri.as_str())
        ])
    );
    let callback = Browser::new().authorize(&url, &p.redirect_uri).unwrap();
    let code = code_from(&meta, &p, &callback);
    let t = exchange(&meta, &PUBLIC_CLIENT, &code, &p);
    assert_eq!(t.status, 200, "{}", t.describe());
    assert!(t.json["refresh_token"].is_string());

    // The request_uri is single-use. The error goes to the client's *registered* redirect
    // URI (no port): the pushed redirect_uri is gone with the request object, and
    // oidc-provider falls back to the only registered one.
    let again = Browser::new()
        .authorize(&url, REGISTERED_REDIRECT_URI)
        .unwrap();
    eprintln!("reused request_uri: {again}");
    assert!(
        again.starts_with(&format!("{REGISTERED_REDIRECT_URI}?")),
        "{again}"
    );
    assert_eq!(
        query_param(&again, "error").as_deref(),
        Some("invalid_request_uri")
    );
    assert_eq!(
        query_param(&again, "iss").as_deref(),
        Some(meta.issuer.as_str())
    );
}

#[test]
fn confidential_client_par_with_client_secret_basic() {
    let (_op, meta) = start();
    let p = new_pending();
    let challenge = p.verifier.challenge();
    let par = post_form(
        &BASIC_CLIENT,
        &meta.par,
        &[
            ("client_id", BASIC_CLIENT.client_id),
            ("response_type", "code"),
            ("redirect_uri", &p.redirect_uri),
            ("scope", "openid"),
            ("state", p.state.expose_secret()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    );
    assert_eq!(par.status, 201, "{}", par.describe());
    let url = format!(
        "{}?{}",
        meta.authorization,
        encode_pairs_string([
            ("client_id", BASIC_CLIENT.client_id),
            ("request_uri", par.str("request_uri"))
        ])
    );
    let callback = Browser::new().authorize(&url, &p.redirect_uri).unwrap();
    let code = code_from(&meta, &p, &callback);
    let t = exchange(&meta, &BASIC_CLIENT, &code, &p);
    assert_eq!(t.status, 200, "{}", t.describe());
}

// ---- (a) to (e): the provider's answers for the negative tests ----

#[test]
fn a_wrong_code_verifier_is_invalid_grant() {
    let (_op, meta) = start();
    let (code, p) = authorize(&meta, &PUBLIC_CLIENT, "openid", &[]);
    let other = CodeVerifier::generate(&mut SysRng).unwrap();
    let t = post_form(
        &PUBLIC_CLIENT,
        &meta.token,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &p.redirect_uri),
            ("code_verifier", other.expose_secret()),
        ],
    );
    eprintln!("(a) wrong code_verifier: {}", t.describe());
    assert_eq!(t.status, 400);
    assert_eq!(t.error(), "invalid_grant");

    // A missing verifier is also invalid_grant.
    let t = post_form(
        &PUBLIC_CLIENT,
        &meta.token,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &p.redirect_uri),
        ],
    );
    eprintln!("(a') missing code_verifier: {}", t.describe());
    assert_eq!(t.status, 400);
    assert_eq!(t.error(), "invalid_grant");
}

#[test]
fn b_replayed_code_is_invalid_grant_and_revokes_the_first_tokens() {
    let (_op, meta) = start();
    let (code, p) = authorize(&meta, &PUBLIC_CLIENT, "openid", &[]);
    let first = exchange(&meta, &PUBLIC_CLIENT, &code, &p);
    assert_eq!(first.status, 200, "{}", first.describe());
    let replay = exchange(&meta, &PUBLIC_CLIENT, &code, &p);
    eprintln!("(b) replayed code: {}", replay.describe());
    assert_eq!(replay.status, 400);
    assert_eq!(replay.error(), "invalid_grant");
    // The replay revoked what the first exchange issued.
    let ui = userinfo(&meta, first.str("access_token"));
    eprintln!(
        "(b) userinfo with the first access token after the replay: {} www-authenticate={:?}",
        ui.describe(),
        ui.www_authenticate
    );
    assert_eq!(ui.status, 401);
    assert_eq!(ui.error(), "invalid_token");
    let r = refresh(&meta, &PUBLIC_CLIENT, first.str("refresh_token"));
    eprintln!(
        "(b) refresh with the first refresh token after the replay: {}",
        r.describe()
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.error(), "invalid_grant");
}

#[test]
fn c_redirect_uri_mismatch_is_invalid_grant() {
    let (_op, meta) = start();
    let (code, p) = authorize(&meta, &PUBLIC_CLIENT, "openid", &[]);
    let other_port = redirect_uri(CALLBACK_PORT + 1);
    let t = post_form(
        &PUBLIC_CLIENT,
        &meta.token,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &other_port),
            ("code_verifier", p.verifier.expose_secret()),
        ],
    );
    eprintln!(
        "(c) redirect_uri mismatch (other port) at the token endpoint: {}",
        t.describe()
    );
    assert_eq!(t.status, 400);
    assert_eq!(t.error(), "invalid_grant");

    // Omitting redirect_uri (it was sent in the authorization request) is refused too.
    let t = post_form(
        &PUBLIC_CLIENT,
        &meta.token,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("code_verifier", p.verifier.expose_secret()),
        ],
    );
    eprintln!(
        "(c') redirect_uri omitted at the token endpoint: {}",
        t.describe()
    );
    assert_eq!(t.status, 400);
    assert_eq!(t.error(), "invalid_grant");
}

#[test]
fn c_unregistered_redirect_uri_is_an_error_page_not_a_redirect() {
    let (_op, meta) = start();
    let mut p = new_pending();
    p.redirect_uri = format!("http://127.0.0.1:{CALLBACK_PORT}/elsewhere");
    let url = authorization_url(&meta, PUBLIC_CLIENT.client_id, "openid", &p, &[]);
    let err = Browser::new()
        .authorize(&url, "http://127.0.0.1")
        .expect_err("no redirect to an unregistered URI");
    eprintln!("(c'') unregistered redirect_uri at the authorization endpoint: {err}");
    match err {
        HarnessError::UnexpectedPage {
            status, summary, ..
        } => {
            assert_eq!(status, 400);
            assert!(summary.contains("invalid_redirect_uri"), "{summary}");
        }
        e => panic!("{e}"),
    }
}

#[test]
fn d_reused_rotated_refresh_token_is_invalid_grant_and_revokes_the_grant() {
    let (_op, meta) = start();
    let (_, rt1) = tokens(&meta, &PUBLIC_CLIENT, "openid");
    let r = refresh(&meta, &PUBLIC_CLIENT, &rt1);
    assert_eq!(r.status, 200, "{}", r.describe());
    let rt2 = r.str("refresh_token").to_owned();
    let access2 = r.str("access_token").to_owned();

    let reuse = refresh(&meta, &PUBLIC_CLIENT, &rt1);
    eprintln!("(d) reused rotated refresh token: {}", reuse.describe());
    assert_eq!(reuse.status, 400);
    assert_eq!(reuse.error(), "invalid_grant");

    // Reuse detection revokes the whole grant: the new refresh token is dead too...
    let r = refresh(&meta, &PUBLIC_CLIENT, &rt2);
    eprintln!(
        "(d) the rotated-to refresh token after the reuse: {}",
        r.describe()
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.error(), "invalid_grant");
    // ...and so is the access token issued with it.
    let ui = userinfo(&meta, &access2);
    eprintln!(
        "(d) userinfo with the newest access token after the reuse: {}",
        ui.describe()
    );
    assert_eq!(ui.status, 401);
    assert_eq!(ui.error(), "invalid_token");
}

#[test]
fn e_revoked_refresh_token_is_invalid_grant() {
    let (_op, meta) = start();
    let (access, rt) = tokens(&meta, &BASIC_CLIENT, "openid");
    let rv = revoke(&meta, &BASIC_CLIENT, &rt, "refresh_token");
    eprintln!("(e) revocation response: {} ", rv.describe());
    assert_eq!(rv.status, 200);
    let r = refresh(&meta, &BASIC_CLIENT, &rt);
    eprintln!("(e) revoked refresh token: {}", r.describe());
    assert_eq!(r.status, 400);
    assert_eq!(r.error(), "invalid_grant");
    // Revoking the refresh token revokes the grant, so the access token too.
    let ui = userinfo(&meta, &access);
    eprintln!(
        "(e) userinfo with the access token after revoking the refresh token: {}",
        ui.describe()
    );
    assert_eq!(ui.status, 401);
    // Revoking again, or revoking garbage, is still 200 (RFC 7009 §2.2).
    assert_eq!(
        revoke(&meta, &BASIC_CLIENT, &rt, "refresh_token").status,
        200
    );
    assert_eq!(
        revoke(&meta, &BASIC_CLIENT, "garbage", "refresh_token").status,
        200
    );
}

#[test]
fn short_lived_refresh_token_expires() {
    let (_op, meta) = start();
    let (_, rt) = tokens(&meta, &SHORT_RT_CLIENT, "openid");
    std::thread::sleep(std::time::Duration::from_millis(
        SHORT_REFRESH_TOKEN_TTL_SECS * 1000 + 1200,
    ));
    let r = refresh(&meta, &SHORT_RT_CLIENT, &rt);
    eprintln!("expired refresh token: {}", r.describe());
    assert_eq!(r.status, 400);
    assert_eq!(r.error(), "invalid_grant");
}

#[test]
fn deny_returns_access_denied_with_state_and_iss() {
    let (_op, meta) = start();
    let p = new_pending();
    let url = authorization_url(&meta, PUBLIC_CLIENT.client_id, "openid", &p, &[]);
    let callback = Browser::new().deny(&url, &p.redirect_uri).unwrap();
    eprintln!("deny: {callback}");
    assert_eq!(
        query_param(&callback, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_param(&callback, "code"), None);
    assert_eq!(
        query_param(&callback, "state").as_deref(),
        Some(p.state.expose_secret())
    );
    assert_eq!(
        query_param(&callback, "iss").as_deref(),
        Some(meta.issuer.as_str())
    );
}

#[test]
fn pkce_is_required_and_s256_only() {
    let (_op, meta) = start();
    let p = new_pending();
    // No code_challenge at all: an error redirect (the client and redirect_uri are valid).
    let url = format!(
        "{}?{}",
        meta.authorization,
        encode_pairs_string([
            ("response_type", "code"),
            ("client_id", PUBLIC_CLIENT.client_id),
            ("redirect_uri", p.redirect_uri.as_str()),
            ("scope", "openid"),
            ("state", p.state.expose_secret()),
        ])
    );
    let cb = Browser::new().authorize(&url, &p.redirect_uri).unwrap();
    eprintln!("no code_challenge: {cb}");
    assert_eq!(
        query_param(&cb, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(
        query_param(&cb, "iss").as_deref(),
        Some(meta.issuer.as_str())
    );
    assert_eq!(
        query_param(&cb, "state").as_deref(),
        Some(p.state.expose_secret())
    );

    // plain is not offered.
    let plain = p.verifier.expose_secret();
    let url = format!(
        "{}?{}",
        meta.authorization,
        encode_pairs_string([
            ("response_type", "code"),
            ("client_id", PUBLIC_CLIENT.client_id),
            ("redirect_uri", p.redirect_uri.as_str()),
            ("scope", "openid"),
            ("state", p.state.expose_secret()),
            ("code_challenge", plain),
            ("code_challenge_method", "plain"),
        ])
    );
    let cb = Browser::new().authorize(&url, &p.redirect_uri).unwrap();
    eprintln!("code_challenge_method=plain: {cb}");
    assert_eq!(
        query_param(&cb, "error").as_deref(),
        Some("invalid_request")
    );
}

#[test]
fn resource_indicator_gives_an_api_token_and_userinfo_still_works() {
    let (_op, meta) = start();
    let scope = "openid api:read";
    let (code, p) = authorize(&meta, &PUBLIC_CLIENT, scope, &[("resource", API_RESOURCE)]);
    let t = post_form(
        &PUBLIC_CLIENT,
        &meta.token,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &p.redirect_uri),
            ("code_verifier", p.verifier.expose_secret()),
            ("resource", API_RESOURCE),
        ],
    );
    eprintln!("token response with resource: {}", t.describe());
    assert_eq!(t.status, 200, "{}", t.describe());
    assert_eq!(t.str("scope"), "api:read");
    let api_token = t.str("access_token").to_owned();
    let rt = t.str("refresh_token").to_owned();

    // The API token has the resource's audience, and is refused at userinfo.
    let intro = post_form(
        &PUBLIC_CLIENT,
        &meta.introspection,
        &[("token", &api_token)],
    );
    eprintln!("introspection of the API token: {}", intro.describe());
    assert_eq!(intro.status, 200);
    assert_eq!(intro.json["active"], true);
    assert_eq!(intro.json["aud"], API_RESOURCE);
    let ui = userinfo(&meta, &api_token);
    eprintln!("userinfo with the API token: {}", ui.describe());
    assert_eq!(ui.status, 403);
    assert_eq!(ui.error(), "insufficient_scope");

    // Refresh without `resource`: an opaque userinfo token.
    let r = refresh(&meta, &PUBLIC_CLIENT, &rt);
    eprintln!("refresh without resource: {}", r.describe());
    assert_eq!(r.status, 200, "{}", r.describe());
    let ui = userinfo(&meta, r.str("access_token"));
    assert_eq!(ui.status, 200, "{}", ui.describe());
}

#[test]
fn second_authorization_in_the_same_browser_skips_the_pages() {
    let (_op, meta) = start();
    let browser = Browser::with_login("repeat-user");
    for _ in 0..2 {
        let p = new_pending();
        let url = authorization_url(&meta, PUBLIC_CLIENT.client_id, "openid", &p, &[]);
        let callback = browser.authorize(&url, &p.redirect_uri).unwrap();
        let code = code_from(&meta, &p, &callback);
        let t = exchange(&meta, &PUBLIC_CLIENT, &code, &p);
        assert_eq!(t.status, 200, "{}", t.describe());
        let ui = userinfo(&meta, t.str("access_token"));
        assert_eq!(ui.str("sub"), "repeat-user");
    }
}

#[test]
fn provider_stops_when_dropped() {
    let op = OidcProvider::start().unwrap();
    let url = op.url("/.well-known/openid-configuration");
    assert_eq!(
        http_agent().get(&url).call().unwrap().status().as_u16(),
        200
    );
    drop(op);
    assert!(
        http_agent().get(&url).call().is_err(),
        "still listening after drop"
    );
}
