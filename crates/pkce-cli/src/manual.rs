//! `--flow manual`: print the URL; the person pastes the final redirect URL (or its query)
//! from the browser's address bar on stdin. Each paste is validated by pkce-flow exactly as
//! the loopback listener's callbacks are: a paste not for this login is refused and the
//! login goes on; a refusal meant for it ends it.

use std::io::{BufRead, Read};

use pkce_flow::TokenResponse;

use crate::failure::Failure;
use crate::login::{build_client, start};
use crate::session::Session;
use crate::settings::Settings;

/// The longest pasted line read.
const MAX_LINE: usize = 16 * 1024;

pub(crate) fn login(
    settings: &Settings,
    session: &Session,
) -> Result<(TokenResponse, Option<String>), Failure> {
    let host = match settings.redirect_host {
        crate::cli::RedirectHost::V4 => "127.0.0.1",
        crate::cli::RedirectHost::V6 => "[::1]",
    };
    let port = match settings.port {
        0 => String::new(),
        port => format!(":{port}"),
    };
    let redirect_uri = format!("http://{host}{port}{}", settings.redirect_path);
    let client = build_client(session, settings, &redirect_uri)?;
    let (url, mut pending) = start(session, &client, settings.par)?;
    eprintln!("Open this URL in a browser and log in:");
    eprintln!("{url}");
    eprintln!(
        "The browser then fails to load {redirect_uri}…: paste that whole address (or its query) here and press Enter:"
    );
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut line = String::new();
    loop {
        line.clear();
        let read = (&mut input)
            .take(MAX_LINE as u64)
            .read_line(&mut line)
            .map_err(|e| Failure::new(format!("reading the pasted URL: {}", e.kind())))?;
        if read == 0 {
            return Err(Failure::new(
                "stdin closed before a valid redirect URL was pasted; the login was not completed"
                    .to_owned(),
            ));
        }
        let pasted = line.trim();
        if pasted.is_empty() {
            continue;
        }
        let checked = if pasted.contains("://") {
            pending.callback_url(pasted)
        } else {
            pending.callback(pasted.trim_start_matches('?'))
        };
        match checked {
            Ok(exchange) => {
                session
                    .narrator
                    .step("pasted callback accepted (state and iss checked); exchanging the code");
                let tokens = crate::dpop::drive(session, exchange)?;
                return Ok((tokens, client.scope().map(str::to_owned)));
            }
            Err(rejected) => {
                let why = rejected.error().to_string();
                match rejected.keep_waiting() {
                    Ok(kept) => {
                        eprintln!(
                            "pkce: that is not the redirect of this login ({why}); paste it again:"
                        );
                        pending = kept;
                    }
                    Err(over) => return Err(over.into()),
                }
            }
        }
    }
}
