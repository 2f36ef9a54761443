//! Server metadata discovery: RFC 8414 and OpenID Connect Discovery 1.0.
//!
//! The metadata's `issuer` must equal the issuer it was fetched for, byte for byte
//! (RFC 8414 §3.3); otherwise none of it is used.

use alloc::string::String;
use alloc::vec::Vec;

use crate::endpoint::{LoopbackHttp, check_endpoint, check_issuer};
use crate::error::{Error, MetadataError, ResponseError};
use crate::http::{Exchange, HttpResponse, Poll, RequestPolicy};
use crate::json::{json_members, json_object};
use crate::probe::Probe;

/// Which well-known document to fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscoveryKind {
    /// `/.well-known/oauth-authorization-server`, inserted before the issuer's path (RFC 8414 §3.1).
    OAuth,
    /// `{issuer}/.well-known/openid-configuration` (OIDC Discovery §4).
    OpenId,
    /// RFC 8414 first, then OpenID Connect, moving on only after a 404 (policy P-7).
    Probe,
    /// The order of the MCP authorization spec, moving on only after a 404: RFC 8414 with
    /// the path inserted, OpenID Connect with the path inserted, OpenID Connect with the path
    /// appended (for an issuer without a path: RFC 8414, then OpenID Connect).
    Mcp,
}

/// The RFC 8414 well-known URL for an issuer: the suffix goes between the authority and the
/// path, and a terminating `/` of the path is removed first.
#[must_use]
pub fn oauth_metadata_url(issuer: &str) -> String {
    let (origin, path) = split_origin(issuer);
    let path = path.strip_suffix('/').unwrap_or(path);
    alloc::format!("{origin}/.well-known/oauth-authorization-server{path}")
}

/// The OpenID Connect Discovery URL for an issuer: the suffix is appended after removing one
/// terminating `/`.
#[must_use]
pub fn openid_configuration_url(issuer: &str) -> String {
    let base = issuer.strip_suffix('/').unwrap_or(issuer);
    alloc::format!("{base}/.well-known/openid-configuration")
}

/// The OpenID Connect Discovery URL with the suffix inserted before the issuer's path, as
/// RFC 8414 §5 does (the second place the MCP authorization spec looks).
#[must_use]
pub fn openid_configuration_inserted_url(issuer: &str) -> String {
    let (origin, path) = split_origin(issuer);
    let path = path.strip_suffix('/').unwrap_or(path);
    alloc::format!("{origin}/.well-known/openid-configuration{path}")
}

/// `scheme://authority` and the rest (path, starting with `/`, or empty).
pub(crate) fn split_origin(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let path_start = url
        .get(after_scheme..)
        .and_then(|rest| rest.find('/'))
        .map_or(url.len(), |i| after_scheme + i);
    (
        url.get(..path_start).unwrap_or(url),
        url.get(path_start..).unwrap_or(""),
    )
}

/// Validated authorization server metadata. Unknown members are ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerMetadata {
    /// The issuer, equal to the expected one.
    pub issuer: String,
    /// `authorization_endpoint`.
    pub authorization_endpoint: String,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `revocation_endpoint` (RFC 7009).
    pub revocation_endpoint: Option<String>,
    /// `pushed_authorization_request_endpoint` (RFC 9126).
    pub pushed_authorization_request_endpoint: Option<String>,
    /// `userinfo_endpoint` (OIDC).
    pub userinfo_endpoint: Option<String>,
    /// `introspection_endpoint` (RFC 7662).
    pub introspection_endpoint: Option<String>,
    /// `jwks_uri`.
    pub jwks_uri: Option<String>,
    /// `device_authorization_endpoint` (RFC 8628 §4).
    pub device_authorization_endpoint: Option<String>,
    /// `code_challenge_methods_supported`; absent means the server does not support PKCE.
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// `token_endpoint_auth_methods_supported`; absent means `client_secret_basic`.
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `scopes_supported`.
    pub scopes_supported: Option<Vec<String>>,
    /// `dpop_signing_alg_values_supported` (RFC 9449 §5.1): the JWS algorithms the server
    /// accepts in DPoP proofs; absent means the server does not say.
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// RFC 9207: the server sends `iss` in authorization responses.
    pub authorization_response_iss_parameter_supported: bool,
    /// RFC 9126: the server accepts only pushed authorization requests.
    pub require_pushed_authorization_requests: bool,
    /// `registration_endpoint` (RFC 7591 dynamic client registration).
    pub registration_endpoint: Option<String>,
    /// The server accepts an https URL of a client ID metadata document as `client_id`.
    pub client_id_metadata_document_supported: bool,
    pub(crate) loopback: LoopbackHttp,
}

#[derive(Default)]
struct RawMetadata {
    issuer: Option<String>,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    pushed_authorization_request_endpoint: Option<String>,
    userinfo_endpoint: Option<String>,
    introspection_endpoint: Option<String>,
    jwks_uri: Option<String>,
    device_authorization_endpoint: Option<String>,
    response_types_supported: Option<Vec<String>>,
    code_challenge_methods_supported: Option<Vec<String>>,
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
    scopes_supported: Option<Vec<String>>,
    dpop_signing_alg_values_supported: Option<Vec<String>>,
    authorization_response_iss_parameter_supported: Option<bool>,
    require_pushed_authorization_requests: Option<bool>,
    registration_endpoint: Option<String>,
    client_id_metadata_document_supported: Option<bool>,
}
json_members!(RawMetadata {
    issuer,
    authorization_endpoint,
    token_endpoint,
    revocation_endpoint,
    pushed_authorization_request_endpoint,
    userinfo_endpoint,
    introspection_endpoint,
    jwks_uri,
    device_authorization_endpoint,
    response_types_supported,
    code_challenge_methods_supported,
    token_endpoint_auth_methods_supported,
    scopes_supported,
    dpop_signing_alg_values_supported,
    authorization_response_iss_parameter_supported,
    require_pushed_authorization_requests,
    registration_endpoint,
    client_id_metadata_document_supported,
});

/// Parses and validates a metadata document fetched for `issuer`.
///
/// # Errors
/// [`ResponseError`] when the document is not JSON, the issuer differs, a required member is
/// missing, or an endpoint is not acceptable.
pub fn parse_metadata(
    issuer: &str,
    body: &[u8],
    loopback: LoopbackHttp,
) -> Result<ServerMetadata, Error> {
    let raw: RawMetadata = json_object(body)?;
    let found = raw.issuer.ok_or(ResponseError::MissingField("issuer"))?;
    if found != issuer {
        return Err(MetadataError::IssuerMismatch.into());
    }
    let required =
        |name: &'static str, v: Option<String>| v.ok_or(ResponseError::MissingField(name));
    let authorization_endpoint = required("authorization_endpoint", raw.authorization_endpoint)?;
    let token_endpoint = required("token_endpoint", raw.token_endpoint)?;
    let types = raw
        .response_types_supported
        .ok_or(ResponseError::MissingField("response_types_supported"))?;
    if !types.iter().any(|t| t == "code") {
        return Err(MetadataError::CodeFlowUnsupported.into());
    }
    let check = |name: &'static str, v: Option<&String>| -> Result<(), MetadataError> {
        v.map_or(Ok(()), |u| {
            check_endpoint(u, loopback)
                .map(|_| ())
                .map_err(|e| MetadataError::InvalidEndpoint(name, e))
        })
    };
    check("authorization_endpoint", Some(&authorization_endpoint))?;
    check("token_endpoint", Some(&token_endpoint))?;
    check("revocation_endpoint", raw.revocation_endpoint.as_ref())?;
    check(
        "pushed_authorization_request_endpoint",
        raw.pushed_authorization_request_endpoint.as_ref(),
    )?;
    check("userinfo_endpoint", raw.userinfo_endpoint.as_ref())?;
    check(
        "introspection_endpoint",
        raw.introspection_endpoint.as_ref(),
    )?;
    check("jwks_uri", raw.jwks_uri.as_ref())?;
    check(
        "device_authorization_endpoint",
        raw.device_authorization_endpoint.as_ref(),
    )?;
    check("registration_endpoint", raw.registration_endpoint.as_ref())?;
    Ok(ServerMetadata {
        issuer: found,
        authorization_endpoint,
        token_endpoint,
        revocation_endpoint: raw.revocation_endpoint,
        pushed_authorization_request_endpoint: raw.pushed_authorization_request_endpoint,
        userinfo_endpoint: raw.userinfo_endpoint,
        introspection_endpoint: raw.introspection_endpoint,
        jwks_uri: raw.jwks_uri,
        device_authorization_endpoint: raw.device_authorization_endpoint,
        code_challenge_methods_supported: raw.code_challenge_methods_supported,
        token_endpoint_auth_methods_supported: raw.token_endpoint_auth_methods_supported,
        scopes_supported: raw.scopes_supported,
        dpop_signing_alg_values_supported: raw.dpop_signing_alg_values_supported,
        authorization_response_iss_parameter_supported: raw
            .authorization_response_iss_parameter_supported
            .unwrap_or(false),
        require_pushed_authorization_requests: raw
            .require_pushed_authorization_requests
            .unwrap_or(false),
        registration_endpoint: raw.registration_endpoint,
        client_id_metadata_document_supported: raw
            .client_id_metadata_document_supported
            .unwrap_or(false),
        loopback,
    })
}

/// Fetches and validates the metadata of an issuer, through the poll loop.
#[derive(Debug)]
pub struct Discovery {
    probe: Probe<ServerMetadata>,
}

impl Discovery {
    /// Starts discovery for `issuer`, which must be an https URL without query or fragment
    /// (or a loopback http URL with [`LoopbackHttp::DangerouslyAllow`]).
    ///
    /// # Errors
    /// [`crate::ConfigError::InvalidIssuer`].
    pub fn new(issuer: &str, kind: DiscoveryKind, loopback: LoopbackHttp) -> Result<Self, Error> {
        check_issuer(issuer, loopback)?;
        let mut urls = match kind {
            DiscoveryKind::OAuth => alloc::vec![oauth_metadata_url(issuer)],
            DiscoveryKind::OpenId => alloc::vec![openid_configuration_url(issuer)],
            DiscoveryKind::Probe => {
                alloc::vec![oauth_metadata_url(issuer), openid_configuration_url(issuer)]
            }
            DiscoveryKind::Mcp => alloc::vec![
                oauth_metadata_url(issuer),
                openid_configuration_inserted_url(issuer),
                openid_configuration_url(issuer),
            ],
        };
        urls.dedup();
        Ok(Self {
            probe: Probe::new(urls, issuer, loopback, parse_metadata),
        })
    }

    /// Sets the policy of the discovery requests (body cap, timeouts).
    #[must_use]
    pub fn with_policy(mut self, policy: RequestPolicy) -> Self {
        self.probe.set_policy(policy);
        self
    }
}

impl Exchange for Discovery {
    type Output = ServerMetadata;

    fn kind(&self) -> &'static str {
        "discovery"
    }

    fn poll_output(&mut self) -> Result<Poll<ServerMetadata>, Error> {
        self.probe.poll()
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        self.probe.handle(&response)
    }
}
