//! Debian packages the tests need (`redis-server`, `chromium`): installed with apt-get when
//! their program does not run, and only then.

use std::process::{Command, Stdio};

use crate::{Result, run};

/// Whether `program --version` runs and succeeds.
fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs Debian `package` (`apt-get update` first) unless `program` already runs. Runs
/// apt-get through `sudo` when not root.
pub(crate) fn ensure(program: &str, package: &str) -> Result {
    if runs(program) {
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
    run(&mut apt(&[
        "install",
        "-y",
        "--no-install-recommends",
        package,
    ]))?;
    if runs(program) {
        Ok(())
    } else {
        Err(format!(
            "{program} is still missing after `apt-get install -y {package}`"
        ))
    }
}
