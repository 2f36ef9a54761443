//! The device flow (RFC 8628) against oidc-provider's own implementation, the user played
//! by the scripted browser on its user-code pages: approved (both transports), aborted, and
//! with DPoP (the server requires its nonce in every proof).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pkce_flow::device::DeviceAuthorization;
use std::sync::Arc;

use pkce_flow::dpop::{DpopExchange, DpopKey, Es256Key, NonceMemory};
use pkce_flow::{
    Client, ClientBuilder, DiscoveryKind, LoopbackHttp, ResourceRequest, ServerMetadata,
    TokenErrorCode,
};
use pkce_interop::{Browser, OidcProvider, PUBLIC_CLIENT_ID, REGISTERED_REDIRECT_URI};

fn client(op: &OidcProvider) -> Client {
    builder(op).build().unwrap()
}

/// The server's OpenID metadata.
fn discover(op: &OidcProvider) -> ServerMetadata {
    pkce_ureq::Transport::new()
        .unwrap()
        .discover(
            op.issuer(),
            DiscoveryKind::OpenId,
            LoopbackHttp::DangerouslyAllow,
        )
        .unwrap()
}

fn builder(op: &OidcProvider) -> ClientBuilder {
    let metadata = discover(op);
    assert!(
        metadata.device_authorization_endpoint.is_some(),
        "advertised"
    );
    Client::builder(PUBLIC_CLIENT_ID)
        .metadata(&metadata)
        .redirect_uri(REGISTERED_REDIRECT_URI)
        .scopes("openid")
}

/// The person answers on another thread while the device polls.
fn answer(authorization: &DeviceAuthorization, approve: bool) -> std::thread::JoinHandle<()> {
    let uri = authorization
        .verification_uri_complete()
        .unwrap_or(authorization.verification_uri())
        .to_owned();
    let code = authorization.user_code().to_owned();
    std::thread::spawn(move || {
        let browser = Browser::new();
        let result = if approve {
            browser.approve_device(&uri, &code)
        } else {
            browser.abort_device(&uri, &code)
        };
        result.unwrap_or_else(|e| panic!("the scripted user failed: {e}"));
    })
}

#[test]
fn device_flow_approved_through_ureq() {
    let op = OidcProvider::start().unwrap();
    let client = client(&op);
    let mut person = None;
    let tokens = pkce_ureq::Transport::new()
        .unwrap()
        .device_login(&client, |a| person = Some(answer(a, true)))
        .unwrap();
    person.unwrap().join().unwrap();
    assert!(!tokens.access_token().expose_secret().is_empty());
}

#[test]
fn device_flow_approved_through_reqwest() {
    let op = OidcProvider::start().unwrap();
    let client = client(&op);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut person = None;
    let transport = pkce_reqwest::Transport::new().unwrap();
    let tokens = runtime
        .block_on(transport.device_login(&client, |a| person = Some(answer(a, true))))
        .unwrap();
    person.unwrap().join().unwrap();
    assert!(!tokens.access_token().expose_secret().is_empty());
}

#[test]
fn device_flow_aborted_is_access_denied() {
    let op = OidcProvider::start().unwrap();
    let client = client(&op);
    let mut person = None;
    let result = pkce_ureq::Transport::new()
        .unwrap()
        .device_login(&client, |a| person = Some(answer(a, false)));
    person.unwrap().join().unwrap();
    match result {
        Err(pkce_ureq::Error::Flow(pkce_flow::Error::Token(e))) => {
            assert_eq!(e.code, TokenErrorCode::AccessDenied);
        }
        other => panic!("expected access_denied, got {other:?}"),
    }
}

#[test]
fn device_flow_with_dpop_gets_tokens_bound_to_the_key() {
    let op = OidcProvider::start().unwrap();
    let key = DpopKey::new(Arc::new(
        Es256Key::generate(&mut getrandom::SysRng).unwrap(),
    ));
    let client = builder(&op).dpop_key(key.clone()).build().unwrap();
    let transport = pkce_ureq::Transport::new().unwrap();
    let mut nonces = NonceMemory::new();
    let mut person = None;
    // The first poll has no nonce: the server's use_dpop_nonce answer is retried once, inside
    // the attempt, and the polling goes on.
    let tokens = transport
        .device_login_with_nonces(&client, &mut nonces, |a| person = Some(answer(a, true)))
        .unwrap();
    person.unwrap().join().unwrap();
    assert_eq!(tokens.token_type(), "DPoP");
    assert!(nonces.get(op.issuer()).is_some(), "the server's nonce kept");

    let userinfo = discover(&op).userinfo_endpoint.unwrap();
    let request = ResourceRequest::get(&userinfo, tokens.access_token()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut rng = getrandom::SysRng;
    let signed = DpopExchange::new(request, &key, &mut nonces, &mut rng, now);
    let answer = transport.drive(signed.unwrap()).unwrap();
    assert_eq!(answer.status, 200);
    let bearer = transport
        .bearer_get(&userinfo, tokens.access_token())
        .unwrap();
    assert_eq!(bearer.status, 401, "refused as a bearer token");
}
