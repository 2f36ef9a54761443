//! Token introspection (RFC 7662) with the client's own authentication, and merging the
//! RFC 8414 and OpenID Connect metadata documents of one issuer.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::client::Client;
use crate::discovery::ServerMetadata;
use crate::endpoint::{LoopbackHttp, check_endpoint};
use crate::error::{ConfigError, Error, MetadataError, ResponseError};
use crate::exchange::{OneShot, error_status};
use crate::http::{Exchange, HttpResponse, Poll};
use crate::json::{json_members, json_object};
use crate::loose::Loose;
use crate::secret::AccessToken;

/// What the server says of a token (RFC 7662 §2.2). Inactive tokens say nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Introspected {
    /// `active`: whether the token is valid now. Everything below is `None` when not.
    pub active: bool,
    /// `scope`.
    pub scope: Option<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `sub`.
    pub sub: Option<String>,
    /// `iss`.
    pub iss: Option<String>,
    /// `exp`.
    pub exp: Option<u64>,
    /// `iat`.
    pub iat: Option<u64>,
    /// `aud`, one string or a list.
    pub aud: Vec<String>,
}

#[derive(Default)]
struct RawIntrospection<'a> {
    active: Option<bool>,
    scope: Option<Loose<'a>>,
    client_id: Option<Loose<'a>>,
    sub: Option<Loose<'a>>,
    iss: Option<Loose<'a>>,
    exp: Option<Loose<'a>>,
    iat: Option<Loose<'a>>,
    aud: Option<Loose<'a>>,
}
json_members!(RawIntrospection<'a> { active, scope, client_id, sub, iss, exp, iat, aud });

/// Introspects one token (RFC 7662 §2.1), authenticated as the client.
#[derive(Debug)]
pub struct Introspection {
    machine: OneShot<Introspected>,
}

impl Client {
    /// Asks the introspection `endpoint` (from the metadata's `introspection_endpoint`)
    /// about `token`, with the client's authentication.
    ///
    /// # Errors
    /// [`ConfigError::Endpoint`] for an unacceptable endpoint.
    pub fn introspect(
        &self,
        endpoint: &str,
        loopback: LoopbackHttp,
        token: &AccessToken,
    ) -> Result<Introspection, Error> {
        check_endpoint(endpoint, loopback)
            .map_err(|e| ConfigError::Endpoint("introspection_endpoint", e))?;
        let c = &*self.config;
        let request = c.prebuilt.authenticated_post(
            &Arc::from(endpoint),
            c.policy,
            [
                ("token", token.expose_secret()),
                ("token_type_hint", "access_token"),
            ],
        );
        Ok(Introspection {
            machine: OneShot::new(request),
        })
    }
}

impl Exchange for Introspection {
    type Output = Introspected;

    fn kind(&self) -> &'static str {
        "introspection"
    }

    fn poll_output(&mut self) -> Result<Poll<Introspected>, Error> {
        self.machine.poll()
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        self.machine.handle(&response, |r| {
            if r.status() != 200 {
                return Err(error_status(r));
            }
            if !r.is_json() {
                return Err(ResponseError::UnexpectedContentType.into());
            }
            parse_introspection(r.body()).map(Some)
        })
    }
}

fn parse_introspection(body: &[u8]) -> Result<Introspected, Error> {
    let raw = json_object::<RawIntrospection<'_>>(body)?;
    let active = raw.active.ok_or(ResponseError::MissingField("active"))?;
    if !active {
        return Ok(Introspected {
            active,
            scope: None,
            client_id: None,
            sub: None,
            iss: None,
            exp: None,
            iat: None,
            aud: Vec::new(),
        });
    }
    let text = |v: Option<Loose<'_>>| v.and_then(Loose::into_str).map(String::from);
    let time = |v: Option<Loose<'_>>| match v {
        Some(Loose::UInt(n)) => Some(n),
        _ => None,
    };
    let aud = match raw.aud {
        Some(Loose::Str(a)) => alloc::vec![String::from(a)],
        Some(Loose::Strings(list)) => list.into_iter().map(String::from).collect(),
        _ => Vec::new(),
    };
    Ok(Introspected {
        active,
        scope: text(raw.scope),
        client_id: text(raw.client_id),
        sub: text(raw.sub),
        iss: text(raw.iss),
        exp: time(raw.exp),
        iat: time(raw.iat),
        aud,
    })
}

impl ServerMetadata {
    /// Fills what this (RFC 8414) document lacks from the OpenID Connect document of the
    /// same issuer: endpoints, lists and flags this one leaves out.
    ///
    /// # Errors
    /// [`MetadataError::IssuerMismatch`] when the two documents are of different issuers.
    pub fn merge(mut self, other: &Self) -> Result<Self, Error> {
        if self.issuer != other.issuer {
            return Err(MetadataError::IssuerMismatch.into());
        }
        fill(&mut self.revocation_endpoint, &other.revocation_endpoint);
        fill(
            &mut self.pushed_authorization_request_endpoint,
            &other.pushed_authorization_request_endpoint,
        );
        fill(&mut self.userinfo_endpoint, &other.userinfo_endpoint);
        fill(
            &mut self.introspection_endpoint,
            &other.introspection_endpoint,
        );
        fill(&mut self.jwks_uri, &other.jwks_uri);
        fill(
            &mut self.dpop_signing_alg_values_supported,
            &other.dpop_signing_alg_values_supported,
        );
        fill(
            &mut self.registration_endpoint,
            &other.registration_endpoint,
        );
        fill(
            &mut self.code_challenge_methods_supported,
            &other.code_challenge_methods_supported,
        );
        fill(
            &mut self.token_endpoint_auth_methods_supported,
            &other.token_endpoint_auth_methods_supported,
        );
        fill(&mut self.scopes_supported, &other.scopes_supported);
        self.authorization_response_iss_parameter_supported |=
            other.authorization_response_iss_parameter_supported;
        self.require_pushed_authorization_requests |= other.require_pushed_authorization_requests;
        self.client_id_metadata_document_supported |= other.client_id_metadata_document_supported;
        Ok(self)
    }
}

/// Takes `theirs` where `mine` is absent.
fn fill<T: Clone>(mine: &mut Option<T>, theirs: &Option<T>) {
    if mine.is_none() {
        mine.clone_from(theirs);
    }
}
