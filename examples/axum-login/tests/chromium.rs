//! The login in a real browser: Debian's headless Chromium (`cargo xtask deps` installs it)
//! loads `/login` and follows every redirect itself (the testkit approves at once), keeping
//! the cookies it is given; the page it ends on must show the user.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::process::Command;

use common::{App, Options};
use pkce_testkit::{AuthServer, ServerConfig};

/// `chromium --headless --dump-dom url`: the DOM of the page the browser ends on.
fn dump_dom(url: &str) -> String {
    let profile =
        std::env::temp_dir().join(format!("pkce-axum-login-chromium-{}", std::process::id()));
    let output = Command::new("chromium")
        // As root in a container, without network: no sandbox, no GPU, and nothing that
        // phones home (it would fail and stall).
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
        ])
        .args(["--no-first-run", "--disable-background-networking"])
        .args(["--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", url])
        .output();
    let _ = std::fs::remove_dir_all(&profile);
    let output = output.unwrap_or_else(|e| {
        panic!("chromium does not start ({e}); `cargo xtask deps` installs it")
    });
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn chromium_signs_in_through_the_app_and_sees_the_user() {
    let server = AuthServer::start_with(ServerConfig {
        auto_approve: true,
        ..ServerConfig::default()
    })
    .unwrap();
    let app = App::start(&server, &Options::default());
    let dom = dump_dom(&app.at("/login"));
    assert!(dom.contains("<strong id=\"user\">alice</strong>"), "{dom}");
}
