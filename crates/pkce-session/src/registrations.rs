//! Dynamically registered clients, kept per issuer beside the sessions of a [`FileStore`],
//! so a client registered with one authorization server is never used with another.
//!
//! Layout: `DIR/registration-HEX.json`, where `HEX` is the issuer's bytes in lowercase hex
//! (one file per issuer, no two issuers share a name). Each file holds the issuer it was
//! registered with, and a read gives it back only for exactly that issuer.

use std::path::PathBuf;

use pkce_flow::RegisteredClient;

use crate::error::SessionError;
use crate::file::{FileStore, read_private, write_private};

/// The longest issuer kept, in bytes (its hex name must fit in a file name).
const MAX_ISSUER_BYTES: usize = 100;

/// Registered clients by issuer, in a [`FileStore`]'s directory (0600 files).
#[derive(Clone, Debug)]
pub struct Registrations {
    dir: PathBuf,
}

impl Registrations {
    /// The registrations kept beside `store`'s sessions.
    #[must_use]
    pub fn in_store(store: &FileStore) -> Self {
        Self {
            dir: store.dir().to_path_buf(),
        }
    }

    fn name(issuer: &str) -> Result<String, SessionError> {
        if issuer.is_empty() || issuer.len() > MAX_ISSUER_BYTES {
            return Err(SessionError::InvalidKey);
        }
        let hex: String = issuer.bytes().map(|b| format!("{b:02x}")).collect();
        Ok(format!("registration-{hex}.json"))
    }

    /// The client registered with exactly `issuer`, if any.
    ///
    /// # Errors
    /// [`SessionError::Corrupt`] for a file that does not parse or names another issuer;
    /// [`SessionError::InvalidKey`] for an empty issuer or one over 100 bytes; as
    /// [`FileStore`] for permissions, size and I/O.
    pub fn get(&self, issuer: &str) -> Result<Option<RegisteredClient>, SessionError> {
        let Some(bytes) = read_private(&self.dir.join(Self::name(issuer)?))? else {
            return Ok(None);
        };
        match serde_json::from_slice::<RegisteredClient>(&bytes) {
            Ok(client) if client.issuer == issuer => Ok(Some(client)),
            _ => Err(SessionError::Corrupt),
        }
    }

    /// Keeps `client` for its issuer, replacing an older registration with it.
    ///
    /// # Errors
    /// As [`Registrations::get`].
    pub fn put(&self, client: &RegisteredClient) -> Result<(), SessionError> {
        let bytes = serde_json::to_vec(client).map_err(|_| SessionError::Corrupt)?;
        write_private(&self.dir, &Self::name(&client.issuer)?, &bytes)
    }
}
