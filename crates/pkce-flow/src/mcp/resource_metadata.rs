//! OAuth 2.0 protected resource metadata (RFC 9728): the challenge that points to it, its
//! well-known URLs, the document, and the exchange that fetches it.

use alloc::string::String;
use alloc::vec::Vec;

use crate::bearer::{BearerChallenge, bearer_challenge, parse_challenges};
use crate::discovery::split_origin;
use crate::endpoint::{LoopbackHttp, check_endpoint, check_issuer};
use crate::error::{Error, MetadataError, ResponseError};
use crate::http::{Exchange, HttpResponse, Poll, RequestPolicy};
use crate::json::{json_members, json_object};
use crate::probe::Probe;

/// What a resource server's `WWW-Authenticate` says for MCP: the Bearer challenge (its
/// `scope` and `error`) and the protected resource metadata URL (RFC 9728 §5.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceChallenge {
    /// The Bearer challenge's parameters.
    pub bearer: BearerChallenge,
    /// `resource_metadata`, the URL of the protected resource metadata, if given.
    pub resource_metadata: Option<String>,
}

/// Reads the Bearer challenge of `WWW-Authenticate` values, with its `resource_metadata`.
/// `None` when there is no Bearer challenge.
///
/// # Errors
/// As [`crate::bearer::bearer_challenge`]; a repeated `resource_metadata` is
/// [`ResponseError::MalformedChallenge`].
pub fn resource_challenge<'v, V: AsRef<[u8]> + ?Sized + 'v>(
    values: impl IntoIterator<Item = &'v V> + Clone,
) -> Result<Option<ResourceChallenge>, Error> {
    let Some(bearer) = bearer_challenge(values.clone())? else {
        return Ok(None);
    };
    let mut resource_metadata = None;
    let challenges = parse_challenges(values)?;
    let params = challenges
        .iter()
        .filter(|c| c.scheme.eq_ignore_ascii_case("bearer"))
        .take(1)
        .flat_map(|c| &c.params);
    for (name, value) in params {
        if name == "resource_metadata" && resource_metadata.replace(value.clone()).is_some() {
            return Err(ResponseError::MalformedChallenge.into());
        }
    }
    Ok(Some(ResourceChallenge {
        bearer,
        resource_metadata,
    }))
}

/// The well-known URLs of a resource's metadata, in the order to try (RFC 9728 §3.1 and
/// the MCP spec): `/.well-known/oauth-protected-resource` inserted before the resource's
/// path, then at the root. One URL when the resource has no path.
#[must_use]
pub fn resource_metadata_urls(resource: &str) -> Vec<String> {
    let (origin, path) = split_origin(resource);
    let path = path.strip_suffix('/').unwrap_or(path);
    let root = alloc::format!("{origin}/.well-known/oauth-protected-resource");
    if path.is_empty() {
        alloc::vec![root]
    } else {
        alloc::vec![alloc::format!("{root}{path}"), root]
    }
}

/// Validated protected resource metadata. Unknown members are ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResourceMetadata {
    /// `resource`, exactly the resource URL it was fetched for.
    pub resource: String,
    /// `authorization_servers`: at least one, each an acceptable issuer.
    pub authorization_servers: Vec<String>,
    /// `scopes_supported`.
    pub scopes_supported: Option<Vec<String>>,
    /// `resource_name`, for display.
    pub resource_name: Option<String>,
}

impl ResourceMetadata {
    /// The authorization server to use: the first one listed.
    #[must_use]
    pub fn authorization_server(&self) -> &str {
        self.authorization_servers
            .first()
            .map_or("", String::as_str)
    }
}

#[derive(Default)]
struct RawResourceMetadata {
    resource: Option<String>,
    authorization_servers: Option<Vec<String>>,
    scopes_supported: Option<Vec<String>>,
    resource_name: Option<String>,
}
json_members!(RawResourceMetadata {
    resource,
    authorization_servers,
    scopes_supported,
    resource_name,
});

/// Parses and validates a protected resource metadata document fetched for `resource`.
///
/// # Errors
/// [`MetadataError::ResourceMismatch`] unless `resource` is exactly the one asked;
/// [`MetadataError::NoAuthorizationServer`] / [`MetadataError::InvalidAuthorizationServer`]
/// for an empty list or an entry that is not an https issuer; [`ResponseError`] when it is
/// not a JSON object of the right member types.
pub fn parse_resource_metadata(
    resource: &str,
    body: &[u8],
    loopback: LoopbackHttp,
) -> Result<ResourceMetadata, Error> {
    let raw: RawResourceMetadata = json_object(body)?;
    let found = raw
        .resource
        .ok_or(ResponseError::MissingField("resource"))?;
    if found != resource {
        return Err(MetadataError::ResourceMismatch.into());
    }
    let servers = raw.authorization_servers.unwrap_or_default();
    if servers.is_empty() {
        return Err(MetadataError::NoAuthorizationServer.into());
    }
    if servers.iter().any(|s| check_issuer(s, loopback).is_err()) {
        return Err(MetadataError::InvalidAuthorizationServer.into());
    }
    Ok(ResourceMetadata {
        resource: found,
        authorization_servers: servers,
        scopes_supported: raw.scopes_supported,
        resource_name: raw.resource_name,
    })
}

/// Fetches and validates a resource's protected resource metadata, through the poll loop:
/// the URL of the 401's challenge when it gave one, else the well-known URLs in order,
/// moving on only after a 404.
#[derive(Debug)]
pub struct ResourceDiscovery {
    probe: Probe<ResourceMetadata>,
}

impl ResourceDiscovery {
    /// Starts discovery for `resource` (an https URL without fragment, or loopback http
    /// with [`LoopbackHttp::DangerouslyAllow`]), with the challenge of its 401 if any.
    ///
    /// # Errors
    /// [`crate::ConfigError::Endpoint`] for an unacceptable resource URL or
    /// `resource_metadata` URL.
    pub fn new(
        resource: &str,
        challenge: Option<&ResourceChallenge>,
        loopback: LoopbackHttp,
    ) -> Result<Self, Error> {
        let bad = |name| move |e| Error::Config(crate::ConfigError::Endpoint(name, e));
        check_endpoint(resource, loopback).map_err(bad("resource"))?;
        let urls = match challenge.and_then(|c| c.resource_metadata.as_deref()) {
            Some(url) => {
                check_endpoint(url, loopback).map_err(bad("resource_metadata"))?;
                alloc::vec![String::from(url)]
            }
            None => resource_metadata_urls(resource),
        };
        Ok(Self {
            probe: Probe::new(urls, resource, loopback, parse_resource_metadata),
        })
    }

    /// Sets the policy of the requests (body cap, timeouts).
    #[must_use]
    pub fn with_policy(mut self, policy: RequestPolicy) -> Self {
        self.probe.set_policy(policy);
        self
    }
}

impl Exchange for ResourceDiscovery {
    type Output = ResourceMetadata;

    fn kind(&self) -> &'static str {
        "resource_discovery"
    }

    fn poll_output(&mut self) -> Result<Poll<ResourceMetadata>, Error> {
        self.probe.poll()
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        self.probe.handle(&response)
    }
}
