//! DPoP (RFC 9449) in the CLI: `pkce login --dpop` (or `dpop = true` in the profile) binds
//! the session's tokens to a new ES256 key, generated per login, that signs the PAR and the
//! code exchange (or, with `--flow device`, every token poll) and is stored with the session
//! (0600, like the tokens beside it); every later refresh is signed with that stored key by
//! pkce-session. `pkce token --format dpop --method M --url URL` prints the two headers one
//! request needs, with a fresh proof each time.

use std::cell::RefCell;
use std::sync::Arc;

use clap::Args;
use pkce_flow::dpop::{DpopExchange, DpopKey, DpopTarget, Es256Key, NonceMemory, ProofRequest};
use pkce_flow::{AccessToken, OsRng, ResourceRequest, TokenResponse};
use pkce_session::{FileStore, LoginParts, Sessions, StoredDpopKey, StoredSession, unix_now};

use crate::failure::Failure;
use crate::session::Session;
use crate::settings::Settings;

/// The request `pkce token --format dpop` prepares the headers of.
#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// With `--format dpop`: the HTTP method of the request the proof is for.
    #[arg(long, value_name = "METHOD", default_value = "GET")]
    pub(crate) method: String,
    /// With `--format dpop`: the URL of the request the proof is for (its query and
    /// fragment are not part of the proof).
    #[arg(long, value_name = "URL")]
    pub(crate) url: Option<String>,
}

/// A login's DPoP key: generated for this login only, and the servers' nonces seen while
/// logging in, stored with the session.
pub(crate) struct LoginKey {
    signer: Es256Key,
    key: DpopKey,
    nonces: RefCell<NonceMemory>,
}

impl LoginKey {
    /// A new key from the OS generator, when the settings ask for DPoP.
    pub(crate) fn for_settings(settings: &Settings) -> Result<Option<Self>, Failure> {
        if !settings.dpop {
            return Ok(None);
        }
        let signer = Es256Key::generate(&mut OsRng::default())?;
        let key = DpopKey::new(Arc::new(signer.clone()));
        Ok(Some(Self {
            signer,
            key,
            nonces: RefCell::new(NonceMemory::new()),
        }))
    }

    /// The key a login's client is configured with (`ClientBuilder::dpop_key`).
    pub(crate) fn key(&self) -> DpopKey {
        self.key.clone()
    }

    /// What is stored with the session: the private key and the nonces seen.
    fn stored(&self) -> StoredDpopKey {
        let mut stored = StoredDpopKey::from_es256(&self.signer);
        stored.set_nonces(&self.nonces.borrow());
        stored
    }
}

/// Drives a login's exchange (PAR, code exchange): with a proof of the login's key on every
/// request when the login is a DPoP login, narrated with `-v` either way.
pub(crate) fn drive<E: DpopTarget>(session: &Session, exchange: E) -> Result<E::Output, Failure> {
    let Some(login) = &session.dpop else {
        return Ok(session.transport.drive(session.narrator.wrap(exchange))?);
    };
    let mut nonces = login.nonces.borrow_mut();
    let mut rng = OsRng::default();
    let signed = DpopExchange::new(exchange, &login.key, &mut nonces, &mut rng, unix_now())?;
    Ok(session.transport.drive(session.narrator.wrap(signed))?)
}

/// Runs the device flow's polling with the login's nonce memory, so the nonces seen while
/// polling are stored with the session like those of a code exchange. pkce-flow signs each
/// poll when the client is configured with the login's key (`login_builder`).
pub(crate) fn device_login(
    session: &Session,
    client: &pkce_flow::Client,
    show: impl FnOnce(&pkce_flow::device::DeviceAuthorization),
) -> Result<TokenResponse, Failure> {
    let tokens = match &session.dpop {
        Some(login) => {
            let mut nonces = login.nonces.borrow_mut();
            session
                .transport
                .device_login_with_nonces(client, &mut nonces, show)?
        }
        None => session.transport.device_login(client, show)?,
    };
    Ok(tokens)
}

/// Stores a login's tokens, with the login's DPoP key when it has one and the identity of
/// its ID token when the response carries one, validated first: a refused ID token stores
/// nothing (an earlier session of the profile stays as it was).
pub(crate) fn save_login(
    session: &Session,
    sessions: &Sessions<FileStore>,
    settings: &Settings,
    tokens: &TokenResponse,
) -> Result<StoredSession, Failure> {
    let key = settings.key()?;
    let id_token = crate::id_token::validate(session, settings, tokens)?;
    let mut parts = LoginParts::new();
    if let Some(id) = &id_token {
        parts = parts.validated(id);
    }
    if let Some(login) = &session.dpop {
        parts = parts.dpop_key(login.stored());
    }
    Ok(sessions.save_login_with(&key, tokens, unix_now(), parts)?)
}

/// The session's DPoP key, or the typed refusal to use the session as a DPoP one.
fn stored_key<'s>(session: &'s StoredSession, profile: &str) -> Result<&'s StoredDpopKey, Failure> {
    session.dpop_key.as_ref().ok_or_else(|| {
        Failure::not_dpop(format!(
            "the session of profile `{profile}` is not bound to a DPoP key, so there is no proof to print; \
             log in with `pkce login --dpop` (or `dpop = true` in the profile), or use another --format"
        ))
    })
}

/// Refuses to print a DPoP-bound token as a `Bearer` header: it is useless without a proof.
pub(crate) fn refuse_bearer_header(session: &StoredSession, profile: &str) -> Result<(), Failure> {
    if session.dpop_key.is_some() {
        return Err(Failure::usage(&format!(
            "the session of profile `{profile}` is bound to a DPoP key: a request needs a proof, \
             use `--format dpop --method METHOD --url URL`"
        )));
    }
    Ok(())
}

/// The two header lines of one request to `request.url`: `Authorization: DPoP <token>` and
/// `DPoP: <proof>` with `htm`, `htu` (without query and fragment), `ath` and the nonce
/// remembered for the URL's origin, signed now with the session's stored key.
pub(crate) fn request_headers(
    session: &StoredSession,
    settings: &Settings,
    request: &RequestArgs,
) -> Result<String, Failure> {
    let stored = stored_key(session, &settings.profile)?;
    let url = request.url.as_deref().ok_or_else(|| {
        Failure::usage("--format dpop needs --url URL (and --method, default GET)")
    })?;
    let token: &AccessToken = &session.access_token;
    // The URL rule of every token the CLI hands out: https, or http to a loopback IP
    // literal only (the resource request's own check, so there is one rule). A fragment is
    // never sent by an HTTP client, so only the part before it is checked.
    let sent = url.split('#').next().unwrap_or(url);
    ResourceRequest::get(sent, token)?;
    let key = stored.to_dpop_key()?;
    let nonces = stored.nonce_memory();
    let proof = ProofRequest::new(&request.method, url)?
        .nonce(nonces.get(url))
        .access_token(token)?
        .sign(key.signer(), &mut OsRng::default(), unix_now())?;
    Ok(format!(
        "Authorization: DPoP {}\nDPoP: {}",
        token.expose_secret(),
        proof.expose_secret()
    ))
}
