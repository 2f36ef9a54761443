//! What the session protocol records with `tracing`: the key and the outcome of each step
//! (fresh, refresh due, refreshed, refused, login required), and never a token.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{key, login, server, sessions};
use pkce_session::{LoginReason, MemoryStore, SessionError, unix_now};
use pkce_testkit::TraceCapture;
use pkce_ureq::Transport;

#[test]
fn each_step_is_traced_with_its_key_and_outcome_and_no_token() {
    let server = server(3600);
    let sessions = sessions(server.issuer(), MemoryStore::new());
    let capture = TraceCapture::default();
    capture.run(|| login(&server, &sessions));
    let first = sessions.load(&key()).unwrap().unwrap();
    let transport = Transport::new().unwrap();
    let now = unix_now();
    // An hour ahead, the token is due for a refresh.
    let later = now + 3590;
    let results = capture.run(|| {
        let fresh = transport.fresh_access_token(&sessions, &key(), now);
        let refreshed = transport.fresh_access_token(&sessions, &key(), later);
        server.expire_refresh_tokens();
        let refused = transport.fresh_access_token(&sessions, &key(), later + 3590);
        let stale = transport.fresh_access_token(&sessions, &key(), later + 3590);
        [fresh, refreshed, refused, stale]
    });
    let [fresh, refreshed, refused, stale] = results;
    assert_eq!(fresh.unwrap(), first.access_token);
    refreshed.unwrap();
    assert!(matches!(
        refused,
        Err(SessionError::LoginRequired(LoginReason::Refused))
    ));
    assert!(matches!(
        stale,
        Err(SessionError::LoginRequired(LoginReason::Stale))
    ));
    let last = sessions.load(&key()).unwrap().unwrap();

    let records = capture.records();
    let session_events: Vec<(&str, &str)> = records
        .iter()
        .filter(|r| r.what == "event" && r.name.starts_with("session: "))
        .map(|r| (r.name.as_str(), r.level.as_str()))
        .collect();
    assert_eq!(
        session_events,
        [
            ("session: login saved", "DEBUG"),
            ("session: fresh token", "DEBUG"),
            ("session: refresh due, lock held", "DEBUG"),
            ("session: refresh finished", "DEBUG"),
            ("session: refresh due, lock held", "DEBUG"),
            ("session: refresh failed", "WARN"),
            ("session: login required", "DEBUG"),
        ]
    );
    for record in records.iter().filter(|r| r.name.starts_with("session: ")) {
        assert_eq!(record.field("key"), Some("shared"), "{record:?}");
    }
    let stale_event = records
        .iter()
        .find(|r| r.name == "session: login required")
        .unwrap();
    assert_eq!(stale_event.field("reason"), Some("Stale"));

    let secrets = [
        Some(first.access_token.expose_secret()),
        first.refresh_token.as_ref().map(|t| t.expose_secret()),
        Some(last.access_token.expose_secret()),
        last.refresh_token.as_ref().map(|t| t.expose_secret()),
    ];
    assert_ne!(secrets[0], secrets[2], "the session was refreshed");
    for record in &records {
        for text in record.texts() {
            for secret in secrets.iter().flatten() {
                assert!(!text.contains(secret), "a token in {record:?}");
            }
        }
    }
}
