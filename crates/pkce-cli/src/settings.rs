//! The one place that resolves settings: flags, then the profile, then the environment, then
//! defaults become one [`Settings`] value, validated once, that every command takes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::ValueEnum;
use pkce_session::SessionKey;

use crate::cli::{AuthMethod, ConfigArgs, Flow, LoginArgs, Output, RedirectHost, ServerArgs};
use crate::config::{self, Config, Profile};
use crate::failure::Failure;

/// The environment variable naming the profile.
const PROFILE_ENV: &str = "PKCE_PROFILE";
/// The environment variable naming the session store's directory.
const STORE_ENV: &str = "PKCE_STORE_DIR";
/// The profile used when none is named anywhere.
const DEFAULT_PROFILE: &str = "default";

/// Everything a command needs, resolved.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The profile's name, also its session's key.
    pub(crate) profile: String,
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) auth_method: AuthMethod,
    pub(crate) client_secret_env: Option<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) resources: Vec<String>,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) redirect_host: RedirectHost,
    pub(crate) port: u16,
    pub(crate) redirect_path: String,
    pub(crate) par: bool,
    /// Bind a login's tokens to a new DPoP key (`--dpop`, `dpop = true`).
    pub(crate) dpop: bool,
    /// `None`: not chosen; a browser when one can be opened.
    pub(crate) flow: Option<Flow>,
    pub(crate) browser_command: Option<String>,
    pub(crate) no_browser: bool,
    pub(crate) timeout: Duration,
    pub(crate) allow_http_loopback: bool,
    pub(crate) output: Option<Output>,
    pub(crate) verbose: bool,
    /// The session store's directory.
    pub(crate) store_dir: PathBuf,
}

/// The loaded config file and the profile chosen in it.
pub(crate) struct Chosen {
    pub(crate) config: Config,
    pub(crate) name: String,
}

impl Chosen {
    /// Loads the file and picks the profile: `--profile`, `$PKCE_PROFILE`, the file's
    /// `default_profile`, else `default`. A profile named explicitly must exist.
    pub(crate) fn load(args: &ConfigArgs) -> Result<Self, Failure> {
        let explicit = args.config.is_some() || std::env::var_os(config::CONFIG_ENV).is_some();
        let path = config::path(args.config.as_deref());
        let config = config::load(path.as_deref(), explicit)?;
        let named = args
            .profile
            .clone()
            .or_else(|| std::env::var(PROFILE_ENV).ok().filter(|p| !p.is_empty()))
            .or_else(|| config.default_profile.clone());
        let name = match named {
            Some(name) if !config.profiles.contains_key(&name) => {
                let known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
                return Err(Failure::config(format!(
                    "unknown profile `{name}` (profiles in {}: {})",
                    path.as_deref()
                        .map_or("no config file".into(), |p| p.display().to_string()),
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )));
            }
            Some(name) => name,
            None => DEFAULT_PROFILE.to_owned(),
        };
        Ok(Self { config, name })
    }

    /// The chosen profile, or an empty one when the file has none by that name.
    pub(crate) fn profile(&self) -> Option<&Profile> {
        self.config.profiles.get(&self.name)
    }
}

impl Settings {
    /// Resolves a server command's settings (no login options).
    pub(crate) fn server(args: &ServerArgs) -> Result<Self, Failure> {
        Self::resolve(args, None)
    }

    /// Resolves `login`'s and `token`'s settings.
    pub(crate) fn login(args: &LoginArgs) -> Result<Self, Failure> {
        Self::resolve(&args.server, Some(args))
    }

    fn resolve(server: &ServerArgs, login: Option<&LoginArgs>) -> Result<Self, Failure> {
        let chosen = Chosen::load(&server.config)?;
        let empty = Profile::default();
        let p = chosen.profile().unwrap_or(&empty);
        let issuer = server
            .issuer
            .clone()
            .or(p.issuer.clone())
            .ok_or_else(|| missing("issuer", &chosen.name))?;
        let client_id = server
            .client_id
            .clone()
            .or(p.client_id.clone())
            .ok_or_else(|| missing("client_id", &chosen.name))?;
        let auth_method = match server.auth_method {
            Some(m) => m,
            None => {
                enum_setting("auth_method", p.auth_method.as_deref())?.unwrap_or(AuthMethod::None)
            }
        };
        let flag_flow = login.and_then(|l| l.flow);
        let flow = match flag_flow {
            Some(f) => Some(f),
            None => enum_setting("flow", p.flow.as_deref())?,
        };
        let redirect_host = match login.and_then(|l| l.redirect_host) {
            Some(h) => h,
            None => enum_setting("redirect_host", p.redirect_host.as_deref())?
                .unwrap_or(RedirectHost::V4),
        };
        let mut scopes: Vec<String> = login.map(|l| l.scopes.clone()).unwrap_or_default();
        if scopes.is_empty() {
            scopes.clone_from(&p.scopes);
        }
        let mut resources: Vec<String> = login.map(|l| l.resources.clone()).unwrap_or_default();
        if resources.is_empty() {
            resources.clone_from(&p.resources);
        }
        let mut params: Vec<(String, String)> = p
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for kv in login.map(|l| l.params.as_slice()).unwrap_or_default() {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| Failure::usage("--param takes k=v"))?;
            params.retain(|(name, _)| name != k);
            params.push((k.to_owned(), v.to_owned()));
        }
        let settings = Self {
            profile: chosen.name.clone(),
            issuer,
            client_id,
            auth_method,
            client_secret_env: server
                .client_secret_env
                .clone()
                .or(p.client_secret_env.clone()),
            scopes,
            resources,
            params,
            redirect_host,
            port: login.and_then(|l| l.port).or(p.redirect_port).unwrap_or(0),
            redirect_path: login
                .map_or_else(|| "/callback".to_owned(), |l| l.redirect_path.clone()),
            par: login.is_some_and(|l| l.par) || p.par.unwrap_or(false),
            dpop: login.is_some_and(|l| l.dpop) || p.dpop.unwrap_or(false),
            flow,
            browser_command: login
                .and_then(|l| l.browser_command.clone())
                .or(p.browser_command.clone())
                .or_else(|| std::env::var("BROWSER").ok().filter(|b| !b.is_empty())),
            no_browser: login.is_some_and(|l| l.no_browser),
            timeout: Duration::from_secs(login.map_or(300, |l| l.timeout)),
            allow_http_loopback: server.dangerous_allow_http_loopback
                || p.dangerous_allow_http_loopback.unwrap_or(false),
            output: server.output,
            verbose: server.verbose,
            store_dir: store_dir()?,
        };
        settings.key()?;
        Ok(settings)
    }

    /// The key of this profile's session in the store.
    pub(crate) fn key(&self) -> Result<SessionKey, Failure> {
        SessionKey::new(&self.profile).map_err(|_| {
            Failure::config(format!(
                "the profile name `{}` is not usable as a session name (1 to 58 of A-Z a-z 0-9 . _ -)",
                self.profile
            ))
        })
    }

    /// The key of the lock that makes this profile's interactive login single-flight.
    pub(crate) fn login_key(&self) -> Result<SessionKey, Failure> {
        SessionKey::new(&format!("{}.login", self.profile)).map_err(|_| {
            Failure::config(format!("the profile name `{}` is too long", self.profile))
        })
    }
}

fn missing(key: &str, profile: &str) -> Failure {
    Failure::config(format!(
        "no {key}: pass --{} or set `{key}` in profile `{profile}`",
        key.replace('_', "-")
    ))
}

/// A profile value that must be one of a flag's values.
fn enum_setting<T: ValueEnum>(key: &str, value: Option<&str>) -> Result<Option<T>, Failure> {
    value
        .map(|v| {
            T::from_str(v, false).map_err(|_| {
                let allowed: Vec<String> = T::value_variants()
                    .iter()
                    .filter_map(|x| x.to_possible_value().map(|p| p.get_name().to_owned()))
                    .collect();
                Failure::config(format!(
                    "profile key `{key}` = \"{v}\" is not one of: {}",
                    allowed.join(", ")
                ))
            })
        })
        .transpose()
}

/// `$PKCE_STORE_DIR`, else `pkce/sessions` in the platform's state directory.
pub(crate) fn store_dir() -> Result<PathBuf, Failure> {
    if let Some(dir) = std::env::var_os(STORE_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let home = || std::env::var_os("HOME").map(PathBuf::from);
    let base = if cfg!(windows) {
        std::env::var_os("LOCALAPPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        home().map(|h| h.join("Library").join("Application Support"))
    } else {
        std::env::var_os("XDG_STATE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| home().map(|h| h.join(".local").join("state")))
    };
    base.map(|b| Path::new(&b).join("pkce").join("sessions"))
        .ok_or_else(|| Failure::config(format!("no home directory: set {STORE_ENV}")))
}
