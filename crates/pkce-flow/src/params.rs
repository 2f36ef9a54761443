//! The authorization request's parameters, in order, each exactly once: RFC 6749 §4.1.1,
//! RFC 7636 §4.3, the OpenID Connect `nonce`, then the configured extras.
//!
//! This is the one list. The authorization URL is written from it (its configuration-only
//! part encoded once at `build` into `Prebuilt`, from [`client_params`] and
//! [`extra_params`]), and so is the PAR body (RFC 9126 §2.1), from all three parts. The
//! reserved lists say which names a configured extra parameter may not take, and
//! [`check_extras`] refuses them at `build`.

use alloc::string::String;

use pkce_core::CodeChallenge;

use crate::error::ConfigError;
use crate::secret::is_vschar_string;
use crate::text::UntrustedText;

/// Parameters the client writes itself into an authorization request.
pub(crate) const AUTHORIZATION_RESERVED: [&str; 10] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "request_uri",
    "nonce",
    "dpop_jkt",
];
/// Parameters the client writes itself into token, refresh and revocation requests.
pub(crate) const TOKEN_RESERVED: [&str; 9] = [
    "grant_type",
    "code",
    "redirect_uri",
    "client_id",
    "client_secret",
    "code_verifier",
    "refresh_token",
    "token",
    "token_type_hint",
];

/// What the client's configuration fixes: `response_type`, `client_id` (left out of a PAR
/// body whose client authenticates with Basic), `redirect_uri`, `scope`.
pub(crate) fn client_params<'a>(
    client_id: &'a str,
    redirect_uri: Option<&'a str>,
    scope: Option<&'a str>,
    with_client_id: bool,
) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
    [
        Some(("response_type", "code")),
        with_client_id.then_some(("client_id", client_id)),
        redirect_uri.map(|uri| ("redirect_uri", uri)),
        scope.map(|scope| ("scope", scope)),
    ]
    .into_iter()
    .flatten()
}

/// What each request draws afresh: `state`, the S256 challenge, and the `nonce` if sent.
pub(crate) fn request_params<'a>(
    state: &'a str,
    challenge: &'a CodeChallenge,
    nonce: Option<&'a str>,
) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
    [
        Some(("state", state)),
        Some(("code_challenge", challenge.as_str())),
        Some(("code_challenge_method", challenge.method().as_str())),
        nonce.map(|nonce| ("nonce", nonce)),
    ]
    .into_iter()
    .flatten()
}

/// The configured extension parameters, last.
pub(crate) fn extra_params(
    extras: &[(String, String)],
) -> impl Iterator<Item = (&str, &str)> + Clone {
    extras
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
}

/// Extension parameters that may repeat (RFC 8707 §2: several `resource` values).
const REPEATABLE: [&str; 1] = ["resource"];

/// Extra parameters: non-empty printable names, never one the client writes itself, and no
/// repeats except the RFC 8707 `resource`.
pub(crate) fn check_extras(
    params: &[(String, String)],
    reserved: &[&str],
) -> Result<(), ConfigError> {
    for (i, (name, _)) in params.iter().enumerate() {
        let repeated = params.iter().take(i).any(|(n, _)| n == name);
        let bad = !is_vschar_string(name)
            || reserved.contains(&name.as_str())
            || (repeated && !REPEATABLE.contains(&name.as_str()));
        if bad {
            return Err(ConfigError::InvalidExtraParameter(UntrustedText::new(
                name.clone(),
            )));
        }
    }
    Ok(())
}
