//! `pkce token`: a fresh access token from the profile's stored session, refreshed
//! single-flight by pkce-session when near expiry, or from a new login when no usable
//! session exists and a login can happen here. Interactive logins are single-flight too:
//! they run under the profile's login lock, and whoever waited for it takes the session
//! the winner stored.

use std::io::IsTerminal;
use std::time::Duration;

use pkce_session::decide::{self, DEFAULT_MIN_REMAINING};
use pkce_session::{
    FileStore, LoginReason, SessionError, SessionStore, Sessions, StoredSession, unix_now,
};

use crate::cli::TokenArgs;
use crate::failure::Failure;
use crate::formats::{ExecInfo, Issued, render};
use crate::session::Session;
use crate::settings::Settings;

/// How long a waiting process waits beyond the login timeout for the login lock.
const LOGIN_LOCK_SLACK: Duration = Duration::from_secs(30);

pub(crate) fn run(args: &TokenArgs) -> Result<(), Failure> {
    let exec = match args.format {
        crate::cli::Format::ExecCredential => Some(ExecInfo::from_env()?),
        _ => None,
    };
    let may_log_in = args.interactive
        || exec.as_ref().is_some_and(|e| e.interactive)
        || (std::io::stdin().is_terminal() && std::io::stderr().is_terminal());
    let resource_only = crate::resource_login::token_args(&args.login, may_log_in)?;
    let settings = Settings::login(resource_only.as_ref().unwrap_or(&args.login))?;
    let open: fn(&Settings) -> Result<Session, Failure> = if resource_only.is_some() {
        crate::resource_login::open
    } else {
        Session::open
    };
    let session = fresh_session(&settings, may_log_in, open)?;
    if args.format == crate::cli::Format::Dpop {
        println!(
            "{}",
            crate::dpop::request_headers(&session, &settings, &args.request)?
        );
        return Ok(());
    }
    if args.format == crate::cli::Format::Header {
        crate::dpop::refuse_bearer_header(&session, &settings.profile)?;
    }
    let issued = Issued {
        token: session.access_token.expose_secret(),
        token_type: if session.dpop_key.is_some() {
            "DPoP"
        } else {
            "Bearer"
        },
        expires_at: session.expires_at,
        scope: session.scope.as_deref(),
    };
    println!("{}", render(args.format, &issued, exec.as_ref()));
    Ok(())
}

/// The profile's session holding a fresh access token. `may_log_in`: a login may happen
/// when only a login can help. `open` discovers the server when one must be asked.
pub(crate) fn fresh_session(
    settings: &Settings,
    may_log_in: bool,
    open: fn(&Settings) -> Result<Session, Failure>,
) -> Result<StoredSession, Failure> {
    let key = settings.key()?;
    // The fast path reads the file and asks no server: a fresh session of this issuer and
    // client is answered without discovery.
    let store = FileStore::open(&settings.store_dir)?;
    if let Some(stored) = store.read(&key)? {
        let ours = stored.issuer.as_deref() == Some(settings.issuer.as_str())
            && stored.client_id == settings.client_id;
        let verdict = decide::verdict(Some(&stored), unix_now(), DEFAULT_MIN_REMAINING);
        if ours && matches!(verdict, decide::Verdict::Fresh) {
            return Ok(stored);
        }
    }
    let session = open(settings)?;
    let sessions = session.sessions(settings)?;
    match refreshed(&session, &sessions, settings) {
        Err(SessionError::LoginRequired(reason)) => {
            let why = SessionError::LoginRequired(reason).to_string();
            if !may_log_in {
                return Err(Failure::login_required(format!(
                    "{why} for profile `{}`; run `pkce login --profile {}`",
                    settings.profile, settings.profile
                )));
            }
            single_flight_login(settings, &session, &sessions)
        }
        other => Ok(other?),
    }
}

/// The stored session after `fresh_access_token` made its token fresh.
fn refreshed(
    session: &Session,
    sessions: &Sessions<FileStore>,
    settings: &Settings,
) -> Result<StoredSession, SessionError> {
    let key = settings.key().map_err(|_| SessionError::InvalidKey)?;
    session
        .transport
        .fresh_access_token(sessions, &key, unix_now())?;
    // The stored session holds the token just made fresh (or a sibling's newer one, as
    // good); gone only when a logout deleted it meanwhile.
    sessions
        .load(&key)?
        .ok_or(SessionError::LoginRequired(LoginReason::NoSession))
}

/// One login per profile at a time: the first process to take the login lock logs in and
/// stores the session; each process that waited finds it stored and uses it.
fn single_flight_login(
    settings: &Settings,
    session: &Session,
    sessions: &Sessions<FileStore>,
) -> Result<StoredSession, Failure> {
    let login_key = settings.login_key()?;
    let _held = sessions
        .store()
        .lock(&login_key, settings.timeout + LOGIN_LOCK_SLACK)?;
    match refreshed(session, sessions, settings) {
        Err(SessionError::LoginRequired(_)) => {}
        other => return Ok(other?),
    }
    let (tokens, _) = crate::login::obtain(settings, session)?;
    crate::dpop::save_login(session, sessions, settings, &tokens)
}
