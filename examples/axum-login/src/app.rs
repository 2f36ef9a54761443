//! The app's shared state, built once from the configuration, and its routes.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use pkce_flow::seal::SealKeys;
use pkce_flow::{Client, ClientSecret, DiscoveryKind, LoopbackHttp};
use pkce_reqwest::Transport;
use pkce_session::{MemoryStore, RedisStore, Sessions};

use crate::config::{Config, parse_seal_keys};
use crate::cookie::Cookies;
use crate::store::AppStore;
use crate::{account, login, logout};

/// Everything a request needs; shared by every request of one instance.
#[derive(Debug)]
pub struct App {
    pub(crate) client: Client,
    pub(crate) transport: Transport,
    pub(crate) keys: SealKeys,
    pub(crate) sessions: Sessions<AppStore>,
    pub(crate) cookies: Cookies,
    pub(crate) resource_url: String,
    pub(crate) login_max_age: u64,
}

impl App {
    /// Fetches the authorization server's metadata and builds the client, the seal keys and
    /// the session store (connecting to Redis when configured).
    ///
    /// # Errors
    /// A message for the operator: an unreachable or invalid server, a bad seal key, a
    /// Redis server that does not answer, no resource URL.
    pub async fn new(config: &Config) -> Result<Arc<Self>, String> {
        let transport = Transport::new().map_err(|e| format!("HTTP client: {e}"))?;
        let loopback = if config.dangerously_allow_loopback_http {
            LoopbackHttp::DangerouslyAllow
        } else {
            LoopbackHttp::Refuse
        };
        let metadata = transport
            .discover(&config.issuer, DiscoveryKind::OAuth, loopback)
            .await
            .map_err(|e| format!("authorization server metadata: {e}"))?;
        let public_url = config.public_url();
        let mut builder = Client::builder(&config.client_id)
            .metadata(&metadata)
            .redirect_uri(&format!("{public_url}/callback"))
            .scopes(&config.scope)
            .client_secret_basic(ClientSecret::new(config.client_secret.clone()));
        if config.dangerously_allow_loopback_http {
            builder = builder.dangerous_allow_insecure_loopback();
        }
        let client = builder.build().map_err(|e| format!("client: {e}"))?;
        let store = match &config.redis {
            Some(addr) => AppStore::Redis(
                RedisStore::connect(addr, &config.redis_prefix)
                    .map_err(|e| format!("Redis at {addr}: {e}"))?,
            ),
            None => AppStore::Memory(MemoryStore::new()),
        };
        let resource_url = config
            .resource_url
            .clone()
            .or_else(|| client.userinfo_endpoint().map(str::to_owned))
            .ok_or("no --resource-url and the server has no userinfo_endpoint")?;
        Ok(Arc::new(Self {
            sessions: Sessions::new(store, client.clone(), &metadata.token_endpoint),
            client,
            transport,
            keys: parse_seal_keys(&config.seal_keys)?,
            cookies: Cookies::for_public_url(&public_url),
            resource_url,
            login_max_age: config.login_max_age,
        }))
    }

    /// The routes: `/`, `/login`, `/callback`, `/me`, `POST /logout`.
    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/", get(account::home))
            .route("/login", get(login::start))
            .route("/callback", get(login::callback))
            .route("/me", get(account::me))
            .route("/logout", post(logout::logout))
            .with_state(self)
    }
}
