//! `pkce logout` and `pkce status`: end a stored session (revoked at the server first, RFC
//! 7009), and list the profiles with their sessions, never a secret.

use pkce_session::{FileStore, SessionStore, unix_now};

use crate::cli::{ProfileArgs, StatusArgs};
use crate::failure::Failure;
use crate::formats::rfc3339;
use crate::session::Session;
use crate::settings::{Chosen, Settings, store_dir};

pub(crate) fn logout(args: &ProfileArgs) -> Result<(), Failure> {
    let settings = Settings::server(&args.server)?;
    let session = Session::open(&settings)?;
    let sessions = session.sessions(&settings)?;
    let key = settings.key()?;
    let Some(stored) = sessions.load(&key)? else {
        eprintln!(
            "pkce: no session is stored for profile `{}`",
            settings.profile
        );
        return Ok(());
    };
    let client = session.back_channel_client(&settings)?;
    // The refresh token first: revoking it also ends the grant's access tokens at most servers.
    if let Some(refresh) = &stored.refresh_token {
        let revocation = client.revoke_refresh_token(refresh)?;
        session.transport.drive(session.narrator.wrap(revocation))?;
    }
    let revocation = client.revoke_access_token(&stored.access_token)?;
    session.transport.drive(session.narrator.wrap(revocation))?;
    // Under the session's lock, so no refresh writes it back meanwhile.
    sessions.delete_on_logout(&key)?;
    eprintln!(
        "pkce: logged out of profile `{}` (tokens revoked, session deleted)",
        settings.profile
    );
    Ok(())
}

pub(crate) fn status(args: &StatusArgs) -> Result<(), Failure> {
    let chosen = Chosen::load(&args.config)?;
    let store = FileStore::open(store_dir()?)?;
    let mut names: Vec<&str> = chosen.config.profiles.keys().map(String::as_str).collect();
    if !names.contains(&"default") {
        names.push("default");
    }
    let now = unix_now();
    for name in names {
        let profile = chosen.config.profiles.get(name);
        let stored = match pkce_session::SessionKey::new(name) {
            Ok(key) => store.read(&key),
            Err(e) => Err(e),
        };
        let configured_issuer = profile.and_then(|p| p.issuer.as_deref());
        let line = match stored {
            Ok(Some(s)) => {
                let expiry = match s.expires_at {
                    Some(at) if at <= now => format!("expired {}", rfc3339(at)),
                    Some(at) => format!("expires {}", rfc3339(at)),
                    None => "no stated expiry".to_owned(),
                };
                // `sub` is the server's text: escaped, so it cannot drive the terminal.
                let subject = s
                    .subject()
                    .map(|sub| format!(", subject {}", sub.escape_default()))
                    .unwrap_or_default();
                format!(
                    "{name}: issuer {}{subject}, scope {}, {expiry}, refresh token {}{}{}",
                    s.issuer.as_deref().or(configured_issuer).unwrap_or("?"),
                    s.scope.as_deref().unwrap_or("(not stated)"),
                    if s.refresh_token.is_some() {
                        "held"
                    } else {
                        "none"
                    },
                    if s.dpop_key.is_some() {
                        ", bound to a DPoP key"
                    } else {
                        ""
                    },
                    if s.stale {
                        ", stale (log in again)"
                    } else {
                        ""
                    }
                )
            }
            Ok(None) if profile.is_none() => continue,
            Ok(None) => format!(
                "{name}: issuer {}, not logged in",
                configured_issuer.unwrap_or("?")
            ),
            Err(e) => format!("{name}: session unreadable: {e}"),
        };
        println!("{line}");
    }
    Ok(())
}
