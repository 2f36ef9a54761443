//! A native app's login (RFC 8252) with the blocking transport: discovery, the browser round
//! trip through a loopback redirect, the code exchange. It prints when the access token
//! expires, never the token.
//!
//! ```text
//! cargo run -p pkce-ureq --example login-ureq -- --issuer https://as.example --client-id my-app
//! PKCE_ISSUER=https://as.example PKCE_CLIENT_ID=my-app cargo run -p pkce-ureq --example login-ureq
//! ```
//!
//! `--dangerously-allow-loopback-http` accepts an `http://127.0.0.1:…` issuer (pkce-testkit, a
//! local test server); every other issuer must be https.

use std::error::Error;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pkce_ureq::Transport;
use pkce_ureq::pkce_flow::{
    Client, DiscoveryKind, LoopbackHttp, MAX_QUERY_BYTES, PendingAuthorization, TokenExchange,
};

/// What the command line (or the environment) asks for.
struct Args {
    issuer: String,
    client_id: String,
    loopback: LoopbackHttp,
}

const USAGE: &str = "usage: login --issuer URL --client-id ID [--dangerously-allow-loopback-http]\n\
                     (or PKCE_ISSUER and PKCE_CLIENT_ID in the environment)";

fn parse_args() -> Result<Args, String> {
    let mut issuer = std::env::var("PKCE_ISSUER").ok();
    let mut client_id = std::env::var("PKCE_CLIENT_ID").ok();
    let mut loopback = LoopbackHttp::Refuse;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--issuer" => issuer = Some(args.next().ok_or(USAGE)?),
            "--client-id" => client_id = Some(args.next().ok_or(USAGE)?),
            "--dangerously-allow-loopback-http" => loopback = LoopbackHttp::DangerouslyAllow,
            _ => return Err(USAGE.to_owned()),
        }
    }
    match (issuer, client_id) {
        (Some(issuer), Some(client_id)) => Ok(Args {
            issuer,
            client_id,
            loopback,
        }),
        _ => Err(USAGE.to_owned()),
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Transport and flow errors never print a secret, their sources neither.
            eprintln!("login failed: {e}");
            let mut source = e.source();
            while let Some(cause) = source {
                eprintln!("  caused by: {cause}");
                source = cause.source();
            }
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    let transport = Transport::new();
    let metadata = transport.discover(&args.issuer, DiscoveryKind::Probe, args.loopback)?;

    // RFC 8252 §7.3: an ephemeral port on the loopback IP literal, never "localhost".
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let redirect_uri = format!(
        "http://127.0.0.1:{}/callback",
        listener.local_addr()?.port()
    );
    let client = Client::builder(&args.client_id)
        .metadata(&metadata)
        .redirect_uri(&redirect_uri)
        .scopes("openid")
        .build()?;
    let (url, pending) = client.authorize(&mut getrandom::SysRng)?;
    println!("Open this URL in your browser to log in:\n\n    {url}\n");

    let exchange = wait_for_callback(&listener, pending)?;
    let tokens = transport.exchange(exchange)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    match tokens.expires_at(now) {
        Some(at) => println!(
            "Logged in. The access token expires in {} s (at {at}, Unix time).",
            at - now
        ),
        None => println!("Logged in. The server did not say when the access token expires."),
    }
    if tokens.refresh_token().is_some() {
        println!("A refresh token was issued.");
    }
    Ok(())
}

/// Serves the loopback redirect until a callback answers `pending`: stray requests (a
/// favicon, another path, a forged state) get an error page and the listener keeps waiting.
fn wait_for_callback(
    listener: &TcpListener,
    mut pending: PendingAuthorization,
) -> Result<TokenExchange, Box<dyn Error>> {
    loop {
        let (mut stream, _) = listener.accept()?;
        let Some(target) = request_target(&mut stream) else {
            continue;
        };
        let Some(query) = target
            .strip_prefix("/callback?")
            .or_else(|| (target == "/callback").then_some(""))
        else {
            respond(&mut stream, "404 Not Found", "Not found.");
            continue;
        };
        match pending.callback(query) {
            Ok(exchange) => {
                respond(
                    &mut stream,
                    "200 OK",
                    "You are logged in. You can close this tab.",
                );
                return Ok(exchange);
            }
            Err(rejected) if rejected.is_recoverable() => {
                // Not attributable to this login (no or another state): keep waiting.
                respond(
                    &mut stream,
                    "400 Bad Request",
                    "This is not the answer to this login.",
                );
                pending = rejected
                    .into_pending()
                    .ok_or("the pending authorization was lost")?;
            }
            Err(rejected) => {
                respond(
                    &mut stream,
                    "400 Bad Request",
                    "The login failed. See the terminal.",
                );
                return Err(rejected.into_error().into());
            }
        }
    }
}

/// The request target of a `GET`. The head is read to its end (and no further than the
/// callback size limit allows), so that closing the connection after the answer does not
/// reset it under the browser.
fn request_target(stream: &mut TcpStream) -> Option<String> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let limit = u64::try_from(MAX_QUERY_BYTES).ok()? + 16 * 1024;
    let mut reader = BufReader::new(Read::take(&mut *stream, limit));
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut header = String::new();
    while reader.read_line(&mut header).ok()? > 2 {
        header.clear();
    }
    let mut parts = request_line.split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Some(target.to_owned()),
        _ => None,
    }
}

/// A static page: nothing from the request is echoed, so nothing needs escaping.
fn respond(stream: &mut TcpStream, status: &str, message: &str) {
    let body = format!("<!doctype html><meta charset=utf-8><title>Login</title><p>{message}</p>\n");
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // The browser may already be gone; the login goes on either way.
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()));
}
