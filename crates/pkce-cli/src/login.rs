//! `pkce login`: discovery, the authorization URL, the loopback callback, the code exchange.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pkce_flow::{AuthorizationUrl, Client, PendingAuthorization};

use crate::cli::{Flow, LoginArgs};
use crate::failure::Failure;
use crate::output::print_tokens;
use crate::session::Session;
use pkce_loopback::{Listener, WaitError};

pub(crate) fn run(args: &LoginArgs) -> Result<(), Failure> {
    if args.flow == Flow::Device {
        return crate::device::run(args);
    }
    let session = Session::open(&args.server)?;
    // Bind before the URL exists: the redirect URI names the port actually bound.
    let listener = Listener::bind(args.redirect_host.into(), args.port, &args.redirect_path)
        .map_err(|e| Failure::new(format!("cannot listen on the loopback address: {e}")))?;
    let client = build_client(&session, args, listener.redirect_uri())?;
    let (url, pending) = start(&session, &client, args.par)?;

    eprintln!("Open this URL in a browser to log in (it is also being opened for you):");
    eprintln!("{url}");
    if !args.no_browser && webbrowser::open(url.as_str()).is_err() {
        eprintln!("pkce: could not open a browser; open the URL above yourself");
    }
    let timeout = Duration::from_secs(args.timeout);
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
                args.timeout
            )));
        }
        Err(WaitError::Rejected(rejected)) => return Err(rejected.into()),
        Err(e) => return Err(Failure::new(e.to_string())),
    };
    narrator.step("callback accepted (state and iss checked); exchanging the code");
    let tokens = session.transport.drive(narrator.wrap(exchange))?;
    print_tokens(&tokens, client.scope(), args.server.output);
    Ok(())
}

pub(crate) fn build_client(
    session: &Session,
    args: &LoginArgs,
    redirect_uri: &str,
) -> Result<Client, Failure> {
    let mut b = session.builder(&args.server)?.redirect_uri(redirect_uri);
    for s in &args.scopes {
        b = b.scopes(s);
    }
    for r in &args.resources {
        b = b.resource(r);
    }
    for p in &args.params {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| Failure::usage("--param takes k=v"))?;
        b = b.authorization_param(k, v);
    }
    Ok(b.build()?)
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
        let pushed = session.transport.drive(
            session
                .narrator
                .wrap(client.push_authorization_with_os_rng()?),
        )?;
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
