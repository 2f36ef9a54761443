//! What every server-facing command does first: discover the issuer and build the client.

use std::io::Read;

use pkce_flow::{Client, ClientBuilder, ClientSecret, DiscoveryKind, LoopbackHttp, ServerMetadata};
use pkce_session::{FileStore, Sessions};
use pkce_ureq::Transport;

use crate::cli::AuthMethod;
use crate::failure::Failure;
use crate::narrate::Narrator;
use crate::settings::Settings;

/// A discovered server and a transport to reach it.
pub(crate) struct Session {
    pub(crate) transport: Transport,
    pub(crate) metadata: ServerMetadata,
    pub(crate) narrator: Narrator,
    /// A login's DPoP key, when the settings ask for DPoP (`--dpop`, `dpop = true`).
    pub(crate) dpop: Option<crate::dpop::LoginKey>,
}

impl Session {
    /// Discovers `args.issuer` (RFC 8414, then OpenID Connect Discovery after a 404).
    pub(crate) fn open(args: &Settings) -> Result<Self, Failure> {
        let narrator = Narrator {
            verbose: args.verbose,
        };
        let transport = Transport::new()?;
        narrator.step(&format!("discovering {}", args.issuer));
        let discovery = pkce_flow::Discovery::new(
            &args.issuer,
            DiscoveryKind::Probe,
            loopback(args.allow_http_loopback),
        )?;
        let metadata = transport.drive(narrator.wrap(discovery))?;
        narrator.step(&format!(
            "issuer {} confirmed; authorization endpoint {}, token endpoint {}",
            metadata.issuer, metadata.authorization_endpoint, metadata.token_endpoint
        ));
        Ok(Self {
            transport,
            metadata,
            narrator,
            dpop: crate::dpop::LoginKey::for_settings(args)?,
        })
    }

    /// A client builder from the metadata and the common options.
    pub(crate) fn builder(&self, args: &Settings) -> Result<ClientBuilder, Failure> {
        let mut b = Client::builder(&args.client_id).metadata(&self.metadata);
        if args.allow_http_loopback {
            b = b.dangerous_allow_insecure_loopback();
        }
        let secret = || -> Result<ClientSecret, Failure> {
            let var = args.client_secret_env.as_deref().ok_or_else(|| {
                Failure::usage("--auth-method basic|post needs --client-secret-env VAR (a secret is never an argument)")
            })?;
            let value = std::env::var(var).map_err(|_| {
                Failure::usage(&format!(
                    "the environment variable {var} is not set or not UTF-8"
                ))
            })?;
            Ok(ClientSecret::new(value))
        };
        Ok(match args.auth_method {
            AuthMethod::None => b,
            AuthMethod::Basic => b.client_secret_basic(secret()?),
            AuthMethod::Post => b.client_secret_post(secret()?),
        })
    }

    /// A client for the back-channel requests (refresh, revocation), which never redirect.
    pub(crate) fn back_channel_client(&self, args: &Settings) -> Result<Client, Failure> {
        let mut b = self.builder(args)?;
        for r in &args.resources {
            b = b.resource(r);
        }
        Ok(b.build_for_tokens()?)
    }

    /// The profile's sessions in the file store, bound to this server and client.
    pub(crate) fn sessions(&self, args: &Settings) -> Result<Sessions<FileStore>, Failure> {
        let store = FileStore::open(&args.store_dir)?;
        let client = self.back_channel_client(args)?;
        let resources: Vec<&str> = args.resources.iter().map(String::as_str).collect();
        Ok(Sessions::new(store, client, &self.metadata.token_endpoint).resources(&resources))
    }
}

/// The loopback http opt-in of the settings as the flow's value.
pub(crate) fn loopback(allow_http_loopback: bool) -> LoopbackHttp {
    if allow_http_loopback {
        LoopbackHttp::DangerouslyAllow
    } else {
        LoopbackHttp::Refuse
    }
}

/// A secret from an environment variable, or else the first line of stdin.
pub(crate) fn secret_input(env: Option<&str>, what: &str) -> Result<String, Failure> {
    if let Some(var) = env {
        return std::env::var(var).map_err(|_| {
            Failure::usage(&format!(
                "the environment variable {var} is not set or not UTF-8"
            ))
        });
    }
    let mut input = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut input)
        .map_err(|e| Failure::new(format!("reading the {what} from stdin: {e}")))?;
    let value = input.trim().to_owned();
    if value.is_empty() {
        return Err(Failure::usage(&format!("no {what} on stdin")));
    }
    Ok(value)
}
