//! A native app's login (RFC 8252) with the blocking transport (pkce-ureq) and this
//! listener: discovery, the browser round trip through the loopback redirect, the code
//! exchange. It prints when the access token expires, never the token.
//!
//! ```text
//! cargo run -p pkce-loopback --example login-ureq -- https://as.example my-app
//! ```
//!
//! `PKCE_ALLOW_LOOPBACK_HTTP=1` accepts an `http://127.0.0.1:…` issuer (pkce-testkit, a
//! local test server); every other issuer must be https.

mod support;

use std::process::ExitCode;
use std::time::Duration;

use pkce_flow::DiscoveryKind;
use pkce_ureq::Transport;
use support::{Args, BoxError};

fn main() -> ExitCode {
    match support::args("login-ureq") {
        Ok(args) => support::report(run(&args)),
        Err(usage) => usage,
    }
}

/// The login; gives the access token's lifetime in seconds, when the server said.
fn run(args: &Args) -> Result<Option<u64>, BoxError> {
    let transport = Transport::new()?;
    let metadata = transport.discover(&args.issuer, DiscoveryKind::Probe, args.loopback)?;
    let (listener, pending) = support::start(args, &metadata)?;
    let exchange = listener.wait(pending, Duration::from_secs(300))?;
    let tokens = transport.exchange(exchange)?;
    Ok(tokens.expires_in())
}
