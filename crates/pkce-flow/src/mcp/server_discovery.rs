//! [`McpDiscovery`]: from nothing but an MCP server's URL to its checked authorization
//! server, as one exchange: the unauthenticated request and its 401 challenge, the protected
//! resource metadata (RFC 9728), the authorization server's metadata in the MCP order, and
//! the MCP profile check.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::profile::{McpMetadataError, McpProfile};
use super::resource_metadata::{
    ResourceChallenge, ResourceDiscovery, ResourceMetadata, resource_challenge,
};
use crate::builder::ClientBuilder;
use crate::discovery::{Discovery, DiscoveryKind, ServerMetadata};
use crate::endpoint::{LoopbackHttp, check_endpoint};
use crate::error::{ConfigError, Error, MetadataError, Misuse};
use crate::exchange::OneShot;
use crate::http::{Exchange, HttpRequest, HttpResponse, Method, Poll, RequestPolicy};
use crate::registration::{ClientMetadata, Registration};

/// What [`McpDiscovery`] found: the resource's metadata, its authorization server's
/// metadata (checked against the MCP profile) and the challenge of the first 401.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct McpServer {
    /// The protected resource metadata; its `resource` is exactly the URL asked.
    pub resource: ResourceMetadata,
    /// The authorization server's metadata; its `issuer` is listed by the resource.
    pub server: ServerMetadata,
    /// The challenge of the unauthenticated request's 401, if it had a Bearer one.
    pub challenge: Option<ResourceChallenge>,
}

impl McpServer {
    /// The profile of this resource and server.
    #[must_use]
    pub fn profile(&self) -> McpProfile<'_> {
        McpProfile::new(&self.resource, &self.server)
    }

    /// The scope to ask for when the caller names none (the MCP scope selection): the 401
    /// challenge's `scope` when it gave one, else the resource's `scopes_supported`, else
    /// none (the server's default).
    #[must_use]
    pub fn scope(&self) -> Option<String> {
        let challenged = self.challenge.as_ref().map(|c| &c.bearer.scope);
        match challenged {
            Some(scope) if !scope.is_empty() => Some(scope.join(" ")),
            _ => self
                .resource
                .scopes_supported
                .as_ref()
                .filter(|s| !s.is_empty())
                .map(|s| s.join(" ")),
        }
    }

    /// Dynamic client registration (RFC 7591) of `client` with this server.
    ///
    /// # Errors
    /// [`MetadataError::Mcp`] when the server offers no way to get a client id;
    /// as [`Registration::new`].
    pub fn registration(&self, client: &ClientMetadata) -> Result<Registration, Error> {
        self.profile()
            .check(true)
            .map_err(|e| Error::Metadata(MetadataError::Mcp(e)))?;
        Registration::new(&self.server, client, None)
    }

    /// A client builder for `client_id` with the MCP settings ([`McpProfile::client_builder`]),
    /// allowing loopback http when discovery did.
    ///
    /// # Errors
    /// As [`McpProfile::client_builder`].
    pub fn client_builder(&self, client_id: &str) -> Result<ClientBuilder, McpMetadataError> {
        let builder = self.profile().client_builder(client_id)?;
        Ok(match self.server.loopback {
            LoopbackHttp::DangerouslyAllow => builder.dangerous_allow_insecure_loopback(),
            LoopbackHttp::Refuse => builder,
        })
    }
}

/// The three fetches, in order.
#[derive(Debug)]
enum Stage {
    /// The request without a token, for its 401 challenge.
    Unauthenticated(OneShot<Option<ResourceChallenge>>),
    /// The protected resource metadata.
    Resource(ResourceDiscovery),
    /// The authorization server's metadata.
    Server(Discovery),
    /// The output was taken, or an error ended the exchange.
    Finished,
}

/// Discovers what an MCP client needs from the server's URL alone, through the poll loop:
///
/// 1. `GET resource` without a token; a 401's Bearer challenge is read for its
///    `resource_metadata` and `scope`, any other answer means "no challenge";
/// 2. [`ResourceDiscovery`]: the challenge's metadata URL, else the well-known URLs;
/// 3. [`Discovery`] with [`DiscoveryKind::Mcp`] for the first authorization server listed;
/// 4. [`McpProfile::check`]: S256 advertised, the issuer listed by the resource.
///
/// ```
/// use pkce_flow::mcp::McpDiscovery;
/// use pkce_flow::{Exchange, LoopbackHttp, Poll};
///
/// let mut discovery = McpDiscovery::new("https://mcp.example.com/mcp", LoopbackHttp::Refuse)?;
/// let Poll::Request(first) = discovery.poll_output()? else { unreachable!() };
/// assert_eq!(first.url(), "https://mcp.example.com/mcp");
/// # Ok::<(), pkce_flow::Error>(())
/// ```
#[derive(Debug)]
pub struct McpDiscovery {
    resource: String,
    loopback: LoopbackHttp,
    policy: RequestPolicy,
    stage: Stage,
    /// The 401's challenge, once answered.
    challenge: Option<ResourceChallenge>,
    /// The resource's metadata, once fetched.
    metadata: Option<ResourceMetadata>,
}

impl McpDiscovery {
    /// Starts from `resource`, the MCP server's URL (https, or loopback http with
    /// [`LoopbackHttp::DangerouslyAllow`]), which must be its canonical URI exactly as the
    /// protected resource metadata names it.
    ///
    /// # Errors
    /// [`ConfigError::Endpoint`] for an unacceptable URL.
    pub fn new(resource: &str, loopback: LoopbackHttp) -> Result<Self, Error> {
        check_endpoint(resource, loopback)
            .map_err(|e| Error::Config(ConfigError::Endpoint("resource", e)))?;
        let policy = RequestPolicy::default();
        let request = HttpRequest::new(Method::Get, Arc::from(resource), policy).without_accept();
        Ok(Self {
            resource: String::from(resource),
            loopback,
            policy,
            stage: Stage::Unauthenticated(OneShot::new(request).any_status()),
            challenge: None,
            metadata: None,
        })
    }

    /// Sets the policy of every request (body cap, timeouts).
    #[must_use]
    pub fn with_policy(mut self, policy: RequestPolicy) -> Self {
        self.policy = policy;
        if let Stage::Unauthenticated(machine) = &mut self.stage {
            machine.set_policy(policy);
        }
        self
    }
}

impl Exchange for McpDiscovery {
    type Output = McpServer;

    fn kind(&self) -> &'static str {
        match self.stage {
            Stage::Unauthenticated(_) => "resource",
            Stage::Resource(_) => "resource_discovery",
            Stage::Server(_) | Stage::Finished => "discovery",
        }
    }

    fn poll_output(&mut self) -> Result<Poll<McpServer>, Error> {
        loop {
            let next = match &mut self.stage {
                Stage::Unauthenticated(machine) => match machine.poll()? {
                    Poll::Request(r) => return Ok(Poll::Request(r)),
                    Poll::Done(challenge) => {
                        self.challenge = challenge;
                        let discovery = ResourceDiscovery::new(
                            &self.resource,
                            self.challenge.as_ref(),
                            self.loopback,
                        )?;
                        Stage::Resource(discovery.with_policy(self.policy))
                    }
                },
                Stage::Resource(discovery) => match discovery.poll_output()? {
                    Poll::Request(r) => return Ok(Poll::Request(r)),
                    Poll::Done(metadata) => {
                        let discovery = Discovery::new(
                            metadata.authorization_server(),
                            DiscoveryKind::Mcp,
                            self.loopback,
                        )?;
                        self.metadata = Some(metadata);
                        Stage::Server(discovery.with_policy(self.policy))
                    }
                },
                Stage::Server(discovery) => match discovery.poll_output()? {
                    Poll::Request(r) => return Ok(Poll::Request(r)),
                    Poll::Done(server) => {
                        self.stage = Stage::Finished;
                        let resource = self.metadata.take().ok_or(Misuse::Finished)?;
                        let found = McpServer {
                            resource,
                            server,
                            challenge: self.challenge.take(),
                        };
                        found
                            .profile()
                            .check(false)
                            .map_err(|e| Error::Metadata(MetadataError::Mcp(e)))?;
                        return Ok(Poll::Done(found));
                    }
                },
                Stage::Finished => return Err(Misuse::Finished.into()),
            };
            self.stage = next;
        }
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        let result = match &mut self.stage {
            Stage::Unauthenticated(machine) => machine.handle(&response, |r| {
                // Only a 401 carries the challenge that points to the metadata; any other
                // answer leaves the well-known URLs to try.
                if r.status() == 401 {
                    let values: Vec<&[u8]> = r.header_bytes_named("www-authenticate").collect();
                    resource_challenge(&values).map(Some)
                } else {
                    Ok(Some(None))
                }
            }),
            Stage::Resource(discovery) => discovery.handle_response(response),
            Stage::Server(discovery) => discovery.handle_response(response),
            Stage::Finished => Err(Misuse::Finished.into()),
        };
        if result.is_err() {
            self.stage = Stage::Finished;
        }
        result
    }
}
