//! How the client authenticates at the token, PAR and revocation endpoints.

use crate::secret::ClientSecret;

/// How the client authenticates at the token, PAR and revocation endpoints (RFC 6749 §2.3).
/// Exactly one method is used per request (never Basic and a body secret together).
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum ClientAuth {
    /// A public client: `client_id` in the body, no secret (RFC 6749 §3.2.1).
    #[default]
    None,
    /// `client_secret_basic`: `Authorization: Basic base64(form(id):form(secret))`.
    Basic(ClientSecret),
    /// `client_secret_post`: `client_id` and `client_secret` in the body.
    Post(ClientSecret),
}

impl ClientAuth {
    /// The RFC 8414 name of the method.
    #[must_use]
    pub fn method_name(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Basic(_) => "client_secret_basic",
            Self::Post(_) => "client_secret_post",
        }
    }
}
