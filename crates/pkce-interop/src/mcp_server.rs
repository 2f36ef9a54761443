//! [`McpServer`]: an MCP server built from the official MCP TypeScript SDK, its own
//! authorization server included, run by `node interop/mcp-server.mjs` on 127.0.0.1; and
//! [`mcp_post`], one JSON-RPC call to it with its answer read from JSON or SSE.

use std::path::Path;

use serde_json::Value;

use crate::browser::http_agent;
use crate::error::HarnessError;
use crate::node::NodeServer;

/// The scope the MCP endpoint requires; its 401 challenge names it and its protected
/// resource metadata lists it in `scopes_supported`.
pub const MCP_TOOLS_SCOPE: &str = "mcp:tools";
/// The scope the [`MCP_ADMIN_TOOL`] call also requires (not advertised): a call without it is
/// a 403 `insufficient_scope` naming both scopes.
pub const MCP_ADMIN_SCOPE: &str = "mcp:admin";
/// The tool whose call needs [`MCP_ADMIN_SCOPE`].
pub const MCP_ADMIN_TOOL: &str = "admin";

/// A running MCP server on `http://127.0.0.1:PORT/mcp`, stopped when dropped.
///
/// The SDK serves the authorization server (`/authorize`, which approves at once, `/token`,
/// `/register`, `/revoke`, RFC 8414 metadata with the issuer `http://127.0.0.1:PORT/`), the
/// protected resource metadata (RFC 9728) at `/.well-known/oauth-protected-resource/mcp`,
/// and the Streamable HTTP endpoint `/mcp` behind its bearer middleware, whose 401 names the
/// metadata. Our provider refuses a `resource` other than the endpoint's URL, rotates
/// refresh tokens, and reports what it saw through [`McpServer::observed`].
///
/// ```no_run
/// let server = pkce_interop::McpServer::start()?;
/// assert!(server.resource().ends_with("/mcp"));
/// # Ok::<(), pkce_interop::HarnessError>(())
/// ```
#[derive(Debug)]
pub struct McpServer {
    server: NodeServer,
}

impl McpServer {
    /// Installs the pinned packages if needed (`npm ci` in `interop/`), starts `node
    /// mcp-server.mjs --port 0` with access tokens living an hour, and waits until it listens.
    ///
    /// # Errors
    /// As [`crate::OidcProvider::start`].
    pub fn start() -> Result<Self, HarnessError> {
        Self::start_with_access_token_ttl(3600)
    }

    /// As [`McpServer::start`], with access tokens living `secs` seconds.
    ///
    /// # Errors
    /// As [`crate::OidcProvider::start`].
    pub fn start_with_access_token_ttl(secs: u32) -> Result<Self, HarnessError> {
        let ttl = secs.to_string();
        let args = ["--access-token-ttl", ttl.as_str()];
        Ok(Self {
            server: NodeServer::start("mcp-server.mjs", &args, "/mcp")?,
        })
    }

    /// The MCP endpoint, `http://127.0.0.1:PORT/mcp`: the resource URL a client starts from.
    #[must_use]
    pub fn resource(&self) -> &str {
        self.server.url()
    }

    /// The authorization server's issuer, `http://127.0.0.1:PORT/` (with the trailing slash
    /// the SDK gives it).
    #[must_use]
    pub fn issuer(&self) -> String {
        let origin = self.resource().trim_end_matches("/mcp");
        format!("{origin}/")
    }

    /// What the server's provider saw so far.
    ///
    /// # Errors
    /// [`HarnessError::Http`] when the request fails, [`HarnessError::UnexpectedPage`] when
    /// the answer is not the expected JSON.
    pub fn observed(&self) -> Result<Observed, HarnessError> {
        let url = format!("{}test/observed", self.issuer());
        let mut resp = http_agent()
            .get(&url)
            .call()
            .map_err(|source| HarnessError::Http {
                url: url.clone(),
                source,
            })?;
        let text = resp
            .body_mut()
            .read_to_string()
            .map_err(|source| HarnessError::Http {
                url: url.clone(),
                source,
            })?;
        let json: Value =
            serde_json::from_str(&text).map_err(|_| HarnessError::UnexpectedPage {
                url: url.clone(),
                status: resp.status().as_u16(),
                summary: text.chars().take(200).collect(),
            })?;
        let resources = |list: &str| -> Vec<Option<String>> {
            json.get(list)
                .and_then(Value::as_array)
                .map(|items| items.iter().map(|i| str_field(i, "resource")).collect())
                .unwrap_or_default()
        };
        let registrations = json
            .get("registrations")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|i| ObservedRegistration {
                        application_type: str_field(i, "application_type"),
                        token_endpoint_auth_method: str_field(i, "token_endpoint_auth_method"),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Observed {
            registrations,
            authorization_resources: resources("authorizations"),
            code_exchange_resources: resources("code_exchanges"),
            refresh_resources: resources("refreshes"),
        })
    }

    /// The file that receives the server's stderr (one line per request).
    #[must_use]
    pub fn log_path(&self) -> &Path {
        self.server.log_path()
    }

    /// The server's log so far.
    #[must_use]
    pub fn log(&self) -> String {
        self.server.log()
    }
}

fn str_field(item: &Value, name: &str) -> Option<String> {
    item.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// What an [`McpServer`]'s provider saw, in order: the `resource` parameter of each
/// authorization request, code exchange and refresh (`None` when absent).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Observed {
    /// Each dynamic client registration request.
    pub registrations: Vec<ObservedRegistration>,
    /// `resource` of each authorization request.
    pub authorization_resources: Vec<Option<String>>,
    /// `resource` of each authorization code exchange.
    pub code_exchange_resources: Vec<Option<String>>,
    /// `resource` of each refresh.
    pub refresh_resources: Vec<Option<String>>,
}

/// One registration request's client metadata, as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObservedRegistration {
    /// `application_type`.
    pub application_type: Option<String>,
    /// `token_endpoint_auth_method`.
    pub token_endpoint_auth_method: Option<String>,
}

/// The answer to [`mcp_post`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct McpAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The `WWW-Authenticate` header, if any.
    pub www_authenticate: Option<String>,
    /// The JSON-RPC message: the body when it is JSON, else the first `data:` event of the
    /// SSE stream; `None` when neither parses.
    pub message: Option<Value>,
}

/// One Streamable HTTP call: `POST url` with the JSON-RPC `body`, `Accept: application/json,
/// text/event-stream`, and `Authorization: Bearer token` when a token is given.
///
/// # Errors
/// [`HarnessError::Http`] when the request fails below HTTP.
pub fn mcp_post(url: &str, token: Option<&str>, body: &Value) -> Result<McpAnswer, HarnessError> {
    let mut req = http_agent()
        .post(url)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json, text/event-stream");
    if let Some(token) = token {
        req = req.header("Authorization", &format!("Bearer {token}"));
    }
    let http = |source| HarnessError::Http {
        url: url.to_owned(),
        source,
    };
    let mut resp = req.send(body.to_string().as_bytes()).map_err(http)?;
    let status = resp.status().as_u16();
    let www_authenticate = resp
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = resp.body_mut().read_to_string().map_err(http)?;
    let message = serde_json::from_str(&text).ok().or_else(|| {
        text.lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .find_map(|data| serde_json::from_str(data.trim()).ok())
    });
    Ok(McpAnswer {
        status,
        www_authenticate,
        message,
    })
}

/// The JSON-RPC `initialize` request of an MCP client, with id 1.
#[must_use]
pub fn initialize_request() -> Value {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": { "name": "pkce-interop", "version": "0" }
        }
    })
}

/// The JSON-RPC `tools/call` request for `tool` without arguments, with id 2.
#[must_use]
pub fn tool_call_request(tool: &str) -> Value {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": { "name": tool, "arguments": {} }
    })
}
