//! `pkce login --flow device`: the Device Authorization Grant (RFC 8628), for a terminal
//! with no browser. The user code and the verification URI (and the complete URI, when the
//! server gives one) go to stderr; the person opens the URI anywhere, and the tokens are
//! printed like any login's. pkce-flow decides every step; pkce-ureq's `device_login` waits.

use pkce_flow::device::DeviceAuthorization;

use crate::cli::LoginArgs;
use crate::failure::Failure;
use crate::login::build_client;
use crate::output::print_tokens;
use crate::session::Session;

/// The client builder still asks for a redirect URI; the device flow never sends one.
const UNUSED_REDIRECT_URI: &str = "http://127.0.0.1/callback";

/// Runs the device flow with the options of `pkce login`.
pub(crate) fn run(args: &LoginArgs) -> Result<(), Failure> {
    let session = Session::open(&args.server)?;
    let client = build_client(&session, args, UNUSED_REDIRECT_URI)?;
    session
        .narrator
        .step("requesting a device code (RFC 8628), then polling the token endpoint");
    let tokens = session.transport.device_login(&client, show)?;
    print_tokens(&tokens, client.scope(), args.server.output);
    Ok(())
}

/// What the person must do, on stderr. Every value shown was checked by pkce-flow to be
/// printable ASCII, so a server cannot slip terminal escapes in.
fn show(authorization: &DeviceAuthorization) {
    eprintln!(
        "To log in, open {} and enter the code {}",
        authorization.verification_uri(),
        authorization.user_code()
    );
    if let Some(complete) = authorization.verification_uri_complete() {
        eprintln!("or open {complete}");
    }
    eprintln!(
        "Waiting for approval (the code expires in {} s)…",
        authorization.expires_in()
    );
}
