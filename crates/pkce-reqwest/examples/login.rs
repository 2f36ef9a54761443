//! A native app's login (RFC 8252) with the async transport: discovery, the browser round
//! trip through a loopback redirect, the code exchange. It prints when the access token
//! expires, never the token.
//!
//! ```text
//! cargo run -p pkce-reqwest --example login-reqwest -- --issuer https://as.example --client-id my-app
//! PKCE_ISSUER=https://as.example PKCE_CLIENT_ID=my-app cargo run -p pkce-reqwest --example login-reqwest
//! ```
//!
//! `--dangerously-allow-loopback-http` accepts an `http://127.0.0.1:…` issuer (pkce-testkit, a
//! local test server); every other issuer must be https.

#[path = "../../pkce-ureq/examples/support/login.rs"]
mod support;

use std::process::ExitCode;

use pkce_reqwest::Transport;
use pkce_reqwest::pkce_flow::DiscoveryKind;
use support::{BoxError, parse_args, print_outcome, report, start, wait_for_callback};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    report(run().await)
}

async fn run() -> Result<(), BoxError> {
    let args = parse_args()?;
    let transport = Transport::new()?;
    let metadata = transport
        .discover(&args.issuer, DiscoveryKind::Probe, args.loopback)
        .await?;
    let (listener, pending) = start(&args, &metadata)?;
    // The listener is a plain blocking one, as in the blocking twin; waiting for the browser
    // happens on tokio's blocking pool so the runtime stays free.
    let exchange =
        tokio::task::spawn_blocking(move || wait_for_callback(&listener, pending)).await??;
    let tokens = transport.exchange(exchange).await?;
    print_outcome(&tokens)
}
