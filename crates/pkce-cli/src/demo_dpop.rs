//! `pkce demo`'s DPoP step (RFC 9449): a login whose tokens are bound to a key, against a
//! server that requires proofs and its nonce; the nonce challenge answered once; the access
//! token refused when presented without the key.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use pkce_flow::dpop::{DpopExchange, DpopKey, DpopTarget, Es256Key, NonceMemory};
use pkce_flow::{Client, ResourceRequest};
use pkce_testkit::{AuthServer, Endpoint, ServerConfig, UserAgent, clients};
use pkce_ureq::Transport;

use crate::failure::Failure;

/// What the step saw, for the demo to print and check.
pub(crate) struct DpopOutcome {
    /// Token requests the server received: 2 means one nonce challenge, answered once.
    pub(crate) token_requests: usize,
    /// The token type of the login.
    pub(crate) token_type: &'static str,
    /// The userinfo status with the key (200 expected).
    pub(crate) with_key: u16,
    /// The userinfo status of the same token as a bearer token, without the key (401).
    pub(crate) stolen: u16,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn failure(what: &str, e: impl std::fmt::Display) -> Failure {
    Failure::new(format!("{what}: {e}"))
}

fn drive<E: DpopTarget>(
    transport: &Transport,
    exchange: E,
    key: &DpopKey,
    nonces: &mut NonceMemory,
) -> Result<E::Output, Failure> {
    let mut rng = pkce_flow::OsRng::default();
    let wrapped = DpopExchange::new(exchange, key, nonces, &mut rng, now())?;
    Ok(transport.drive(wrapped)?)
}

/// Runs the DPoP login against its own server (proofs and nonces required).
pub(crate) fn run() -> Result<DpopOutcome, Failure> {
    let server = AuthServer::start_with(ServerConfig {
        auto_approve: true,
        dpop_required: true,
        dpop_nonce_required: true,
        ..ServerConfig::default()
    })
    .map_err(|e| failure("could not start the DPoP server", e))?;
    let signer =
        Es256Key::generate(&mut pkce_flow::OsRng::default()).map_err(|e| failure("key", e))?;
    let key = DpopKey::new(Arc::new(signer));
    let issuer = server.issuer();
    let client = Client::builder(clients::PUBLIC_ID)
        .issuer(issuer)
        .authorization_endpoint(&server.url("/authorize"))
        .token_endpoint(&server.url("/token"))
        .redirect_uri("http://127.0.0.1:49152/callback")
        .scopes("openid offline_access")
        .dangerous_allow_insecure_loopback()
        .dpop_key(key.clone())
        .build()?;
    let (url, pending) = client.authorize_with_os_rng()?;
    let callback = UserAgent::new()
        .approve(url.as_str())
        .map_err(|e| failure("the scripted browser failed", e))?;
    let transport = Transport::new()?;
    let mut nonces = NonceMemory::new();
    let exchange = pending.callback_url(&callback)?;
    let tokens = drive(&transport, exchange, &key, &mut nonces)?;
    let userinfo = server.url("/userinfo");
    let request = ResourceRequest::get(&userinfo, tokens.access_token())?;
    let with_key = drive(&transport, request, &key, &mut nonces)?.status;
    let stolen = transport
        .bearer_get(&userinfo, tokens.access_token())?
        .status;
    Ok(DpopOutcome {
        token_requests: server.hits(Endpoint::Token),
        token_type: tokens.token_type(),
        with_key,
        stolen,
    })
}
