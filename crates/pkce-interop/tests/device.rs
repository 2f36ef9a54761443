//! The device flow (RFC 8628) against oidc-provider's own implementation, the user played
//! by the scripted browser on its user-code pages: approved (both transports) and aborted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pkce_flow::device::DeviceAuthorization;
use pkce_flow::{Client, DiscoveryKind, LoopbackHttp, TokenErrorCode};
use pkce_interop::{Browser, OidcProvider, PUBLIC_CLIENT_ID, REGISTERED_REDIRECT_URI};

fn client(op: &OidcProvider) -> Client {
    let transport = pkce_ureq::Transport::new().unwrap();
    let metadata = transport
        .discover(
            op.issuer(),
            DiscoveryKind::OpenId,
            LoopbackHttp::DangerouslyAllow,
        )
        .unwrap();
    assert!(
        metadata.device_authorization_endpoint.is_some(),
        "advertised"
    );
    Client::builder(PUBLIC_CLIENT_ID)
        .metadata(&metadata)
        .redirect_uri(REGISTERED_REDIRECT_URI)
        .scopes("openid")
        .build()
        .unwrap()
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
