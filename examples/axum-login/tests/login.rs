//! The login app end to end: real app processes, the testkit as the authorization server, a
//! scripted browser that keeps cookies, and Redis shared by a fleet of two instances.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use common::{App, Browser, OTHER_SEAL_KEY, Options, assert_shows_user, path_and_query};
use pkce_testkit::{AuthServer, Endpoint, RedisServer, ServerConfig};

const LOGIN: &str = "pkce-login";
const SESSION: &str = "pkce-session";

/// Two instances behind one (notional) public URL, sharing Redis and the seal key.
fn fleet(server: &AuthServer, redis: &RedisServer) -> (App, App) {
    let options = Options {
        public_url: Some("http://127.0.0.1:9/".to_owned()),
        redis: Some(redis.addr().to_owned()),
        ..Options::default()
    };
    (App::start(server, &options), App::start(server, &options))
}

/// The authorization server and one instance with its memory store.
fn one_app() -> (AuthServer, App) {
    let server = AuthServer::start().unwrap();
    let app = App::start(&server, &Options::default());
    (server, app)
}

#[test]
fn a_login_started_on_one_instance_finishes_on_another_and_logout_revokes() {
    let server = AuthServer::start().unwrap();
    let redis = RedisServer::start().unwrap();
    let (a, b) = fleet(&server, &redis);
    let mut browser = Browser::new();

    let answer = browser.get(&a.at("/login"));
    let set = answer.set_cookies.join("\n");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(
        !set.contains("Secure") && !set.contains("__Host-"),
        "plain http: {set}"
    );
    let authorize = answer.location.unwrap();
    let callback = pkce_testkit::UserAgent::new().approve(&authorize).unwrap();
    assert!(
        callback.starts_with("http://127.0.0.1:9/callback?"),
        "{callback}"
    );

    // The load balancer sends the callback to instance B.
    let answer = browser.get(&b.at(path_and_query(&callback)));
    assert_eq!(
        (answer.status, answer.location.as_deref()),
        (303, Some("/me")),
        "{answer:?}"
    );
    assert_eq!(browser.cookie(LOGIN), None, "the login cookie is deleted");
    let id = browser.cookie(SESSION).unwrap().to_owned();
    assert_eq!(id.len(), 43, "the session cookie is a random id, no token");

    // Either instance serves the session.
    for app in [&a, &b] {
        let me = browser.get(&app.at("/me"));
        assert_shows_user(&me, "alice");
    }

    let out = browser.post(&b.at("/logout"));
    assert_eq!(out.status, 200, "{out:?}");
    assert!(
        out.body.contains("signed out") && !out.body.contains("warning"),
        "{}",
        out.body
    );
    assert_eq!(browser.cookie(SESSION), None);
    assert_eq!(server.hits(Endpoint::Revocation), 1);
    assert_eq!(
        server.rotation_counters().families_revoked,
        1,
        "the grant is revoked"
    );

    // The old session id is worthless on every instance.
    browser.put_cookie(SESSION, Some(&id));
    assert_eq!(browser.get(&a.at("/me")).status, 401);
}

#[test]
fn a_login_cookie_sealed_with_another_key_is_refused() {
    let (server, app) = one_app();
    let outsider = App::start(
        &server,
        &Options {
            seal_keys: Some(OTHER_SEAL_KEY),
            ..Options::default()
        },
    );
    let mut browser = Browser::new();
    let callback = browser.start_login(&app);
    let answer = browser.get(&outsider.at(path_and_query(&callback)));
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(
        answer.body.contains("Login cookie refused"),
        "{}",
        answer.body
    );
    assert_eq!(server.hits(Endpoint::Token), 0);
}

#[test]
fn a_replayed_callback_url_is_refused() {
    let (server, app) = one_app();
    let mut browser = Browser::new();
    let callback = browser.start_login(&app);
    let sealed = browser.cookie(LOGIN).unwrap().to_owned();
    assert_eq!(browser.get(&callback).status, 303);

    // The same browser: its login cookie is gone.
    let again = browser.get(&callback);
    assert_eq!(again.status, 400, "{again:?}");
    assert!(again.body.contains("no login cookie"), "{}", again.body);
    assert_eq!(server.hits(Endpoint::Token), 1);

    // With the old login cookie put back: the code was redeemed, the server refuses it.
    browser.put_cookie(LOGIN, Some(&sealed));
    let replay = browser.get(&callback);
    assert_eq!(replay.status, 502, "{replay:?}");
    assert!(replay.body.contains("invalid_grant"), "{}", replay.body);
    assert_eq!(browser.cookie(LOGIN), None);
}

#[test]
fn a_callback_with_the_cookie_of_another_login_is_refused() {
    let (server, app) = one_app();
    let mut browser = Browser::new();
    let first = browser.start_login(&app);
    // A second login in the same browser replaces the login cookie.
    let second = browser.start_login(&app);
    let answer = browser.get(&first);
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(answer.body.contains("state"), "{}", answer.body);
    assert_eq!(server.hits(Endpoint::Token), 0);
    // The refused callback left this browser's own login in place.
    assert_eq!(browser.get(&second).status, 303);
    assert_eq!(browser.get(&app.at("/me")).status, 200);
}

#[test]
fn a_callback_without_the_login_cookie_is_refused() {
    let (server, app) = one_app();
    let mut victim = Browser::new();
    // An attacker starts a login and sends its callback URL to another browser.
    let mut attacker = Browser::new();
    let callback = attacker.start_login(&app);
    let answer = victim.get(&callback);
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(answer.body.contains("no login cookie"), "{}", answer.body);
    assert_eq!(victim.cookie(SESSION), None);
    assert_eq!(server.hits(Endpoint::Token), 0);
}

#[test]
fn me_refreshes_an_expiring_access_token_and_needs_a_session() {
    let server = AuthServer::start_with(ServerConfig {
        // Under the sessions' 60 s minimum: every `/me` refreshes.
        access_token_ttl: 30,
        ..ServerConfig::default()
    })
    .unwrap();
    let app = App::start(&server, &Options::default());
    let mut browser = Browser::new();
    assert_eq!(browser.get(&app.at("/me")).status, 401);
    let callback = browser.start_login(&app);
    assert_eq!(browser.get(&callback).status, 303);
    for _ in 0..2 {
        let me = browser.get(&app.at("/me"));
        assert!(me.body.contains(">alice<"), "{me:?}");
    }
    let counters = server.rotation_counters();
    assert_eq!(
        (counters.refreshes_served, counters.reuse_detections),
        (2, 0)
    );
}

#[test]
fn a_denied_login_shows_an_escaped_error_page() {
    let (server, app) = one_app();
    let mut browser = Browser::new();
    let authorize = browser.get(&app.at("/login")).location.unwrap();
    let denied = pkce_testkit::UserAgent::new().deny(&authorize).unwrap();
    // The description is the server's text: markup in it must stay text.
    let (before, after) = denied.split_once("error_description=").unwrap();
    let rest = after.split_once('&').map_or("", |(_, r)| r);
    let hostile = format!("{before}error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&{rest}");
    let answer = browser.get(&hostile);
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(answer.body.contains("access_denied"), "{}", answer.body);
    assert!(
        answer.body.contains("&lt;script&gt;alert(1)"),
        "{}",
        answer.body
    );
    assert!(!answer.body.contains("<script"), "{}", answer.body);
    assert_eq!(browser.cookie(LOGIN), None, "an answered login is over");
    assert_eq!(server.hits(Endpoint::Token), 0);
}
