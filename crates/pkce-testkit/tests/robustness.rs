//! The server survives hostile input: raw garbage, oversized heads, idle connections and
//! malformed parameters all get an answer (or a closed connection), never a dead server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{get, post_form};
use pkce_testkit::{AuthServer, clients};

/// Sends `bytes` on a fresh connection and returns whatever comes back before the close.
fn raw(server: &AuthServer, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    // The server may close early (that is allowed); a failed write is not a test failure.
    let _ = stream.write_all(bytes);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn alive(server: &AuthServer) {
    assert_eq!(
        get(&server.url("/.well-known/openid-configuration")).status,
        200
    );
}

#[test]
fn garbage_and_oversized_heads_are_refused() {
    let server = AuthServer::start().unwrap();
    let garbage: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let reply = raw(&server, &garbage);
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 4"),
        "{reply}"
    );
    alive(&server);
    let long = format!(
        "GET /authorize?{} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(70 * 1024)
    );
    let reply = raw(&server, long.as_bytes());
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 4"),
        "{reply}"
    );
    alive(&server);
    let lying = "POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 999999999\r\n\r\nabc";
    assert!(raw(&server, lying.as_bytes()).starts_with("HTTP/1.1 413"));
    alive(&server);
}

#[test]
fn an_idle_connection_blocks_no_one() {
    let server = AuthServer::start().unwrap();
    let _idle = TcpStream::connect(server.addr()).unwrap();
    let mut half = TcpStream::connect(server.addr()).unwrap();
    half.write_all(b"GET /token HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    alive(&server);
}

#[test]
fn malformed_parameters_get_errors() {
    let server = AuthServer::start().unwrap();
    for query in [
        "client_id=%ff%fe&redirect_uri=%zz",
        "client_id=pkce-public&client_id=pkce-public",
        "%zz=1&client_id=pkce-public",
        "client_id=pkce-public&redirect_uri=http%3A%2F%2F127.0.0.1%3A99999%2Fcallback",
        "client_id=pkce-public&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A",
        "request_uri=%ff",
        "&&&===&",
        "",
    ] {
        let reply = get(&format!("{}?{query}", server.url("/authorize")));
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        assert!(reply.header("location").is_none());
    }
    let decision = server.url("/authorize/decision");
    for body in [
        "interaction=%ff&decision=approve",
        "decision=maybe",
        "interaction=x&interaction=y&decision=deny",
    ] {
        let pairs: Vec<(&str, &str)> = body.split('&').filter_map(|p| p.split_once('=')).collect();
        assert_eq!(post_form(&decision, None, &pairs).status, 400, "{body}");
    }
    for body in [
        "client_id=%ff",
        "client_id=pkce-public&grant_type=%zz",
        "client_id=pkce-public&code=a&code=a",
    ] {
        let reply = common::agent()
            .post(&server.url("/token"))
            .content_type("application/x-www-form-urlencoded")
            .send(body)
            .unwrap();
        assert_eq!(reply.status(), 400, "{body}");
    }
    let reply = post_form(
        &server.url("/token"),
        Some("Basic %%%"),
        &[("grant_type", "refresh_token")],
    );
    assert_eq!(reply.status, 401);
    let reply = post_form(
        &server.url("/token"),
        None,
        &[
            ("client_id", clients::PUBLIC_ID),
            ("grant_type", "authorization_code"),
        ],
    );
    assert_eq!(reply.error(), "invalid_request");
    alive(&server);
}

/// Async tests (reqwest) start and drop servers inside a tokio runtime: the server's own
/// runtime must neither clash with it nor depend on it.
#[tokio::test]
async fn usable_from_inside_a_tokio_runtime() {
    let server = AuthServer::start().unwrap();
    let url = server.url("/.well-known/oauth-authorization-server");
    let status = tokio::task::spawn_blocking(move || get(&url).status)
        .await
        .unwrap();
    assert_eq!(status, 200);
    drop(server);
}
