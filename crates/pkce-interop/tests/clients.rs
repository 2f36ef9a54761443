//! Our clients against a real, third-party authorization server (panva's oidc-provider):
//! the full flow and the negative cases, the same named scenarios through both transports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use pkce_flow::ResourceRequest;
use pkce_flow::dpop::{DpopExchange, DpopKey, Es256Key, NonceMemory};
use pkce_flow::oidc::{IdTokenSignature, IdTokenValidation};

use pkce_flow::{
    Client, ClientSecret, DiscoveryKind, Error, LoopbackHttp, Mismatch, ServerMetadata,
    StoredAuthorization, TokenErrorCode,
};
use pkce_interop::{
    API_RESOURCE, API_SCOPES, BASIC_CLIENT_ID, BASIC_CLIENT_SECRET, Browser, OidcProvider,
    POST_CLIENT_ID, POST_CLIENT_SECRET, PUBLIC_CLIENT_ID, SHORT_REFRESH_TOKEN_TTL_SECS,
    SHORT_RT_CLIENT_ID, query_param, redirect_uri,
};

mod support;
use support::{Driver, reqwest, ureq};

/// Nothing listens here: the scripted browser stops at the redirect and hands it over.
const PORT: u16 = 53683;

struct Setup {
    _provider: OidcProvider,
    metadata: ServerMetadata,
}

fn setup<D: Driver>(d: &D) -> Setup {
    let provider =
        OidcProvider::start().unwrap_or_else(|e| panic!("the interop server must start: {e}"));
    let discovery = pkce_flow::Discovery::new(
        provider.issuer(),
        DiscoveryKind::Probe,
        LoopbackHttp::DangerouslyAllow,
    )
    .unwrap();
    let metadata = d.drive(discovery).unwrap();
    assert!(
        metadata.authorization_response_iss_parameter_supported,
        "oidc-provider advertises RFC 9207"
    );
    Setup {
        _provider: provider,
        metadata,
    }
}

fn client(s: &Setup, id: &str, scopes: &str) -> pkce_flow::ClientBuilder {
    let b = Client::builder(id)
        .metadata(&s.metadata)
        .redirect_uri(&redirect_uri(PORT))
        .scopes(scopes)
        .dangerous_allow_insecure_loopback();
    match id {
        BASIC_CLIENT_ID => b.client_secret_basic(ClientSecret::new(BASIC_CLIENT_SECRET.into())),
        POST_CLIENT_ID => b.client_secret_post(ClientSecret::new(POST_CLIENT_SECRET.into())),
        _ => b,
    }
}

fn approve(url: &str) -> String {
    Browser::new().authorize(url, &redirect_uri(PORT)).unwrap()
}

/// The whole flow: authorize (or PAR), login + consent, callback with iss, exchange, Bearer
/// call, refresh with rotation, revocation, and the rotated-out token refused.
fn full_flow<D: Driver>(d: &D, id: &str, par: bool) {
    let s = setup(d);
    let c = client(&s, id, "openid profile").build().unwrap();
    let (url, pending) = if par {
        let pushed = d
            .drive(c.push_authorization(&mut getrandom::SysRng).unwrap())
            .unwrap();
        assert!(query_param(pushed.url.as_str(), "request_uri").is_some());
        (pushed.url, pushed.pending)
    } else {
        c.authorize(&mut getrandom::SysRng).unwrap()
    };
    let callback = approve(url.as_str());
    assert_eq!(
        query_param(&callback, "iss").as_deref(),
        Some(s.metadata.issuer.as_str())
    );
    let tokens = d.drive(pending.callback_url(&callback).unwrap()).unwrap();
    // The ID token came straight from the token endpoint (loopback http, allowed only under
    // the loopback opt-in): its issuer is established by the connection; the nonce sent
    // with `openid` must come back in it.
    let by_tls = IdTokenValidation::new(unix_now(), IdTokenSignature::IssuerEstablishedByTls);
    let id_token = c.validate_id_token(&tokens, &by_tls).unwrap();
    assert!(!id_token.subject().is_empty() && id_token.audiences().contains(c.client_id()));
    if id != PUBLIC_CLIENT_ID {
        // RFC 7662 with the client's own authentication.
        let endpoint = s.metadata.introspection_endpoint.clone().unwrap();
        let loopback = LoopbackHttp::DangerouslyAllow;
        let about = d
            .drive(
                c.introspect(&endpoint, loopback, tokens.access_token())
                    .unwrap(),
            )
            .unwrap();
        assert!(about.active, "{}", d.name());
        assert_eq!(about.client_id.as_deref(), Some(id));
    }
    let userinfo = s.metadata.userinfo_endpoint.clone().unwrap();
    assert_eq!(
        d.userinfo(&userinfo, tokens.access_token()).0,
        200,
        "{}",
        d.name()
    );

    let old = tokens.refresh_token().cloned().expect("a refresh token");
    let refreshed = d.drive(c.refresh(&old)).unwrap();
    assert!(refreshed.rotated(), "oidc-provider rotates refresh tokens");
    // OpenID Connect Core §12.2: a refreshed ID token keeps iss, sub and aud.
    let again = c
        .validate_refreshed_id_token(&id_token, &refreshed, &by_tls)
        .unwrap();
    assert_eq!(again.expect("a new ID token").subject(), id_token.subject());
    assert_eq!(d.userinfo(&userinfo, refreshed.access_token()).0, 200);

    let newest = refreshed.refresh_token().cloned().unwrap();
    d.drive(c.revoke_refresh_token(&newest).unwrap()).unwrap();
    assert_eq!(
        d.userinfo(&userinfo, refreshed.access_token()),
        (401, true),
        "revocation ends the grant's access token"
    );
    let err = d.drive_err(c.refresh(&old)).expect("an OAuth error");
    assert!(
        matches!(&err, Error::Token(e) if e.code == TokenErrorCode::InvalidGrant),
        "{err:?}"
    );
}

/// DPoP with the server's nonces required: PAR, code exchange, userinfo and refresh, each
/// signed with the one key; the tokens are `DPoP` tokens, and the access token is refused
/// as a bearer token.
fn dpop_flow<D: Driver>(d: &D) {
    let s = setup(d);
    let key = DpopKey::new(Arc::new(
        Es256Key::generate(&mut getrandom::SysRng).unwrap(),
    ));
    let c = client(&s, PUBLIC_CLIENT_ID, "openid profile")
        .dpop_key(key.clone())
        .build()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut nonces = NonceMemory::new();
    let mut rng = getrandom::SysRng;
    let par = c.push_authorization(&mut getrandom::SysRng).unwrap();
    let pushed = d
        .drive(DpopExchange::new(par, &key, &mut nonces, &mut rng, now).unwrap())
        .unwrap();
    assert!(
        nonces.get(&s.metadata.issuer).is_some(),
        "the server sent its nonce"
    );
    let callback = approve(pushed.url.as_str());
    let exchange = pushed.pending.callback_url(&callback).unwrap();
    let tokens = d
        .drive(DpopExchange::new(exchange, &key, &mut nonces, &mut rng, now).unwrap())
        .unwrap();
    assert_eq!(tokens.token_type(), "DPoP");
    let userinfo = s.metadata.userinfo_endpoint.clone().unwrap();
    let request = ResourceRequest::get(&userinfo, tokens.access_token()).unwrap();
    let answer = d
        .drive(DpopExchange::new(request, &key, &mut nonces, &mut rng, now).unwrap())
        .unwrap();
    assert_eq!(answer.status, 200, "{}", d.name());
    assert_eq!(
        d.userinfo(&userinfo, tokens.access_token()).0,
        401,
        "a DPoP-bound token is refused as a bearer token"
    );
    let old = tokens.refresh_token().cloned().unwrap();
    let refreshed = d
        .drive(DpopExchange::new(c.refresh(&old), &key, &mut nonces, &mut rng, now).unwrap())
        .unwrap();
    assert_eq!(refreshed.token_type(), "DPoP");
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// PKCE catches code injection: a code issued for one authorization, fed to another.
fn wrong_verifier<D: Driver>(d: &D) {
    let s = setup(d);
    let c = client(&s, PUBLIC_CLIENT_ID, "openid").build().unwrap();
    let (url_a, _pending_a) = c.authorize(&mut getrandom::SysRng).unwrap();
    let (_, pending_b) = c.authorize(&mut getrandom::SysRng).unwrap();
    let callback_a = approve(url_a.as_str());
    let code_a = query_param(&callback_a, "code").unwrap();
    let injected = format!(
        "code={code_a}&state={}&iss={}",
        pending_b.state().expose_secret(),
        pkce_flow::pkce_core::form::encode_pairs_string([("", s.metadata.issuer.as_str())])
            .trim_start_matches('=')
    );
    let err = d
        .drive_err(pending_b.callback(&injected).unwrap())
        .expect("an OAuth error");
    assert!(
        matches!(&err, Error::Token(e) if e.code == TokenErrorCode::InvalidGrant),
        "{err:?}"
    );
}

/// An app that kept a stored authorization after using it replays the code: the server
/// refuses it and revokes what the first exchange issued.
fn replayed_code<D: Driver>(d: &D) {
    let s = setup(d);
    let c = client(&s, PUBLIC_CLIENT_ID, "openid").build().unwrap();
    let (url, pending) = c.authorize(&mut getrandom::SysRng).unwrap();
    let stored = serde_json::to_string(&pending.into_stored()).unwrap();
    let callback = approve(url.as_str());
    let first = c
        .resume(serde_json::from_str::<StoredAuthorization>(&stored).unwrap())
        .unwrap();
    let tokens = d.drive(first.callback_url(&callback).unwrap()).unwrap();
    let second = c
        .resume(serde_json::from_str::<StoredAuthorization>(&stored).unwrap())
        .unwrap();
    let err = d
        .drive_err(second.callback_url(&callback).unwrap())
        .expect("an OAuth error");
    assert!(
        matches!(&err, Error::Token(e) if e.code == TokenErrorCode::InvalidGrant),
        "{err:?}"
    );
    let userinfo = s.metadata.userinfo_endpoint.clone().unwrap();
    assert_eq!(
        d.userinfo(&userinfo, tokens.access_token()).0,
        401,
        "the server revoked the first tokens"
    );
}

/// A redirect URI mismatch cannot be sent: resuming under another redirect URI is refused
/// before any request.
fn redirect_uri_mismatch<D: Driver>(d: &D) {
    let s = setup(d);
    let c = client(&s, PUBLIC_CLIENT_ID, "openid").build().unwrap();
    let (_, pending) = c.authorize(&mut getrandom::SysRng).unwrap();
    let other = client(&s, PUBLIC_CLIENT_ID, "openid")
        .redirect_uri(&redirect_uri(PORT + 1))
        .build()
        .unwrap();
    assert_eq!(
        other.resume(pending.into_stored()).unwrap_err(),
        Mismatch::ForeignAuthorization.into()
    );
}

/// Tampered state, missing iss, wrong iss: typed errors, no exchange.
fn tampered_callbacks<D: Driver>(d: &D) {
    let s = setup(d);
    let c = client(&s, PUBLIC_CLIENT_ID, "openid").build().unwrap();
    let (url, pending) = c.authorize(&mut getrandom::SysRng).unwrap();
    let callback = approve(url.as_str());
    let state = query_param(&callback, "state").unwrap();
    let rejected = pending
        .callback_url(&callback.replace(&state, "tampered"))
        .unwrap_err();
    assert_eq!(rejected.error(), &Error::Mismatch(Mismatch::StateMismatch));
    let pending = rejected.into_pending().unwrap();
    let iss = callback
        .split('&')
        .find(|p| p.starts_with("iss="))
        .unwrap()
        .to_owned();
    let without_iss = callback
        .replace(&format!("&{iss}"), "")
        .replace(&format!("{iss}&"), "");
    let rejected = pending.callback_url(&without_iss).unwrap_err();
    assert_eq!(rejected.error(), &Error::Mismatch(Mismatch::IssuerMissing));
    let (url, pending) = c.authorize(&mut getrandom::SysRng).unwrap();
    let callback = approve(url.as_str());
    let wrong = callback.replace("iss=http%3A%2F%2F127.0.0.1", "iss=http%3A%2F%2F127.0.0.2");
    assert_ne!(wrong, callback);
    assert_eq!(
        pending.callback_url(&wrong).unwrap_err().error(),
        &Error::Mismatch(Mismatch::IssuerMismatch)
    );
}

/// Expired and revoked refresh tokens are invalid_grant.
fn dead_refresh_tokens<D: Driver>(d: &D) {
    let s = setup(d);
    let c = client(&s, SHORT_RT_CLIENT_ID, "openid").build().unwrap();
    let (url, pending) = c.authorize(&mut getrandom::SysRng).unwrap();
    let tokens = d
        .drive(pending.callback_url(&approve(url.as_str())).unwrap())
        .unwrap();
    std::thread::sleep(Duration::from_secs(SHORT_REFRESH_TOKEN_TTL_SECS + 1));
    let err = d
        .drive_err(c.refresh(tokens.refresh_token().unwrap()))
        .expect("expired");
    assert!(
        matches!(&err, Error::Token(e) if e.code == TokenErrorCode::InvalidGrant),
        "{err:?}"
    );

    let c = client(&s, PUBLIC_CLIENT_ID, "openid").build().unwrap();
    let (url, pending) = c.authorize(&mut getrandom::SysRng).unwrap();
    let tokens = d
        .drive(pending.callback_url(&approve(url.as_str())).unwrap())
        .unwrap();
    let rt = tokens.refresh_token().cloned().unwrap();
    d.drive(c.revoke_refresh_token(&rt).unwrap()).unwrap();
    let err = d.drive_err(c.refresh(&rt)).expect("revoked");
    assert!(
        matches!(&err, Error::Token(e) if e.code == TokenErrorCode::InvalidGrant),
        "{err:?}"
    );
}

/// RFC 8707: a token for the API resource carries the API scopes.
fn resource_indicator<D: Driver>(d: &D) {
    let s = setup(d);
    let c = client(&s, PUBLIC_CLIENT_ID, &format!("openid {API_SCOPES}"))
        .resource(API_RESOURCE)
        .build()
        .unwrap();
    let (url, pending) = c.authorize(&mut getrandom::SysRng).unwrap();
    let tokens = d
        .drive(pending.callback_url(&approve(url.as_str())).unwrap())
        .unwrap();
    assert!(
        tokens
            .granted_scope()
            .unwrap_or_default()
            .contains("api:read"),
        "{:?}",
        tokens.granted_scope()
    );
}

macro_rules! scenarios {
    ($module:ident, $driver:expr) => {
        mod $module {
            use super::*;
            #[test]
            fn dpop_with_required_nonces_par_userinfo_refresh() {
                dpop_flow(&$driver);
            }
            #[test]
            fn public_client_full_flow() {
                full_flow(&$driver, PUBLIC_CLIENT_ID, false);
            }
            #[test]
            fn client_secret_basic_full_flow() {
                full_flow(&$driver, BASIC_CLIENT_ID, false);
            }
            #[test]
            fn client_secret_post_full_flow() {
                full_flow(&$driver, POST_CLIENT_ID, false);
            }
            #[test]
            fn pushed_authorization_request_full_flow() {
                full_flow(&$driver, PUBLIC_CLIENT_ID, true);
            }
            #[test]
            fn pushed_authorization_request_with_client_secret_basic() {
                full_flow(&$driver, BASIC_CLIENT_ID, true);
            }
            #[test]
            fn wrong_code_verifier_is_invalid_grant() {
                wrong_verifier(&$driver);
            }
            #[test]
            fn replayed_code_is_invalid_grant() {
                replayed_code(&$driver);
            }
            #[test]
            fn redirect_uri_mismatch_is_refused_locally() {
                redirect_uri_mismatch(&$driver);
            }
            #[test]
            fn tampered_state_and_iss_are_rejected() {
                tampered_callbacks(&$driver);
            }
            #[test]
            fn expired_and_revoked_refresh_tokens() {
                dead_refresh_tokens(&$driver);
            }
            #[test]
            fn resource_indicator_scopes() {
                resource_indicator(&$driver);
            }
        }
    };
}

scenarios!(with_ureq, ureq());
scenarios!(with_reqwest, reqwest());
