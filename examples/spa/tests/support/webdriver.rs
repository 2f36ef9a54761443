//! Headless Chromium driven through chromedriver's WebDriver HTTP API: a page is opened,
//! scripts read it, and the test waits for the app's `data-state`. A full-page redirect
//! ends a `wasm-bindgen-test` page, so the SPA's login is driven from the host instead.
//!
//! Chromium's flags are those of examples/axum-login's test (root in a container, no
//! network): no sandbox, no GPU, nothing that phones home.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// A chromedriver process with one browser session; both end on drop.
pub(crate) struct Browser {
    driver: Child,
    base: String,
    agent: ureq::Agent,
    profile: std::path::PathBuf,
}

impl Browser {
    pub(crate) fn start() -> Self {
        let port = std::net::TcpListener::bind(("127.0.0.1", 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let program = std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| "chromedriver".into());
        let driver = Command::new(&program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("chromedriver does not start ({e}); `cargo xtask spa` installs it")
            });
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .new_agent();
        let profile =
            std::env::temp_dir().join(format!("pkce-spa-chromium-{}-{port}", std::process::id()));
        let mut browser = Self {
            driver,
            base: format!("http://127.0.0.1:{port}"),
            agent,
            profile,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while browser
            .agent
            .get(format!("{}/status", browser.base))
            .call()
            .is_err()
        {
            assert!(Instant::now() < deadline, "chromedriver did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut args: Vec<String> = FLAGS.iter().map(|s| (*s).to_owned()).collect();
        args.push(format!("--user-data-dir={}", browser.profile.display()));
        let created = browser.post(
            "/session",
            &json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": args}}}}),
        );
        let id = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {created}"))
            .to_owned();
        browser.base = format!("{}/session/{id}", browser.base);
        browser
    }

    fn post(&self, path: &str, body: &Value) -> Value {
        let mut resp = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .send(body.to_string())
            .unwrap();
        let text = resp.body_mut().read_to_string().unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        value["value"].clone()
    }

    /// Opens `url` in the tab (a navigation, as a typed address).
    pub(crate) fn open(&self, url: &str) {
        let answer = self.post("/url", &json!({ "url": url }));
        assert!(answer.is_null(), "navigation failed: {answer}");
    }

    /// Runs `script` (a function body) in the page and returns what it returns.
    pub(crate) fn eval(&self, script: &str) -> Value {
        self.post("/execute/sync", &json!({ "script": script, "args": [] }))
    }

    /// Waits until the app has settled on a state other than `loading`; returns it.
    pub(crate) fn settled_state(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self.eval(
                "const app = document.getElementById('app'); return app ? app.dataset.state : null;",
            );
            if let Some(state) = state.as_str().filter(|s| *s != "loading") {
                return state.to_owned();
            }
            assert!(Instant::now() < deadline, "the app never settled: {state}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the tab's address starts with `prefix` (a redirect has landed).
    pub(crate) fn wait_for_location(&self, prefix: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let here = self.eval("return location.href;");
            if here.as_str().is_some_and(|h| h.starts_with(prefix)) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "never reached {prefix}: at {here}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The text of the element with `id`, if there is one.
    pub(crate) fn text_of(&self, id: &str) -> Option<String> {
        self.eval(&format!(
            "const e = document.getElementById('{id}'); return e ? e.textContent : null;"
        ))
        .as_str()
        .map(str::to_owned)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.agent.delete(&self.base).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
