//! What the two login examples (`login-ureq`, `login-reqwest`) share: the command line, the
//! loopback redirect listener, the report. Each example includes this file with `#[path]`;
//! only the transport calls differ between them.

use std::error::Error;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pkce_flow::{
    Client, LoopbackHttp, MAX_QUERY_BYTES, PendingAuthorization, ServerMetadata, TokenExchange,
    TokenResponse,
};

/// Every error the examples report; `Send + Sync` so the async example can move it across
/// tasks.
pub(crate) type BoxError = Box<dyn Error + Send + Sync>;

/// What the command line (or the environment) asks for.
pub(crate) struct Args {
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) loopback: LoopbackHttp,
}

const USAGE: &str = "usage: login --issuer URL --client-id ID [--dangerously-allow-loopback-http]\n\
                     (or PKCE_ISSUER and PKCE_CLIENT_ID in the environment)";

pub(crate) fn parse_args() -> Result<Args, String> {
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

/// Prints the error and its causes (transport and flow errors never print a secret, their
/// sources neither) and gives the exit code.
pub(crate) fn report(result: Result<(), BoxError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
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

/// Binds the redirect listener and starts the authorization: RFC 8252 §7.3, an ephemeral
/// port on the loopback IP literal, never "localhost". Prints the URL to open.
pub(crate) fn start(
    args: &Args,
    metadata: &ServerMetadata,
) -> Result<(TcpListener, PendingAuthorization), BoxError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let redirect_uri = format!(
        "http://127.0.0.1:{}/callback",
        listener.local_addr()?.port()
    );
    let client = Client::builder(&args.client_id)
        .metadata(metadata)
        .redirect_uri(&redirect_uri)
        .scopes("openid")
        .build()?;
    let (url, pending) = client.authorize(&mut getrandom::SysRng)?;
    println!("Open this URL in your browser to log in:\n\n    {url}\n");
    Ok((listener, pending))
}

/// Says when the access token expires, never the token.
pub(crate) fn print_outcome(tokens: &TokenResponse) -> Result<(), BoxError> {
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
pub(crate) fn wait_for_callback(
    listener: &TcpListener,
    mut pending: PendingAuthorization,
) -> Result<TokenExchange, BoxError> {
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
