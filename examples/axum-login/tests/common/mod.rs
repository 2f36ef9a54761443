//! Test support: the app as a real child process, and a scripted browser that keeps
//! cookies (host-only, like a browser's: one jar for every port of 127.0.0.1) and follows
//! no redirect by itself.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use pkce_testkit::{AuthServer, RedisServer, ServerConfig, UserAgent, clients};

/// A seal key (32 bytes, base64url) shared by the instances of one fleet.
pub(crate) const SEAL_KEY: &str = "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
/// Another key with the same id: what an instance outside the fleet would hold.
pub(crate) const OTHER_SEAL_KEY: &str = "1:Hx4dHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA";

/// One running instance of the app; killed on drop.
pub(crate) struct App {
    child: Child,
    pub(crate) url: String,
}

/// How to start an instance.
#[derive(Clone, Default)]
pub(crate) struct Options {
    /// The fleet's public URL; default: the instance's own.
    pub(crate) public_url: Option<String>,
    /// A Redis server's `host:port`; memory store otherwise.
    pub(crate) redis: Option<String>,
    /// The seal keys; default [`SEAL_KEY`].
    pub(crate) seal_keys: Option<&'static str>,
}

impl App {
    /// Starts the app binary against `server` as its confidential client.
    pub(crate) fn start(server: &AuthServer, options: &Options) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pkce-axum-login"));
        cmd.env_clear()
            .env("APP_LISTEN", "127.0.0.1:0")
            .env("APP_ISSUER", server.issuer())
            .env("APP_CLIENT_ID", clients::BASIC_ID)
            .env("APP_CLIENT_SECRET", clients::BASIC_SECRET)
            .env("APP_SEAL_KEYS", options.seal_keys.unwrap_or(SEAL_KEY))
            .env("APP_DANGEROUSLY_ALLOW_LOOPBACK_HTTP", "true")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(url) = &options.public_url {
            cmd.env("APP_PUBLIC_URL", url);
        }
        if let Some(redis) = &options.redis {
            cmd.env("APP_REDIS", redis);
        }
        let mut child = cmd.spawn().expect("the app starts");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the app's first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the app did not start: {line:?}"))
            .to_owned();
        Self { child, url }
    }

    /// `url` + `path`.
    pub(crate) fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One answer as the browser saw it.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) location: Option<String>,
    pub(crate) set_cookies: Vec<String>,
    pub(crate) body: String,
}

/// A scripted browser with a cookie jar.
pub(crate) struct Browser {
    agent: ureq::Agent,
    jar: Vec<(String, String)>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub(crate) fn new() -> Self {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent();
        Self {
            agent,
            jar: Vec::new(),
        }
    }

    /// The cookie `name`, if the browser holds it.
    pub(crate) fn cookie(&self, name: &str) -> Option<&str> {
        self.jar
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets (or with `None` deletes) a cookie by hand, as an attacker's browser would.
    pub(crate) fn put_cookie(&mut self, name: &str, value: Option<&str>) {
        self.jar.retain(|(n, _)| n != name);
        if let Some(value) = value {
            self.jar.push((name.to_owned(), value.to_owned()));
        }
    }

    fn keep(&mut self, resp: &mut ureq::http::Response<ureq::Body>) -> Answer {
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        for cookie in &set_cookies {
            let pair = cookie.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').expect("name=value");
            let deleted = cookie.contains("Max-Age=0") || value.is_empty();
            self.put_cookie(name, (!deleted).then_some(value));
        }
        Answer {
            status: resp.status().as_u16(),
            location: resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            set_cookies,
            body: resp.body_mut().read_to_string().unwrap_or_default(),
        }
    }

    /// `req` with the jar's cookies, if any.
    fn with_cookies<B>(&self, req: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        if self.jar.is_empty() {
            return req;
        }
        let pairs: Vec<String> = self.jar.iter().map(|(n, v)| format!("{n}={v}")).collect();
        req.header("cookie", &pairs.join("; "))
    }

    pub(crate) fn get(&mut self, url: &str) -> Answer {
        let mut resp = self.with_cookies(self.agent.get(url)).call().expect("GET");
        self.keep(&mut resp)
    }

    pub(crate) fn post(&mut self, url: &str) -> Answer {
        let mut resp = self
            .with_cookies(self.agent.post(url))
            .send_empty()
            .expect("POST");
        self.keep(&mut resp)
    }

    /// `GET app/login`, the user approves at the authorization server: the callback URL
    /// the server redirected to (not yet requested).
    pub(crate) fn start_login(&mut self, app: &App) -> String {
        let answer = self.get(&app.at("/login"));
        assert_eq!(answer.status, 303, "{answer:?}");
        let authorize = answer.location.expect("a redirect to the server");
        UserAgent::new().approve(&authorize).expect("approved")
    }
}

/// The path and query of `url` (what a load balancer forwards to any instance).
pub(crate) fn path_and_query(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..]
        .find('/')
        .map_or("/", |i| &url[after_scheme + i..])
}

/// The app's default Redis key prefix (`--redis-prefix`).
pub(crate) const REDIS_PREFIX: &str = "pkce-axum-login:";

/// The session stored in Redis under the session cookie `id`, read as another instance
/// would.
pub(crate) fn redis_session(redis: &str, id: &str) -> Option<pkce_session::StoredSession> {
    use pkce_session::SessionStore;
    let store = pkce_session::RedisStore::connect(redis, REDIS_PREFIX).expect("Redis");
    store
        .read(&pkce_session::SessionKey::new(id).expect("a session id"))
        .expect("a readable session")
}

/// How many keys the Redis server holds (`DBSIZE`).
pub(crate) fn redis_key_count(redis: &str) -> u64 {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(redis).expect("Redis");
    conn.write_all(b"*1\r\n$6\r\nDBSIZE\r\n").expect("sent");
    let mut reply = [0u8; 32];
    let n = conn.read(&mut reply).expect("an answer");
    let line = std::str::from_utf8(&reply[..n]).expect("RESP text");
    line.trim()
        .strip_prefix(':')
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("DBSIZE answered {line:?}"))
}

/// A server started with `config`, a Redis server, and one instance of the app on it.
pub(crate) fn app_on_redis(config: ServerConfig) -> (AuthServer, RedisServer, App) {
    let server = AuthServer::start_with(config).expect("the test server starts");
    let redis = RedisServer::start().expect("redis-server");
    let options = Options {
        redis: Some(redis.addr().to_owned()),
        ..Options::default()
    };
    let app = App::start(&server, &options);
    (server, redis, app)
}

/// A browser signed in on one instance on Redis, against a server started with `config`
/// (tokens of `access_token_ttl` 30 s, under the sessions' 60 s minimum, make every `/me`
/// refresh); with the session cookie's id, its session stored.
pub(crate) fn signed_in(config: ServerConfig) -> (AuthServer, RedisServer, App, Browser, String) {
    let (server, redis, app) = app_on_redis(config);
    let mut browser = Browser::new();
    let callback = browser.start_login(&app);
    assert_eq!(browser.get(&callback).status, 303);
    let id = browser.cookie("pkce-session").unwrap().to_owned();
    assert!(redis_session(redis.addr(), &id).is_some());
    (server, redis, app, browser, id)
}

/// Asserts that `me` is the account page of `user`.
pub(crate) fn assert_shows_user(me: &Answer, user: &str) {
    assert_eq!(me.status, 200, "{me:?}");
    let shown = format!("<strong id=\"user\">{user}</strong>");
    assert!(me.body.contains(&shown), "{}", me.body);
}
