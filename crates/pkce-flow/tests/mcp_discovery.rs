//! `McpDiscovery`: from the resource URL alone to a checked authorization server, as one
//! exchange (the 401, the protected resource metadata, the MCP discovery order, the profile),
//! and what its `McpServer` decides: the scope, the registration, the client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{drive_responses, json};
use pkce_flow::mcp::{McpDiscovery, McpServer, MissingMetadata};
use pkce_flow::{ClientMetadata, Error, HttpResponse, LoopbackHttp, MetadataError};

const RESOURCE: &str = "https://mcp.example/mcp";
const PRM_URL: &str = "https://mcp.example/.well-known/oauth-protected-resource/mcp";
const AS_URL: &str = "https://as.example/.well-known/oauth-authorization-server";

const PRM: &str = r#"{"resource":"https://mcp.example/mcp","authorization_servers":["https://as.example"],"scopes_supported":["mcp:read","mcp:write"]}"#;
const AS_META: &str = r#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/authorize","token_endpoint":"https://as.example/token","response_types_supported":["code"],"code_challenge_methods_supported":["S256"],"registration_endpoint":"https://as.example/register"}"#;
const AS_WITHOUT_PKCE: &str = r#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/authorize","token_endpoint":"https://as.example/token","response_types_supported":["code"]}"#;
const AS_WITHOUT_REGISTRATION: &str = r#"{"issuer":"https://as.example","authorization_endpoint":"https://as.example/authorize","token_endpoint":"https://as.example/token","response_types_supported":["code"],"code_challenge_methods_supported":["S256"]}"#;

fn unauthorized(challenge: &'static str) -> HttpResponse<'static> {
    HttpResponse::new(401, b"").with_header("WWW-Authenticate", challenge)
}

fn discover(responses: Vec<HttpResponse<'static>>) -> (Vec<String>, Result<McpServer, Error>) {
    drive_responses(
        McpDiscovery::new(RESOURCE, LoopbackHttp::Refuse).unwrap(),
        responses,
    )
}

#[test]
fn the_401_points_to_the_metadata_and_its_scope_is_the_one_to_ask() {
    let challenge = r#"Bearer error="invalid_token", scope="mcp:read", resource_metadata="https://mcp.example/prm""#;
    let (urls, found) = discover(vec![
        unauthorized(challenge),
        json(200, PRM),
        json(200, AS_META),
    ]);
    assert_eq!(urls, [RESOURCE, "https://mcp.example/prm", AS_URL]);
    let found = found.unwrap();
    assert_eq!(found.server.issuer, "https://as.example");
    assert_eq!(found.scope().as_deref(), Some("mcp:read"));
}

#[test]
fn without_a_pointer_the_well_known_urls_are_asked_and_the_scope_is_the_resources() {
    // A 401 without `resource_metadata`, then an answer that is no 401 at all.
    for first in [unauthorized("Bearer"), HttpResponse::new(405, b"")] {
        let (urls, found) = discover(vec![first, json(200, PRM), json(200, AS_META)]);
        assert_eq!(urls, [RESOURCE, PRM_URL, AS_URL]);
        assert_eq!(
            found.unwrap().scope().as_deref(),
            Some("mcp:read mcp:write")
        );
    }
    let (urls, found) = discover(vec![
        unauthorized("Bearer"),
        HttpResponse::new(404, b""),
        json(200, PRM),
        json(200, AS_META),
    ]);
    assert_eq!(
        urls[2],
        "https://mcp.example/.well-known/oauth-protected-resource"
    );
    assert!(found.is_ok());
}

#[test]
fn metadata_for_another_resource_ends_discovery_before_the_authorization_server() {
    let other = r#"{"resource":"https://mcp.example/other","authorization_servers":["https://as.example"]}"#;
    let (urls, found) = discover(vec![unauthorized("Bearer"), json(200, other)]);
    assert_eq!(urls.len(), 2);
    assert_eq!(found.unwrap_err(), MetadataError::ResourceMismatch.into());
}

#[test]
fn a_server_without_s256_is_refused_with_what_it_lacks() {
    let (_, found) = discover(vec![
        unauthorized("Bearer"),
        json(200, PRM),
        json(200, AS_WITHOUT_PKCE),
    ]);
    match found.unwrap_err() {
        Error::Metadata(MetadataError::Mcp(e)) => {
            assert_eq!(e.missing(), [MissingMetadata::CodeChallengeMethods]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn registration_needs_a_registration_endpoint_and_the_client_sends_resource() {
    let (_, found) = discover(vec![
        unauthorized("Bearer"),
        json(200, PRM),
        json(200, AS_WITHOUT_REGISTRATION),
    ]);
    let found = found.unwrap();
    let metadata = ClientMetadata::native("app", &["http://127.0.0.1/callback"]);
    match found.registration(&metadata).unwrap_err() {
        Error::Metadata(MetadataError::Mcp(e)) => {
            assert_eq!(e.missing(), [MissingMetadata::Registration]);
        }
        other => panic!("{other:?}"),
    }
    let client = found
        .client_builder("id")
        .unwrap()
        .redirect_uri("http://127.0.0.1/callback")
        .build()
        .unwrap();
    let (url, _) = client.authorize(&mut common::rng()).unwrap();
    let query = common::pairs(common::query_of(url.as_str()));
    assert_eq!(common::one(&query, "resource"), RESOURCE);
    assert_eq!(common::one(&query, "code_challenge_method"), "S256");
}

#[test]
fn plain_http_resources_need_the_loopback_opt_in() {
    assert!(McpDiscovery::new("http://127.0.0.1:8080/mcp", LoopbackHttp::Refuse).is_err());
    assert!(McpDiscovery::new("http://127.0.0.1:8080/mcp", LoopbackHttp::DangerouslyAllow).is_ok());
    assert!(McpDiscovery::new("https://mcp.example/mcp#frag", LoopbackHttp::Refuse).is_err());
}
