//! Stored OAuth sessions that survive: one call for a fresh access token, correct with any
//! number of processes on one machine ([`FileStore`]) and with a fleet of machines sharing
//! one Redis (`RedisStore`, feature `redis`).
//!
//! Refresh tokens rotate: a server that sees a rotated-out refresh token used again revokes
//! the whole grant. Two processes that refresh one stored session at once therefore lose it
//! both. Here every refresh of a stored session happens under that session's exclusive
//! lock, after re-reading it, so one refresh serves every process waiting at the same
//! expiry.
//!
//! # The protocol
//!
//! ```text
//!  fresh? ──yes──► return (no lock)
//!    │no
//!  lock(key) ─► re-read ─► fresh now? ──yes──► adopt, unlock, return      (a sibling refreshed)
//!    │no
//!  refresh ─ok──► ID token (if any) names the login's user? ──no──► RefreshedIdTokenRefused
//!    │                  │yes                                         (session kept, marked stale)
//!    │                atomic write ─► hook ─► unlock ─► return
//!    │invalid_grant
//!  re-read ─► refresh token changed? ──yes──► adopt
//!    │no
//!  LoginRequired (session kept, marked stale; replaced only by a successful login)
//! ```
//!
//! A transport failure after the request may have reached the server is
//! [`SessionError::RefreshOutcomeUnknown`] and is never retried: with rotation, a second
//! attempt with the old refresh token revokes the grant on a strict server.
//!
//! The decisions (fresh? adopt? lost race or revoked?) are the pure functions of
//! [`decide`], with the time passed in. The I/O is split in steps so that a blocking and an
//! async transport drive the one protocol: [`Sessions::begin`] returns
//! [`Begin::Fresh`] or [`Begin::NeedRefresh`] with a [`RefreshPlan`] that holds the lock;
//! the caller drives [`RefreshPlan::exchange`] with its transport and hands the outcome to
//! [`RefreshPlan::finish`]. The `RefreshExchange` of a stored session can only be had from a
//! plan, so no refresh happens outside the lock. `pkce-ureq` and `pkce-reqwest` (feature
//! `session`) wrap the three steps in one call.
//!
//! Every step is traced with `tracing` (always on; about an atomic load per call site with
//! no subscriber): `DEBUG` events `session: login saved`, `session: fresh token`,
//! `session: adopted a sibling's refresh`, `session: refresh due, lock held` (with
//! `lock_wait_ms`), `session: refresh finished`, `session: deleted on logout`, `session: login
//! required` (with the `reason`), and `WARN` events `session: refresh failed` / `session: begin failed` (with the
//! error's `Display`); each carries the session `key`, never a token.
//!
//! Taking a lock blocks the calling thread for at most [`Sessions::lock_wait`]; only the
//! slow path (a refresh is due) takes it. Async callers accept that short block (a refresh
//! holds the lock for one token request) rather than a second, async lock protocol.
//!
//! # Stores
//!
//! - [`MemoryStore`]: one process.
//! - [`FileStore`]: one machine. One 0600 file per key in a directory only the user can
//!   write, replaced by temp file + fsync + rename + directory fsync; a per-key OS file lock
//!   on a separate lock file, held from the re-read through the write and released by the OS
//!   if its holder dies.
//! - `RedisStore` (feature `redis`): a fleet. A lease lock (`SET NX PX`, released by
//!   compare-and-delete) and fenced writes: a holder whose lease ran out can never overwrite
//!   a newer session.
//!
//! # ID tokens on refresh
//!
//! A session saved with [`Sessions::save_validated_login`] keeps the login's validated
//! identity (`pkce_flow::oidc::LoginIdentity`: `iss`, `sub`, `aud`, `azp`, `auth_time`). An
//! ID token in a refresh response of that session is validated by pkce-flow
//! (`Client::validate_refreshed_id_token_for`, OpenID Connect Core §12.2) before anything is
//! stored; refused, it is [`SessionError::RefreshedIdTokenRefused`], the refreshed tokens are
//! dropped and the session is kept, marked stale: a server that switched the user is a reason
//! to sign in again. The issuer is the one established by the token endpoint's TLS unless
//! [`Sessions::id_token_verifier`] is given.
//!
//! # Deletion
//!
//! No stored session is deleted except by an explicit logout
//! ([`Sessions::delete_on_logout`], under the session's lock) or replaced except by a
//! successful login or refresh. A refused refresh token, or a refresh whose ID token names
//! another user than the login's, leaves the session marked stale; a
//! lost answer, a damaged file or a session of another client leaves it as it is.
//!
//! [`Registrations`] keeps dynamically registered clients (RFC 7591) beside a
//! [`FileStore`]'s sessions, one 0600 file per issuer, given back only for exactly that
//! issuer: a client registered with one authorization server is never used with another.
//!
//! # Features
//!
//! - `redis`: `RedisStore`.
//! - `dpop`: `StoredDpopKey::from_es256`/`to_es256`, a session's ES256 DPoP key stored with
//!   it (`Sessions::save_login_with_dpop_key`) and restored to sign its refreshes. Without
//!   it, a session bound to a DPoP key is not refreshed ([`SessionError::DpopKeyUnusable`]):
//!   its refresh token is never sent without a proof of its key.
//! - `test-hooks`: not an API; environment switches for the workspace's tests (locking off,
//!   a pause at a protocol point).
//!
//! # Example
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use pkce_session::{Begin, FileStore, RefreshResult, SessionKey, Sessions};
//! # let client = pkce_flow::Client::builder("app").token_endpoint("https://as.example/token")
//! #     .authorization_endpoint("https://as.example/authorize")
//! #     .redirect_uri("http://127.0.0.1/callback").build()?;
//! # let now = 0;
//! # fn send(_: pkce_session::SessionRefresh<'_>) -> RefreshResult { unimplemented!() }
//! let sessions = Sessions::new(FileStore::open("/home/me/.cache/app")?, client, "https://as.example/token");
//! let key = SessionKey::new("default")?;
//! let token = match sessions.begin(&key, now)? {
//!     Begin::Fresh(token) => token,
//!     Begin::NeedRefresh(mut plan) => {
//!         let result = send(plan.exchange()?); // the transport's part
//!         plan.finish(result, now)?
//!     }
//! };
//! # let _ = token; Ok(()) }
//! ```
#![forbid(unsafe_code)]

pub mod decide;
mod dpop_key;
mod error;
mod file;
mod hooks;
mod logout;
mod memory;
mod protocol;
#[cfg(feature = "redis")]
mod redis;
mod refreshed_id;
mod registrations;
#[cfg(feature = "redis")]
mod resp;
mod save;
mod session;
mod signed_refresh;
mod store;

pub use dpop_key::StoredDpopKey;
pub use error::{LoginReason, SessionError, TransportError};
pub use file::{FileLock, FileStore};
pub use memory::{MemoryLock, MemoryStore};
pub use protocol::{Begin, ChangeHook, DEFAULT_LOCK_WAIT, RefreshPlan, RefreshResult, Sessions};
#[cfg(feature = "redis")]
pub use redis::{DEFAULT_LEASE, RedisLock, RedisStore};
pub use refreshed_id::SharedIdTokenVerifier;
pub use registrations::Registrations;
pub use save::LoginParts;
pub use session::{Binding, FORMAT_VERSION, MAX_SESSION_BYTES, SessionKey, StoredSession};
pub use signed_refresh::SessionRefresh;
pub use store::{SessionLock, SessionStore};

/// Seconds since the Unix epoch, the clock the protocol's `now` arguments expect.
#[must_use]
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
