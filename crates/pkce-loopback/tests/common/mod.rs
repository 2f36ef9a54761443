//! What the listener tests share: a login in progress, and a raw browser over std sockets.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use pkce_flow::{Client, PendingAuthorization};
use pkce_loopback::{Listener, LoopbackHost};

pub const ISSUER_QUERY: &str = "iss=https%3A%2F%2Fas.example";

/// A bound listener, the pending authorization it waits for, and that login's state.
pub struct Login {
    pub listener: Listener,
    pub pending: PendingAuthorization,
    pub state: String,
    pub addr: SocketAddr,
}

pub fn login(listener: Listener) -> Login {
    let client = Client::builder("app")
        .issuer("https://as.example")
        .authorization_endpoint("https://as.example/authorize")
        .token_endpoint("https://as.example/token")
        .redirect_uri(listener.redirect_uri())
        .build()
        .unwrap();
    let (_, pending) = client.authorize_with_os_rng().unwrap();
    let state = pending.state().expose_secret().to_owned();
    let addr = listener.local_addr().unwrap();
    Login {
        listener,
        pending,
        state,
        addr,
    }
}

pub fn v4() -> Listener {
    Listener::bind(LoopbackHost::V4, 0, "/callback").unwrap()
}

/// The query of the real callback for `state`.
pub fn real_query(state: &str) -> String {
    format!("code=SplxlOBeZQQYbYS6WxSbIA&state={state}&{ISSUER_QUERY}")
}

/// Sends `head` (LF line ends become CRLF) and reads the whole answer.
pub fn send(addr: SocketAddr, head: &str) -> String {
    send_within(addr, head, Duration::from_secs(20))
}

/// [`send`], giving up reading after `time` (an empty answer then).
pub fn send_within(addr: SocketAddr, head: &str, time: Duration) -> String {
    let mut socket = TcpStream::connect(addr).unwrap();
    socket.set_read_timeout(Some(time)).unwrap();
    socket
        .write_all(head.replace('\n', "\r\n").as_bytes())
        .unwrap();
    let mut answer = String::new();
    let _ = socket.read_to_string(&mut answer);
    answer
}

/// A browser's GET of `target` on the listener at `addr`.
pub fn get(addr: SocketAddr, target: &str) -> String {
    send(addr, &format!("GET {target} HTTP/1.1\nHost: {addr}\n\n"))
}

/// The status code of an answer (0 when there was none).
pub fn status(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
