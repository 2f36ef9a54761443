//! The loopback redirect listener (RFC 8252 §7.3, §8.3).
//!
//! It binds 127.0.0.1 or [::1] only, before the authorization URL is shown; it answers every
//! stray request (a favicon, another path, a wrong Host, a forged or malformed callback) with
//! 404/400/405 and keeps waiting, so nothing but the real callback ends the wait (policy P-8);
//! it reads at most a bounded request head and never a body; its pages are static, escaped,
//! `no-store` and `no-referrer`. It closes when the valid callback arrives or time runs out.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use pkce_flow::{Error, PendingAuthorization, TokenExchange};

/// The largest request head read from the browser.
pub(crate) const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Which loopback address to listen on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LoopbackHost {
    /// 127.0.0.1
    #[value(name = "127.0.0.1")]
    V4,
    /// [::1]
    #[value(name = "[::1]")]
    V6,
}

/// A bound listener and the redirect URI that names it.
#[derive(Debug)]
pub(crate) struct Listener {
    socket: TcpListener,
    redirect_uri: String,
    host_header: String,
    path: String,
}

/// Why the wait ended without a token exchange.
#[derive(Debug)]
pub(crate) enum WaitError {
    /// No valid callback arrived in time.
    Timeout,
    /// The authorization server answered with an error (or the callback was a mix-up).
    Flow(Error),
    /// The socket failed.
    Io(io::Error),
}

impl Listener {
    /// Binds the loopback address on `port` (0: any free port). `path` must start with `/`.
    pub(crate) fn bind(host: LoopbackHost, port: u16, path: &str) -> io::Result<Self> {
        let ip = match host {
            LoopbackHost::V4 => IpAddr::V4(Ipv4Addr::LOCALHOST),
            LoopbackHost::V6 => IpAddr::V6(Ipv6Addr::LOCALHOST),
        };
        // std's TcpListener sets SO_REUSEADDR on Unix only so that a TIME_WAIT port can be
        // rebound; it never sets SO_REUSEPORT, so no other process can share the port.
        let socket = TcpListener::bind(SocketAddr::new(ip, port))?;
        socket.set_nonblocking(true)?;
        let addr = socket.local_addr()?;
        let authority = match addr.ip() {
            IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
            IpAddr::V6(ip) => format!("[{ip}]:{}", addr.port()),
        };
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        Ok(Self {
            socket,
            redirect_uri: format!("http://{authority}{path}"),
            host_header: authority,
            path,
        })
    }

    /// The redirect URI: the IP literal and the port actually bound.
    pub(crate) fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Serves requests until a valid callback arrives (then the code exchange is returned),
    /// the server answers with an error, or `timeout` passes. `on_stray` hears of every
    /// ignored request.
    pub(crate) fn wait(
        self,
        mut pending: PendingAuthorization,
        timeout: Duration,
        mut on_stray: impl FnMut(u16, &str),
    ) -> Result<TokenExchange, WaitError> {
        let deadline = Instant::now() + timeout;
        loop {
            let stream = match self.socket.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(WaitError::Timeout);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(WaitError::Io(e)),
            };
            match self.serve(stream, pending) {
                Served::Keep(p, status, why) => {
                    on_stray(status, why);
                    pending = p;
                }
                Served::Done(result) => return result,
            }
        }
    }

    fn serve(&self, mut stream: TcpStream, pending: PendingAuthorization) -> Served {
        let head = match read_head(&mut stream) {
            Ok(head) => head,
            Err(_) => return Served::Keep(pending, 400, "unreadable request"),
        };
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut request = httparse::Request::new(&mut headers);
        let (method, target, host) = match request.parse(&head) {
            Ok(httparse::Status::Complete(_)) => (
                request.method.unwrap_or(""),
                request.path.unwrap_or(""),
                request
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("host"))
                    .map(|h| h.value),
            ),
            _ => {
                respond(&mut stream, 400, Page::BadRequest);
                return Served::Keep(pending, 400, "malformed request");
            }
        };
        // DNS-rebinding defence (policy P-8): only the exact literal authority we bound.
        if host != Some(self.host_header.as_bytes()) {
            respond(&mut stream, 400, Page::BadRequest);
            return Served::Keep(pending, 400, "wrong Host header");
        }
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if path != self.path {
            respond(&mut stream, 404, Page::NotFound);
            return Served::Keep(pending, 404, "another path");
        }
        if method != "GET" {
            // A POST to the callback (a 307 from a misbehaving server) carries credentials;
            // its body is never read (RFC 9700 §4.12).
            respond(&mut stream, 405, Page::MethodNotAllowed);
            return Served::Keep(pending, 405, "not a GET");
        }
        match pending.callback(query) {
            Ok(exchange) => {
                respond(&mut stream, 200, Page::Success);
                Served::Done(Ok(exchange))
            }
            Err(rejected) if rejected.is_recoverable() => {
                respond(&mut stream, 400, Page::BadRequest);
                match rejected.into_pending() {
                    Some(p) => Served::Keep(p, 400, "callback without the right state"),
                    None => Served::Done(Err(WaitError::Timeout)),
                }
            }
            Err(rejected) => {
                respond(&mut stream, 200, Page::Failure);
                Served::Done(Err(WaitError::Flow(rejected.into_error())))
            }
        }
    }
}

enum Served {
    Keep(PendingAuthorization, u16, &'static str),
    Done(Result<TokenExchange, WaitError>),
}

/// Reads until the blank line that ends the head, at most [`MAX_HEAD`] bytes, with a time
/// limit; a body is never read.
fn read_head(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(buf.get(..n).unwrap_or(&[]));
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            return Ok(head);
        }
        if head.len() > MAX_HEAD {
            return Err(io::ErrorKind::InvalidData.into());
        }
    }
}

/// The static pages. None of them echoes anything from the request or the server.
#[derive(Clone, Copy)]
enum Page {
    Success,
    Failure,
    BadRequest,
    NotFound,
    MethodNotAllowed,
}

fn respond(stream: &mut TcpStream, status: u16, page: Page) {
    let (reason, title, text) = match page {
        Page::Success => (
            "OK",
            "Login succeeded",
            "You are signed in. You can close this tab and return to the terminal.",
        ),
        Page::Failure => (
            "OK",
            "Login failed",
            "The authorization server refused the login. The terminal says why. You can close this tab.",
        ),
        Page::BadRequest => (
            "Bad Request",
            "Not the expected response",
            "This request does not answer the login in progress. The terminal is still waiting.",
        ),
        Page::NotFound => ("Not Found", "Not found", "Nothing here."),
        Page::MethodNotAllowed => (
            "Method Not Allowed",
            "Method not allowed",
            "Only GET is accepted here.",
        ),
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1><p>{text}</p></body></html>\n"
    );
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n\
         Content-Security-Policy: default-src 'none'\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // The browser may already be gone; the login does not depend on this page arriving.
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}
