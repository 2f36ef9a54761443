//! The library half of the `pkce` command: the loopback redirect listener (RFC 8252), public
//! so that it can be fuzzed (`route` is the request-handling decision) and reused by apps
//! that want the same listener.
//!
//! Cargo feature `cli` (default) builds the `pkce` binary; without it this library is only
//! the listener, over pkce-flow and httparse.

pub mod listener;
