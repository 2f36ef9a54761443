//! A native app's login (RFC 8252) with the async transport (pkce-reqwest) and this
//! listener: discovery, the browser round trip through the loopback redirect, the code
//! exchange. It prints when the access token expires, never the token.
//!
//! ```text
//! cargo run -p pkce-loopback --example login-reqwest -- https://as.example my-app
//! ```
//!
//! `PKCE_ALLOW_LOOPBACK_HTTP=1` accepts an `http://127.0.0.1:…` issuer (pkce-testkit, a
//! local test server); every other issuer must be https.

mod support;

use std::process::ExitCode;
use std::time::Duration;

use pkce_flow::DiscoveryKind;
use pkce_reqwest::Transport;
use support::{Args, BoxError};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match support::args("login-reqwest") {
        Ok(args) => support::report(run(&args).await),
        Err(usage) => usage,
    }
}

/// The login; gives the access token's lifetime in seconds, when the server said.
async fn run(args: &Args) -> Result<Option<u64>, BoxError> {
    let transport = Transport::new()?;
    let metadata = transport
        .discover(&args.issuer, DiscoveryKind::Probe, args.loopback)
        .await?;
    let (listener, pending) = support::start(args, &metadata)?;
    // The listener blocks its thread while it waits for the browser: tokio's blocking pool
    // keeps the runtime free.
    let exchange =
        tokio::task::spawn_blocking(move || listener.wait(pending, Duration::from_secs(300)))
            .await??;
    let tokens = transport.exchange(exchange).await?;
    Ok(tokens.expires_in())
}
