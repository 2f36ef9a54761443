//! Sealed pending authorizations: a [`StoredAuthorization`] encrypted and authenticated into
//! a compact, cookie-safe string, so any instance of a stateless web app can finish a login
//! that another instance started (feature `seal`).
//!
//! ```
//! use pkce_flow::Client;
//! use pkce_flow::seal::{SealKey, SealKeys};
//! # use rand_chacha::rand_core::SeedableRng;
//! # fn main() -> Result<(), Box<dyn core::error::Error>> {
//! let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1); // use the OS CSPRNG in real code
//! let client = Client::builder("s6BhdRkqt3")
//!     .issuer("https://as.example")
//!     .authorization_endpoint("https://as.example/authorize")
//!     .token_endpoint("https://as.example/token")
//!     .redirect_uri("https://app.example/callback")
//!     .build()?;
//! // One key seals; older keys may still open (rotation). Load the bytes from your secrets.
//! let keys = SealKeys::new(SealKey::new(1, [7; 32]));
//! let now = 1_700_000_000; // seconds since the Unix epoch, from your clock
//!
//! // `/login`: redirect to `url`, with the sealed value in a cookie.
//! let (url, pending) = client.authorize(&mut rng)?;
//! let cookie = pending.seal(&keys, now, &mut rng)?;
//! assert!(cookie.len() < 1024);
//!
//! // `/callback`, on any instance sharing the keys: open (at most ten minutes old), then
//! // validate the redirect query with the pending authorization as usual.
//! let pending = client.open_pending(&cookie, &keys, now + 30, 600)?;
//! # let _ = (url, pending);
//! # Ok(()) }
//! ```
//!
//! # The AEAD: XChaCha20-Poly1305
//!
//! Each seal draws a fresh 192-bit nonce from the caller's CSPRNG. With 192 bits, random
//! nonces never collide in practice (after 2^64 seals under one key the chance is about
//! 2^-64), so no counter or per-instance state is needed: exactly what a fleet of stateless
//! instances sharing one key requires. AES-GCM's 96-bit nonces are unsafe to draw at random
//! at that scale, and AES-GCM-SIV would need AES hardware to be fast and constant time on
//! every target; ChaCha20-Poly1305 is constant time in portable code, including `no_std`.
//!
//! # The format (version 1)
//!
//! The sealed text is base64url without padding (RFC 4648 §5) of:
//!
//! ```text
//!  0        1        2                          26                      n-16       n
//! ┌────────┬────────┬──────────────────────────┬───────────────────────┬──────────┐
//! │version │ key id │ nonce (24 bytes, random) │ ciphertext of:        │ tag (16) │
//! │  0x01  │ 0..255 │                          │ issued-at (u64 BE,    │ Poly1305 │
//! │        │        │                          │   Unix seconds)       │          │
//! │        │        │                          │ ‖ the authorization   │          │
//! └────────┴────────┴──────────────────────────┴───────────────────────┴──────────┘
//! associated data: "pkce-flow sealed authorization" ‖ version ‖ key id
//!
//! the authorization, in this order:
//!   str(client_id) ‖ str(redirect_uri) ‖ opt(str(issuer)) ‖ str(token_endpoint)
//!   ‖ str(verifier) ‖ str(state) ‖ opt(str(nonce))
//! str(s) = length (u16, big-endian) ‖ UTF-8 bytes        opt(x) = 0x00 | 0x01 ‖ x
//! ```
//!
//! The version and key id are in clear (the key id picks the opening key) and authenticated
//! as associated data, with a label that keeps a value sealed here from being accepted by any
//! other use of the same key. The client id, redirect URI, issuer and token endpoint are part
//! of the sealed authorization, so they cannot be altered; [`Client::open_pending`] refuses
//! a value made for another client with [`SealError::ForeignClient`]. On opening, the
//! verifier, state and nonce are validated again as on any restore.
//!
//! A typical authorization with a nonce seals to 371 characters, well under the 4 KiB a
//! browser allows per cookie. The length-prefixed fields are smaller and faster than JSON
//! (486 characters for the same authorization), need no further dependency, and are sized
//! before they are written, so the plaintext buffer is never reallocated (which would leave
//! an unwiped copy of the secrets behind) and is wiped when dropped.
//!
//! # Checks, in order
//!
//! [`StoredAuthorization::open`] refuses input longer than [`MAX_SEALED_LEN`] before any
//! decoding; then checks base64url, the version, the length and the key id; then
//! authenticates; then checks the issued-at: more than [`MAX_CLOCK_SKEW`] seconds ahead of
//! `now` is [`SealError::IssuedInFuture`], older than `max_age` is [`SealError::Expired`].
//!
//! # What sealing does not do
//!
//! A sealed value is not single-use: no server state remembers it, so it opens as often as
//! it is presented until `max_age` passes. Keep `max_age` to the time a user needs to log in
//! (ten minutes is common), clear the cookie once the callback is answered, and rely on the
//! authorization server's single-use codes (RFC 6749 §4.1.2) to stop a replayed callback.
//!
//! [`Client::open_pending`]: crate::Client::open_pending
//! [`StoredAuthorization`]: crate::StoredAuthorization
//! [`StoredAuthorization::open`]: crate::StoredAuthorization::open

mod codec;
mod error;
mod key;
mod payload;
mod text;

pub use codec::{MAX_CLOCK_SKEW, MAX_SEALED_LEN, SEAL_VERSION};
pub use error::SealError;
pub use key::{SealKey, SealKeys};
