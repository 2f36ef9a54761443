//! `redis-server` for the tests of pkce-session's Redis store: installed from the Debian
//! package when missing.

use std::process::{Command, Stdio};

use crate::{Result, run};

/// Whether `redis-server` runs on this machine.
fn installed() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs the `redis-server` package (`apt-get update` first) unless it is already there.
/// Runs apt-get through `sudo` when not root and `sudo` exists.
pub(crate) fn ensure_server() -> Result {
    if installed() {
        return Ok(());
    }
    let as_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let apt = |args: &[&str]| {
        let mut cmd = if as_root {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.arg("apt-get");
            sudo
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(&mut apt(&["update"]))?;
    run(&mut apt(&["install", "-y", "redis-server"]))?;
    if installed() {
        Ok(())
    } else {
        Err("redis-server is still missing after `apt-get install -y redis-server`".into())
    }
}
