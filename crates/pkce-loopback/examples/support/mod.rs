//! What the two login examples share: the command line, the start of the login (the
//! listener bound, the client built, the URL shown) and the report. Only the transport
//! calls differ between them.

use std::error::Error;
use std::process::ExitCode;

use pkce_flow::{Client, LoopbackHttp, PendingAuthorization, ServerMetadata};
use pkce_loopback::{Listener, LoopbackHost};

/// Every error the examples report; `Send + Sync` so the async example can move it across
/// tasks.
pub(crate) type BoxError = Box<dyn Error + Send + Sync>;

/// What the command line asks for.
pub(crate) struct Args {
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    /// `DangerouslyAllow` with `PKCE_ALLOW_LOOPBACK_HTTP` set: an `http://127.0.0.1:…`
    /// issuer (pkce-testkit, a local test server).
    pub(crate) loopback: LoopbackHttp,
}

/// `ISSUER CLIENT_ID`, or the usage line.
pub(crate) fn args(name: &str) -> Result<Args, ExitCode> {
    let mut args = std::env::args().skip(1);
    let (Some(issuer), Some(client_id), None) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: {name} ISSUER CLIENT_ID");
        return Err(ExitCode::from(2));
    };
    let loopback = match std::env::var_os("PKCE_ALLOW_LOOPBACK_HTTP") {
        Some(_) => LoopbackHttp::DangerouslyAllow,
        None => LoopbackHttp::Refuse,
    };
    Ok(Args {
        issuer,
        client_id,
        loopback,
    })
}

/// Binds the listener (first: the redirect URI names the port the OS chose, RFC 8252
/// §7.3), builds the client, starts the authorization with the OS CSPRNG, shows the URL.
pub(crate) fn start(
    args: &Args,
    metadata: &ServerMetadata,
) -> Result<(Listener, PendingAuthorization), BoxError> {
    let listener = Listener::bind(LoopbackHost::V4, 0, "/callback")?;
    let client = Client::builder(&args.client_id)
        .metadata(metadata)
        .redirect_uri(listener.redirect_uri())
        .scopes("openid")
        .build()?;
    let (url, pending) = client.authorize_with_os_rng()?;
    println!("Open this URL in your browser to log in:\n\n    {url}\n");
    Ok((listener, pending))
}

/// Says when the access token expires (never the token), or why the login failed, with
/// every cause: neither the transports' errors nor the flow's hold a secret.
pub(crate) fn report(result: Result<Option<u64>, BoxError>) -> ExitCode {
    match result {
        Ok(Some(s)) => println!("Logged in. The access token expires in {s} s."),
        Ok(None) => println!("Logged in. The server did not say when the access token expires."),
        Err(e) => {
            let mut cause: Option<&(dyn Error + 'static)> = Some(&*e);
            while let Some(e) = cause {
                eprintln!("login failed: {e}");
                cause = e.source();
            }
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
