//! DPoP (RFC 9449) end to end: proofs on the code exchange, PAR, refresh and a resource call,
//! the server's nonces (required, rotated, refused twice), a Bearer answer and a refresh
//! token presented with another key.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use pkce_flow::dpop::{DpopError, DpopExchange, DpopKey, DpopTarget, Es256Key, NonceMemory};
use pkce_flow::{AccessToken, BearerResponse, ResourceRequest};

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(super) fn new_key() -> DpopKey {
    DpopKey::new(Arc::new(
        Es256Key::generate(&mut getrandom::SysRng).unwrap(),
    ))
}

pub(super) fn dpop_server(nonces: bool) -> AuthServer {
    AuthServer::start_with(ServerConfig {
        auto_approve: true,
        dpop_required: true,
        dpop_nonce_required: nonces,
        ..Default::default()
    })
    .unwrap()
}

fn dpop_client(server: &AuthServer, key: &DpopKey) -> Client {
    builder(server, Auth::Public)
        .dpop_key(key.clone())
        .build()
        .unwrap()
}

/// Drives `exchange` with proofs of `key`.
pub(super) fn drive<D: Driver, E: DpopTarget>(
    transport: &D,
    exchange: E,
    key: &DpopKey,
    nonces: &mut NonceMemory,
) -> Result<E::Output, D::Error> {
    let mut rng = getrandom::SysRng;
    let wrapped = DpopExchange::new(exchange, key, nonces, &mut rng, now()).unwrap();
    transport.drive(wrapped)
}

pub(super) fn userinfo<D: Driver>(
    transport: &D,
    server: &AuthServer,
    token: &AccessToken,
    key: &DpopKey,
    nonces: &mut NonceMemory,
) -> BearerResponse {
    let request = ResourceRequest::get(&server.url("/userinfo"), token).unwrap();
    drive(transport, request, key, nonces).unwrap()
}

pub(super) fn dpop_error<D: Driver>(error: &D::Error) -> DpopError {
    match flow::<D>(error) {
        pkce_flow::Error::Dpop(e) => *e,
        other => panic!("expected a DPoP error, got {other:?}"),
    }
}

pub fn dpop_code_exchange_refresh_and_resource_call<D: Driver>() {
    let server = dpop_server(false);
    let transport = D::new();
    let key = new_key();
    let client = dpop_client(&server, &key);
    let mut nonces = NonceMemory::new();
    let mut secrets = Secrets::default();
    let tokens = drive(
        &transport,
        approve(&client, &mut secrets),
        &key,
        &mut nonces,
    )
    .unwrap();
    assert_eq!(tokens.token_type(), "DPoP");
    let answer = userinfo(
        &transport,
        &server,
        tokens.access_token(),
        &key,
        &mut nonces,
    );
    assert_eq!(answer.status, 200);

    // A stolen access token is refused without the key: as a bearer token, and with a proof
    // of another key.
    let stolen = transport
        .bearer_get(&server.url("/userinfo"), tokens.access_token())
        .unwrap();
    assert_eq!(stolen.status, 401);
    let thief = new_key();
    let answer = userinfo(
        &transport,
        &server,
        tokens.access_token(),
        &thief,
        &mut nonces,
    );
    assert_eq!(answer.status, 401);

    let refresh = client.refresh(tokens.refresh_token().unwrap());
    let refreshed = drive(&transport, refresh, &key, &mut nonces).unwrap();
    assert_eq!(refreshed.token_type(), "DPoP");
    let answer = userinfo(
        &transport,
        &server,
        refreshed.access_token(),
        &key,
        &mut nonces,
    );
    assert_eq!(answer.status, 200);
}

pub fn dpop_nonce_required_at_par_token_and_resource<D: Driver>() {
    let server = dpop_server(true);
    let transport = D::new();
    let key = new_key();
    let client = dpop_client(&server, &key);
    let par = client.push_authorization(&mut getrandom::SysRng).unwrap();
    let pushed = drive(&transport, par, &key, &mut NonceMemory::new()).unwrap();
    assert_eq!(server.hits(Endpoint::Par), 2, "one retry with the nonce");

    let callback = UserAgent::new().approve(pushed.url.as_str()).unwrap();
    let exchange = pushed.pending.callback_url(&callback).unwrap();
    // A memory without the nonce: the token endpoint asks for it, and the code survives.
    let tokens = drive(&transport, exchange, &key, &mut NonceMemory::new()).unwrap();
    assert_eq!(server.hits(Endpoint::Token), 2, "one retry with the nonce");
    assert_eq!(tokens.token_type(), "DPoP");

    let mut nonces = NonceMemory::new();
    for (hits, why) in [
        (2, "one retry with the nonce"),
        (3, "the remembered nonce is used"),
    ] {
        let answer = userinfo(
            &transport,
            &server,
            tokens.access_token(),
            &key,
            &mut nonces,
        );
        assert_eq!(answer.status, 200);
        assert_eq!(server.hits(Endpoint::UserInfo), hits, "{why}");
    }
}

pub fn dpop_nonce_rotated_mid_session<D: Driver>() {
    let server = dpop_server(true);
    let transport = D::new();
    let key = new_key();
    let client = dpop_client(&server, &key);
    let mut nonces = NonceMemory::new();
    let exchange = approve(&client, &mut Secrets::default());
    let tokens = drive(&transport, exchange, &key, &mut nonces).unwrap();
    assert_eq!(server.hits(Endpoint::Token), 2);

    server.rotate_dpop_nonce();
    let refresh = client.refresh(tokens.refresh_token().unwrap());
    let refreshed = drive(&transport, refresh, &key, &mut nonces).unwrap();
    assert_eq!(
        server.hits(Endpoint::Token),
        4,
        "the old nonce refused once"
    );
    // The refresh answer's nonce is remembered for the origin: no retry at the resource.
    let answer = userinfo(
        &transport,
        &server,
        refreshed.access_token(),
        &key,
        &mut nonces,
    );
    assert_eq!(answer.status, 200);
    assert_eq!(server.hits(Endpoint::UserInfo), 1);
}

/// A DPoP code exchange against a token endpoint told to misbehave, which must fail; the
/// flow's verdict and the token requests the server received.
fn failing_dpop_exchange<D: Driver>(misbehavior: Misbehavior) -> (DpopError, usize) {
    let server = dpop_server(false);
    let key = new_key();
    let client = dpop_client(&server, &key);
    let exchange = approve(&client, &mut Secrets::default());
    server.set_misbehavior(Endpoint::Token, Some(misbehavior));
    let error = drive(&D::new(), exchange, &key, &mut NonceMemory::new()).unwrap_err();
    (dpop_error::<D>(&error), server.hits(Endpoint::Token))
}

pub fn dpop_a_second_nonce_error_is_an_error<D: Driver>() {
    let (error, hits) = failing_dpop_exchange::<D>(Misbehavior::EndlessDpopNonce);
    assert_eq!(error, DpopError::NonceRetryExhausted);
    assert_eq!(hits, 2, "exactly one retry");
}

pub fn dpop_a_bearer_answer_is_a_typed_error<D: Driver>() {
    let (error, hits) = failing_dpop_exchange::<D>(Misbehavior::BearerForDpop);
    assert_eq!(error, DpopError::BearerForDpop);
    assert_eq!(hits, 1);
}

pub fn dpop_refresh_with_the_wrong_key_is_refused<D: Driver>() {
    let server = dpop_server(false);
    let transport = D::new();
    let key = new_key();
    let client = dpop_client(&server, &key);
    let mut nonces = NonceMemory::new();
    let exchange = approve(&client, &mut Secrets::default());
    let tokens = drive(&transport, exchange, &key, &mut nonces).unwrap();

    let other = new_key();
    let thief = dpop_client(&server, &other);
    let refresh = thief.refresh(tokens.refresh_token().unwrap());
    let error = drive(&transport, refresh, &other, &mut nonces).unwrap_err();
    assert!(D::is_invalid_grant(&error), "{error:?}");
}
