//! The listener over real sockets: strays and forged callbacks answered while it keeps
//! waiting, the pages' headers, the final answers, and the refusals it hands back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::net::SocketAddr;
use std::thread;
use std::time::Duration;

use common::{ISSUER_QUERY, login, real_query, send, status, v4};
use pkce_flow::{Error, Mismatch};
use pkce_loopback::{Limits, Listener, LoopbackHost, WaitError};

/// Runs `requests` (each a head for `send`, `{addr}` replaced) one after another from a
/// browser thread while the listener waits; gives the wait's result, the statuses the
/// browser saw, and the strays the listener reported.
fn serve(
    listener: Listener,
    pending: pkce_flow::PendingAuthorization,
    requests: Vec<String>,
) -> (
    Result<pkce_flow::TokenExchange, WaitError>,
    Vec<String>,
    Vec<u16>,
) {
    let addr: SocketAddr = listener.local_addr().unwrap();
    let browser = thread::spawn(move || {
        requests
            .iter()
            .map(|r| send(addr, &r.replace("{addr}", &addr.to_string())))
            .collect::<Vec<_>>()
    });
    let mut strays = Vec::new();
    let waited = listener.wait_with(pending, Duration::from_secs(20), |s, why| {
        assert!(!why.is_empty());
        strays.push(s);
    });
    (waited, browser.join().unwrap(), strays)
}

fn request(target: &str) -> String {
    format!("GET {target} HTTP/1.1\nHost: {{addr}}\n\n")
}

#[test]
fn strays_and_forged_callbacks_are_answered_and_the_real_callback_still_ends_the_wait() {
    let l = login(v4());
    let real = format!("/callback?{}", real_query(&l.state));
    let requests = vec![
        request("/favicon.ico"),
        format!("GET {real} HTTP/1.1\nHost: localhost:{}\n\n", l.addr.port()),
        format!("POST {real} HTTP/1.1\nHost: {{addr}}\nContent-Length: 5\n\nabcde"),
        request(&format!("/callback?code=abc&state=FORGED&{ISSUER_QUERY}")),
        request("/callback"),
        "garbage\n\n".to_owned(),
        request(&real),
    ];
    let (waited, answers, strays) = serve(l.listener, l.pending, requests);
    assert!(waited.is_ok(), "{waited:?}");
    let statuses: Vec<u16> = answers.iter().map(|a| status(a)).collect();
    assert_eq!(statuses, [404, 400, 405, 400, 400, 400, 200]);
    assert_eq!(strays, [404, 400, 405, 400, 400, 400]);
    for answer in &answers {
        let head = answer.split("\r\n\r\n").next().unwrap();
        for header in [
            "Cache-Control: no-store",
            "Referrer-Policy: no-referrer",
            "Content-Security-Policy: default-src 'none'",
            "Connection: close",
        ] {
            assert!(head.contains(header), "{header} missing in {head}");
        }
        assert!(!answer.contains(&l.state), "a page echoes the state");
    }
}

/// A callback `error=access_denied` with this login's state and `iss` (URL-encoded), as the
/// only request: the refusal the wait ends with, and the page the browser got.
fn refused_with_iss(iss: &str) -> (pkce_flow::Rejected, String) {
    let l = login(v4());
    let target = format!("/callback?error=access_denied&state={}&iss={iss}", l.state);
    let (waited, mut answers, _) = serve(l.listener, l.pending, vec![request(&target)]);
    let cause = waited.as_ref().err().and_then(std::error::Error::source);
    assert!(
        cause.is_some_and(|c| c.downcast_ref::<Error>().is_some()),
        "the refusal chains to the flow's error"
    );
    let Err(WaitError::Rejected(rejected)) = waited else {
        panic!("{waited:?}");
    };
    (rejected, answers.remove(0))
}

#[test]
fn an_error_answering_this_login_ends_the_wait_with_the_refusal() {
    let (rejected, page) = refused_with_iss("https%3A%2F%2Fas.example");
    assert!(matches!(rejected.error(), Error::Authorization(_)));
    assert!(rejected.unverified_error().is_none());
    assert!(page.starts_with("HTTP/1.1 200"));
    assert!(page.contains("Login failed"));
}

#[test]
fn a_mix_up_ends_the_wait_and_keeps_the_unverified_error_for_logs() {
    let (rejected, page) = refused_with_iss("https%3A%2F%2Fevil.example");
    assert_eq!(rejected.error(), &Error::Mismatch(Mismatch::IssuerMismatch));
    let unverified = rejected.unverified_error().unwrap();
    assert_eq!(unverified.code().raw(), "access_denied");
    assert!(page.contains("Login failed"));
}

#[test]
fn a_head_over_the_cap_is_answered_431_and_the_wait_goes_on() {
    let l = login(v4().with_limits(Limits::default().max_head_bytes(1024)));
    let big = format!(
        "GET /callback HTTP/1.1\nHost: {{addr}}\nX-Pad: {}\n\n",
        "a".repeat(4000)
    );
    let real = request(&format!("/callback?{}", real_query(&l.state)));
    let (waited, answers, strays) = serve(l.listener, l.pending, vec![big, real]);
    assert!(waited.is_ok(), "{waited:?}");
    // The unread rest of the head may reset the connection before the 431 page is read.
    assert!(matches!(status(&answers[0]), 431 | 0), "{}", answers[0]);
    assert_eq!(status(&answers[1]), 200);
    assert_eq!(strays, [431]);
}

#[test]
fn the_ipv6_listener_names_its_address_in_brackets_and_checks_that_host() {
    let Ok(listener) = Listener::bind(LoopbackHost::V6, 0, "cb") else {
        // No IPv6 loopback on this machine (some containers): nothing to test.
        return;
    };
    let port = listener.local_addr().unwrap().port();
    assert_eq!(listener.redirect_uri(), format!("http://[::1]:{port}/cb"));
    let l = login(listener);
    let real = request(&format!("/cb?{}", real_query(&l.state)));
    let (waited, answers, _) = serve(l.listener, l.pending, vec![real]);
    assert!(waited.is_ok(), "{waited:?}");
    assert_eq!(status(&answers[0]), 200);
}

#[test]
fn a_path_that_cannot_be_in_a_redirect_uri_is_refused_at_bind() {
    for path in ["/a?b", "/a#b", "/a b", "/a\\b", "/é"] {
        let e = Listener::bind(LoopbackHost::V4, 0, path).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput, "{path}");
    }
}
