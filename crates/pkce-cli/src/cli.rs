//! The command line, as clap derives it.

use clap::{Args, Parser, Subcommand, ValueEnum};

use pkce_loopback::LoopbackHost;

/// OAuth 2.0 Authorization Code + PKCE from a terminal.
#[derive(Debug, Parser)]
#[command(name = "pkce", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Log in through the browser and a loopback redirect (RFC 8252); print the tokens.
    Login(LoginArgs),
    /// Exchange a refresh token (from stdin or an environment variable) for new tokens.
    Refresh(RefreshArgs),
    /// Revoke a token (from stdin or an environment variable), RFC 7009.
    Revoke(RevokeArgs),
    /// Run the whole flow against a built-in authorization server on loopback, narrated.
    Demo(DemoArgs),
    /// One process of the demo's shared-session step (not for direct use).
    #[command(hide = true)]
    DemoSessionWorker(SessionWorkerArgs),
}

/// How the client authenticates at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum AuthMethod {
    /// A public client: no secret.
    None,
    /// client_secret_basic.
    Basic,
    /// client_secret_post.
    Post,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    /// One JSON object on stdout.
    Json,
    /// `key: value` lines.
    Text,
}

/// The loopback address of the redirect URI (RFC 8252 §8.3: an IP literal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum RedirectHost {
    /// 127.0.0.1
    #[value(name = "127.0.0.1")]
    V4,
    /// ::1, the IPv6 loopback address
    #[value(name = "[::1]")]
    V6,
}

impl From<RedirectHost> for LoopbackHost {
    fn from(host: RedirectHost) -> Self {
        match host {
            RedirectHost::V4 => Self::V4,
            RedirectHost::V6 => Self::V6,
        }
    }
}

/// Which token `revoke` revokes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum TokenKind {
    /// A refresh token (also ends the grant's access tokens).
    Refresh,
    /// An access token.
    Access,
}

/// Options shared by every command that talks to an authorization server.
#[derive(Debug, Args)]
pub(crate) struct ServerArgs {
    /// The issuer; its metadata is discovered (RFC 8414, then OpenID Connect Discovery).
    #[arg(long)]
    pub(crate) issuer: String,
    /// The client identifier.
    #[arg(long)]
    pub(crate) client_id: String,
    /// Client authentication at the token endpoint.
    #[arg(long, value_enum, default_value = "none")]
    pub(crate) auth_method: AuthMethod,
    /// The environment variable holding the client secret (a secret is never an argument).
    #[arg(long, value_name = "VAR")]
    pub(crate) client_secret_env: Option<String>,
    /// Allow an authorization server on plain http at a loopback IP literal, 127.0.0.1 or ::1 (tests and local
    /// servers only; every other host must be https).
    #[arg(long)]
    pub(crate) dangerous_allow_http_loopback: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub(crate) output: Output,
    /// Narrate each step and HTTP exchange on stderr (secrets redacted).
    #[arg(short, long)]
    pub(crate) verbose: bool,
}

#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    #[command(flatten)]
    pub(crate) server: ServerArgs,
    /// A scope to request (repeatable).
    #[arg(long = "scope", value_name = "SCOPE")]
    pub(crate) scopes: Vec<String>,
    /// The loopback port to listen on (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub(crate) port: u16,
    /// The loopback address of the redirect URI.
    #[arg(long, value_enum, default_value = "127.0.0.1")]
    pub(crate) redirect_host: RedirectHost,
    /// The path of the redirect URI.
    #[arg(long, default_value = "/callback")]
    pub(crate) redirect_path: String,
    /// Push the authorization request first (RFC 9126).
    #[arg(long)]
    pub(crate) par: bool,
    /// An RFC 8707 resource indicator (repeatable).
    #[arg(long = "resource", value_name = "URI")]
    pub(crate) resources: Vec<String>,
    /// An extra authorization request parameter `k=v` (repeatable).
    #[arg(long = "param", value_name = "K=V")]
    pub(crate) params: Vec<String>,
    /// Seconds to wait for the browser to come back.
    #[arg(long, default_value_t = 300)]
    pub(crate) timeout: u64,
    /// Do not open a browser; only print the URL.
    #[arg(long)]
    pub(crate) no_browser: bool,
    /// How the user logs in.
    #[arg(long, value_enum, default_value = "browser")]
    pub(crate) flow: Flow,
}

/// How `pkce login` gets the user's consent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Flow {
    /// A browser and a loopback redirect (RFC 8252).
    Browser,
    /// The Device Authorization Grant (RFC 8628): a code to enter on any other device.
    Device,
}

#[derive(Debug, Args)]
pub(crate) struct RefreshArgs {
    #[command(flatten)]
    pub(crate) server: ServerArgs,
    /// The environment variable holding the refresh token (default: read it from stdin).
    #[arg(long, value_name = "VAR")]
    pub(crate) refresh_token_env: Option<String>,
    /// A narrower scope to ask for.
    #[arg(long)]
    pub(crate) scope: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct RevokeArgs {
    #[command(flatten)]
    pub(crate) server: ServerArgs,
    /// The environment variable holding the token (default: read it from stdin).
    #[arg(long, value_name = "VAR")]
    pub(crate) token_env: Option<String>,
    /// Which kind of token it is.
    #[arg(long, value_enum, default_value = "refresh")]
    pub(crate) token_type: TokenKind,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Also narrate each HTTP exchange.
    #[arg(short, long)]
    pub(crate) verbose: bool,
}

/// What a demo session worker is told by the demo.
#[derive(Debug, Args)]
pub(crate) struct SessionWorkerArgs {
    /// The demo server's issuer.
    #[arg(long)]
    pub(crate) issuer: String,
    /// The file store's directory.
    #[arg(long)]
    pub(crate) store_dir: String,
    /// When to ask, in milliseconds since the Unix epoch (all workers ask at once).
    #[arg(long)]
    pub(crate) start_at_ms: u64,
}
