//! The refresh protocol in one process against the testkit server: the fast path sends
//! nothing, a due refresh is stored and announced, a sibling's refresh is adopted, a refused
//! refresh token leaves the session kept and stale, and failures on the wire are typed by
//! whether the request may have reached the server. Both transports' adapters.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{key, login, server, sessions};
use pkce_flow::AccessToken;
use pkce_session::{
    Begin, LoginReason, MemoryStore, SessionError, SessionLock, SessionStore, Sessions,
    StoredSession, unix_now,
};
use pkce_testkit::{AuthServer, Endpoint, Misbehavior};
use pkce_ureq::Transport;

/// A logged-in in-memory session; tokens live an hour.
fn logged_in() -> (AuthServer, Sessions<MemoryStore>) {
    let server = server(3600);
    let sessions = sessions(server.issuer(), MemoryStore::new());
    login(&server, &sessions);
    (server, sessions)
}

fn stored(sessions: &Sessions<MemoryStore>) -> StoredSession {
    sessions.load(&key()).unwrap().expect("a stored session")
}

/// A `min_remaining` longer than any token's life: every ask is due for a refresh.
const ALWAYS_DUE: u64 = 7200;

#[test]
fn a_fresh_token_is_returned_without_any_request_or_lock() {
    let (server, sessions) = logged_in();
    let before = server.hits(Endpoint::Token);
    // The lock is held elsewhere: the fast path does not need it.
    let _held = sessions
        .store()
        .lock(&key(), Duration::from_secs(1))
        .unwrap();
    let token = Transport::new()
        .unwrap()
        .fresh_access_token(&sessions, &key(), unix_now())
        .unwrap();
    assert_eq!(token, stored(&sessions).access_token);
    assert_eq!(server.hits(Endpoint::Token), before);
}

#[test]
fn a_due_refresh_is_stored_rotated_and_announced_to_the_change_hook() {
    let (server, sessions) = logged_in();
    let seen: Arc<Mutex<Vec<StoredSession>>> = Arc::default();
    let hook_seen = Arc::clone(&seen);
    let sessions = sessions
        .min_remaining(ALWAYS_DUE)
        .on_change(move |_, s| hook_seen.lock().unwrap().push(s.clone()));
    let old = stored(&sessions);
    let token = Transport::new()
        .unwrap()
        .fresh_access_token(&sessions, &key(), unix_now())
        .unwrap();
    let new = stored(&sessions);
    assert_ne!(token, old.access_token);
    assert_eq!(token, new.access_token);
    assert_ne!(
        new.refresh_token, old.refresh_token,
        "the rotated refresh token is kept"
    );
    assert_eq!(server.rotation_counters().refreshes_served, 1);
    assert_eq!(seen.lock().unwrap().as_slice(), &[new]);
    let userinfo = Transport::new()
        .unwrap()
        .bearer_get(&server.url("/userinfo"), &token)
        .unwrap();
    assert_eq!(userinfo.status, 200);
}

#[test]
fn a_waiter_adopts_the_token_a_sibling_stored_while_it_held_the_lock() {
    let (server, sessions) = logged_in();
    let sessions = Arc::new(sessions);
    let mut expiring = stored(&sessions);
    expiring.expires_at = Some(unix_now());
    let mut sibling = sessions
        .store()
        .lock(&key(), Duration::from_secs(1))
        .unwrap();
    sibling.write(&expiring).unwrap();
    let waiter = {
        let sessions = Arc::clone(&sessions);
        std::thread::spawn(move || match sessions.begin(&key(), unix_now()) {
            Ok(Begin::Fresh(token)) => token,
            Ok(Begin::NeedRefresh(_)) => panic!("the waiter refreshed instead of adopting"),
            Err(e) => panic!("{e}"),
        })
    };
    std::thread::sleep(Duration::from_millis(100));
    let refreshed = StoredSession {
        access_token: AccessToken::new("from-the-sibling".into()),
        expires_at: Some(unix_now() + 3600),
        ..expiring
    };
    sibling.write(&refreshed).unwrap();
    drop(sibling);
    let before = server.hits(Endpoint::Token);
    assert_eq!(waiter.join().unwrap().expose_secret(), "from-the-sibling");
    assert_eq!(server.hits(Endpoint::Token), before, "no request");
}

#[test]
fn a_refused_refresh_token_needs_a_login_and_keeps_the_session_marked_stale() {
    let (server, sessions) = logged_in();
    let sessions = sessions.min_remaining(ALWAYS_DUE);
    server.expire_refresh_tokens();
    let before = stored(&sessions);
    let err = Transport::new()
        .unwrap()
        .fresh_access_token(&sessions, &key(), unix_now())
        .unwrap_err();
    assert!(
        matches!(err, SessionError::LoginRequired(LoginReason::Refused)),
        "{err:?}"
    );
    let after = stored(&sessions);
    assert!(after.stale);
    assert_eq!(
        after.refresh_token, before.refresh_token,
        "kept for the user to see"
    );
    // No second request for a stale session; a new login replaces it.
    let hits = server.hits(Endpoint::Token);
    let again = Transport::new()
        .unwrap()
        .fresh_access_token(&sessions, &key(), unix_now());
    assert!(matches!(
        again,
        Err(SessionError::LoginRequired(LoginReason::Stale))
    ));
    assert_eq!(server.hits(Endpoint::Token), hits);
    login(&server, &sessions);
    assert!(!stored(&sessions).stale);
}

#[test]
fn a_connection_lost_after_sending_is_an_unknown_outcome_never_retried() {
    let (server, sessions) = logged_in();
    let sessions = sessions.min_remaining(ALWAYS_DUE);
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::ResetMidBody));
    let before = stored(&sessions);
    let hits = server.hits(Endpoint::Token);
    let err = Transport::new()
        .unwrap()
        .fresh_access_token(&sessions, &key(), unix_now())
        .unwrap_err();
    assert!(
        matches!(err, SessionError::RefreshOutcomeUnknown(_)),
        "{err:?}"
    );
    assert_eq!(
        server.hits(Endpoint::Token),
        hits + 1,
        "sent once, not retried"
    );
    assert_eq!(stored(&sessions), before, "the session is unchanged");
}

#[test]
fn a_refresh_that_cannot_connect_is_reported_as_not_sent() {
    let server = server(3600);
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}/token", dead.local_addr().unwrap());
    drop(dead);
    let client = pkce_flow::Client::builder(pkce_testkit::clients::PUBLIC_ID)
        .issuer(server.issuer())
        .authorization_endpoint(&server.url("/authorize"))
        .token_endpoint(&dead_url)
        .redirect_uri(common::REDIRECT_URI)
        .dangerous_allow_insecure_loopback()
        .build()
        .unwrap();
    let sessions = Sessions::new(MemoryStore::new(), client, &dead_url).min_remaining(ALWAYS_DUE);
    let mut session = {
        let live = common::sessions(server.issuer(), MemoryStore::new());
        login(&server, &live);
        stored(&live)
    };
    session.token_endpoint = dead_url.clone();
    let mut lock = sessions
        .store()
        .lock(&key(), Duration::from_secs(1))
        .unwrap();
    lock.write(&session).unwrap();
    drop(lock);
    let err = Transport::new()
        .unwrap()
        .fresh_access_token(&sessions, &key(), unix_now())
        .unwrap_err();
    assert!(matches!(err, SessionError::RefreshNotSent(_)), "{err:?}");
}

#[test]
fn a_lock_held_too_long_is_a_typed_timeout() {
    let (_server, sessions) = logged_in();
    let sessions = sessions
        .min_remaining(ALWAYS_DUE)
        .lock_wait(Duration::from_millis(50));
    let _held = sessions
        .store()
        .lock(&key(), Duration::from_secs(1))
        .unwrap();
    let err = sessions.begin(&key(), unix_now()).map(|_| ()).unwrap_err();
    assert!(matches!(err, SessionError::LockTimeout));
}

#[test]
fn the_refresh_exchange_of_a_plan_is_handed_out_once() {
    let (_server, sessions) = logged_in();
    let sessions = sessions.min_remaining(ALWAYS_DUE);
    let Ok(Begin::NeedRefresh(mut plan)) = sessions.begin(&key(), unix_now()) else {
        panic!("a refresh is due");
    };
    assert!(plan.exchange().is_ok());
    assert!(matches!(plan.exchange(), Err(SessionError::Misuse)));
}

#[test]
fn the_async_transport_refreshes_a_due_session_in_one_call() {
    let (server, sessions) = logged_in();
    let sessions = sessions.min_remaining(ALWAYS_DUE);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let transport = pkce_reqwest::Transport::new().unwrap();
    let token = runtime
        .block_on(transport.fresh_access_token(&sessions, &key(), unix_now()))
        .unwrap();
    assert_eq!(token, stored(&sessions).access_token);
    assert_eq!(server.rotation_counters().refreshes_served, 1);
}
