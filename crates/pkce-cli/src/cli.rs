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
    /// Log in (browser and loopback redirect, RFC 8252, or a pasted URL) and store the session.
    Login(LoginArgs),
    /// Print a fresh access token: stored, refreshed, or (interactively) from a new login.
    Token(TokenArgs),
    /// Revoke the stored session's tokens at the server, then delete it.
    Logout(ProfileArgs),
    /// List the profiles and their stored sessions (never a secret).
    Status(StatusArgs),
    /// git's credential helper protocol: `get` answers with the token of the host's profile.
    GitCredential(GitCredentialArgs),
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

/// How `pkce login` obtains the authorization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Flow {
    /// A browser and a loopback redirect (RFC 8252).
    Browser,
    /// The Device Authorization Grant (RFC 8628).
    Device,
    /// Print the URL; paste the final redirect URL (or its query) back on stdin.
    Manual,
}

/// What `pkce token` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// The bare access token.
    Token,
    /// `Authorization: Bearer …`.
    Header,
    /// One JSON object: access_token, token_type, expires_at, scope.
    Json,
    /// A kubectl client-go `ExecCredential` (v1 or v1beta1, from `KUBERNETES_EXEC_INFO`).
    ExecCredential,
    /// `Authorization: DPoP …` and `DPoP: <fresh proof>` for one request (`--method`,
    /// `--url`) of a session bound to a DPoP key.
    Dpop,
}

/// The git credential helper operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum GitOperation {
    /// Answer with a token.
    Get,
    /// Accepted and ignored (the session is the store).
    Store,
    /// Accepted and ignored (use `pkce logout`).
    Erase,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Output {
    /// A summary without secrets (the default of `pkce login`).
    Summary,
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

/// Which profile of which config file.
#[derive(Clone, Debug, Args)]
pub(crate) struct ConfigArgs {
    /// The config file (default: `$PKCE_CONFIG`, else `pkce/config.toml` in the config directory).
    #[arg(long, value_name = "PATH")]
    pub(crate) config: Option<std::path::PathBuf>,
    /// The profile (default: `$PKCE_PROFILE`, else the file's `default_profile`, else `default`).
    #[arg(long, value_name = "NAME")]
    pub(crate) profile: Option<String>,
}

/// Options shared by every command that talks to an authorization server; each overrides the
/// profile's setting.
#[derive(Clone, Debug, Args)]
pub(crate) struct ServerArgs {
    #[command(flatten)]
    pub(crate) config: ConfigArgs,
    /// The issuer; its metadata is discovered (RFC 8414, then OpenID Connect Discovery).
    #[arg(long)]
    pub(crate) issuer: Option<String>,
    /// The client identifier.
    #[arg(long)]
    pub(crate) client_id: Option<String>,
    /// Client authentication at the token endpoint (default none).
    #[arg(long, value_enum)]
    pub(crate) auth_method: Option<AuthMethod>,
    /// The environment variable holding the client secret (a secret is never an argument).
    #[arg(long, value_name = "VAR")]
    pub(crate) client_secret_env: Option<String>,
    /// Allow an authorization server on plain http at a loopback IP literal, 127.0.0.1 or ::1 (tests and local
    /// servers only; every other host must be https).
    #[arg(long)]
    pub(crate) dangerous_allow_http_loopback: bool,
    /// Output format (default: summary for `login`, json otherwise).
    #[arg(long, value_enum)]
    pub(crate) output: Option<Output>,
    /// Narrate each step and HTTP exchange on stderr (secrets redacted).
    #[arg(short, long)]
    pub(crate) verbose: bool,
}

#[derive(Clone, Debug, Args)]
pub(crate) struct LoginArgs {
    #[command(flatten)]
    pub(crate) server: ServerArgs,
    /// A scope to request (repeatable).
    #[arg(long = "scope", value_name = "SCOPE")]
    pub(crate) scopes: Vec<String>,
    /// The loopback port to listen on (default 0: any free port).
    #[arg(long)]
    pub(crate) port: Option<u16>,
    /// The loopback address of the redirect URI (default 127.0.0.1).
    #[arg(long, value_enum)]
    pub(crate) redirect_host: Option<RedirectHost>,
    /// The path of the redirect URI.
    #[arg(long, default_value = "/callback")]
    pub(crate) redirect_path: String,
    /// Push the authorization request first (RFC 9126).
    #[arg(long)]
    pub(crate) par: bool,
    /// Bind the tokens to a new DPoP key (RFC 9449), stored with the session.
    #[arg(long)]
    pub(crate) dpop: bool,
    /// An RFC 8707 resource indicator (repeatable). One `--resource` without an issuer or
    /// client id logs in to that MCP server: its authorization server is discovered from it
    /// and a client registered.
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
    /// How to obtain the authorization (default: browser, unless none can be opened).
    #[arg(long, value_enum)]
    pub(crate) flow: Option<Flow>,
    /// The command that opens the URL (given as its last argument, or in place of `%s`);
    /// default `$BROWSER`, else the platform's browser.
    #[arg(long, value_name = "CMD")]
    pub(crate) browser_command: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    #[command(flatten)]
    pub(crate) login: LoginArgs,
    /// What to print.
    #[arg(long, value_enum, default_value = "token")]
    pub(crate) format: Format,
    /// Log in when no usable session exists even without a terminal (a browser command
    /// or `--flow manual` does the interaction).
    #[arg(long)]
    pub(crate) interactive: bool,
    #[command(flatten)]
    pub(crate) request: crate::dpop::RequestArgs,
}

/// A command that only needs the profile and its server.
#[derive(Debug, Args)]
pub(crate) struct ProfileArgs {
    #[command(flatten)]
    pub(crate) server: ServerArgs,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    pub(crate) config: ConfigArgs,
}

#[derive(Debug, Args)]
pub(crate) struct GitCredentialArgs {
    /// What git asks.
    #[arg(value_enum)]
    pub(crate) operation: GitOperation,
    #[command(flatten)]
    pub(crate) config: ConfigArgs,
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
