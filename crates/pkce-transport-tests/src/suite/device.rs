//! The device flow (RFC 8628) through each transport's `device_login`: approval after
//! pending polls, denial, expiry at the server, the code's own lifetime, and `slow_down`.

use std::cell::RefCell;

#[allow(clippy::wildcard_imports)]
use super::*;

/// A server whose device flow polls every `interval` seconds and whose codes live `ttl`.
fn device_server(interval: u64, ttl: u64) -> AuthServer {
    AuthServer::start_with(ServerConfig {
        device_interval_secs: interval,
        device_code_ttl_secs: ttl,
        ..ServerConfig::default()
    })
    .unwrap()
}

/// The device login, with `user` playing the person (given the server and the user code)
/// from inside the `show` callback; the user code shown, and the result.
fn device_login<D: Driver>(
    server: &AuthServer,
    auth: Auth,
    user: impl FnOnce(&AuthServer, String) + Send,
) -> (String, Result<TokenResponse, D::Error>) {
    let transport = D::new();
    let client = discovered_client(server, &transport, auth);
    let shown = RefCell::new(String::new());
    let result = std::thread::scope(|scope| {
        transport.device_login(&client, |authorization| {
            assert_eq!(authorization.verification_uri(), server.url("/device"));
            let complete = authorization.verification_uri_complete().unwrap();
            assert!(complete.ends_with(authorization.user_code()), "{complete}");
            let user_code = authorization.user_code().to_owned();
            shown.replace(user_code.clone());
            scope.spawn(move || user(server, user_code));
        })
    });
    (shown.into_inner(), result)
}

fn flow_error<D: Driver>(result: &Result<TokenResponse, D::Error>) -> &pkce_flow::Error {
    match result.as_ref().map_err(D::fault) {
        Err(Fault::Flow(e)) => e,
        other => panic!("expected a flow error, got {other:?}"),
    }
}

pub fn device_flow_approved_after_pending_polls<D: Driver>() {
    let server = device_server(1, 60);
    let (user_code, result) = device_login::<D>(&server, Auth::Basic, |server, user_code| {
        std::thread::sleep(Duration::from_millis(1500));
        assert!(server.approve_device(&user_code));
    });
    let tokens = result.unwrap();
    assert!(tokens.refresh_token().is_some());
    let answer = D::new()
        .bearer_get(&server.url("/userinfo"), tokens.access_token())
        .unwrap();
    assert_eq!(answer.status, 200, "the server accepts the device's token");
    let polls = server.device_polls(&user_code);
    assert!(
        polls.len() >= 2,
        "at least one pending poll before the tokens"
    );
    assert_eq!(server.hits(Endpoint::Token), polls.len());
}

pub fn device_flow_denied_is_access_denied<D: Driver>() {
    let server = device_server(0, 60);
    let (_, result) = device_login::<D>(&server, Auth::Public, |server, user_code| {
        assert!(server.deny_device(&user_code));
    });
    let e = flow_error::<D>(&result);
    assert!(
        matches!(e, pkce_flow::Error::Token(t) if t.code == TokenErrorCode::AccessDenied),
        "{e:?}"
    );
    assert_eq!(e.action(), pkce_flow::Action::LoginAgain);
}

pub fn device_flow_expired_at_the_server_is_expired_token<D: Driver>() {
    let server = device_server(0, 60);
    let (_, result) = device_login::<D>(&server, Auth::Public, |server, _| {
        server.expire_device_codes();
    });
    let e = flow_error::<D>(&result);
    assert!(
        matches!(e, pkce_flow::Error::Token(t) if t.code == TokenErrorCode::ExpiredToken),
        "{e:?}"
    );
}

pub fn device_flow_stops_when_the_code_lifetime_ends<D: Driver>() {
    let server = device_server(1, 3);
    let started = Instant::now();
    let (user_code, result) = device_login::<D>(&server, Auth::Public, |_, _| {});
    assert!(
        matches!(
            flow_error::<D>(&result),
            pkce_flow::Error::DeviceCodeExpired
        ),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    let polls = server.device_polls(&user_code);
    assert!(
        !polls.is_empty() && polls.len() <= 3,
        "{} polls",
        polls.len()
    );
    for pair in polls.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(900),
            "two polls closer than the 1 s interval"
        );
    }
}

pub fn device_flow_slow_down_adds_five_seconds<D: Driver>() {
    let server = device_server(1, 60);
    server.slow_down_device_polls(1);
    let (user_code, result) = device_login::<D>(&server, Auth::Public, |server, user_code| {
        assert!(server.approve_device(&user_code));
    });
    assert!(result.is_ok(), "{result:?}");
    let polls = server.device_polls(&user_code);
    assert_eq!(polls.len(), 2, "one slow_down, then the tokens");
    let gap = polls[1] - polls[0];
    assert!(
        gap >= Duration::from_millis(5500) && gap < Duration::from_secs(20),
        "after slow_down the interval is 1 + 5 s; the gap was {gap:?}"
    );
}
