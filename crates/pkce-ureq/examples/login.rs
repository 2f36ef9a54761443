//! A native app's login (RFC 8252) with the blocking transport: discovery, the browser round
//! trip through a loopback redirect, the code exchange. It prints when the access token
//! expires, never the token.
//!
//! ```text
//! cargo run -p pkce-ureq --example login-ureq -- --issuer https://as.example --client-id my-app
//! PKCE_ISSUER=https://as.example PKCE_CLIENT_ID=my-app cargo run -p pkce-ureq --example login-ureq
//! ```
//!
//! `--dangerously-allow-loopback-http` accepts an `http://127.0.0.1:…` issuer (pkce-testkit, a
//! local test server); every other issuer must be https.

#[path = "support/login.rs"]
mod support;

use std::process::ExitCode;

use pkce_ureq::Transport;
use pkce_ureq::pkce_flow::DiscoveryKind;
use support::{BoxError, parse_args, print_outcome, report, start, wait_for_callback};

fn main() -> ExitCode {
    report(run())
}

fn run() -> Result<(), BoxError> {
    let args = parse_args()?;
    let transport = Transport::new()?;
    let metadata = transport.discover(&args.issuer, DiscoveryKind::Probe, args.loopback)?;
    let (listener, pending) = start(&args, &metadata)?;
    let exchange = wait_for_callback(&listener, pending)?;
    let tokens = transport.exchange(exchange)?;
    print_outcome(&tokens)
}
