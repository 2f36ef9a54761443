//! `pkce login`: discovery, the authorization URL, the loopback callback (or another flow),
//! the code exchange, and the session stored.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pkce_flow::{AuthorizationUrl, Client, ClientBuilder, PendingAuthorization, TokenResponse};

use crate::cli::{Flow, LoginArgs, Output};
use crate::failure::Failure;
use crate::output::print_tokens;
use crate::session::Session;
use crate::settings::Settings;
use pkce_loopback::{Listener, WaitError};

pub(crate) fn run(args: &LoginArgs) -> Result<(), Failure> {
    let (settings, session) = match crate::resource_login::prepare(args)? {
        Some(prepared) => {
            let settings = Settings::login(&prepared.args)?;
            let mut session = prepared.session;
            session.dpop = crate::dpop::LoginKey::for_settings(&settings)?;
            (settings, session)
        }
        None => {
            let settings = Settings::login(args)?;
            let session = Session::open(&settings)?;
            (settings, session)
        }
    };
    let sessions = session.sessions(&settings)?;
    let (tokens, requested_scope) = obtain(&settings, &session)?;
    let stored = crate::dpop::save_login(&session, &sessions, &settings, &tokens)?;
    match settings.output.unwrap_or(Output::Summary) {
        Output::Summary => {
            let scope = stored.scope.as_deref().or(requested_scope.as_deref());
            println!(
                "logged in: profile {}, issuer {}, scope {}, {}, refresh token {}",
                settings.profile,
                session.metadata.issuer,
                scope.unwrap_or("(as the server chose)"),
                stored
                    .expires_at
                    .map_or("no stated expiry".to_owned(), |at| format!(
                        "expires {}",
                        crate::formats::rfc3339(at)
                    )),
                if stored.refresh_token.is_some() {
                    "held"
                } else {
                    "not issued"
                },
            );
        }
        format => print_tokens(&tokens, requested_scope.as_deref(), format),
    }
    Ok(())
}

/// A new login by the settings' flow: the token response and the scope asked for.
pub(crate) fn obtain(
    settings: &Settings,
    session: &Session,
) -> Result<(TokenResponse, Option<String>), Failure> {
    match settings.flow {
        Some(Flow::Manual) => crate::manual::login(settings, session),
        Some(Flow::Device) => crate::device::login(settings, session),
        Some(Flow::Browser) => browser_login(settings, session, false),
        None => browser_login(settings, session, true),
    }
}

fn browser_login(
    settings: &Settings,
    session: &Session,
    flow_chosen_for_me: bool,
) -> Result<(TokenResponse, Option<String>), Failure> {
    let opens_browser = !settings.no_browser;
    if opens_browser
        && flow_chosen_for_me
        && settings.browser_command.is_none()
        && let Some(why) = crate::browser::headless_reason()
    {
        return Err(Failure::config(format!(
            "no browser can be opened here ({why}); use --flow device or --flow manual, \
             or --browser-command CMD"
        )));
    }
    // Bind before the URL exists: the redirect URI names the port actually bound.
    let listener = Listener::bind(
        settings.redirect_host.into(),
        settings.port,
        &settings.redirect_path,
    )
    .map_err(|e| Failure::new(format!("cannot listen on the loopback address: {e}")))?;
    let client = build_client(session, settings, listener.redirect_uri())?;
    let (url, pending) = start(session, &client, settings.par)?;

    if opens_browser {
        eprintln!("Open this URL in a browser to log in (it is also being opened for you):");
    } else {
        eprintln!("Open this URL in a browser to log in:");
    }
    eprintln!("{url}");
    if opens_browser
        && let Err(why) = crate::browser::open(url.as_str(), settings.browser_command.as_deref())
    {
        eprintln!("pkce: could not open a browser ({why}); open the URL above yourself");
    }
    let timeout = settings.timeout;
    let spinner = Spinner::start(timeout);
    let narrator = session.narrator;
    let waited = listener.wait_with(pending, timeout, |status, why| {
        narrator.step(&format!(
            "ignored a request to the listener ({why}): answered {status}, still waiting"
        ));
    });
    drop(spinner);
    let exchange = match waited {
        Ok(exchange) => exchange,
        Err(WaitError::Timeout) => {
            return Err(Failure::new(format!(
                "no valid callback within {} s; the login was not completed",
                timeout.as_secs()
            )));
        }
        Err(WaitError::Rejected(rejected)) => return Err(rejected.into()),
        Err(e) => return Err(Failure::new(e.to_string())),
    };
    narrator.step("callback accepted (state and iss checked); exchanging the code");
    let tokens = crate::dpop::drive(session, exchange)?;
    Ok((tokens, client.scope().map(str::to_owned)))
}

/// The client of a login, redirecting to `redirect_uri`.
pub(crate) fn build_client(
    session: &Session,
    settings: &Settings,
    redirect_uri: &str,
) -> Result<Client, Failure> {
    Ok(login_builder(session, settings)?
        .redirect_uri(redirect_uri)
        .build()?)
}

/// A login's client configuration: the server's, the login's DPoP key (when DPoP is on),
/// then the scopes, resources and extra authorization parameters of the settings.
pub(crate) fn login_builder(
    session: &Session,
    settings: &Settings,
) -> Result<ClientBuilder, Failure> {
    let mut b = session.builder(settings)?;
    if let Some(login) = &session.dpop {
        b = b.dpop_key(login.key());
    }
    for s in &settings.scopes {
        b = b.scopes(s);
    }
    for r in &settings.resources {
        b = b.resource(r);
    }
    for (k, v) in &settings.params {
        b = b.authorization_param(k, v);
    }
    Ok(b)
}

/// The authorization URL, plain or pushed (RFC 9126).
pub(crate) fn start(
    session: &Session,
    client: &Client,
    par: bool,
) -> Result<(AuthorizationUrl, PendingAuthorization), Failure> {
    if par || client.par_required() {
        session
            .narrator
            .step("pushing the authorization request (PAR)");
        let pushed = crate::dpop::drive(session, client.push_authorization_with_os_rng()?)?;
        Ok((pushed.url, pushed.pending))
    } else {
        Ok(client.authorize_with_os_rng()?)
    }
}

/// A progress line on stderr while the browser is away, only when stderr is a terminal.
struct Spinner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    fn start(timeout: Duration) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::io::stderr().is_terminal().then(|| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let frames = ['|', '/', '-', '\\'];
                let started = Instant::now();
                let mut i = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let left = timeout.saturating_sub(started.elapsed()).as_secs();
                    eprint!(
                        "\r{} waiting for the browser… {left} s left ",
                        frames[i % frames.len()]
                    );
                    i = i.wrapping_add(1);
                    std::thread::sleep(Duration::from_millis(120));
                }
                eprint!("\r\x1b[2K");
            })
        });
        Self { stop, thread }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
