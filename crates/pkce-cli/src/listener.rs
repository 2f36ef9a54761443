//! The loopback redirect listener (RFC 8252 §7.3, §8.3).
//!
//! It binds 127.0.0.1 or `[::1]` only, before the authorization URL is shown; it answers every
//! stray request (a favicon, another path, a wrong Host, a forged or malformed callback) with
//! 404/400/405 and keeps waiting, so nothing but the real callback ends the wait (policy P-8);
//! it reads at most a bounded request head and never a body; its pages are static, escaped,
//! `no-store` and `no-referrer`. It closes when the valid callback arrives or time runs out.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use pkce_flow::{Error, PendingAuthorization, TokenExchange};

/// The largest request head read from the browser.
pub const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Which loopback address to listen on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum LoopbackHost {
    /// 127.0.0.1
    #[cfg_attr(feature = "cli", value(name = "127.0.0.1"))]
    V4,
    /// ::1, the IPv6 loopback address
    #[cfg_attr(feature = "cli", value(name = "[::1]"))]
    V6,
}

/// A bound listener and the redirect URI that names it.
#[derive(Debug)]
pub struct Listener {
    socket: TcpListener,
    redirect_uri: String,
    host_header: String,
    path: String,
}

/// Why the wait ended without a token exchange.
#[derive(Debug)]
pub enum WaitError {
    /// No valid callback arrived in time.
    Timeout,
    /// The authorization server answered with an error (or the callback was a mix-up).
    Flow(Error),
    /// The socket failed.
    Io(io::Error),
}

impl Listener {
    /// Binds the loopback address on `port` (0: any free port). `path` must start with `/`.
    pub fn bind(host: LoopbackHost, port: u16, path: &str) -> io::Result<Self> {
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
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Serves requests until a valid callback arrives (then the code exchange is returned),
    /// the server answers with an error, or `timeout` passes. `on_stray` hears of every
    /// ignored request.
    pub fn wait(
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
        let Ok(head) = read_head(&mut stream) else {
            return Served::Keep(pending, 400, "unreadable request");
        };
        let query = match route(&head, &self.host_header, &self.path) {
            Route::Stray { status, why } => {
                respond(&mut stream, status, Page::for_status(status));
                return Served::Keep(pending, status, why);
            }
            Route::Callback { query } => query,
        };
        match pending.callback(query) {
            Ok(exchange) => {
                respond(&mut stream, 200, Page::Success);
                Served::Done(Ok(exchange))
            }
            Err(rejected) => {
                let error = rejected.error().clone();
                match rejected.into_pending() {
                    // Not attributable to this login (policy P-8): keep waiting.
                    Some(p) => {
                        respond(&mut stream, 400, Page::BadRequest);
                        Served::Keep(p, 400, "callback without the right state")
                    }
                    None => {
                        respond(&mut stream, 200, Page::Failure);
                        Served::Done(Err(WaitError::Flow(error)))
                    }
                }
            }
        }
    }
}

/// Where one request head goes, decided before any OAuth check.
#[derive(Debug, PartialEq, Eq)]
pub enum Route<'a> {
    /// Answer with this status and keep waiting.
    Stray {
        /// 400, 404 or 405.
        status: u16,
        /// Why, for `-v`.
        why: &'static str,
    },
    /// A GET of the redirect path on the right Host: its query goes to the callback check.
    Callback {
        /// The query, without `?` (possibly empty).
        query: &'a str,
    },
}

/// Routes a request head: only `GET {path}` with `Host: {authority}` exactly (the IP literal
/// and port bound, a DNS-rebinding defence, policy P-8) reaches the callback check. A body is
/// never looked at.
#[must_use]
pub fn route<'a>(head: &'a [u8], authority: &str, path: &str) -> Route<'a> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    if !matches!(request.parse(head), Ok(httparse::Status::Complete(_))) {
        return Route::Stray {
            status: 400,
            why: "malformed request",
        };
    }
    let (method, target) = (request.method.unwrap_or(""), request.path.unwrap_or(""));
    let mut hosts = request
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("host"));
    let host = hosts.next().map(|h| h.value);
    if host != Some(authority.as_bytes()) || hosts.next().is_some() {
        return Route::Stray {
            status: 400,
            why: "wrong Host header",
        };
    }
    let (target_path, query) = target.split_once('?').unwrap_or((target, ""));
    if target_path != path {
        return Route::Stray {
            status: 404,
            why: "another path",
        };
    }
    if method != "GET" {
        // A POST to the callback (a 307 from a misbehaving server) carries credentials;
        // its body is never read (RFC 9700 §4.12).
        return Route::Stray {
            status: 405,
            why: "not a GET",
        };
    }
    Route::Callback { query }
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

impl Page {
    fn for_status(status: u16) -> Self {
        match status {
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            _ => Self::BadRequest,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::{Route, route};

    const AUTH: &str = "127.0.0.1:5000";

    fn head(s: &str) -> Vec<u8> {
        s.replace('\n', "\r\n").into_bytes()
    }

    #[test]
    fn only_get_of_the_path_on_the_exact_host_reaches_the_callback() {
        let ok = head("GET /callback?code=a&state=b HTTP/1.1\nHost: 127.0.0.1:5000\n\n");
        assert_eq!(
            route(&ok, AUTH, "/callback"),
            Route::Callback {
                query: "code=a&state=b"
            }
        );
        let cases = [
            ("GET /favicon.ico HTTP/1.1\nHost: 127.0.0.1:5000\n\n", 404),
            ("GET /callback HTTP/1.1\nHost: localhost:5000\n\n", 400),
            ("GET /callback HTTP/1.1\n\n", 400),
            (
                "GET /callback HTTP/1.1\nHost: 127.0.0.1:5000\nHost: 127.0.0.1:5000\n\n",
                400,
            ),
            (
                "POST /callback HTTP/1.1\nHost: 127.0.0.1:5000\nContent-Length: 3\n\nabc",
                405,
            ),
            ("GET /callback/x HTTP/1.1\nHost: 127.0.0.1:5000\n\n", 404),
            ("garbage\n\n", 400),
        ];
        for (text, status) in cases {
            assert!(
                matches!(route(&head(text), AUTH, "/callback"), Route::Stray { status: s, .. } if s == status),
                "{text:?}"
            );
        }
    }
}
