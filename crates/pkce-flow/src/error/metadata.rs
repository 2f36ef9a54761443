//! Authorization server metadata (RFC 8414) that cannot be used.

use core::fmt;

use crate::error::EndpointError;

/// A metadata document that parsed but cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MetadataError {
    /// The metadata's `issuer` is not the issuer the document was fetched for
    /// (RFC 8414 §3.3; the same fault as [`crate::Mismatch::IssuerMismatch`] in a callback).
    IssuerMismatch,
    /// The metadata lacks `"code"` in `response_types_supported`.
    CodeFlowUnsupported,
    /// An endpoint in the metadata is unacceptable.
    InvalidEndpoint(&'static str, EndpointError),
    /// Protected resource metadata whose `resource` is not the resource URL it was fetched
    /// for (RFC 9728 §3.3): none of it is used.
    ResourceMismatch,
    /// Protected resource metadata naming no authorization server.
    NoAuthorizationServer,
    /// An entry of `authorization_servers` is not an acceptable issuer (https, no query or
    /// fragment).
    InvalidAuthorizationServer,
    /// The authorization server's metadata lacks what the MCP authorization spec requires;
    /// every missing piece is listed.
    Mcp(crate::mcp::McpMetadataError),
}

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IssuerMismatch => {
                f.write_str("the metadata's issuer differs from the expected issuer")
            }
            Self::CodeFlowUnsupported => {
                f.write_str("the server does not support response_type=code")
            }
            Self::InvalidEndpoint(name, e) => write!(f, "{name}: {e}"),
            Self::ResourceMismatch => f.write_str(
                "the protected resource metadata is for another resource than the one asked",
            ),
            Self::NoAuthorizationServer => {
                f.write_str("the protected resource metadata names no authorization server")
            }
            Self::InvalidAuthorizationServer => {
                f.write_str("the protected resource metadata names an unacceptable issuer")
            }
            Self::Mcp(e) => e.fmt(f),
        }
    }
}
