//! A native app's login (RFC 8252) with the blocking transport and pkce-loopback:
//! discovery, the browser round trip through the loopback redirect listener, the code
//! exchange. It prints when the access token expires, never the token.
//!
//! ```text
//! cargo run -p pkce-ureq --example login-ureq -- https://as.example my-app
//! ```
//!
//! `PKCE_ALLOW_LOOPBACK_HTTP=1` accepts an `http://127.0.0.1:…` issuer (pkce-testkit, a
//! local test server); every other issuer must be https.

use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pkce_loopback::{Listener, LoopbackHost};
use pkce_ureq::Transport;
use pkce_ureq::pkce_flow::{Client, DiscoveryKind, LoopbackHttp};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(issuer), Some(client_id), None) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: login-ureq ISSUER CLIENT_ID");
        return ExitCode::from(2);
    };
    match run(&issuer, &client_id) {
        Ok(expires_in) => {
            match expires_in {
                Some(s) => println!("Logged in. The access token expires in {s} s."),
                None => println!("Logged in. The server did not say when the token expires."),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            // Neither the transport's errors nor the flow's hold a secret; their causes neither.
            let mut cause: Option<&(dyn Error + 'static)> = Some(&*e);
            while let Some(e) = cause {
                eprintln!("login failed: {e}");
                cause = e.source();
            }
            ExitCode::FAILURE
        }
    }
}

/// The login; gives the seconds until the access token expires, when the server said.
fn run(issuer: &str, client_id: &str) -> Result<Option<u64>, Box<dyn Error>> {
    let loopback = match std::env::var_os("PKCE_ALLOW_LOOPBACK_HTTP") {
        Some(_) => LoopbackHttp::DangerouslyAllow,
        None => LoopbackHttp::Refuse,
    };
    let transport = Transport::new();
    let metadata = transport.discover(issuer, DiscoveryKind::Probe, loopback)?;
    // Bind first: the redirect URI names the port the OS chose (RFC 8252 §7.3).
    let listener = Listener::bind(LoopbackHost::V4, 0, "/callback")?;
    let client = Client::builder(client_id)
        .metadata(&metadata)
        .redirect_uri(listener.redirect_uri())
        .scopes("openid")
        .build()?;
    let (url, pending) = client.authorize_with_os_rng()?;
    println!("Open this URL in your browser to log in:\n\n    {url}\n");
    let exchange = listener.wait(pending, Duration::from_secs(300))?;
    let tokens = transport.exchange(exchange)?;
    // `expires_at` saturates at an instant `SystemTime` can hold; the conversion is checked
    // all the same.
    let now = SystemTime::now();
    Ok(tokens
        .expires_at(now.duration_since(UNIX_EPOCH)?.as_secs())
        .and_then(|at| UNIX_EPOCH.checked_add(Duration::from_secs(at)))
        .map(|at| at.duration_since(now).unwrap_or_default().as_secs()))
}
