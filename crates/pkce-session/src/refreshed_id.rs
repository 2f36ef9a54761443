//! The ID token of a refresh response, checked against the identity stored with the session
//! before the refreshed session is stored. The rule is pkce-flow's
//! (`Client::validate_refreshed_id_token_for`, OpenID Connect Core §12.2); this module only
//! picks what it is checked with.

use std::sync::Arc;

use pkce_flow::oidc::{IdTokenError, IdTokenSignature, IdTokenValidation, IdTokenVerifier};
use pkce_flow::{Client, TokenResponse};

use crate::session::StoredSession;

/// A verifier of ID token signatures shared by every refresh of a [`crate::Sessions`].
pub type SharedIdTokenVerifier = Arc<dyn IdTokenVerifier + Send + Sync>;

/// Checks the ID token of `response` (a refresh of `session`, answered at `now`), when both
/// the session has a validated identity and the response carries an ID token. Without a
/// verifier, the issuer is the one established by TLS: the refresh response came directly
/// from the token endpoint (OpenID Connect Core §3.1.3.7 item 6; pkce-flow refuses the mode
/// unless that endpoint is `https` or an allowed loopback one).
///
/// # Errors
/// The [`IdTokenError`] pkce-flow refused the token with.
pub(crate) fn check(
    client: &Client,
    verifier: Option<&SharedIdTokenVerifier>,
    session: &StoredSession,
    response: &TokenResponse,
    now: u64,
) -> Result<(), IdTokenError> {
    let Some(identity) = &session.identity else {
        return Ok(());
    };
    let signature = match verifier {
        Some(v) => IdTokenSignature::Verified(&**v),
        None => IdTokenSignature::IssuerEstablishedByTls,
    };
    let validation = IdTokenValidation::new(now, signature);
    client
        .validate_refreshed_id_token_for(identity, response, &validation)
        .map(drop)
}
