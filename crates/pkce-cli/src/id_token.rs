//! OpenID Connect in the CLI: the ID token of a login's token response, when it carries one,
//! validated by pkce-flow (`Client::validate_id_token`, OpenID Connect Core §3.1.3.7: issuer,
//! audience, authorized party, expiry, and the nonce pkce-flow sent with `openid`) before
//! anything is stored. The signature is not checked: the token came directly from the token
//! endpoint, whose TLS establishes the issuer (§3.1.3.7 item 6; pkce-flow refuses the mode on
//! plain `http` except to a loopback endpoint under `--dangerous-allow-http-loopback`). The
//! identity it names is stored with the session, and pkce-session checks every refreshed ID
//! token of the session against it (§12.2).

use pkce_flow::TokenResponse;
use pkce_flow::oidc::{IdToken, IdTokenSignature, IdTokenValidation};
use pkce_session::unix_now;

use crate::failure::Failure;
use crate::session::Session;
use crate::settings::Settings;

/// The validated ID token of a login's `tokens`; `None` when the response holds none.
///
/// # Errors
/// A [`Failure`] (exit 1) naming why pkce-flow refused the token; the caller stores nothing.
pub(crate) fn validate(
    session: &Session,
    settings: &Settings,
    tokens: &TokenResponse,
) -> Result<Option<IdToken>, Failure> {
    if tokens.id_token().is_none() {
        return Ok(None);
    }
    // The login's client configuration (issuer, client id, token endpoint) is the server's
    // and the settings'; the nonce sent travels in `tokens`.
    let client = session.back_channel_client(settings)?;
    let validation = IdTokenValidation::new(unix_now(), IdTokenSignature::IssuerEstablishedByTls);
    let id = client.validate_id_token(tokens, &validation).map_err(|e| {
        Failure::new(format!(
            "the login's ID token was refused: {e}; nothing was stored"
        ))
    })?;
    session
        .narrator
        .step("ID token validated (issuer, audience, expiry, nonce)");
    Ok(Some(id))
}
