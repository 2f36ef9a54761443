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
        }
    }
}
