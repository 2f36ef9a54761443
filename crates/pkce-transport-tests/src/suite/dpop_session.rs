//! A stored session bound to a DPoP key, through the transport's `fresh_access_token`: the
//! refresh is signed with the key stored with the session (the client has none), the new
//! token works at the resource with that key, and a session holding another key is refused.

use std::sync::Arc;

use pkce_flow::dpop::{DpopKey, Es256Key, NonceMemory};
use pkce_flow::{ResourceRequest, TokenResponse};
use pkce_session::{LoginReason, MemoryStore, SessionError, SessionKey, Sessions, StoredDpopKey};

use super::dpop::{dpop_server, drive, now};
#[allow(clippy::wildcard_imports)]
use super::*;

/// A DPoP login with a new ES256 key, the key and the tokens; the server's nonces so far.
fn dpop_login<D: Driver>(
    transport: &D,
    server: &AuthServer,
    nonces: &mut NonceMemory,
) -> (Es256Key, TokenResponse) {
    let signer = Es256Key::generate(&mut getrandom::SysRng).unwrap();
    let key = DpopKey::new(Arc::new(signer.clone()));
    let client = builder(server, Auth::Public)
        .dpop_key(key.clone())
        .build()
        .unwrap();
    let exchange = approve(&client, &mut Secrets::default());
    let tokens = drive(transport, exchange, &key, nonces).unwrap();
    (signer, tokens)
}

/// Sessions whose client has no DPoP key: whatever signs a refresh comes from the session.
fn sessions_without_a_key(server: &AuthServer) -> Sessions<MemoryStore> {
    let client = builder(server, Auth::Public).build().unwrap();
    Sessions::new(MemoryStore::new(), client, &server.url("/token"))
}

pub fn dpop_fresh_access_token_refreshes_with_the_stored_key<D: Driver>() {
    let server = dpop_server(true);
    let transport = D::new();
    let mut nonces = NonceMemory::new();
    let (signer, tokens) = dpop_login(&transport, &server, &mut nonces);
    let sessions = sessions_without_a_key(&server);
    let key = SessionKey::new("dpop").unwrap();
    let mut stored = StoredDpopKey::from_es256(&signer);
    stored.set_nonces(&nonces);
    sessions
        .save_login_with_dpop_key(&key, &tokens, now(), stored)
        .unwrap();
    // The server's nonce changes meanwhile: the stored one is refused once, then retried.
    server.rotate_dpop_nonce();

    let later = now() + 2 * 3600;
    let fresh = transport
        .fresh_access_token(&sessions, &key, later)
        .unwrap();
    assert_ne!(&fresh, tokens.access_token());
    assert_eq!(server.rotation_counters().refreshes_served, 1);
    let session = sessions.load(&key).unwrap().unwrap();
    let kept = session.dpop_key.expect("the key stays with the session");
    assert_eq!(
        kept.to_es256().unwrap().to_secret_bytes().expose_secret(),
        signer.to_secret_bytes().expose_secret()
    );
    assert!(kept.nonce_memory().get(&server.url("/token")).is_some());

    // The refreshed token is bound to the stored key: the resource accepts it with proofs
    // of that key.
    let dpop = DpopKey::new(Arc::new(signer));
    let request = ResourceRequest::get(&server.url("/userinfo"), &fresh).unwrap();
    let answer = drive(&transport, request, &dpop, &mut kept.nonce_memory()).unwrap();
    assert_eq!(answer.status, 200);
    assert!(answer.dpop_challenge.is_none());
}

pub fn dpop_fresh_access_token_with_another_stored_key_is_refused<D: Driver>() {
    let server = dpop_server(false);
    let transport = D::new();
    let (_, tokens) = dpop_login(&transport, &server, &mut NonceMemory::new());
    let sessions = sessions_without_a_key(&server);
    let key = SessionKey::new("dpop").unwrap();
    let other = Es256Key::generate(&mut getrandom::SysRng).unwrap();
    sessions
        .save_login_with_dpop_key(&key, &tokens, now(), StoredDpopKey::from_es256(&other))
        .unwrap();
    let refused = transport.fresh_access_token(&sessions, &key, now() + 2 * 3600);
    assert!(
        matches!(
            refused,
            Err(SessionError::LoginRequired(LoginReason::Refused))
        ),
        "{refused:?}"
    );
    assert_eq!(server.rotation_counters().refreshes_served, 0);
}
