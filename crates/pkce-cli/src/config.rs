//! The profile file: named profiles in TOML, read from `--config`, `$PKCE_CONFIG`, or the
//! platform's config directory. Unknown keys, wrong types and secrets written into the file
//! are refused with the key and its line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::failure::Failure;

/// The environment variable naming the config file.
pub(crate) const CONFIG_ENV: &str = "PKCE_CONFIG";

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// The profile used when none is named.
    pub(crate) default_profile: Option<String>,
    /// The profiles by name.
    #[serde(default)]
    pub(crate) profiles: BTreeMap<String, Profile>,
}

/// One profile: what `pkce login` flags say, kept under a name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    pub(crate) issuer: Option<String>,
    pub(crate) client_id: Option<String>,
    /// `none`, `basic` or `post`.
    pub(crate) auth_method: Option<String>,
    /// The environment variable holding the client secret.
    pub(crate) client_secret_env: Option<String>,
    #[serde(default)]
    pub(crate) scopes: Vec<String>,
    #[serde(default)]
    pub(crate) resources: Vec<String>,
    /// Extra authorization request parameters.
    #[serde(default)]
    pub(crate) params: BTreeMap<String, String>,
    /// `127.0.0.1` or `[::1]`.
    pub(crate) redirect_host: Option<String>,
    pub(crate) redirect_port: Option<u16>,
    pub(crate) par: Option<bool>,
    /// Bind the tokens of a login to a new DPoP key (RFC 9449).
    pub(crate) dpop: Option<bool>,
    /// `browser`, `device` or `manual`.
    pub(crate) flow: Option<String>,
    /// The command that opens a URL.
    pub(crate) browser_command: Option<String>,
    /// Hosts whose git credentials this profile's token is.
    #[serde(default)]
    pub(crate) git_hosts: Vec<String>,
    pub(crate) dangerous_allow_http_loopback: Option<bool>,
    // Secrets are never read from the file: these exist only to be refused with their line.
    client_secret: Option<Spanned<toml::Value>>,
    refresh_token: Option<Spanned<toml::Value>>,
    access_token: Option<Spanned<toml::Value>>,
    password: Option<Spanned<toml::Value>>,
}

/// The file's path: `--config`, else `$PKCE_CONFIG`, else the platform's config directory.
pub(crate) fn path(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(p.to_owned());
    }
    if let Some(p) = std::env::var_os(CONFIG_ENV).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    config_dir().map(|d| d.join("pkce").join("config.toml"))
}

/// `$XDG_CONFIG_HOME` or `~/.config` on Linux and other unix systems, `~/Library/Application
/// Support` on macOS, `%APPDATA%` on Windows.
fn config_dir() -> Option<PathBuf> {
    let home = || std::env::var_os("HOME").map(PathBuf::from);
    if cfg!(windows) {
        return std::env::var_os("APPDATA").map(PathBuf::from);
    }
    if cfg!(target_os = "macos") {
        return home().map(|h| h.join("Library").join("Application Support"));
    }
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".config")))
}

/// Reads the file at `path`. A missing file is an empty config unless it was named
/// explicitly (`explicit`).
pub(crate) fn load(path: Option<&Path>, explicit: bool) -> Result<Config, Failure> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok(Config::default());
        }
        Err(e) => {
            return Err(Failure::config(format!(
                "cannot read the config file {}: {}",
                path.display(),
                e.kind()
            )));
        }
    };
    parse(&text).map_err(|why| Failure::config(format!("{}: {why}", path.display())))
}

/// Parses the file's text; the error names the key and its line.
pub(crate) fn parse(text: &str) -> Result<Config, String> {
    let config: Config = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let message = e.message().lines().next().unwrap_or("invalid TOML").trim();
        match line {
            Some(line) => format!("line {line}: {message}"),
            None => message.to_owned(),
        }
    })?;
    for (name, profile) in &config.profiles {
        let secrets = [
            ("client_secret", &profile.client_secret),
            ("refresh_token", &profile.refresh_token),
            ("access_token", &profile.access_token),
            ("password", &profile.password),
        ];
        for (key, value) in secrets {
            if let Some(value) = value {
                return Err(format!(
                    "line {}: `{key}` in profile `{name}` is a secret and is never read from a file; \
                     set `client_secret_env = \"VAR\"` and put the secret in that environment variable",
                    line_of(text, value.span().start)
                ));
            }
        }
    }
    Ok(config)
}

/// The 1-based line of byte offset `at`.
fn line_of(text: &str, at: usize) -> usize {
    text.get(..at)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_full_profile_parses() {
        let config = parse(
            "default_profile = \"work\"\n[profiles.work]\nissuer = \"https://as.example\"\n\
             client_id = \"app\"\nscopes = [\"openid\"]\nparams = { prompt = \"login\" }\n\
             git_hosts = [\"git.example\"]\n",
        )
        .unwrap();
        let work = &config.profiles["work"];
        assert_eq!(work.issuer.as_deref(), Some("https://as.example"));
        assert_eq!(work.params["prompt"], "login");
        assert_eq!(config.default_profile.as_deref(), Some("work"));
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_name_and_line() {
        let e = parse("[profiles.a]\nissuer = \"https://x\"\nscope = \"openid\"\n").unwrap_err();
        assert!(e.starts_with("line 3:"), "{e}");
        assert!(e.contains("scope"), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn a_wrong_type_is_refused_with_its_line() {
        let e = parse("[profiles.a]\n\nredirect_port = \"eighty\"\n").unwrap_err();
        assert!(e.starts_with("line 3:"), "{e}");
    }

    #[test]
    fn a_secret_in_the_file_is_refused_naming_the_env_setting() {
        let e = parse("[profiles.a]\nclient_secret = \"s3cr3t\"\n").unwrap_err();
        assert!(e.starts_with("line 2:"), "{e}");
        assert!(e.contains("client_secret_env"), "{e}");
        assert!(!e.contains("s3cr3t"), "{e}");
    }
}
