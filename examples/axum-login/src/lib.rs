//! A server-side login app on axum, over `pkce-reqwest`: a confidential client
//! (`client_secret_basic`) whose browser never sees a token.
//!
//! - `GET /login` starts an authorization and seals its pending half (verifier, state,
//!   nonce) into an `HttpOnly`, `SameSite=Lax` cookie (`__Host-` prefixed and `Secure` over
//!   `https`; see [`cookie`]), then redirects to the authorization server.
//! - `GET /callback` opens the cookie, validates the callback, redeems the code, stores the
//!   tokens in `pkce-session` (Redis when configured, memory otherwise) under a random
//!   session id cookie and deletes the login cookie.
//! - `GET /me` calls the protected resource with a fresh access token (refreshed
//!   single-flight under the session's lock) and shows the user.
//! - `POST /logout` revokes the grant and deletes the stored session (the only path that
//!   deletes one).
//!
//! Any instance that shares the seal keys and the Redis server can finish a login another
//! one started: no sticky sessions, no pending-login table.
//!
//! No cargo features: the store is chosen at run time.
#![forbid(unsafe_code)]

mod account;
pub mod app;
pub mod config;
pub mod cookie;
mod login;
mod logout;
pub mod page;
pub mod store;

pub use app::App;
pub use config::Config;

/// Serves the app on `listener` until the process ends.
///
/// # Errors
/// The listener's I/O errors.
pub async fn serve(
    app: std::sync::Arc<App>,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    axum::serve(listener, app.router()).await
}
