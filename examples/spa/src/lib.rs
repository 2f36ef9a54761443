//! A single-page app in Rust: the code flow with PKCE in the browser, through pkce-fetch.
//!
//! Plain wasm-bindgen and web-sys, no UI framework: the page has three states (a login
//! link, the user, an error), which a few DOM writes show, and the wasm stays small (see
//! the README for the sizes). The whole OAuth part is the ten lines of its `run` function.
//!
//! The page reads its settings from `<main id="app" data-issuer=… data-client-id=…>`. On
//! `/login` it sends the user to the authorization server; on its redirect URI
//! (`/callback`) it finishes the login and shows the user; on any other path it shows a
//! link to `/login`. Tokens stay in memory (a local of `run`): see the README for why.

#![forbid(unsafe_code)]

use pkce_fetch::{RedirectLogin, Transport};
use pkce_flow::{Client, DiscoveryKind, LoopbackHttp};
use wasm_bindgen::prelude::wasm_bindgen;
use web_sys::{Document, Element};

/// The path the authorization server sends the user back to.
pub const CALLBACK_PATH: &str = "/callback";
/// The path that starts a login.
pub const LOGIN_PATH: &str = "/login";

/// What the page ends up showing.
enum Outcome {
    /// Nothing happened yet: offer the login.
    LoggedOut,
    /// Logged in: the `sub` the userinfo endpoint answered.
    User(String),
    /// Left for the authorization server.
    Redirecting,
}

/// The module's entry point, called by wasm-bindgen when the page loads it.
#[wasm_bindgen(start)]
pub fn start() {
    wasm_bindgen_futures::spawn_local(async {
        let outcome = run().await;
        show(&outcome);
    });
}

/// The app: settings from the page, then the flow.
async fn run() -> Result<Outcome, String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let app = document.get_element_by_id("app").ok_or("no #app element")?;
    let setting = |name: &str| app.get_attribute(name).ok_or(format!("no {name} on #app"));
    let (issuer, client_id) = (setting("data-issuer")?, setting("data-client-id")?);
    let origin = window.location().origin().map_err(|_| "no origin")?;
    let path = window.location().pathname().map_err(|_| "no path")?;

    // The SPA's OAuth part.
    let transport = Transport::new().map_err(text)?;
    let metadata = transport
        .discover(&issuer, DiscoveryKind::OAuth, loopback(&issuer))
        .await
        .map_err(text)?;
    let mut builder = Client::builder(&client_id)
        .metadata(&metadata)
        .redirect_uri(&format!("{origin}{CALLBACK_PATH}"))
        .scopes("openid");
    if loopback(&issuer) == LoopbackHttp::DangerouslyAllow {
        builder = builder.dangerous_allow_insecure_loopback();
    }
    let client = builder.build().map_err(text)?;
    let login = RedirectLogin::new();
    if let Some(exchange) = login.finish(&client).map_err(text)? {
        let tokens = transport.exchange(exchange).await.map_err(text)?;
        let userinfo = client.userinfo_endpoint().ok_or("no userinfo endpoint")?;
        let me = transport
            .bearer_get(userinfo, tokens.access_token())
            .await
            .map_err(text)?;
        return subject(&me.body).map(Outcome::User);
    }
    if path == LOGIN_PATH {
        login.redirect(&client).map_err(text)?;
        return Ok(Outcome::Redirecting);
    }
    Ok(Outcome::LoggedOut)
}

/// `http` issuers are accepted on loopback only (a local test server), never elsewhere.
fn loopback(issuer: &str) -> LoopbackHttp {
    if issuer.starts_with("http://127.0.0.1:") || issuer.starts_with("http://[::1]:") {
        LoopbackHttp::DangerouslyAllow
    } else {
        LoopbackHttp::Refuse
    }
}

/// The error's `Display`, which pkce-fetch and pkce-flow keep free of secrets.
fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// The `sub` of a userinfo answer.
fn subject(body: &[u8]) -> Result<String, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| "the userinfo answer is not JSON")?;
    value["sub"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "the userinfo answer has no sub".to_owned())
}

/// Writes the outcome into the page; `data-state` on `#app` says which (for people and
/// tests alike).
fn show(outcome: &Result<Outcome, String>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(app) = document.get_element_by_id("app") else {
        return;
    };
    let (state, content) = match outcome {
        Ok(Outcome::LoggedOut) => ("logged-out", link(&document)),
        Ok(Outcome::Redirecting) => ("redirecting", paragraph(&document, "Redirecting…")),
        Ok(Outcome::User(sub)) => ("logged-in", user(&document, sub)),
        Err(message) => ("error", error(&document, message)),
    };
    app.set_inner_html("");
    if let Some(content) = content {
        let _ = app.append_child(&content);
    }
    let _ = app.set_attribute("data-state", state);
}

fn element(document: &Document, tag: &str, id: &str, text: &str) -> Option<Element> {
    let element = document.create_element(tag).ok()?;
    element.set_id(id);
    // Text, never HTML: server answers and errors cannot inject markup.
    element.set_text_content(Some(text));
    Some(element)
}

fn link(document: &Document) -> Option<Element> {
    let a = element(document, "a", "login", "Log in")?;
    a.set_attribute("href", LOGIN_PATH).ok()?;
    Some(a)
}

fn paragraph(document: &Document, text: &str) -> Option<Element> {
    element(document, "p", "status", text)
}

fn user(document: &Document, sub: &str) -> Option<Element> {
    let p = paragraph(document, "Signed in as ")?;
    let strong = element(document, "strong", "user", sub)?;
    p.append_child(&strong).ok()?;
    Some(p)
}

fn error(document: &Document, message: &str) -> Option<Element> {
    let p = element(document, "p", "error", message)?;
    p.set_attribute("role", "alert").ok()?;
    Some(p)
}
