//! `pkce git-credential get|store|erase`: git's credential helper protocol (`key=value`
//! lines on stdin, ended by a blank line or EOF). `get` answers with the access token of
//! the profile whose `git_hosts` holds the requested host; `store` and `erase` are accepted
//! and ignored (the stored session is the only store; `pkce logout` ends it).

use std::io::{BufRead, IsTerminal, Read};

use crate::cli::{ConfigArgs, GitCredentialArgs, GitOperation, LoginArgs, ServerArgs};
use crate::failure::Failure;
use crate::settings::{Chosen, Settings};

/// The most bytes of a request read from git.
const MAX_REQUEST: u64 = 64 * 1024;

pub(crate) fn run(args: &GitCredentialArgs) -> Result<(), Failure> {
    let request = read_request()?;
    if args.operation != GitOperation::Get {
        return Ok(());
    }
    let host = value(&request, "host").ok_or_else(|| Failure::usage("git sent no `host`"))?;
    let chosen = Chosen::load(&args.config)?;
    let profile = chosen
        .config
        .profiles
        .iter()
        .find(|(_, p)| p.git_hosts.iter().any(|h| h.eq_ignore_ascii_case(host)))
        .map(|(name, _)| name.clone())
        .ok_or_else(|| {
            Failure::config(format!(
                "no profile lists the git host `{host}` in its git_hosts"
            ))
        })?;
    let settings = Settings::login(&login_args(&args.config, profile))?;
    // git runs its helpers with the user's terminal on stderr: a login may happen there.
    let session = crate::fresh_token::fresh_session(
        &settings,
        std::io::stderr().is_terminal(),
        crate::session::Session::open,
    )?;
    let username = value(&request, "username").unwrap_or("oauth2");
    println!("username={username}");
    println!("password={}", session.access_token.expose_secret());
    if let Some(at) = session.expires_at {
        println!("password_expiry_utc={at}");
    }
    Ok(())
}

/// The `key=value` lines git sent.
fn read_request() -> Result<Vec<(String, String)>, Failure> {
    let mut lines = Vec::new();
    for line in std::io::stdin().lock().take(MAX_REQUEST).lines() {
        let line =
            line.map_err(|e| Failure::new(format!("reading git's request: {}", e.kind())))?;
        if line.is_empty() {
            break;
        }
        let (k, v) = line
            .split_once('=')
            .ok_or_else(|| Failure::usage("git's request holds a line without `=`"))?;
        lines.push((k.to_owned(), v.to_owned()));
    }
    Ok(lines)
}

fn value<'a>(request: &'a [(String, String)], key: &str) -> Option<&'a str> {
    request
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The arguments of a `pkce token --profile NAME` with nothing else given.
fn login_args(config: &ConfigArgs, profile: String) -> LoginArgs {
    LoginArgs {
        server: ServerArgs {
            config: ConfigArgs {
                config: config.config.clone(),
                profile: Some(profile),
            },
            issuer: None,
            client_id: None,
            auth_method: None,
            client_secret_env: None,
            dangerous_allow_http_loopback: false,
            output: None,
            verbose: false,
        },
        scopes: Vec::new(),
        port: None,
        redirect_host: None,
        redirect_path: "/callback".to_owned(),
        par: false,
        dpop: false,
        resources: Vec::new(),
        params: Vec::new(),
        timeout: 300,
        no_browser: false,
        flow: None,
        browser_command: None,
    }
}
