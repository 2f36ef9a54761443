//! Logins per second through the app, and the latency of `/callback`, with many concurrent
//! scripted browsers on loopback: the app as a real process (the bench profile's binary),
//! the testkit approving at once. Run by `cargo xtask bench`; prints `webapp | ...` lines.
//!
//! Each login is the whole browser round: `GET /login`, the authorization server's redirect,
//! `GET /callback` (timed: opening the seal, validating, the code exchange with
//! `client_secret_basic`, storing the session) and the `303` to `/me`.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{App, Browser, Options};
use pkce_testkit::{AuthServer, RedisServer, ServerConfig};

const BROWSERS: usize = 32;
const LOGINS_PER_BROWSER: usize = 25;

/// Runs every browser's logins against `apps` (browser `i` starts on `apps[i % n]` and
/// finishes on the next one); returns the wall time and every `/callback` latency.
fn run(apps: &[App]) -> (Duration, Vec<Duration>) {
    let started = Instant::now();
    let latencies = std::thread::scope(|s| {
        let workers: Vec<_> = (0..BROWSERS)
            .map(|i| {
                s.spawn(move || {
                    let mut browser = Browser::new();
                    let mut latencies = Vec::with_capacity(LOGINS_PER_BROWSER);
                    for _ in 0..LOGINS_PER_BROWSER {
                        let callback = browser.start_login(&apps[i % apps.len()]);
                        let finish = &apps[(i + 1) % apps.len()];
                        let at = Instant::now();
                        let answer = browser.get(&finish.at(common::path_and_query(&callback)));
                        latencies.push(at.elapsed());
                        assert_eq!(answer.status, 303, "{answer:?}");
                    }
                    latencies
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect::<Vec<_>>()
    });
    (started.elapsed(), latencies)
}

fn report(name: &str, wall: Duration, mut latencies: Vec<Duration>) {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    let logins = latencies.len();
    println!(
        "webapp | {name} | {BROWSERS} browsers | {logins} logins | {:.0} logins/s | /callback p50 {:.2} ms | p99 {:.2} ms",
        logins as f64 / wall.as_secs_f64(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
    );
}

fn main() {
    let server = AuthServer::start_with(ServerConfig {
        auto_approve: true,
        ..ServerConfig::default()
    })
    .unwrap();
    let memory = [App::start(&server, &Options::default())];
    let (wall, latencies) = run(&memory);
    report("memory store, 1 instance", wall, latencies);
    drop(memory);

    let redis = RedisServer::start().unwrap();
    let options = Options {
        public_url: Some("http://127.0.0.1:9".to_owned()),
        redis: Some(redis.addr().to_owned()),
        ..Options::default()
    };
    let fleet = [App::start(&server, &options), App::start(&server, &options)];
    let (wall, latencies) = run(&fleet);
    report("Redis store, 2 instances", wall, latencies);
}
