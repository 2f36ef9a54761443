//! A session's DPoP key: stored with the session (0600 in the file store, redacted in
//! `Debug`), kept across refreshes, and restored to sign the refresh of DPoP-bound tokens,
//! which the server refuses with any other key.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use pkce_flow::Client;
use pkce_flow::dpop::{DpopExchange, DpopKey, Es256Key, NonceMemory};
use pkce_session::{Begin, FileStore, RefreshResult, Sessions, StoredDpopKey, unix_now};
use pkce_testkit::{AuthServer, ServerConfig, UserAgent};
use pkce_ureq::Transport;

use common::{TempDir, key};

fn dpop_client(issuer: &str, key: &Es256Key) -> Client {
    common::builder(issuer)
        .dpop_key(DpopKey::new(Arc::new(key.clone())))
        .build()
        .unwrap()
}

/// A login with a new key through the scripted browser: the key, the client, the tokens.
fn dpop_login(server: &AuthServer) -> (Es256Key, Client, pkce_flow::TokenResponse) {
    let login_key = Es256Key::generate(&mut getrandom::SysRng).unwrap();
    let client = dpop_client(server.issuer(), &login_key);
    let dpop = client.dpop_key().unwrap().clone();
    let (url, pending) = client.authorize(&mut getrandom::SysRng).unwrap();
    let callback = UserAgent::new().approve(url.as_str()).unwrap();
    let (mut nonces, mut rng) = (NonceMemory::new(), getrandom::SysRng);
    let exchange = pending.callback_url(&callback).unwrap();
    let exchange = DpopExchange::new(exchange, &dpop, &mut nonces, &mut rng, unix_now()).unwrap();
    let tokens = Transport::new().unwrap().drive(exchange).unwrap();
    (login_key, client, tokens)
}

/// Refreshes the stored session through its plan, with the client configured with
/// `client_key` (none when `None`): the plan signs with the key stored in the session.
fn refresh(
    server: &AuthServer,
    dir: &TempDir,
    client_key: Option<&Es256Key>,
    later: u64,
) -> Result<pkce_flow::AccessToken, pkce_session::SessionError> {
    let store = FileStore::open(&dir.0).unwrap();
    let client = match client_key {
        Some(k) => dpop_client(server.issuer(), k),
        None => common::builder(server.issuer()).build().unwrap(),
    };
    let sessions = Sessions::new(store, client, &server.url("/token"));
    let Begin::NeedRefresh(mut plan) = sessions.begin(&key(), later)? else {
        panic!("a refresh is due");
    };
    let exchange = plan.exchange()?;
    assert!(exchange.is_dpop());
    let result = match Transport::new().unwrap().drive(exchange) {
        Ok(tokens) => RefreshResult::Response(tokens),
        Err(pkce_ureq::Error::Flow(e)) => RefreshResult::Refused(e),
        Err(e) => panic!("transport failure: {e}"),
    };
    plan.finish(result, later)
}

fn store_key(dir: &TempDir) -> Es256Key {
    let store = FileStore::open(&dir.0).unwrap();
    let session = pkce_session::SessionStore::read(&store, &key())
        .unwrap()
        .unwrap();
    session
        .dpop_key
        .expect("the key is stored with the session")
        .to_es256()
        .unwrap()
}

#[test]
fn the_dpop_key_is_stored_with_the_session_and_signs_its_refresh() {
    let server = AuthServer::start_with(ServerConfig {
        auto_approve: true,
        dpop_required: true,
        ..ServerConfig::default()
    })
    .unwrap();
    let dir = TempDir::new("dpop");
    let (login_key, client, tokens) = dpop_login(&server);
    let dpop = client.dpop_key().unwrap().clone();
    assert_eq!(tokens.token_type(), "DPoP");
    let sessions = Sessions::new(
        FileStore::open(&dir.0).unwrap(),
        client,
        &server.url("/token"),
    );
    let stored = StoredDpopKey::from_es256(&login_key);
    let session = sessions
        .save_login_with_dpop_key(&key(), &tokens, unix_now(), stored.clone())
        .unwrap();
    assert!(!format!("{session:?}").contains(stored_secret(&stored).as_str()));

    // At rest: the session file, private key included, is readable by its owner only.
    for entry in std::fs::read_dir(&dir.0).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if text.contains(r#""dpop_key""#) {
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", path.display());
        }
    }
    let restored = store_key(&dir);
    assert_eq!(
        pkce_flow::dpop::DpopSigner::public_jwk(&restored).thumbprint(),
        dpop.thumbprint()
    );

    // Another key stored in the session cannot refresh the DPoP-bound refresh token.
    let thief = Es256Key::generate(&mut getrandom::SysRng).unwrap();
    replace_stored_key(&dir, StoredDpopKey::from_es256(&thief));
    let refused = refresh(&server, &dir, None, unix_now() + 7200);
    assert!(
        matches!(refused, Err(pkce_session::SessionError::LoginRequired(_))),
        "{refused:?}"
    );
}

fn replace_stored_key(dir: &TempDir, stored: StoredDpopKey) {
    use pkce_session::{SessionLock, SessionStore};
    let store = FileStore::open(&dir.0).unwrap();
    let mut lock = store
        .lock(&key(), std::time::Duration::from_secs(5))
        .unwrap();
    let mut session = lock.read().unwrap().unwrap();
    session.dpop_key = Some(stored);
    lock.write(&session).unwrap();
}

/// A server requiring proofs (and its nonce with `nonces`), and a DPoP login stored with
/// its key in a file store under `name`: the server, the store's directory, the key, the
/// tokens.
fn stored_dpop_login(
    name: &str,
    nonces: bool,
) -> (AuthServer, TempDir, Es256Key, pkce_flow::TokenResponse) {
    let server = AuthServer::start_with(ServerConfig {
        auto_approve: true,
        dpop_required: true,
        dpop_nonce_required: nonces,
        ..ServerConfig::default()
    })
    .unwrap();
    let dir = TempDir::new(name);
    let (login_key, client, tokens) = dpop_login(&server);
    let sessions = Sessions::new(
        FileStore::open(&dir.0).unwrap(),
        client,
        &server.url("/token"),
    );
    sessions
        .save_login_with_dpop_key(
            &key(),
            &tokens,
            unix_now(),
            StoredDpopKey::from_es256(&login_key),
        )
        .unwrap();
    (server, dir, login_key, tokens)
}

#[test]
fn the_stored_key_signs_even_when_the_client_has_another_and_an_unusable_one_sends_nothing() {
    let (server, dir, login_key, _) = stored_dpop_login("dpop-precedence", false);
    // The client is configured with another key; the session's own key signs.
    let other = Es256Key::generate(&mut getrandom::SysRng).unwrap();
    refresh(&server, &dir, Some(&other), unix_now() + 7200).unwrap();
    assert_eq!(server.rotation_counters().refreshes_served, 1);

    // A stored key that cannot sign: a typed error, and no refresh request at all (never a
    // refresh without a proof of the key).
    let mut broken: serde_json::Value =
        serde_json::to_value(StoredDpopKey::from_es256(&login_key)).unwrap();
    broken["d"] = serde_json::json!("AAAA");
    replace_stored_key(&dir, serde_json::from_value(broken).unwrap());
    let token_hits = server.hits(pkce_testkit::Endpoint::Token);
    let unusable = refresh(&server, &dir, None, unix_now() + 3 * 7200);
    assert!(
        matches!(
            unusable,
            Err(pkce_session::SessionError::DpopKeyUnusable(Some(_)))
        ),
        "{unusable:?}"
    );
    assert_eq!(server.hits(pkce_testkit::Endpoint::Token), token_hits);
}

#[test]
fn a_refresh_reuses_the_stored_key() {
    let (server, dir, _, tokens) = stored_dpop_login("dpop-refresh", true);
    // Past the access token's expiry each time: a refresh is due.
    let fresh = refresh(&server, &dir, None, unix_now() + 7200).unwrap();
    assert_ne!(&fresh, tokens.access_token());
    // The refreshed session still holds the key, so the next refresh works too.
    let again = refresh(&server, &dir, None, unix_now() + 3 * 7200).unwrap();
    assert_ne!(again, fresh);
}

fn stored_secret(key: &StoredDpopKey) -> String {
    let json = serde_json::to_value(key).unwrap();
    json["d"].as_str().unwrap().to_owned()
}
