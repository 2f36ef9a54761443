//! The OAuth 2.0 Authorization Code + PKCE flow as a sans-io state machine.
//!
//! This crate makes every OAuth decision and performs no I/O: it never opens a socket, reads
//! a clock, sleeps, or follows a redirect. It emits [`HttpRequest`] descriptions and consumes
//! [`HttpResponse`]s, so any runtime (blocking, async, embedded, WASM, a custom event loop)
//! can drive it. Randomness comes from the caller's CSPRNG; time, where an expiry is
//! computed, comes in as an argument. It is `#![no_std]` with `alloc`.
//!
//! # The flow
//!
//! ```text
//!  Discovery ──poll loop──► ServerMetadata ──► Client::builder(..).metadata(..).build()
//!                                                   │
//!              ┌────────────── Client::authorize(rng) ───────────────┐
//!              │        (or Client::push_authorization(rng), RFC 9126) │
//!              ▼                                                      ▼
//!      AuthorizationUrl ──► browser                     PendingAuthorization ──► storage
//!                                                                      │ (into_stored / resume)
//!   redirect query ──────────────────────────► PendingAuthorization::callback(query)
//!                                     state (constant time) → iss (RFC 9207) → error → code
//!                       forged: Rejected + pending back │ answered: consumed
//!                                                       ▼
//!                     TokenExchange ──poll loop──► TokenResponse
//!                     Client::refresh(rt) ──poll loop──► TokenResponse (rotated?)
//!                     Client::revoke_*(t) ──poll loop──► ()
//!                     ResourceRequest::get(url, at) ──poll loop──► BearerResponse
//! ```
//!
//! Without a browser on the device, the [`device`] module runs the Device Authorization
//! Grant (RFC 8628): `Client::device_authorization` ──poll loop──► `DeviceAuthorization`
//! (show the user code), then `Client::device_poll(..).attempt(now)` ──poll loop──►
//! `DeviceStatus::Pending { retry_at }` until `Done(TokenResponse)`; the driver sleeps.
//! `DevicePoll::attempt_with_dpop` is the same attempt signed with the client's DPoP key,
//! when it has one.
//!
//! A [`TokenExchange`] exists only as the result of a validated callback, and a
//! [`PendingAuthorization`] is consumed by the callback that answers it: a code is never
//! exchanged twice, and never without the state check.
//!
//! # The driver loop
//!
//! **Every exchange is driven by the same loop, and a driver must enforce the
//! [`RequestPolicy`] each request carries: never follow a redirect, stop reading past the
//! body cap, time out, and never resend a request whose policy forbids it.**
//!
//! ```ignore
//! fn drive<E: Exchange>(mut exchange: E) -> Result<E::Output, MyError> {
//!     loop {
//!         match exchange.poll_output()? {
//!             Poll::Request(request) => {
//!                 let response = send(&request)?;          // your HTTP client
//!                 exchange.handle_response(response.as_http_response())?;
//!             }
//!             Poll::Done(output) => return Ok(output),
//!         }
//!     }
//! }
//! ```
//!
//! `pkce-ureq` (blocking) and `pkce-reqwest` (async) are that loop, written once each.
//!
//! # A whole flow, with canned responses
//!
//! ```
//! use pkce_flow::{Client, Exchange, HttpResponse, Poll};
//! # use rand_chacha::rand_core::SeedableRng;
//! # fn main() -> Result<(), Box<dyn core::error::Error>> {
//! let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1); // real code: `authorize_with_os_rng()`
//!
//! let client = Client::builder("s6BhdRkqt3")
//!     .issuer("https://as.example")
//!     .authorization_endpoint("https://as.example/authorize")
//!     .token_endpoint("https://as.example/token")
//!     .redirect_uri("http://127.0.0.1:51004/callback")
//!     .scopes("openid profile")
//!     .build()?;
//!
//! // 1. Send the user to the authorization URL; keep the pending authorization.
//! let (url, pending) = client.authorize(&mut rng)?;
//! assert!(url.as_str().contains("code_challenge_method=S256"));
//!
//! // 2. The browser comes back to the redirect URI (here, what the server would send).
//! let state = pending.state().expose_secret().to_owned();
//! let query = format!("code=SplxlOBeZQQYbYS6WxSbIA&state={state}&iss=https%3A%2F%2Fas.example");
//! let mut exchange = pending.callback(&query)?;
//!
//! // 3. The code exchange, through the poll loop.
//! let Poll::Request(request) = exchange.poll_output()? else { unreachable!() };
//! assert_eq!(request.url(), "https://as.example/token");
//! let body = br#"{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600}"#;
//! exchange.handle_response(HttpResponse::new(200, body).with_header("Content-Type", "application/json"))?;
//! let Poll::Done(tokens) = exchange.poll_output()? else { unreachable!() };
//! assert_eq!(tokens.expires_at(1_700_000_000), Some(1_700_003_600));
//! assert_eq!(format!("{:?}", tokens.access_token()), "AccessToken(<redacted>)");
//! # Ok(()) }
//! ```
//!
//! # DPoP (RFC 9449)
//!
//! [`dpop`] builds proofs of possession from what a request is, the time and the caller's
//! randomness, signing through the [`dpop::DpopSigner`] trait (a key in an HSM, a TPM or a
//! keystore plugs in; `dpop-es256` ships a software ES256 key), and reads the servers'
//! `DPoP-Nonce` and `DPoP` challenges:
//!
//! ```
//! # #[cfg(feature = "dpop-es256")] {
//! use pkce_flow::AccessToken;
//! use pkce_flow::dpop::{DpopNonce, DpopSigner, Es256Key, ProofRequest};
//! # use rand_chacha::rand_core::SeedableRng;
//! let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1); // use the OS CSPRNG in real code
//! let key = Es256Key::generate(&mut rng)?;
//! let jkt = key.public_jwk().thumbprint(); // `dpop_jkt` (RFC 9449 §10)
//! let nonce = DpopNonce::parse("eyJ7S_zG.eyJH0-Z.HX4w-7v")?; // from a `DPoP-Nonce` header
//! let token = AccessToken::new("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU".into());
//! let proof = ProofRequest::new("GET", "https://rs.example/api?page=2")?
//!     .nonce(Some(&nonce))
//!     .access_token(&token)? // `ath`: resource requests only
//!     .sign(&key, &mut rng, 1_700_000_000)?; // `now` from your clock
//! // Send `DPoP: <proof>` and `Authorization: DPoP <token>`.
//! assert_eq!(proof.expose_secret().split('.').count(), 3);
//! assert_eq!(format!("{proof:?}"), "DpopProof(<redacted>)");
//! # assert_eq!(jkt.as_str().len(), 43);
//! # }
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
//!
//! To use DPoP end to end, configure the client with the key (`ClientBuilder::dpop_key`, a
//! [`dpop::DpopKey`]): authorization requests then carry `dpop_jkt` and token responses must
//! be `DPoP` tokens. Drive each PAR, code exchange, refresh or [`ResourceRequest`] through a
//! [`dpop::DpopExchange`] (the key, a [`dpop::NonceMemory`], your RNG and `now`): every
//! request gets a proof, and a `use_dpop_nonce` answer gets exactly one new request with the
//! server's nonce, from the same poll loop; a second one in a row is an error. The device
//! flow's polls are signed by `DevicePoll::attempt_with_dpop`, one wrapper per attempt.
//!
//! # OpenID Connect
//!
//! With `openid` in the scope, each authorization request carries a `nonce`, and
//! [`Client::validate_id_token`] checks the ID token by OpenID Connect Core §3.1.3.7 (see
//! [`oidc`], including when TLS alone may establish its issuer).
//!
//! # Cargo features
//!
//! | feature | what it adds |
//! |---|---|
//! | `serde` | `Serialize`/`Deserialize` for [`StoredAuthorization`] (and the secret newtypes) |
//! | `zeroize` | wipes verifiers, states, codes, tokens, secrets and request bodies on drop |
//! | `os-rng` | `Client::authorize_with_os_rng` and `push_authorization_with_os_rng`: the OS CSPRNG through getrandom, no generator to bring (needs an OS; on in both transports) |
//! | `seal` | sealed pending authorizations (module `seal`: `StoredAuthorization::seal`/`open`, `Client::open_pending`): XChaCha20-Poly1305, cookie-safe, key rotation, maximum age; implies `serde` |
//! | `dpop-es256` | `dpop::Es256Key`, a software ES256 DPoP key on RustCrypto's `p256` |
//! | `tracing` | module [`trace`]: the spans and events drivers emit (exchange kind, method, URL without query, status, time; never a secret); on in both transports |
//! | `http` | [`HttpRequest::to_http`] (also `TryFrom`) into `http::Request<Vec<u8>>`, with the [`RequestPolicy`] in its extensions, and `HttpResponse::from(&http::Response<B>)`: drive an exchange with hyper, axum or tower (needs `std`, through the `http` crate) |

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

mod auth;
mod authorize;
pub mod bearer;
mod builder;
mod callback;
mod client;
pub mod device;
mod discovery;
pub mod dpop;
mod endpoint;
mod error;
mod exchange;
mod http;
#[cfg(feature = "http")]
mod http_types;
mod introspection;
mod json;
mod loose;
pub mod mcp;
pub mod oidc;
#[cfg(feature = "os-rng")]
mod os_rng;
mod par;
mod params;
mod probe;
mod quirk;
mod refresh;
mod registration;
mod request;
mod resource;
mod revoke;
#[cfg(feature = "seal")]
pub mod seal;
mod secret;
mod text;
mod token;
#[cfg(feature = "tracing")]
pub mod trace;
mod unverified;

pub use auth::ClientAuth;
pub use authorize::{AuthorizationUrl, PendingAuthorization, StoredAuthorization};
pub use builder::ClientBuilder;
pub use callback::{MAX_QUERY_BYTES, MAX_VALUE_BYTES, Rejected, callback_state};
pub use client::Client;
pub use discovery::{
    Discovery, DiscoveryKind, ServerMetadata, oauth_metadata_url,
    openid_configuration_inserted_url, openid_configuration_url, parse_metadata,
};
pub use endpoint::LoopbackHttp;
pub use error::{
    Action, AuthorizationError, AuthorizationErrorCode, CallbackError, ConfigError, EndpointError,
    Error, MetadataError, Mismatch, Misuse, ResponseError, TokenError, TokenErrorCode,
};
pub use http::{Exchange, HttpRequest, HttpResponse, Method, Poll, RequestPolicy};
pub use introspection::{Introspected, Introspection};
#[cfg(feature = "os-rng")]
pub use os_rng::OsRng;
pub use par::{PushedAuthorization, PushedAuthorizationUrl};
pub use pkce_core;
pub use quirk::{Quirk, QuirkSet};
pub use refresh::RefreshExchange;
pub use registration::{ClientMetadata, RegisteredClient, Registration};
pub use resource::{BearerResponse, ResourceRequest};
pub use revoke::Revocation;
pub use secret::{AccessToken, AuthorizationCode, ClientSecret, DeviceCode, RefreshToken};
pub use text::{DISPLAY_LIMIT, UntrustedText};
pub use token::{MAX_EXPIRES_AT, TokenExchange, TokenResponse, parse_token_response};
pub use unverified::UnverifiedError;
