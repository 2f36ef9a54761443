//! DPoP on the device flow (RFC 9449 §5 with RFC 8628) through each transport's
//! `device_login_with_nonces`: every poll carries a proof, a `use_dpop_nonce` answer during
//! polling gets exactly one new request with the nonce and is not a poll, and the tokens are
//! bound to the key.

use std::cell::RefCell;

use pkce_flow::dpop::{DpopError, DpopKey, NonceMemory};

use super::dpop::{dpop_error, drive, new_key, userinfo};
#[allow(clippy::wildcard_imports)]
use super::*;

/// A device flow server polled every second that requires a proof on every token request
/// and, with `nonces`, the current server nonce in it.
fn dpop_device_server(nonces: bool) -> AuthServer {
    AuthServer::start_with(ServerConfig {
        device_interval_secs: 1,
        device_code_ttl_secs: 60,
        dpop_required: true,
        dpop_nonce_required: nonces,
        ..ServerConfig::default()
    })
    .unwrap()
}

/// The device login of a public client configured with `key`, `user` playing the person
/// from inside `show`; the user code shown, when it was shown, and the result.
fn dpop_device_login<D: Driver>(
    server: &AuthServer,
    transport: &D,
    key: &DpopKey,
    nonces: &mut NonceMemory,
    user: impl FnOnce(&AuthServer, String) + Send,
) -> (String, Instant, Result<TokenResponse, D::Error>) {
    let client = discovered_builder(server, transport, Auth::Public)
        .dpop_key(key.clone())
        .build()
        .unwrap();
    let shown = RefCell::new((String::new(), Instant::now()));
    let result = std::thread::scope(|scope| {
        transport.device_login_with_nonces(&client, nonces, |authorization| {
            let user_code = authorization.user_code().to_owned();
            shown.replace((user_code.clone(), Instant::now()));
            scope.spawn(move || user(server, user_code));
        })
    });
    let (user_code, shown_at) = shown.into_inner();
    (user_code, shown_at, result)
}

/// Waits until the server has recorded `n` polls for `user_code`, then a little more, so
/// that the answer to the last one (and its nonce) has reached the client.
fn await_polls(server: &AuthServer, user_code: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.device_polls(user_code).len() < n {
        assert!(Instant::now() < deadline, "no poll {n}");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
}

pub fn device_flow_with_dpop_polls_with_proofs_and_one_nonce_retry_each<D: Driver>() {
    let server = dpop_device_server(true);
    let transport = D::new();
    let key = new_key();
    let mut nonces = NonceMemory::new();
    // The first poll has no nonce yet; the nonce is rotated after the first pending poll, so
    // the second poll is refused once too; then the user approves.
    let (user_code, shown_at, result) =
        dpop_device_login(&server, &transport, &key, &mut nonces, |server, code| {
            await_polls(server, &code, 1);
            server.rotate_dpop_nonce();
            await_polls(server, &code, 2);
            assert!(server.approve_device(&code));
        });
    let tokens = result.unwrap();
    assert_eq!(tokens.token_type(), "DPoP");

    // Two `authorization_pending` polls, then the tokens; each nonce error was answered by
    // one new request, which the server did not count as a poll (no `slow_down`).
    let polls = server.device_polls(&user_code);
    assert_eq!(polls.len(), 3, "two pending polls, then the tokens");
    assert_eq!(
        server.hits(Endpoint::Token),
        polls.len() + 2,
        "one retry with the nonce for the first poll and for the one after the rotation"
    );
    // A refused poll's retry goes at once, not an interval later: the polls are one
    // interval apart, counted from when the code was shown.
    for (from, to) in [
        (shown_at, polls[0]),
        (polls[0], polls[1]),
        (polls[1], polls[2]),
    ] {
        let gap = to - from;
        assert!(
            gap >= Duration::from_millis(900) && gap < Duration::from_millis(1900),
            "polls one 1 s interval apart, with the nonce retries inside; a gap of {gap:?}"
        );
    }

    // Bound to the key: a request with a proof is served (the nonce from the polling is
    // remembered for the origin, so no retry), the token alone as Bearer is refused.
    let answer = userinfo(
        &transport,
        &server,
        tokens.access_token(),
        &key,
        &mut nonces,
    );
    assert_eq!(answer.status, 200);
    assert_eq!(
        server.hits(Endpoint::UserInfo),
        1,
        "the polling's nonce is used"
    );
    let stolen = transport
        .bearer_get(&server.url("/userinfo"), tokens.access_token())
        .unwrap();
    assert_eq!(stolen.status, 401);
    // The refresh token is bound too: it is refreshed with a proof of the same key.
    let client = discovered_builder(&server, &transport, Auth::Public)
        .dpop_key(key.clone())
        .build()
        .unwrap();
    let refresh = client.refresh(tokens.refresh_token().unwrap());
    let refreshed = drive(&transport, refresh, &key, &mut nonces).unwrap();
    assert_eq!(refreshed.token_type(), "DPoP");
}

pub fn device_flow_with_dpop_refuses_a_bearer_answer<D: Driver>() {
    let server = dpop_device_server(false);
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::BearerForDpop));
    let transport = D::new();
    let (user_code, _, result) = dpop_device_login(
        &server,
        &transport,
        &new_key(),
        &mut NonceMemory::new(),
        |server, code| assert!(server.approve_device(&code)),
    );
    let error = result.unwrap_err();
    assert_eq!(dpop_error::<D>(&error), DpopError::BearerForDpop);
    assert_eq!(server.device_polls(&user_code).len(), 1);
}
