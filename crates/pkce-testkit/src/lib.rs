//! A strict, spec-following OAuth 2.0 authorization server on loopback, plus a scripted
//! browser, so that every test of the `pkce` workspace is real HTTP.
//!
//! [`AuthServer`] listens on `127.0.0.1` and an ephemeral port, served by hyper on a tokio
//! runtime of its own thread (blocking and async tests alike can use it), and stops when
//! dropped. It implements the authorization code grant with PKCE (S256 only), refresh
//! tokens with rotation and replay detection, RFC 8414 / OIDC discovery, PAR (RFC 9126),
//! revocation (RFC 7009), the `iss` response parameter (RFC 9207) and a bearer-protected
//! `userinfo` endpoint, and answers every violation with the RFC's error. Any endpoint can
//! be told to [`Misbehavior`] at run time, [`AuthServer::hits`] counts its requests, and
//! [`AuthServer::rotation_counters`] counts refreshes, refresh-token reuses and revoked grants.
//! Short-lived access tokens (for refresh tests) come from [`ServerConfig::access_token_ttl`].
//! The device flow (RFC 8628) answers `slow_down` to a poll sooner than the interval; a test
//! decides for the user ([`AuthServer::approve_device`], [`AuthServer::deny_device`]), expires
//! the device codes or orders `slow_down`s, and reads when each poll arrived.
//!
//! | path | endpoint |
//! |---|---|
//! | `/.well-known/oauth-authorization-server`, `/.well-known/openid-configuration` | metadata |
//! | `/authorize` (GET), `/authorize/decision` (the consent form's POST) | authorization |
//! | `/token`, `/par`, `/revoke` (POST, form body, client authentication) | back channel |
//! | `/userinfo` (GET or POST, `Authorization: Bearer`) | protected resource |
//! | `/device_authorization` (POST), `/device` (the user-code page) | device flow (RFC 8628) |
//!
//! Policies worth knowing: every grant gets a refresh token whatever its scope; a request
//! without `scope` is granted `openid`; a code is consumed by its first redemption attempt,
//! successful or not; the one user is `alice`.
//!
//! Cargo feature `tls`: serving `https` ([`ServerConfig::tls`]) with the committed test
//! certificate, whose private key is compiled in only with this feature.
//!
//! [`UserAgent`] plays the person at the browser: it approves or denies on the consent page
//! and hands back the redirect to the client's callback, without following it.
//!
//! [`RedisServer`] starts a real `redis-server` on a free loopback port for the tests of
//! Redis-backed stores.
//! [`TraceCapture`] is a `tracing` subscriber for tests: it keeps every span and event of
//! the current thread, fields as text, to assert what a transport or session records.
//!
//! [`dpop::DpopVerifier`] checks DPoP proofs (RFC 9449 §4.3) as a server must, independently
//! of the client's builder, and names the key to bind tokens to; the endpoints do not use it
//! yet.
//!
//! ```
//! use pkce_core::form::{Pairs, encode_pairs_string};
//! use pkce_core::{CodeVerifier, State};
//! use pkce_testkit::{AuthServer, UserAgent, clients};
//!
//! let server = AuthServer::start()?;
//! let mut rng = getrandom::SysRng;
//! let verifier = CodeVerifier::generate(&mut rng)?;
//! let state = State::generate(&mut rng)?;
//! let redirect_uri = "http://127.0.0.1:49152/callback"; // any port: RFC 8252 §7.3
//! let query = encode_pairs_string([
//!     ("response_type", "code"),
//!     ("client_id", clients::PUBLIC_ID),
//!     ("redirect_uri", redirect_uri),
//!     ("scope", "openid offline_access"),
//!     ("state", state.expose_secret()),
//!     ("code_challenge", verifier.challenge().as_str()),
//!     ("code_challenge_method", "S256"),
//! ]);
//!
//! // The user approves; the callback URL comes back instead of being requested.
//! let callback = UserAgent::new().approve(&format!("{}?{query}", server.url("/authorize")))?;
//! let (_, callback_query) = callback.split_once('?').unwrap_or_default();
//! let param = |name: &str| {
//!     Pairs::new(callback_query.as_bytes()).find(|(n, _)| n.decoded_eq(name)).map(|(_, v)| v.decode_lossy())
//! };
//! assert_eq!(param("state").as_deref(), Some(state.expose_secret()));
//! assert_eq!(param("iss").as_deref(), Some(server.issuer()));
//! let code = param("code").ok_or("no code")?;
//!
//! // The code exchange, with a client that follows no redirect.
//! let agent = ureq::Agent::config_builder().max_redirects(0).http_status_as_error(false).build().new_agent();
//! let mut resp = agent.post(&server.url("/token")).send_form([
//!     ("grant_type", "authorization_code"),
//!     ("code", code.as_str()),
//!     ("redirect_uri", redirect_uri),
//!     ("client_id", clients::PUBLIC_ID),
//!     ("code_verifier", verifier.expose_secret()),
//! ])?;
//! assert_eq!(resp.status(), 200);
//! assert!(resp.body_mut().read_to_string()?.contains(r#""token_type":"Bearer""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
// Handlers short-circuit with the finished error response (`Result<_, Response>`). It is
// built once per request and moved once; boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

mod authorize;
mod client_auth;
mod config;
mod context;
mod cors;
mod device;
pub mod dpop;
mod dpop_gate;
mod id_token;
mod metadata;
mod misbehavior;
mod pages;
mod par;
mod params;
mod redis;
mod request;
mod respond;
mod revoke;
mod router;
mod server;
mod store;
mod tls;
mod token;
mod trace_capture;
mod user_agent;
mod userinfo;

pub use config::{ClientAuth, ClientRegistration, ServerConfig, clients};
pub use misbehavior::{Endpoint, Misbehavior};
pub use redis::RedisServer;
pub use server::AuthServer;
pub use store::RotationCounters;
pub use tls::TLS_CERT_PEM;
pub use trace_capture::{Recorded, TraceCapture};
pub use user_agent::{UaError, UserAgent};
