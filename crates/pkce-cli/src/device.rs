//! `pkce login --flow device`: the Device Authorization Grant (RFC 8628), for a terminal
//! with no browser. The user code and the verification URI (and the complete URI, when the
//! server gives one) go to stderr; the person opens the URI anywhere, and the tokens are
//! printed like any login's. pkce-flow decides every step; pkce-ureq's `device_login` waits.
//! With `--dpop` (or `dpop = true`) every token poll carries a proof of the login's key
//! (RFC 9449 §5), and the key is stored with the session as after a code-flow login.

use pkce_flow::TokenResponse;
use pkce_flow::device::DeviceAuthorization;

use crate::failure::Failure;
use crate::login::login_builder;
use crate::session::Session;
use crate::settings::Settings;

/// Runs the device flow with the login's settings; the tokens and the scope asked for go
/// back to the login, which stores and prints them like any other.
pub(crate) fn login(
    settings: &Settings,
    session: &Session,
) -> Result<(TokenResponse, Option<String>), Failure> {
    // The device flow has no redirect: a client without a redirect URI is enough.
    let client = login_builder(session, settings)?.build_for_tokens()?;
    session
        .narrator
        .step("requesting a device code (RFC 8628), then polling the token endpoint");
    let tokens = crate::dpop::device_login(session, &client, show)?;
    Ok((tokens, client.scope().map(str::to_owned)))
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
