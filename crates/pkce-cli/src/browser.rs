//! Opening the authorization URL: a browser command (`--browser-command`, the profile's, or
//! `$BROWSER`), else the platform's browser; and telling when no browser can be opened here.

use std::process::{Command, Stdio};

/// Why no browser can be opened on this machine, if that can be told: a Linux or BSD
/// session without a display, or an SSH session. `None` on macOS and Windows.
pub(crate) fn headless_reason() -> Option<&'static str> {
    if cfg!(any(windows, target_os = "macos")) {
        return None;
    }
    let set = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    if set("SSH_CONNECTION") || set("SSH_TTY") {
        return Some("this is an SSH session");
    }
    if !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
        return Some("there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)");
    }
    None
}

/// Opens `url` with `command` when given, else the platform's browser. The command's
/// stdout is discarded (it must never mix with a token on ours); it is not waited for.
pub(crate) fn open(url: &str, command: Option<&str>) -> Result<(), String> {
    let Some(command) = command else {
        return webbrowser::open(url).map_err(|e| e.kind().to_string());
    };
    spawn(command, url)
        .map(drop)
        .map_err(|e| format!("the browser command could not start: {}", e.kind()))
}

/// Runs `command` with the URL in place of `%s`, or as its last argument, through the shell
/// (the URL is passed as a positional parameter, never pasted into the shell text).
#[cfg(unix)]
fn spawn(command: &str, url: &str) -> std::io::Result<std::process::Child> {
    let script = if command.contains("%s") {
        command.replace("%s", "\"$1\"")
    } else {
        format!("{command} \"$1\"")
    };
    Command::new("sh")
        .args(["-c", &script, "pkce-browser", url])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
}

/// Runs `command`, split on whitespace, with the URL in place of `%s` or appended.
#[cfg(not(unix))]
fn spawn(command: &str, url: &str) -> std::io::Result<std::process::Child> {
    let mut words: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
    if words.iter().any(|w| w.contains("%s")) {
        words = words.iter().map(|w| w.replace("%s", url)).collect();
    } else {
        words.push(url.to_owned());
    }
    let (program, args) = words
        .split_first()
        .ok_or_else(|| std::io::Error::other("empty browser command"))?;
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
}
