//! Many OS processes share one stored session against the testkit server while its access
//! token keeps expiring: one refresh per expiry, no refresh token spent twice, and the same
//! scenario with the lock switched off shows the race. Plus a lock holder killed with
//! SIGKILL before and after its refresh request.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{ChildProcess, Redis, TempDir, key, login, server, sessions, wait_for_file};
use pkce_session::{
    FileStore, LoginReason, RedisStore, SessionError, SessionStore, Sessions, unix_now,
};
use pkce_ureq::Transport;

const CHILD_ENTRY: &str = "child_process_entry";

/// What one child is told, through its environment.
struct ChildPlan<'a> {
    issuer: &'a str,
    store: String,
    asks: u32,
    min_remaining: u64,
    out: &'a Path,
    extra: Vec<(&'static str, String)>,
}

fn spawn(plan: &ChildPlan<'_>) -> ChildProcess {
    let mut env = vec![
        ("PKCE_SESSION_CHILD", "1".to_owned()),
        ("CHILD_ISSUER", plan.issuer.to_owned()),
        ("CHILD_STORE", plan.store.clone()),
        ("CHILD_ASKS", plan.asks.to_string()),
        ("CHILD_MIN_REMAINING", plan.min_remaining.to_string()),
        ("CHILD_OUT", plan.out.display().to_string()),
    ];
    env.extend(plan.extra.iter().cloned());
    ChildProcess::spawn(CHILD_ENTRY, &env)
}

/// The body of every child process: asks for a fresh token `CHILD_ASKS` times, checks each
/// at the server's userinfo, and writes one line per ask to `CHILD_OUT`. Ignored in a normal
/// run; the tests above start it with `--ignored --exact` and its environment.
#[test]
#[ignore = "the body of the child processes the race tests start, not a test on its own"]
fn child_process_entry() {
    assert!(
        std::env::var_os("PKCE_SESSION_CHILD").is_some(),
        "started only by the race tests, which set its environment"
    );
    let var = |name: &str| std::env::var(name).expect(name);
    let issuer = var("CHILD_ISSUER");
    let store = var("CHILD_STORE");
    let lines = if let Some(dir) = store.strip_prefix("file:") {
        child_asks(&issuer, FileStore::open(dir).expect("the file store"))
    } else if let Some(addr) = store.strip_prefix("redis:") {
        // Its own connection, standing in for another machine.
        child_asks(&issuer, RedisStore::connect(addr, "race:").expect("Redis"))
    } else {
        panic!("unknown store {store}");
    };
    std::fs::write(var("CHILD_OUT"), lines.join("\n")).expect("the child's report");
}

fn child_asks<S: SessionStore>(issuer: &str, store: S) -> Vec<String> {
    let number = |name: &str| -> u64 { std::env::var(name).expect(name).parse().expect(name) };
    let sessions = sessions(issuer, store).min_remaining(number("CHILD_MIN_REMAINING"));
    let transport = Transport::new().unwrap();
    let userinfo = format!("{issuer}/userinfo");
    (0..number("CHILD_ASKS"))
        .map(|_| {
            sleep_to_next_tick();
            match transport.fresh_access_token(&sessions, &key(), unix_now()) {
                Ok(token) => {
                    let status = transport
                        .bearer_get(&userinfo, &token)
                        .map_or(0, |r| r.status);
                    format!("ok {status} {}", token.expose_secret())
                }
                Err(SessionError::LoginRequired(reason)) => format!("login-required {reason:?}"),
                Err(e) => format!("error {e}"),
            }
        })
        .collect()
}

/// Sleeps to the next multiple of 50 ms of the wall clock, so every process asks at the
/// same instant: the whole crowd meets each expiry at once.
fn sleep_to_next_tick() {
    const TICK: u128 = 50;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let wait = u64::try_from(TICK - now % TICK).unwrap_or(0);
    std::thread::sleep(Duration::from_millis(wait));
}

/// Every line of every child's report.
fn reports(dir: &Path, children: usize) -> Vec<String> {
    (0..children)
        .flat_map(|i| {
            let text = std::fs::read_to_string(dir.join(format!("out-{i}"))).unwrap_or_default();
            text.lines().map(str::to_owned).collect::<Vec<_>>()
        })
        .collect()
}

struct RaceResult {
    lines: Vec<String>,
    counters: pkce_testkit::RotationCounters,
    elapsed: Duration,
}

/// Runs `children` processes of `asks` asks each against one stored session.
fn race(store_spec: &str, store: impl SessionStore + Sync, unlocked: bool) -> RaceResult {
    const CHILDREN: usize = 16;
    // Tokens live 1 s and stored expiries are whole seconds, so with `min_remaining` 1 a
    // token is fresh only within the wall-clock second it was issued in: one refresh a second.
    let server = server(1);
    let sessions = sessions(server.issuer(), store);
    login(&server, &sessions);
    let out = TempDir::new("race-out");
    let extra = if unlocked {
        vec![("PKCE_SESSION_TEST_NO_LOCK", "1".to_owned())]
    } else {
        vec![]
    };
    let started = Instant::now();
    let mut children: Vec<_> = (0..CHILDREN)
        .map(|i| {
            spawn(&ChildPlan {
                issuer: server.issuer(),
                store: store_spec.to_owned(),
                asks: 50,
                min_remaining: 1,
                out: &out.path().join(format!("out-{i}")),
                extra: extra.clone(),
            })
        })
        .collect();
    // Meanwhile this process reads the session without a lock, every millisecond: every
    // version it ever sees is a whole session, and it is never gone.
    let done = AtomicBool::new(false);
    let reads = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut reads = 0_u64;
            while !done.load(Ordering::Relaxed) {
                match sessions.load(&key()) {
                    Ok(Some(_)) => reads += 1,
                    Ok(None) => panic!("the stored session disappeared"),
                    Err(e) => panic!("a read saw a damaged session: {e}"),
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            reads
        });
        for child in &mut children {
            assert!(child.wait(Duration::from_secs(60)).success());
        }
        done.store(true, Ordering::Relaxed);
        reader.join().expect("the reader saw only whole sessions")
    });
    assert!(reads > 0);
    let elapsed = started.elapsed();
    let lines = reports(out.path(), CHILDREN);
    assert_eq!(lines.len(), CHILDREN * 50, "every ask is reported");
    RaceResult {
        lines,
        counters: server.rotation_counters(),
        elapsed,
    }
}

/// The assertions of a race with the lock on.
fn assert_single_flight(store: &str, r: &RaceResult) {
    let failures: Vec<_> = r.lines.iter().filter(|l| !l.starts_with("ok ")).collect();
    assert!(
        failures.is_empty(),
        "failed asks: {:?}",
        &failures[..failures.len().min(5)]
    );
    let rejected = r.lines.iter().filter(|l| !l.starts_with("ok 200 ")).count();
    assert_eq!(rejected, 0, "every token returned is accepted at userinfo");
    assert_eq!(r.counters.reuse_detections, 0);
    assert_eq!(r.counters.families_revoked, 0);
    // Every refresh produced a token that some process returned, and there was at most one
    // refresh per second (per expiry).
    let tokens: HashSet<_> = r.lines.iter().filter_map(|l| l.split(' ').nth(2)).collect();
    let refreshes = r.counters.refreshes_served;
    assert!(
        refreshes >= 1,
        "the token expired during the run, so it was refreshed"
    );
    assert!(
        tokens.len() >= refreshes,
        "every refresh's token was used ({} tokens, {refreshes} refreshes)",
        tokens.len()
    );
    let seconds = usize::try_from(r.elapsed.as_secs()).unwrap_or(usize::MAX);
    assert!(
        refreshes <= seconds + 2,
        "at most one refresh per expiry: {refreshes} refreshes in {:?}",
        r.elapsed
    );
    eprintln!(
        "single-flight ({store}): {} asks, {refreshes} refreshes, {:?}",
        r.lines.len(),
        r.elapsed
    );
}

#[test]
fn sixteen_processes_sharing_a_file_session_refresh_once_per_expiry() {
    let dir = TempDir::new("race-file");
    let store = FileStore::open(dir.path()).unwrap();
    let spec = format!("file:{}", dir.path().display());
    assert_single_flight("file", &race(&spec, store, false));
}

#[test]
fn sixteen_processes_sharing_a_redis_session_refresh_once_per_expiry() {
    let redis = Redis::start();
    let store = RedisStore::connect(&redis.addr, "race:").unwrap();
    assert_single_flight(
        "redis",
        &race(&format!("redis:{}", redis.addr), store, false),
    );
}

/// The assertions of a race with the lock off: the race shows.
fn assert_race_shows(store: &str, r: &RaceResult) {
    let refused = r.lines.iter().filter(|l| !l.starts_with("ok ")).count();
    eprintln!(
        "unlocked ({store}): {} refreshes, {} reuse detections, {} revoked, {refused} failed asks, {:?}",
        r.counters.refreshes_served,
        r.counters.reuse_detections,
        r.counters.families_revoked,
        r.elapsed
    );
    assert!(
        r.counters.reuse_detections >= 1,
        "the race shows: a refresh token spent twice"
    );
    assert!(r.counters.families_revoked >= 1);
    assert!(refused >= 1, "and some process is told to log in again");
}

#[test]
fn without_the_lock_processes_sharing_a_file_session_spend_a_refresh_token_twice() {
    let dir = TempDir::new("race-unlocked");
    let store = FileStore::open(dir.path()).unwrap();
    let spec = format!("file:{}", dir.path().display());
    assert_race_shows("file", &race(&spec, store, true));
}

#[test]
fn without_the_lock_processes_sharing_a_redis_session_spend_a_refresh_token_twice() {
    let redis = Redis::start();
    let store = RedisStore::connect(&redis.addr, "race:").unwrap();
    assert_race_shows(
        "redis",
        &race(&format!("redis:{}", redis.addr), store, true),
    );
}

/// Logs in, starts one child that pauses at `point` while holding the lock, and kills it.
fn kill_lock_holder_at(point: &str) -> (pkce_testkit::AuthServer, TempDir, Sessions<FileStore>) {
    let server = server(3600);
    let dir = TempDir::new(point);
    let sessions = sessions(server.issuer(), FileStore::open(dir.path()).unwrap());
    login(&server, &sessions);
    let marker = dir.path().join("paused");
    let out = dir.path().join("holder-out");
    let mut holder = spawn(&ChildPlan {
        issuer: server.issuer(),
        store: format!("file:{}", dir.path().display()),
        asks: 1,
        // Every ask wants a refresh: no token has an hour left.
        min_remaining: 7200,
        out: &out,
        extra: vec![(
            "PKCE_SESSION_TEST_PAUSE",
            format!("{point}:{}", marker.display()),
        )],
    });
    wait_for_file(&marker);
    // The holder really holds the lock: this process cannot take it.
    let blocked = sessions.store().lock(&key(), Duration::from_millis(100));
    assert!(matches!(blocked, Err(SessionError::LockTimeout)));
    holder.kill();
    (server, dir, sessions)
}

/// Runs four children of two asks each after a killed holder; returns their report lines.
fn survivors(server: &pkce_testkit::AuthServer, dir: &TempDir) -> Vec<String> {
    let mut children: Vec<_> = (0..4)
        .map(|i| {
            spawn(&ChildPlan {
                issuer: server.issuer(),
                store: format!("file:{}", dir.path().display()),
                asks: 2,
                min_remaining: 7200,
                out: &dir.path().join(format!("out-{i}")),
                extra: vec![],
            })
        })
        .collect();
    for child in &mut children {
        assert!(child.wait(Duration::from_secs(30)).success());
    }
    reports(dir.path(), 4)
}

#[test]
fn a_holder_killed_before_sending_its_refresh_blocks_nobody() {
    let (server, dir, sessions) = kill_lock_holder_at("locked");
    let lines = survivors(&server, &dir);
    assert_eq!(lines.len(), 8);
    assert!(lines.iter().all(|l| l.starts_with("ok 200 ")), "{lines:?}");
    assert_eq!(
        server.rotation_counters().refreshes_served,
        8,
        "each ask refreshed once"
    );
    assert_eq!(server.rotation_counters().reuse_detections, 0);
    let stored = sessions.load(&key()).unwrap().expect("the session is kept");
    assert!(!stored.stale);
}

#[test]
fn a_holder_killed_after_its_refresh_was_answered_leaves_a_kept_stale_session() {
    let (server, dir, sessions) = kill_lock_holder_at("answered");
    // The server rotated for the killed holder; its new refresh token died with it.
    assert_eq!(server.rotation_counters().refreshes_served, 1);
    let started = Instant::now();
    let lines = survivors(&server, &dir);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "nobody waits for the dead holder"
    );
    assert_eq!(lines.len(), 8);
    assert!(
        lines.iter().all(|l| l.starts_with("login-required ")),
        "the lost refresh is reported as such: {lines:?}"
    );
    assert!(lines.iter().any(|l| l.ends_with("Refused")));
    assert_eq!(
        server.rotation_counters().reuse_detections,
        1,
        "one replay, then no request"
    );
    let stored = sessions
        .load(&key())
        .unwrap()
        .expect("the session is kept, not deleted");
    assert!(stored.stale);
    assert!(matches!(
        sessions.begin(&key(), unix_now()).map(|_| ()),
        Err(SessionError::LoginRequired(LoginReason::Stale))
    ));
}
