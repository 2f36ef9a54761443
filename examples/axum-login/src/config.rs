//! The app's configuration, from arguments or the environment (secrets from the environment
//! only, so they never show in a process listing).

use std::fmt;
use std::net::SocketAddr;

use base64ct::{Base64UrlUnpadded, Encoding};
use clap::Parser;
use pkce_flow::seal::{SealKey, SealKeys};

/// A server-side login app: the browser holds two opaque cookies, the server holds the tokens.
///
/// `Debug` leaves out the client secret and the seal keys.
#[derive(Parser, Clone)]
#[command(name = "pkce-axum-login", version)]
pub struct Config {
    /// Address to listen on; port 0 picks a free one (the chosen URL is printed).
    #[arg(long, env = "APP_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The URL browsers reach the app at (the load balancer's, for a fleet). Every instance
    /// of one fleet uses the same value: the redirect URI is `<public-url>/callback`.
    /// Default: `http://<listen>`.
    #[arg(long, env = "APP_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The authorization server's issuer identifier (RFC 8414 metadata is fetched from it).
    #[arg(long, env = "APP_ISSUER")]
    pub issuer: String,
    /// The client identifier, registered for `client_secret_basic`.
    #[arg(long, env = "APP_CLIENT_ID")]
    pub client_id: String,
    /// The client secret.
    #[arg(
        long = "client-secret-from-env-only",
        env = "APP_CLIENT_SECRET",
        hide = true,
        hide_env_values = true
    )]
    pub client_secret: String,
    /// The seal keys as `ID:KEY[,ID:KEY...]`, KEY 32 bytes in unpadded base64url. The
    /// first seals; all open (rotation: add the new key first, drop the old one after the
    /// maximum login age).
    #[arg(
        long = "seal-keys-from-env-only",
        env = "APP_SEAL_KEYS",
        hide = true,
        hide_env_values = true
    )]
    pub seal_keys: String,
    /// The longest time between `/login` and `/callback`, in seconds.
    #[arg(long, env = "APP_LOGIN_MAX_AGE", default_value_t = 600)]
    pub login_max_age: u64,
    /// A Redis server (`host:port`) shared by every instance; sessions stay in this
    /// process's memory without it.
    #[arg(long, env = "APP_REDIS")]
    pub redis: Option<String>,
    /// The prefix of the app's Redis keys.
    #[arg(long, env = "APP_REDIS_PREFIX", default_value = "pkce-axum-login:")]
    pub redis_prefix: String,
    /// The scopes to ask for.
    #[arg(long, env = "APP_SCOPE", default_value = "openid offline_access")]
    pub scope: String,
    /// The protected resource `/me` calls; default: the server's `userinfo_endpoint`.
    #[arg(long, env = "APP_RESOURCE_URL")]
    pub resource_url: Option<String>,
    /// Allow `http` to an authorization server on a loopback IP (tests and local servers).
    #[arg(long, env = "APP_DANGEROUSLY_ALLOW_LOOPBACK_HTTP")]
    pub dangerously_allow_loopback_http: bool,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("login_max_age", &self.login_max_age)
            .field("redis", &self.redis)
            .field("redis_prefix", &self.redis_prefix)
            .field("scope", &self.scope)
            .field("resource_url", &self.resource_url)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// The public URL without a trailing slash.
    #[must_use]
    pub fn public_url(&self) -> String {
        self.public_url.as_deref().map_or_else(
            || format!("http://{}", self.listen),
            |u| u.trim_end_matches('/').to_owned(),
        )
    }
}

/// Parses `ID:KEY[,ID:KEY...]`: the first key seals, every key opens.
///
/// # Errors
/// A message naming the position of the bad entry (never the key).
pub fn parse_seal_keys(text: &str) -> Result<SealKeys, String> {
    let mut keys: Option<SealKeys> = None;
    for (i, entry) in text.split(',').enumerate() {
        let bad = |what: &str| format!("seal key #{}: {what}", i + 1);
        let (id, key) = entry
            .trim()
            .split_once(':')
            .ok_or_else(|| bad("not ID:KEY"))?;
        let id: u8 = id.parse().map_err(|_| bad("the id is not 0-255"))?;
        let mut bytes = [0u8; 32];
        match Base64UrlUnpadded::decode(key, &mut bytes) {
            Ok(decoded) if decoded.len() == 32 => {}
            _ => return Err(bad("the key is not 32 bytes of unpadded base64url")),
        }
        let key = SealKey::new(id, bytes);
        keys = Some(match keys {
            None => SealKeys::new(key),
            Some(ring) => ring
                .with_opening_key(key)
                .map_err(|e| bad(&e.to_string()))?,
        });
    }
    keys.ok_or_else(|| "no seal key".to_owned())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::{Config, parse_seal_keys};

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

    #[test]
    fn seal_keys_parse_with_rotation_and_refuse_bad_entries() {
        let keys = parse_seal_keys(&format!("2:{KEY},1:{KEY}"));
        assert!(matches!(keys, Ok(ref k) if k.sealing_key().id() == 2 && k.get(1).is_some()));
        for bad in [
            "",
            "1",
            "x:AAAA",
            &format!("1:{KEY}x"),
            "1:AAAA",
            &format!("1:{KEY},1:{KEY}"),
        ] {
            let err = parse_seal_keys(bad).err().unwrap_or_default();
            assert!(err.starts_with("seal key #"), "{bad:?} gave {err:?}");
            assert!(!err.contains(KEY));
        }
    }

    #[test]
    fn debug_shows_no_client_secret_and_no_seal_key() {
        let config = Config::parse_from([
            "app",
            "--issuer=https://as.example",
            "--client-id=web",
            "--client-secret-from-env-only=hunter2",
            &format!("--seal-keys-from-env-only=1:{KEY}"),
        ]);
        let shown = format!("{config:?}");
        assert!(shown.contains("web") && !shown.contains("hunter2") && !shown.contains(KEY));
    }
}
