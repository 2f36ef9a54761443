//! Deletion over the real stores (files, a real `redis-server`, memory): an explicit logout
//! deletes the stored session under its lock, and no other path deletes one: a refused
//! refresh token (`invalid_grant`), a refresh that cannot be sent, a session of another
//! client, a held lock.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Redis, TempDir, key, login, server, sessions};
use pkce_session::{
    FileStore, LoginReason, MemoryStore, RedisStore, SessionError, SessionStore, Sessions, unix_now,
};
use pkce_testkit::{AuthServer, Endpoint, Misbehavior};
use pkce_ureq::Transport;

/// A `min_remaining` longer than any token's life: every ask is due for a refresh.
const ALWAYS_DUE: u64 = 7200;

/// Logs in, deletes on logout, and checks the store holds nothing under the key after.
fn logout_deletes<S: SessionStore>(server: &AuthServer, sessions: &Sessions<S>) {
    login(server, sessions);
    assert!(sessions.store().read(&key()).unwrap().is_some());
    assert!(sessions.delete_on_logout(&key()).unwrap(), "one was there");
    assert!(sessions.store().read(&key()).unwrap().is_none());
    assert!(!sessions.delete_on_logout(&key()).unwrap(), "nothing left");
    let err = Transport::new()
        .unwrap()
        .fresh_access_token(sessions, &key(), unix_now())
        .unwrap_err();
    assert!(
        matches!(err, SessionError::LoginRequired(LoginReason::NoSession)),
        "{err:?}"
    );
}

#[test]
fn logout_deletes_the_session_file_and_keeps_the_lock_file() {
    let server = server(3600);
    let dir = TempDir::new("logout-file");
    let sessions = sessions(server.issuer(), FileStore::open(dir.path()).unwrap());
    logout_deletes(&server, &sessions);
    assert!(!sessions.store().path(&key()).exists());
    assert!(dir.path().join(format!("{}.lock", key())).exists());
}

#[test]
fn logout_deletes_the_redis_session_and_its_lease() {
    let redis = Redis::start();
    let server = server(3600);
    let store = RedisStore::connect(&redis.addr, "logout:").unwrap();
    let sessions = sessions(server.issuer(), store.clone());
    logout_deletes(&server, &sessions);
    let data = store.data_key(&key());
    let mut raw = common::RawRedis::connect(&redis.addr);
    for gone in [data.clone(), format!("{data}:lock")] {
        assert_eq!(raw.call(&["EXISTS", &gone]), ":0", "{gone}");
    }
    // The lock is free at once: a new login is stored without waiting for a lease.
    let started = std::time::Instant::now();
    login(&server, &sessions.lock_wait(Duration::from_millis(200)));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(store.read(&key()).unwrap().is_some());
}

#[test]
fn logout_deletes_a_memory_session() {
    let server = server(3600);
    logout_deletes(&server, &sessions(server.issuer(), MemoryStore::new()));
}

#[test]
fn logout_waits_for_the_lock_and_deletes_nothing_when_it_times_out() {
    let server = server(3600);
    let dir = TempDir::new("logout-locked");
    let sessions = sessions(server.issuer(), FileStore::open(dir.path()).unwrap())
        .lock_wait(Duration::from_millis(100));
    login(&server, &sessions);
    let held = sessions
        .store()
        .lock(&key(), Duration::from_secs(1))
        .unwrap();
    assert!(matches!(
        sessions.delete_on_logout(&key()),
        Err(SessionError::LockTimeout)
    ));
    assert!(sessions.store().path(&key()).exists());
    drop(held);
    assert!(sessions.delete_on_logout(&key()).unwrap());
}

#[test]
fn logout_of_another_client_keeps_the_session() {
    let server = server(3600);
    let dir = TempDir::new("logout-foreign");
    let ours = sessions(server.issuer(), FileStore::open(dir.path()).unwrap());
    login(&server, &ours);
    let foreign = Sessions::new(
        FileStore::open(dir.path()).unwrap(),
        common::builder(server.issuer())
            .issuer("http://127.0.0.2:1")
            .build()
            .unwrap(),
        &server.url("/token"),
    );
    assert!(matches!(
        foreign.delete_on_logout(&key()),
        Err(SessionError::WrongBinding { field: "issuer" })
    ));
    assert!(ours.store().path(&key()).exists());
}

/// Every failing refresh, on each real store: the session is still stored afterwards.
fn failed_refreshes_keep_the_session<S: SessionStore>(sessions: Sessions<S>, server: &AuthServer) {
    let sessions = sessions.min_remaining(ALWAYS_DUE);
    let transport = Transport::new().unwrap();

    login(server, &sessions);
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::ResetMidBody));
    let err = transport
        .fresh_access_token(&sessions, &key(), unix_now())
        .unwrap_err();
    assert!(
        matches!(err, SessionError::RefreshOutcomeUnknown(_)),
        "{err:?}"
    );
    assert!(
        sessions.load(&key()).unwrap().is_some(),
        "kept after a lost answer"
    );
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::ServerError));
    let err = transport
        .fresh_access_token(&sessions, &key(), unix_now())
        .unwrap_err();
    assert!(matches!(err, SessionError::RefreshFailed(_)), "{err:?}");
    assert!(sessions.load(&key()).unwrap().is_some(), "kept after a 500");
    server.set_misbehavior(Endpoint::Token, None);

    server.expire_refresh_tokens();
    let err = transport
        .fresh_access_token(&sessions, &key(), unix_now())
        .unwrap_err();
    assert!(
        matches!(err, SessionError::LoginRequired(LoginReason::Refused)),
        "{err:?}"
    );
    let kept = sessions
        .load(&key())
        .unwrap()
        .expect("kept after invalid_grant");
    assert!(kept.stale, "marked stale, not deleted");
    let err = transport
        .fresh_access_token(&sessions, &key(), unix_now())
        .unwrap_err();
    assert!(
        matches!(err, SessionError::LoginRequired(LoginReason::Stale)),
        "{err:?}"
    );
    assert!(sessions.load(&key()).unwrap().is_some(), "kept when stale");
}

#[test]
fn a_refused_or_failed_refresh_never_deletes_a_file_session() {
    let server = server(3600);
    let dir = TempDir::new("refused-file");
    let sessions = sessions(server.issuer(), FileStore::open(dir.path()).unwrap());
    let path = sessions.store().path(&key());
    failed_refreshes_keep_the_session(sessions, &server);
    assert!(path.exists());
}

#[test]
fn a_refused_or_failed_refresh_never_deletes_a_redis_session() {
    let redis = Redis::start();
    let server = server(3600);
    let store = RedisStore::connect(&redis.addr, "refused:").unwrap();
    failed_refreshes_keep_the_session(sessions(server.issuer(), store.clone()), &server);
    let data = store.data_key(&key());
    let mut raw = common::RawRedis::connect(&redis.addr);
    assert_eq!(raw.call(&["EXISTS", &data]), ":1");
}
