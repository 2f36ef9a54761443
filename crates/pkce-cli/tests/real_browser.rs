//! A real browser end to end: Debian's headless Chromium is `pkce login`'s browser command
//! against the testkit in auto-approve mode (`/authorize` redirects straight back). The CLI
//! finishes with a token, and the loopback page Chromium loaded is the success page.
//! Chromium comes from the `chromium` package, installed by `cargo xtask ci` when missing.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

mod support;
use support::{auto_approving_server, pkce_in, run, temp_dir, work_profile, write_config};

#[test]
fn headless_chromium_completes_a_login_and_loads_the_loopback_page() {
    let chromium_present = std::process::Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        chromium_present,
        "chromium is missing: `cargo xtask ci` installs it (apt-get install -y chromium)"
    );
    let server = auto_approving_server();
    let home = temp_dir("chromium");
    write_config(&home, &work_profile(server.issuer(), ""));
    let dom = home.join("page.html");
    let done = home.join("chromium.done");
    // The flags a root, offline, headless Chromium needs; a fresh profile directory.
    let script = home.join("chromium.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nchromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
             --disable-background-networking --disable-component-update --disable-sync \
             --user-data-dir='{profile}' --dump-dom \"$1\" > '{dom}' 2>/dev/null\necho $? > '{done}'\n",
            profile = home.join("chromium-profile").display(),
            dom = dom.display(),
            done = done.display(),
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let browser = script.display().to_string();
    let (code, out, err) = run(
        pkce_in(
            &home,
            &[
                "login",
                "--browser-command",
                &browser,
                "--timeout",
                "60",
                "--output",
                "json",
            ],
        ),
        "",
    );
    assert_eq!(code, 0, "{err}");
    let tokens: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        tokens["access_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    let started = Instant::now();
    while !done.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "chromium did not finish"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        std::fs::read_to_string(&done).unwrap().trim(),
        "0",
        "chromium failed"
    );
    let page = std::fs::read_to_string(&dom).unwrap();
    assert!(page.contains("Login succeeded"), "{page}");
}
