//! A refresh response's ID token is checked against the identity stored at login (OpenID
//! Connect Core §12.2) before the refreshed session is stored, over the file store against
//! the testkit server: the same user is stored; another user or audience is a typed error,
//! the refreshed tokens are dropped, and the stored session is kept, marked stale.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{TempDir, client, key};
use pkce_flow::oidc::{
    IdTokenError, IdTokenSignature, IdTokenValidation, IdTokenVerifier, JoseHeader,
    SignatureRejected,
};
use pkce_session::{FileStore, LoginReason, SessionError, Sessions, StoredSession, unix_now};
use pkce_testkit::{AuthServer, Endpoint, Misbehavior, ServerConfig, UserAgent};
use pkce_ureq::Transport;

/// A `min_remaining` longer than any token's life: every ask is due for a refresh.
const ALWAYS_DUE: u64 = 7200;

/// A server issuing ID tokens, and an `openid` login validated and stored in a file store.
fn logged_in(dir: &TempDir) -> (AuthServer, Sessions<FileStore>) {
    let server = AuthServer::start_with(ServerConfig {
        auto_approve: true,
        id_tokens: true,
        ..ServerConfig::default()
    })
    .unwrap();
    let store = FileStore::open(dir.path()).unwrap();
    let sessions = common::sessions(server.issuer(), store).min_remaining(ALWAYS_DUE);
    let client = client(server.issuer());
    let (url, pending) = client.authorize(&mut getrandom::SysRng).unwrap();
    let callback = UserAgent::new().approve(url.as_str()).unwrap();
    let exchange = pending.callback_url(&callback).unwrap();
    let tokens = Transport::new().unwrap().exchange(exchange).unwrap();
    let validation = IdTokenValidation::new(unix_now(), IdTokenSignature::IssuerEstablishedByTls);
    let id = client.validate_id_token(&tokens, &validation).unwrap();
    sessions
        .save_validated_login(&key(), &tokens, &id, unix_now())
        .unwrap();
    (server, sessions)
}

fn stored(sessions: &Sessions<FileStore>) -> StoredSession {
    sessions.load(&key()).unwrap().expect("a stored session")
}

fn refresh(sessions: &Sessions<FileStore>) -> Result<pkce_flow::AccessToken, SessionError> {
    Transport::new()
        .unwrap()
        .fresh_access_token(sessions, &key(), unix_now())
}

#[test]
fn a_refresh_whose_id_token_names_the_same_user_is_stored() {
    let dir = TempDir::new("id-same");
    let (server, sessions) = logged_in(&dir);
    let old = stored(&sessions);
    let token = refresh(&sessions).unwrap();
    let new = stored(&sessions);
    assert_eq!(server.rotation_counters().refreshes_served, 1);
    assert_eq!(token, new.access_token);
    assert_ne!(new.id_token, old.id_token, "the refreshed ID token is kept");
    assert_eq!(new.identity, old.identity);
    assert_eq!(new.subject(), Some("alice"));
    assert!(!new.stale);
}

/// A refresh whose ID token `quirk` changes `claim`: refused, the old session kept stale.
fn refused(name: &str, quirk: Misbehavior, claim: &'static str) {
    let dir = TempDir::new(name);
    let (server, sessions) = logged_in(&dir);
    let old = stored(&sessions);
    server.set_misbehavior(Endpoint::Token, Some(quirk));
    let err = refresh(&sessions).unwrap_err();
    assert!(
        matches!(
            err,
            SessionError::RefreshedIdTokenRefused(IdTokenError::RefreshChanged(c)) if c == claim
        ),
        "{err:?}"
    );
    assert_eq!(
        server.rotation_counters().refreshes_served,
        1,
        "it was sent"
    );
    let kept = stored(&sessions);
    assert_eq!(
        kept,
        StoredSession { stale: true, ..old },
        "the old tokens and identity are kept, marked stale; nothing refreshed is adopted"
    );
    let file = sessions.store().path(&key());
    assert!(file.exists(), "the session file stays");
    server.set_misbehavior(Endpoint::Token, None);
    assert!(matches!(
        refresh(&sessions),
        Err(SessionError::LoginRequired(LoginReason::Stale))
    ));
    assert_eq!(server.rotation_counters().refreshes_served, 1, "no retry");
}

#[test]
fn a_refresh_whose_id_token_names_another_user_is_refused_and_the_session_kept_stale() {
    refused("id-sub", Misbehavior::IdTokenOtherSubject, "sub");
}

#[test]
fn a_refresh_whose_id_token_has_another_audience_is_refused_and_the_session_kept_stale() {
    refused("id-aud", Misbehavior::IdTokenExtraAudience, "aud");
}

/// Accepts or refuses every signature, and counts the calls.
struct Verdict(bool, std::sync::atomic::AtomicUsize);

impl IdTokenVerifier for Verdict {
    fn verify(&self, _: &JoseHeader, _: &[u8], _: &[u8]) -> Result<(), SignatureRejected> {
        self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if self.0 {
            Ok(())
        } else {
            Err(SignatureRejected)
        }
    }
}

#[test]
fn a_configured_verifier_checks_the_refreshed_id_tokens_signature() {
    for accept in [true, false] {
        let dir = TempDir::new("id-verifier");
        let (_server, sessions) = logged_in(&dir);
        let verifier = Arc::new(Verdict(accept, 0.into()));
        let sessions = sessions.id_token_verifier(verifier.clone());
        let result = refresh(&sessions);
        assert_eq!(verifier.1.load(std::sync::atomic::Ordering::SeqCst), 1);
        match accept {
            true => assert!(result.is_ok(), "{result:?}"),
            false => assert!(
                matches!(
                    result,
                    Err(SessionError::RefreshedIdTokenRefused(
                        IdTokenError::BadSignature
                    ))
                ),
                "{result:?}"
            ),
        }
    }
}
