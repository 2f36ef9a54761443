//! The stores against hostile input: damaged, oversized, foreign and world-writable files, a
//! Redis value of the wrong shape, and a Redis lock holder whose lease ran out.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use common::{Redis, TempDir, key, login, server, sessions};
use pkce_session::{
    FileStore, MAX_SESSION_BYTES, RedisStore, SessionError, SessionLock, SessionStore, Sessions,
    StoredSession, unix_now,
};

/// A logged-in file session; returns its sessions, the directory and the stored bytes.
fn stored_file_session() -> (
    Sessions<FileStore>,
    TempDir,
    Vec<u8>,
    pkce_testkit::AuthServer,
) {
    let server = server(3600);
    let dir = TempDir::new("bad-input");
    let sessions = sessions(server.issuer(), FileStore::open(dir.path()).unwrap());
    login(&server, &sessions);
    let bytes = std::fs::read(sessions.store().path(&key())).unwrap();
    (sessions, dir, bytes, server)
}

/// Which error a case expects.
type Expected = fn(&SessionError) -> bool;

/// `result` is the error `expected`, its `Display` and `Debug` hold none of `secrets`, and
/// the file still holds `replaced` (nothing was deleted or rewritten).
fn assert_refused(
    sessions: &Sessions<FileStore>,
    expected: Expected,
    secrets: &[&str],
    replaced: &[u8],
) {
    let err = sessions
        .begin(&key(), unix_now())
        .map(|_| ())
        .expect_err("damaged input is refused");
    assert!(expected(&err), "unexpected error: {err:?}");
    for shown in [err.to_string(), format!("{err:?}")] {
        for secret in secrets {
            assert!(!shown.contains(secret), "the error shows a secret: {shown}");
        }
    }
    let path = sessions.store().path(&key());
    assert_eq!(
        std::fs::read(path).unwrap(),
        replaced,
        "the file is left as it was"
    );
}

fn secrets_of(bytes: &[u8]) -> Vec<String> {
    let s = StoredSession::from_slice(bytes).unwrap();
    let mut out = vec![s.access_token.expose_secret().to_owned()];
    out.extend(s.refresh_token.map(|t| t.expose_secret().to_owned()));
    out
}

#[test]
fn a_truncated_garbage_or_oversized_session_file_is_a_typed_error_and_is_kept() {
    let (sessions, _dir, bytes, _server) = stored_file_session();
    let secrets = secrets_of(&bytes);
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let path = sessions.store().path(&key());
    let truncated = bytes[..bytes.len() / 2].to_vec();
    let mut oversized = bytes.clone();
    oversized.resize(MAX_SESSION_BYTES + 1, b' ');
    let cases: [(&[u8], Expected); 4] = [
        (&truncated, |e| matches!(e, SessionError::Corrupt)),
        (b"\x00\xff garbage", |e| matches!(e, SessionError::Corrupt)),
        (b"[1, 2, 3]", |e| matches!(e, SessionError::Corrupt)),
        (&oversized, |e| matches!(e, SessionError::TooLarge { .. })),
    ];
    for (content, expected) in cases {
        std::fs::write(&path, content).unwrap();
        assert_refused(&sessions, expected, &secrets, content);
    }
}

#[test]
fn a_session_file_others_can_write_is_refused_unread() {
    let (sessions, _dir, bytes, _server) = stored_file_session();
    let path = sessions.store().path(&key());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    assert_refused(
        &sessions,
        |e| matches!(e, SessionError::InsecurePermissions),
        &[],
        &bytes,
    );
}

#[test]
fn a_store_directory_others_can_write_is_refused() {
    let dir = TempDir::new("open-dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    assert!(matches!(
        FileStore::open(dir.path()),
        Err(SessionError::InsecurePermissions)
    ));
}

#[test]
fn session_files_are_private_to_their_owner() {
    let (sessions, dir, _bytes, _server) = stored_file_session();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&sessions.store().path(&key())), 0o600);
    assert_eq!(mode(dir.path()), 0o700);
}

#[test]
fn a_session_for_another_issuer_or_client_is_refused_and_kept() {
    let (sessions, _dir, bytes, _server) = stored_file_session();
    let path = sessions.store().path(&key());
    let original = StoredSession::from_slice(&bytes).unwrap();
    let foreign_issuer = StoredSession {
        issuer: Some("https://elsewhere.example".into()),
        ..original.clone()
    };
    let foreign_client = StoredSession {
        client_id: "another-client".into(),
        ..original
    };
    for (foreign, field) in [(foreign_issuer, "issuer"), (foreign_client, "client_id")] {
        let content = foreign.to_vec().unwrap();
        std::fs::write(&path, &content).unwrap();
        let expected = match field {
            "issuer" => {
                |e: &SessionError| matches!(e, SessionError::WrongBinding { field: "issuer" })
            }
            _ => |e: &SessionError| matches!(e, SessionError::WrongBinding { field: "client_id" }),
        };
        assert_refused(&sessions, expected, &[], &content);
    }
}

#[test]
fn a_newer_format_version_is_a_typed_error_and_unknown_members_are_ignored() {
    let (sessions, _dir, bytes, _server) = stored_file_session();
    let path = sessions.store().path(&key());
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    value["added_in_a_later_release"] = serde_json::json!({"x": 1});
    std::fs::write(&path, serde_json::to_vec(&value).unwrap()).unwrap();
    assert!(
        sessions.load(&key()).unwrap().is_some(),
        "unknown members are ignored"
    );
    value["version"] = serde_json::json!(2);
    value["access_token"] = serde_json::json!({"changed": "shape"});
    let newer = serde_json::to_vec(&value).unwrap();
    std::fs::write(&path, &newer).unwrap();
    assert_refused(
        &sessions,
        |e| matches!(e, SessionError::UnsupportedVersion { found: 2 }),
        &[],
        &newer,
    );
}

#[test]
fn a_redis_value_of_the_wrong_shape_is_a_typed_error_and_is_kept() {
    let redis = Redis::start();
    let server = server(3600);
    let store = RedisStore::connect(&redis.addr, "shape:").unwrap();
    let sessions = sessions(server.issuer(), store.clone());
    let data = store.data_key(&key());
    let mut raw = common::RawRedis::connect(&redis.addr);
    for setup in [
        vec!["SET", data.as_str(), "a plain string"],
        vec!["DEL", data.as_str()],
        vec![
            "HSET",
            data.as_str(),
            "fence",
            "1",
            "session",
            "{\"version\":1",
        ],
        vec![
            "HSET",
            data.as_str(),
            "fence",
            "1",
            "session",
            "not json at all",
        ],
        vec!["HDEL", data.as_str(), "fence"],
    ] {
        raw.call(&setup);
        if setup[0] == "DEL" {
            continue;
        }
        let err = sessions.begin(&key(), unix_now()).map(|_| ()).unwrap_err();
        assert!(matches!(err, SessionError::Corrupt), "{setup:?}: {err:?}");
        assert_eq!(
            raw.call(&["EXISTS", data.as_str()]),
            ":1",
            "nothing is deleted"
        );
    }
}

#[test]
fn a_redis_holder_whose_lease_ran_out_cannot_write() {
    let redis = Redis::start();
    let server = server(3600);
    let paused = RedisStore::connect(&redis.addr, "fence:")
        .unwrap()
        .lease(Duration::from_millis(200));
    let sessions = sessions(server.issuer(), paused.clone());
    login(&server, &sessions);
    let before = paused.read(&key()).unwrap().expect("stored");
    let mut stale_holder = paused.lock(&key(), Duration::from_secs(1)).unwrap();
    // Paused past its lease; another machine takes the lock and writes a newer session.
    std::thread::sleep(Duration::from_millis(300));
    let other = RedisStore::connect(&redis.addr, "fence:").unwrap();
    let mut newer_holder = other.lock(&key(), Duration::from_secs(1)).unwrap();
    assert!(newer_holder.fence().parse::<u64>().unwrap() > stale_holder.fence().parse().unwrap());
    let newer = StoredSession {
        scope: Some("newer".into()),
        ..before.clone()
    };
    newer_holder.write(&newer).unwrap();
    drop(newer_holder);
    // The paused holder wakes up: its write is refused, before and after the lock is free.
    let outdated = StoredSession {
        scope: Some("outdated".into()),
        ..before
    };
    assert!(matches!(
        stale_holder.write(&outdated),
        Err(SessionError::LockLost)
    ));
    let mut later = other.lock(&key(), Duration::from_secs(1)).unwrap();
    assert!(matches!(
        stale_holder.write(&outdated),
        Err(SessionError::LockLost)
    ));
    assert_eq!(
        later.read().unwrap().unwrap().scope.as_deref(),
        Some("newer")
    );
}

#[test]
fn a_redis_lock_is_exclusive_until_released() {
    let redis = Redis::start();
    let a = RedisStore::connect(&redis.addr, "excl:").unwrap();
    let b = RedisStore::connect(&redis.addr, "excl:").unwrap();
    let held = a.lock(&key(), Duration::from_secs(1)).unwrap();
    assert!(matches!(
        b.lock(&key(), Duration::from_millis(100)),
        Err(SessionError::LockTimeout)
    ));
    drop(held);
    assert!(b.lock(&key(), Duration::from_millis(100)).is_ok());
}
