//! Interop harness: runs a real third-party authorization server, panva's
//! [oidc-provider](https://github.com/panva/node-oidc-provider) from npm, on 127.0.0.1 and
//! drives its login and consent pages as a scripted user agent, so tests can run the whole
//! Authorization Code + PKCE flow against it with real HTTP.
//!
//! * [`OidcProvider::start`] installs the pinned oidc-provider (`npm ci` in `interop/`, once)
//!   and starts `node interop/server.mjs --port 0`; dropping the value stops it. Node.js and
//!   npm must be on `PATH`: without them `start` fails with a message that says so (tests
//!   fail, they do not skip).
//! * [`McpServer::start`] starts `node interop/mcp-server.mjs --port 0`: an MCP server built
//!   from the official MCP TypeScript SDK, with the SDK's authorization server, protected
//!   resource metadata and bearer middleware; [`mcp_post`] makes one JSON-RPC call to it.
//! * [`Browser::authorize`] takes an authorization URL and returns the redirect to the
//!   client (`code`, `state`, `iss`) without requesting it; [`Browser::deny`] cancels.
//! * [`Browser::approve_device`] and [`Browser::abort_device`] answer a device flow
//!   (RFC 8628) on the provider's user-code pages.
//! * The constants below are the server's configuration (`interop/server.mjs`): clients,
//!   secrets, redirect URI, resource indicator. `interop/README.md` explains it.
//!
//! ```no_run
//! use pkce_interop::{Browser, OidcProvider, PUBLIC_CLIENT_ID, redirect_uri};
//!
//! let op = OidcProvider::start()?;
//! let redirect = redirect_uri(8080);
//! let url = format!(
//!     "{}/auth?response_type=code&client_id={PUBLIC_CLIENT_ID}&redirect_uri={}&scope=openid\
//!      &state=xyz&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\
//!      &code_challenge_method=S256",
//!     op.issuer(),
//!     "http%3A%2F%2F127.0.0.1%3A8080%2Fcallback",
//! );
//! let callback = Browser::new().authorize(&url, &redirect)?;
//! assert!(pkce_interop::query_param(&callback, "code").is_some());
//! # Ok::<(), pkce_interop::HarnessError>(())
//! ```

#![forbid(unsafe_code)]

mod browser;
mod error;
mod html;
mod mcp_server;
mod node;
mod provider;
mod url;

pub use browser::{Browser, http_agent};
pub use error::HarnessError;
pub use mcp_server::{
    MCP_ADMIN_SCOPE, MCP_ADMIN_TOOL, MCP_TOOLS_SCOPE, McpAnswer, McpServer, Observed,
    ObservedRegistration, initialize_request, mcp_post, tool_call_request,
};
pub use node::{START_TIMEOUT, interop_dir};
pub use provider::OidcProvider;
pub use url::{query_pairs, query_param};

/// Public client (`token_endpoint_auth_method: none`, `application_type: native`).
pub const PUBLIC_CLIENT_ID: &str = "interop-public";

/// Confidential client authenticating with `client_secret_basic`.
pub const BASIC_CLIENT_ID: &str = "interop-basic";
/// The secret of [`BASIC_CLIENT_ID`] (only `A-Z a-z 0-9 -`, so form-encoding is a no-op).
pub const BASIC_CLIENT_SECRET: &str = "interop-basic-secret-0123456789abcdef";

/// Confidential client authenticating with `client_secret_post`.
pub const POST_CLIENT_ID: &str = "interop-post";
/// The secret of [`POST_CLIENT_ID`].
pub const POST_CLIENT_SECRET: &str = "interop-post-secret-0123456789abcdef";

/// Public client like [`PUBLIC_CLIENT_ID`] whose refresh tokens expire after
/// [`SHORT_REFRESH_TOKEN_TTL_SECS`].
pub const SHORT_RT_CLIENT_ID: &str = "interop-short-rt";
/// Lifetime of the refresh tokens of [`SHORT_RT_CLIENT_ID`], in seconds.
pub const SHORT_REFRESH_TOKEN_TTL_SECS: u64 = 2;

/// The redirect URI every client has registered. They are all `native` clients, so
/// oidc-provider accepts this URI with any port (RFC 8252 §7.3): see [`redirect_uri`].
pub const REGISTERED_REDIRECT_URI: &str = "http://127.0.0.1/callback";
/// The path of [`REGISTERED_REDIRECT_URI`].
pub const REDIRECT_PATH: &str = "/callback";

/// The one resource indicator (RFC 8707) the server knows. Asking for it (with `resource`
/// in the authorization request and again in the token request) yields an opaque access
/// token with audience `urn:pkce:api` and the scopes of [`API_SCOPES`] that were requested;
/// without `resource` an `openid` request yields a token for the userinfo endpoint.
pub const API_RESOURCE: &str = "urn:pkce:api";
/// The scopes of [`API_RESOURCE`].
pub const API_SCOPES: &str = "api:read api:write";

/// `http://127.0.0.1:{port}/callback`: the registered redirect URI with a port.
#[must_use]
pub fn redirect_uri(port: u16) -> String {
    format!("http://127.0.0.1:{port}{REDIRECT_PATH}")
}

/// How a client of the interop server authenticates at the token, PAR, revocation and
/// introspection endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// Public client: `client_id` in the form, no secret.
    None,
    /// `Authorization: Basic` with the form-encoded id and secret (RFC 6749 §2.3.1).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form.
    ClientSecretPost,
}

/// One client registered in `interop/server.mjs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InteropClient {
    /// `client_id`.
    pub client_id: &'static str,
    /// `client_secret`, for confidential clients.
    pub client_secret: Option<&'static str>,
    /// Its `token_endpoint_auth_method`.
    pub auth: ClientAuth,
}

/// [`PUBLIC_CLIENT_ID`].
pub const PUBLIC_CLIENT: InteropClient = InteropClient {
    client_id: PUBLIC_CLIENT_ID,
    client_secret: None,
    auth: ClientAuth::None,
};
/// [`BASIC_CLIENT_ID`].
pub const BASIC_CLIENT: InteropClient = InteropClient {
    client_id: BASIC_CLIENT_ID,
    client_secret: Some(BASIC_CLIENT_SECRET),
    auth: ClientAuth::ClientSecretBasic,
};
/// [`POST_CLIENT_ID`].
pub const POST_CLIENT: InteropClient = InteropClient {
    client_id: POST_CLIENT_ID,
    client_secret: Some(POST_CLIENT_SECRET),
    auth: ClientAuth::ClientSecretPost,
};
/// [`SHORT_RT_CLIENT_ID`].
pub const SHORT_RT_CLIENT: InteropClient = InteropClient {
    client_id: SHORT_RT_CLIENT_ID,
    client_secret: None,
    auth: ClientAuth::None,
};
