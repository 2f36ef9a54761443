//! Connections served at once within caps, and a deadline nothing stretches: idle
//! connections, one-byte-at-a-time senders and late callbacks, over real sockets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{login, real_query, send_within, status, v4};
use pkce_loopback::{Limits, WaitError};

/// Generous: the real callback is answered in milliseconds; this only catches a listener
/// that waits for other connections first.
const PROMPT: Duration = Duration::from_secs(3);

fn idle(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    (0..n).map(|_| TcpStream::connect(addr).unwrap()).collect()
}

/// Sends `GET /callback` one byte every 50 ms, never finishing, until `stop` (or for 10 s at
/// most, so that a listener that waits for it fails the test instead of hanging it).
fn slowloris(addr: SocketAddr, stop: Arc<AtomicBool>) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let started = Instant::now();
        let mut socket = TcpStream::connect(addr).unwrap();
        let text = format!("GET /callback?state=x HTTP/1.1\r\nHost: {addr}\r\nX-Pad: ");
        let bytes = text.bytes().chain(std::iter::repeat(b'a'));
        for byte in bytes {
            let done = stop.load(Ordering::Relaxed) || started.elapsed() > Duration::from_secs(10);
            if done || socket.write_all(&[byte]).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(50));
        }
    })
}

/// The real callback, sent from another thread after `delay`; gives the answer's status and
/// how long the answer took from the moment the request was sent.
fn browser(addr: SocketAddr, state: &str, delay: Duration) -> thread::JoinHandle<(u16, Duration)> {
    let head = format!(
        "GET /callback?{} HTTP/1.1\nHost: {addr}\n\n",
        real_query(state)
    );
    thread::spawn(move || {
        thread::sleep(delay);
        let sent = Instant::now();
        // Longer than any test waits: a missing answer shows as a slow one.
        let answer = send_within(addr, &head, Duration::from_secs(12));
        (status(&answer), sent.elapsed())
    })
}

#[test]
fn idle_connections_at_the_cap_do_not_keep_the_real_callback_from_being_answered() {
    let l = login(v4().with_limits(Limits::default().max_connections(4)));
    // Twice the cap: the listener must make room for the browser.
    let _held = idle(l.addr, 8);
    let real = browser(l.addr, &l.state, Duration::from_millis(300));
    let started = Instant::now();
    let waited = l.listener.wait(l.pending, Duration::from_secs(30));
    assert!(waited.is_ok(), "{waited:?}");
    let (status, took) = real.join().unwrap();
    assert_eq!(status, 200);
    assert!(took < PROMPT, "answered after {took:?}");
    assert!(started.elapsed() < PROMPT + Duration::from_millis(300));
}

#[test]
fn slow_one_byte_senders_do_not_delay_the_real_callback() {
    let l = login(v4());
    let stop = Arc::new(AtomicBool::new(false));
    let slow: Vec<_> = (0..8)
        .map(|_| slowloris(l.addr, Arc::clone(&stop)))
        .collect();
    let real = browser(l.addr, &l.state, Duration::from_millis(300));
    let waited = l.listener.wait(l.pending, Duration::from_secs(30));
    stop.store(true, Ordering::Relaxed);
    assert!(waited.is_ok(), "{waited:?}");
    let (status, took) = real.join().unwrap();
    assert_eq!(status, 200);
    assert!(took < PROMPT, "answered after {took:?}");
    for s in slow {
        s.join().unwrap();
    }
}

#[test]
fn a_callback_after_the_deadline_is_refused_while_other_connections_are_open() {
    let l = login(v4());
    let _held = idle(l.addr, 4);
    let stop = Arc::new(AtomicBool::new(false));
    let slow = slowloris(l.addr, Arc::clone(&stop));
    // The real callback arrives 200 ms after the deadline, the others still open.
    let late = browser(l.addr, &l.state, Duration::from_millis(1200));
    let waited = l.listener.wait(l.pending, Duration::from_secs(1));
    assert!(matches!(waited, Err(WaitError::Timeout)), "{waited:?}");
    // The listener socket is still bound (`l.listener` lives): nobody answers the browser.
    stop.store(true, Ordering::Relaxed);
    slow.join().unwrap();
    // Nothing answers it once the wait is over; dropping the listener (once the browser has
    // connected) resets it.
    thread::sleep(Duration::from_millis(500));
    drop(l.listener);
    let (status, _) = late.join().unwrap();
    assert_ne!(status, 200);
}

#[test]
fn the_deadline_holds_with_idle_and_slow_connections_open() {
    let l = login(v4());
    let _held = idle(l.addr, 6);
    let stop = Arc::new(AtomicBool::new(false));
    let slow: Vec<_> = (0..2)
        .map(|_| slowloris(l.addr, Arc::clone(&stop)))
        .collect();
    let started = Instant::now();
    let waited = l.listener.wait(l.pending, Duration::from_secs(1));
    let took = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    assert!(matches!(waited, Err(WaitError::Timeout)), "{waited:?}");
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_millis(1500),
        "returned after {took:?}"
    );
    for s in slow {
        s.join().unwrap();
    }
}

#[test]
fn a_connection_that_does_not_finish_its_head_in_time_is_answered_408_and_closed() {
    let l = login(v4().with_limits(Limits::default().connection_time(Duration::from_millis(300))));
    let addr = l.addr;
    let stalled = thread::spawn(move || common::send(addr, "GET /callback HTTP/1.1\nHost: "));
    let real = browser(l.addr, &l.state, Duration::from_millis(800));
    let mut strays = Vec::new();
    let waited = l
        .listener
        .wait_with(l.pending, Duration::from_secs(10), |s, _| strays.push(s));
    assert!(waited.is_ok(), "{waited:?}");
    assert_eq!(status(&stalled.join().unwrap()), 408);
    assert_eq!(real.join().unwrap().0, 200);
    assert_eq!(strays, [408]);
}
