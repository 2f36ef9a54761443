//! The MCP profile: what the MCP authorization spec requires of the authorization server's
//! metadata, checked all at once, and the client configuration it switches on.

use alloc::vec::Vec;
use core::fmt;

use super::resource_metadata::ResourceMetadata;
use crate::builder::ClientBuilder;
use crate::client::Client;
use crate::discovery::ServerMetadata;

/// One thing the authorization server's metadata lacks for MCP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MissingMetadata {
    /// `code_challenge_methods_supported` is absent: the client must refuse to proceed.
    CodeChallengeMethods,
    /// `code_challenge_methods_supported` does not contain `S256`.
    S256,
    /// The metadata's issuer is not among the resource's `authorization_servers`.
    IssuerNotListedByResource,
    /// No way to get a client id: no `registration_endpoint` (RFC 7591) and no
    /// `client_id_metadata_document_supported` (asked only for a client without an id).
    Registration,
}

impl fmt::Display for MissingMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CodeChallengeMethods => "code_challenge_methods_supported is absent",
            Self::S256 => "code_challenge_methods_supported lacks S256",
            Self::IssuerNotListedByResource => {
                "the issuer is not among the resource's authorization_servers"
            }
            Self::Registration => {
                "neither registration_endpoint nor client_id_metadata_document_supported"
            }
        })
    }
}

/// Every piece of metadata the server lacks for MCP, as one list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct McpMetadataError {
    missing: Vec<MissingMetadata>,
}

impl McpMetadataError {
    /// What is missing, in a fixed order.
    #[must_use]
    pub fn missing(&self) -> &[MissingMetadata] {
        &self.missing
    }
}

impl fmt::Display for McpMetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the authorization server's metadata does not meet MCP: ")?;
        for (i, m) in self.missing.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{m}")?;
        }
        Ok(())
    }
}

impl core::error::Error for McpMetadataError {}

/// The MCP authorization profile: the resource's metadata and its authorization server's.
#[derive(Clone, Copy, Debug)]
pub struct McpProfile<'m> {
    resource: &'m ResourceMetadata,
    server: &'m ServerMetadata,
}

impl<'m> McpProfile<'m> {
    /// Pairs the resource's metadata with the server metadata discovered for one of its
    /// authorization servers.
    #[must_use]
    pub fn new(resource: &'m ResourceMetadata, server: &'m ServerMetadata) -> Self {
        Self { resource, server }
    }

    /// Checks what MCP requires, and lists every missing piece; `registering` adds the
    /// check that the client can obtain an id.
    ///
    /// # Errors
    /// [`McpMetadataError`] listing each [`MissingMetadata`].
    pub fn check(&self, registering: bool) -> Result<(), McpMetadataError> {
        let s = self.server;
        let mut missing = Vec::new();
        match &s.code_challenge_methods_supported {
            None => missing.push(MissingMetadata::CodeChallengeMethods),
            Some(m) if !m.iter().any(|m| m == "S256") => missing.push(MissingMetadata::S256),
            Some(_) => {}
        }
        if !self.resource.authorization_servers.contains(&s.issuer) {
            missing.push(MissingMetadata::IssuerNotListedByResource);
        }
        if registering
            && s.registration_endpoint.is_none()
            && !s.client_id_metadata_document_supported
        {
            missing.push(MissingMetadata::Registration);
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(McpMetadataError { missing })
        }
    }

    /// A client builder for `client_id` with the MCP settings: the server's metadata (its
    /// endpoints, the `iss` rule of RFC 9207: compared exactly when present, required when
    /// advertised), S256, and `resource` (RFC 8707) set to the resource's canonical URI on
    /// the authorization, token and refresh requests. Add the redirect URI and scopes.
    ///
    /// # Errors
    /// As [`McpProfile::check`] without the registration check.
    pub fn client_builder(&self, client_id: &str) -> Result<ClientBuilder, McpMetadataError> {
        self.check(false)?;
        Ok(Client::builder(client_id)
            .metadata(self.server)
            .resource(&self.resource.resource))
    }
}
