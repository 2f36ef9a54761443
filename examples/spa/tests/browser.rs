//! The SPA's whole login in headless Chromium, against the testkit over loopback: the
//! built app (`cargo xtask spa` builds it and runs these with `--ignored`) is served on one
//! loopback origin, the testkit on another answering CORS for it, and Chromium is driven
//! through chromedriver, because a full-page redirect ends a `wasm-bindgen-test` page.
//!
//! Each test reads what the page shows (`#app`'s `data-state`, the user or the error), the
//! tab's address and its `sessionStorage`, and asks the testkit how many token requests it
//! saw.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use pkce_fetch::DEFAULT_STORAGE_KEY as KEY;
use pkce_testkit::{AuthServer, Endpoint, ServerConfig, clients};
use support::static_files::StaticApp;
use support::webdriver::Browser;

/// The testkit (allowing the app's origin) and the app served for it.
fn start(auto_approve: bool) -> (AuthServer, StaticApp) {
    let (listener, origin) = StaticApp::bind();
    let server = AuthServer::start_with(ServerConfig {
        auto_approve,
        cors_allowed_origins: vec![origin.clone()],
        ..ServerConfig::default()
    })
    .unwrap();
    let app = StaticApp::serve(listener, origin, server.issuer(), clients::PUBLIC_ID);
    (server, app)
}

/// The pending authorization this tab holds, if any.
fn stored(browser: &Browser) -> Option<String> {
    browser
        .eval(&format!("return sessionStorage.getItem('{KEY}');"))
        .as_str()
        .map(str::to_owned)
}

#[test]
#[ignore = "needs the app built for wasm32 and chromedriver: `cargo xtask spa` runs it"]
fn the_spa_logs_in_consumes_the_pending_authorization_and_cleans_the_url() {
    let (server, app) = start(true);
    let browser = Browser::start();
    browser.open(&app.at("/"));
    assert_eq!(browser.settled_state(), "logged-out");
    assert!(stored(&browser).is_none());

    // /login: discovery, the pending authorization into sessionStorage, the redirect; the
    // testkit approves at once and sends the tab back to /callback with a code.
    browser.open(&app.at("/login"));
    browser.wait_for_location(&app.at("/callback"));
    assert_eq!(
        browser.settled_state(),
        "logged-in",
        "{:?}",
        browser.text_of("error")
    );
    assert_eq!(browser.text_of("user").as_deref(), Some("alice"));
    // The code left the address bar and the history entry; the pending authorization is
    // consumed; one code exchange reached the server.
    assert_eq!(
        browser.eval("return location.href;"),
        app.at("/callback").as_str()
    );
    assert!(stored(&browser).is_none());
    assert_eq!(server.hits(Endpoint::Token), 1);
    assert_eq!(server.hits(Endpoint::UserInfo), 1);
}

#[test]
#[ignore = "needs the app built for wasm32 and chromedriver: `cargo xtask spa` runs it"]
fn a_callback_with_a_foreign_state_is_refused_and_nothing_is_exchanged() {
    let (server, app) = start(false);
    let browser = Browser::start();
    // The login starts: the tab holds a pending authorization and shows the consent page.
    browser.open(&app.at("/login"));
    browser.wait_for_location(&server.url("/authorize"));
    // An attacker's link brings the tab back with a state it never sent.
    let iss = server.issuer().replace(':', "%3A").replace('/', "%2F");
    browser.open(&app.at(&format!("/callback?code=stolen&state=forged&iss={iss}")));
    assert_eq!(browser.settled_state(), "error");
    let message = browser.text_of("error").unwrap();
    assert!(message.contains("state does not match"), "{message}");
    assert!(!message.contains("stolen"), "{message}");
    assert_eq!(server.hits(Endpoint::Token), 0);
    assert_eq!(
        browser.eval("return location.href;"),
        app.at("/callback").as_str()
    );
    // The flow keeps a pending authorization through a forged callback: the real one may
    // still come.
    assert!(stored(&browser).is_some());
}

#[test]
#[ignore = "needs the app built for wasm32 and chromedriver: `cargo xtask spa` runs it"]
fn a_tampered_pending_authorization_is_refused_and_removed() {
    let (server, app) = start(false);
    let browser = Browser::start();
    browser.open(&app.at("/login"));
    browser.wait_for_location(&server.url("/authorize"));
    browser.open(&app.at("/"));
    assert_eq!(browser.settled_state(), "logged-out");
    // A script of the page rewrites the stored authorization for another client.
    let before = stored(&browser).expect("the login stored its pending authorization");
    assert!(before.contains(clients::PUBLIC_ID));
    browser.eval(&format!(
        "const v = sessionStorage.getItem('{KEY}'); sessionStorage.setItem('{KEY}', v.replace('{}', 'someone-else'));",
        clients::PUBLIC_ID
    ));
    browser.open(&app.at("/callback?code=any&state=any"));
    assert_eq!(browser.settled_state(), "error");
    let message = browser.text_of("error").unwrap();
    assert!(message.contains("another client"), "{message}");
    assert_eq!(server.hits(Endpoint::Token), 0);
    assert!(stored(&browser).is_none());

    // Not even JSON any more: the same refusal, its own message.
    browser.open(&app.at("/"));
    browser.eval(&format!("sessionStorage.setItem('{KEY}', '{{not json');"));
    browser.open(&app.at("/callback?code=any&state=any"));
    assert_eq!(browser.settled_state(), "error");
    let message = browser.text_of("error").unwrap();
    assert!(message.contains("unreadable"), "{message}");
    assert_eq!(server.hits(Endpoint::Token), 0);
    assert!(stored(&browser).is_none());
}

#[test]
#[ignore = "needs the app built for wasm32 and chromedriver: `cargo xtask spa` runs it"]
fn a_callback_opened_in_a_tab_without_a_pending_authorization_is_refused() {
    let (server, app) = start(true);
    let browser = Browser::start();
    // A fresh tab (another tab's sessionStorage is not this one's) opens a callback.
    browser.open(&app.at("/callback?code=copied&state=copied"));
    assert_eq!(browser.settled_state(), "error");
    let message = browser.text_of("error").unwrap();
    assert!(message.contains("no pending authorization"), "{message}");
    assert_eq!(server.hits(Endpoint::Token), 0);
    assert_eq!(
        browser.eval("return location.href;"),
        app.at("/callback").as_str()
    );
}

#[test]
#[ignore = "needs the app built for wasm32 and chromedriver: `cargo xtask spa` runs it"]
fn an_answer_in_the_fragment_is_refused_and_wiped_from_the_address_bar() {
    let (server, app) = start(false);
    let browser = Browser::start();
    browser.open(&app.at("/login"));
    browser.wait_for_location(&server.url("/authorize"));
    // The code flow answers in the query; a code in the fragment is ambiguous.
    browser.open(&app.at("/callback#code=leaked&state=any"));
    assert_eq!(browser.settled_state(), "error");
    let message = browser.text_of("error").unwrap();
    assert!(message.contains("fragment"), "{message}");
    assert_eq!(server.hits(Endpoint::Token), 0);
    assert_eq!(
        browser.eval("return location.href;"),
        app.at("/callback").as_str()
    );
}
