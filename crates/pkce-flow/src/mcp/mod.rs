//! MCP authorization: from a bare resource URL to a configured client.
//!
//! The MCP authorization spec makes a client start from the resource URL alone:
//!
//! 1. a request without a token gets a 401 whose `WWW-Authenticate` may name the protected
//!    resource metadata ([`resource_challenge`]);
//! 2. [`ResourceDiscovery`] fetches that document (RFC 9728), or probes the well-known URL
//!    with the resource's path inserted and then at the root, and checks that its `resource`
//!    is exactly the resource URL (RFC 9728 §3.3);
//! 3. [`crate::Discovery`] with [`crate::DiscoveryKind::Mcp`] finds the authorization
//!    server's metadata in the spec's order, with the exact `issuer` check;
//! 4. [`McpProfile`] checks what the spec requires of that metadata, reporting every missing
//!    piece at once, and configures the client: S256, and the resource indicator (RFC 8707)
//!    on the authorization, token and refresh requests;
//! 5. [`McpDiscovery`] runs steps 1 to 4 as one exchange from the resource URL alone, and its
//!    [`McpServer`] starts the registration (RFC 7591) and the client builder;
//! 6. a 403 `insufficient_scope` later leads to a new authorization for the union of the
//!    scopes ([`ScopeStepUp`], bounded).

mod profile;
mod resource_metadata;
mod server_discovery;
mod step_up;

pub use profile::{McpMetadataError, McpProfile, MissingMetadata};
pub use resource_metadata::{
    ResourceChallenge, ResourceDiscovery, ResourceMetadata, parse_resource_metadata,
    resource_challenge, resource_metadata_urls,
};
pub use server_discovery::{McpDiscovery, McpServer};
pub use step_up::{ScopeStepUp, StepUpError};
