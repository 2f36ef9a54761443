//! `pkce login --resource URL` and `pkce token --resource URL` with neither an issuer nor a
//! client id (flags or profile): logging in to an MCP server from its URL alone.
//!
//! pkce-flow's `McpDiscovery` finds and checks the authorization server from the resource
//! (its 401, RFC 9728, the MCP discovery order, the MCP profile); a client is registered with
//! that server once (RFC 7591, `application_type` native, no secret) and kept for its issuer
//! by pkce-session's `Registrations`. The command then runs as for a configured issuer and
//! client, with the resource as its one `resource` indicator: on the authorization request,
//! the code exchange and every refresh. This module only moves what the flow found into the
//! command's arguments; it takes no OAuth decision.

use pkce_flow::mcp::McpDiscovery;
use pkce_flow::{ClientMetadata, RegisteredClient};
use pkce_session::{FileStore, Registrations, SessionKey, SessionStore};
use pkce_ureq::Transport;

use crate::cli::{LoginArgs, RedirectHost};
use crate::failure::Failure;
use crate::narrate::Narrator;
use crate::session::{Session, loopback};
use crate::settings::{Chosen, Settings, store_dir};

/// The name a registered client shows on the server's consent screen.
const CLIENT_NAME: &str = "pkce (command line)";

/// A login that named only a resource.
struct ResourceOnly<'a> {
    resource: &'a str,
    profile: String,
    /// Whether the flags and the profile name no scope.
    no_scope: bool,
    allow_http_loopback: bool,
}

/// The resource, when `args` name exactly one `--resource` and neither an issuer nor a
/// client id, in flags or in the profile.
fn resource_only(args: &LoginArgs) -> Result<Option<ResourceOnly<'_>>, Failure> {
    let [resource] = args.resources.as_slice() else {
        return Ok(None);
    };
    if args.server.issuer.is_some() || args.server.client_id.is_some() {
        return Ok(None);
    }
    let chosen = Chosen::load(&args.server.config)?;
    let profile = chosen.profile();
    if profile.is_some_and(|p| p.issuer.is_some() || p.client_id.is_some()) {
        return Ok(None);
    }
    Ok(Some(ResourceOnly {
        resource,
        no_scope: args.scopes.is_empty() && profile.is_none_or(|p| p.scopes.is_empty()),
        allow_http_loopback: args.server.dangerous_allow_http_loopback
            || profile.is_some_and(|p| p.dangerous_allow_http_loopback == Some(true)),
        profile: chosen.name,
    }))
}

/// A resource-only login made ready: the arguments with the issuer and the registered
/// client id filled in, and the server as discovered.
pub(crate) struct Prepared {
    pub(crate) args: LoginArgs,
    pub(crate) session: Session,
}

/// For `pkce login`: `None` unless `args` name only a resource; else discovery from the
/// resource, the client kept for its issuer (registered now when there is none), and the
/// scope the flow chose when none is named.
pub(crate) fn prepare(args: &LoginArgs) -> Result<Option<Prepared>, Failure> {
    let Some(only) = resource_only(args)? else {
        return Ok(None);
    };
    let narrator = Narrator {
        verbose: args.server.verbose,
    };
    let transport = Transport::new()?;
    narrator.step(&format!(
        "discovering the authorization server of {}",
        only.resource
    ));
    let discovery = McpDiscovery::new(only.resource, loopback(only.allow_http_loopback))?;
    let found = transport.drive(narrator.wrap(discovery))?;
    narrator.step(&format!(
        "the resource names issuer {}; its metadata meets MCP",
        found.server.issuer
    ));
    let registrations = Registrations::in_store(&FileStore::open(&store_dir()?)?);
    let client = match registrations.get(&found.server.issuer)? {
        Some(client) => client,
        None => {
            let host = match args.redirect_host {
                Some(RedirectHost::V6) => "[::1]",
                Some(RedirectHost::V4) | None => "127.0.0.1",
            };
            // Any port: a native client's loopback redirect URI matches on every port
            // (RFC 8252 §7.3), and the listener's port is chosen at each login.
            let redirect_uri = format!("http://{host}{}", args.redirect_path);
            let metadata = ClientMetadata::native(CLIENT_NAME, &[&redirect_uri]);
            narrator.step("registering a client (RFC 7591)");
            let client: RegisteredClient =
                transport.drive(narrator.wrap(found.registration(&metadata)?))?;
            registrations.put(&client)?;
            client
        }
    };
    let mut filled = args.clone();
    filled.server.issuer = Some(found.server.issuer.clone());
    filled.server.client_id = Some(client.client_id);
    if only.no_scope
        && let Some(scope) = found.scope()
    {
        filled.scopes = vec![scope];
    }
    // The DPoP key, when asked for, is made once the settings are known (`login::run`).
    let session = Session {
        transport,
        metadata: found.server,
        narrator,
        dpop: None,
    };
    Ok(Some(Prepared {
        args: filled,
        session,
    }))
}

/// For `pkce token`: `None` unless `args` name only a resource; else the arguments of the
/// profile's stored session for exactly this resource (its issuer and client id, no request
/// made), or, without one, those of [`prepare`] when a login may follow (`may_log_in`).
///
/// # Errors
/// [`Failure::login_required`] without a session for the resource when no login may happen
/// here (nothing is registered then).
pub(crate) fn token_args(args: &LoginArgs, may_log_in: bool) -> Result<Option<LoginArgs>, Failure> {
    let Some(only) = resource_only(args)? else {
        return Ok(None);
    };
    let key = SessionKey::new(&only.profile)?;
    let stored = FileStore::open(&store_dir()?)?.read(&key)?;
    if let Some(stored) = stored
        && stored.resources == [only.resource]
        && let Some(issuer) = stored.issuer
    {
        let mut filled = args.clone();
        filled.server.issuer = Some(issuer);
        filled.server.client_id = Some(stored.client_id);
        if only.no_scope {
            filled.scopes = stored.scope.into_iter().collect();
        }
        return Ok(Some(filled));
    }
    if !may_log_in {
        return Err(Failure::login_required(format!(
            "no session for {} in profile `{}`; run `pkce login --resource {}`",
            only.resource, only.profile, only.resource
        )));
    }
    Ok(prepare(args)?.map(|p| p.args))
}

/// The server of a resource-only command, discovered from the resource again (the MCP
/// order); it must still name the issuer the session was made with.
pub(crate) fn open(settings: &Settings) -> Result<Session, Failure> {
    let narrator = Narrator {
        verbose: settings.verbose,
    };
    let transport = Transport::new()?;
    let resource = settings.resources.first().map_or("", String::as_str);
    let found = transport.drive(narrator.wrap(McpDiscovery::new(
        resource,
        loopback(settings.allow_http_loopback),
    )?))?;
    if found.server.issuer != settings.issuer {
        return Err(Failure::login_required(format!(
            "{resource} now names the authorization server {}, not {}; run `pkce login --resource {resource}`",
            found.server.issuer, settings.issuer
        )));
    }
    Ok(Session {
        transport,
        metadata: found.server,
        narrator,
        dpop: crate::dpop::LoginKey::for_settings(settings)?,
    })
}
