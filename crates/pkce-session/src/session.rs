//! The stored session: what a login leaves behind, in a versioned serde format.

use std::fmt;

use pkce_flow::oidc::LoginIdentity;
use pkce_flow::{AccessToken, RefreshToken};
use serde::{Deserialize, Serialize};

use crate::error::SessionError;

/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The largest stored session read, in bytes; a larger file or value is refused unread.
pub const MAX_SESSION_BYTES: usize = 64 * 1024;

/// Which session: the name of its file (with [`crate::FileStore`]) or of its Redis key.
///
/// 1 to 64 characters of `A-Z a-z 0-9 . _ -`, not starting with `.`, so a key can never
/// name a path outside the store's directory or a hidden file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SessionKey(String);

impl SessionKey {
    /// Checks and wraps a key.
    ///
    /// # Errors
    /// [`SessionError::InvalidKey`] when `key` breaks the rule above.
    pub fn new(key: &str) -> Result<Self, SessionError> {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
        let ok = (1..=64).contains(&key.len()) && !key.starts_with('.') && key.bytes().all(allowed);
        if ok {
            Ok(Self(key.to_owned()))
        } else {
            Err(SessionError::InvalidKey)
        }
    }

    /// The key text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a session is bound to: it is only ever refreshed at this token endpoint, for this
/// client of this issuer. A stored session bound to anything else is refused when read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The issuer identifier, when the client knows it.
    pub issuer: Option<String>,
    /// The `client_id`.
    pub client_id: String,
    /// The token endpoint URL, exactly as the client sends to it.
    pub token_endpoint: String,
}

/// One stored login: its tokens, when the access token expires, and what it is bound to.
///
/// `Debug` shows no token: the access and refresh tokens are pkce-flow's redacted newtypes,
/// and the ID token is printed as present or absent only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSession {
    /// The format version ([`FORMAT_VERSION`]). Members this version does not know are
    /// ignored when read.
    pub version: u32,
    /// The issuer identifier, when the client knows it.
    pub issuer: Option<String>,
    /// The `client_id`.
    pub client_id: String,
    /// The token endpoint URL the refresh token is sent to.
    pub token_endpoint: String,
    /// The access token.
    pub access_token: AccessToken,
    /// When the access token expires, in seconds since the Unix epoch; `None` when the server
    /// gave no lifetime (the token is then used until a resource refuses it).
    pub expires_at: Option<u64>,
    /// The refresh token; without one the session cannot be refreshed.
    pub refresh_token: Option<RefreshToken>,
    /// The granted scope, as the server stated it.
    pub scope: Option<String>,
    /// RFC 8707 resource indicators the tokens were requested for.
    #[serde(default)]
    pub resources: Vec<String>,
    /// The raw OpenID Connect ID token of the last response that carried one, unvalidated.
    pub id_token: Option<String>,
    /// Who the login's ID token said the user is (`iss`, `sub`, `aud`, `azp`, `auth_time`),
    /// recorded only from claims pkce-flow validated
    /// ([`crate::Sessions::save_validated_login`]); kept by every refresh, and the identity
    /// an ID token in a refresh response must repeat before the refresh is stored.
    #[serde(default)]
    pub identity: Option<LoginIdentity>,
    /// Set when the refresh token was refused: the session is kept for the user to see and
    /// is replaced only by a new login.
    #[serde(default)]
    pub stale: bool,
    /// The DPoP private key the tokens are bound to (RFC 9449), kept across refreshes
    /// (`Sessions::save_login_with_dpop_key`).
    #[serde(default)]
    pub dpop_key: Option<crate::StoredDpopKey>,
}

impl fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredSession")
            .field("version", &self.version)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("token_endpoint", &self.token_endpoint)
            .field("access_token", &self.access_token)
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &self.refresh_token)
            .field("scope", &self.scope)
            .field("resources", &self.resources)
            .field("id_token", &self.id_token.as_ref().map(|_| "<redacted>"))
            .field("identity", &self.identity)
            .field("stale", &self.stale)
            .field("dpop_key", &self.dpop_key)
            .finish()
    }
}

/// Only the version, read first so a newer format is reported as such rather than as
/// whatever member it happens to have changed.
#[derive(Deserialize)]
struct VersionOnly {
    version: Option<u32>,
}

impl StoredSession {
    /// The `sub` of the login's validated ID token, if the login was saved with one.
    #[must_use]
    pub fn subject(&self) -> Option<&str> {
        self.identity.as_ref().map(LoginIdentity::subject)
    }

    /// Parses a stored session.
    ///
    /// # Errors
    /// [`SessionError::TooLarge`] past [`MAX_SESSION_BYTES`];
    /// [`SessionError::UnsupportedVersion`] for another format version;
    /// [`SessionError::Corrupt`] for anything that is not a session (truncated, garbage, a
    /// wrong type). The error never quotes the input.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, SessionError> {
        if bytes.len() > MAX_SESSION_BYTES {
            return Err(SessionError::TooLarge {
                limit: MAX_SESSION_BYTES,
            });
        }
        match serde_json::from_slice::<Self>(bytes) {
            Ok(s) if s.version == FORMAT_VERSION => Ok(s),
            Ok(s) => Err(SessionError::UnsupportedVersion { found: s.version }),
            Err(_) => match serde_json::from_slice::<VersionOnly>(bytes) {
                Ok(VersionOnly {
                    version: Some(found),
                }) if found != FORMAT_VERSION => Err(SessionError::UnsupportedVersion { found }),
                // serde_json's message can quote the input; only its category is kept.
                _ => Err(SessionError::Corrupt),
            },
        }
    }

    /// The stored form: JSON, one object.
    ///
    /// # Errors
    /// [`SessionError::Corrupt`] if serialization fails (it cannot for this type).
    pub fn to_vec(&self) -> Result<Vec<u8>, SessionError> {
        serde_json::to_vec(self).map_err(|_| SessionError::Corrupt)
    }

    /// Whether this session was made for `binding`; `Err` names the first member that
    /// differs.
    pub(crate) fn check_binding(&self, binding: &Binding) -> Result<(), SessionError> {
        let field = if self.issuer != binding.issuer {
            "issuer"
        } else if self.client_id != binding.client_id {
            "client_id"
        } else if self.token_endpoint != binding.token_endpoint {
            "token_endpoint"
        } else {
            return Ok(());
        };
        Err(SessionError::WrongBinding { field })
    }
}
