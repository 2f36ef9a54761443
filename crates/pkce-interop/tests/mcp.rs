//! Our MCP client path against a real MCP server built from the official MCP TypeScript SDK
//! (its authorization server, protected resource metadata and bearer middleware), starting
//! from nothing but the resource URL, through both transports: 401 → protected resource
//! metadata → authorization server discovery → dynamic registration → login with PKCE and
//! `resource` → MCP `initialize` → refresh with `resource`; the well-known fallback, the
//! resource equality check and the scope step-up on 403.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pkce_flow::mcp::resource_challenge;
use pkce_flow::mcp::{McpDiscovery, McpServer as Found, ResourceDiscovery, ScopeStepUp};
use pkce_flow::{
    Client, ClientMetadata, Error, LoopbackHttp, MetadataError, Mismatch, TokenResponse,
};
use pkce_interop::{
    Browser, MCP_ADMIN_SCOPE, MCP_ADMIN_TOOL, MCP_TOOLS_SCOPE, McpServer, REGISTERED_REDIRECT_URI,
    initialize_request, mcp_post, query_param, redirect_uri, tool_call_request,
};

mod support;
use support::{Driver, reqwest, ureq};

/// Nothing listens here: the scripted browser stops at the redirect and hands it over.
const PORT: u16 = 53684;

const LOOPBACK: LoopbackHttp = LoopbackHttp::DangerouslyAllow;

/// Discovery from the resource URL alone, then registration: the checked server and the
/// client registered with it (`application_type` native, no secret).
fn discover_and_register<D: Driver>(d: &D, server: &McpServer) -> (Found, Client) {
    let found = d
        .drive(McpDiscovery::new(server.resource(), LOOPBACK).unwrap())
        .unwrap();
    let challenge = found
        .challenge
        .as_ref()
        .expect("the 401 had a Bearer challenge");
    assert_eq!(
        challenge.resource_metadata.as_deref(),
        Some(
            format!(
                "{}.well-known/oauth-protected-resource/mcp",
                server.issuer()
            )
            .as_str()
        ),
        "the challenge names the metadata"
    );
    assert_eq!(found.resource.resource, server.resource());
    assert_eq!(found.server.issuer, server.issuer());
    assert_eq!(
        found.scope().as_deref(),
        Some(MCP_TOOLS_SCOPE),
        "the 401's scope"
    );
    let metadata = ClientMetadata::native("pkce interop", &[REGISTERED_REDIRECT_URI]);
    let registered = d.drive(found.registration(&metadata).unwrap()).unwrap();
    assert_eq!(registered.issuer, server.issuer(), "kept for its issuer");
    assert!(registered.client_secret.is_none(), "a public client");
    let client = login_client(&found, &registered.client_id, &found.scope().unwrap());
    (found, client)
}

fn login_client(found: &Found, client_id: &str, scope: &str) -> Client {
    found
        .client_builder(client_id)
        .unwrap()
        .redirect_uri(&redirect_uri(PORT))
        .scopes(scope)
        .build()
        .unwrap()
}

/// One login: the authorization URL carries S256 and `resource`; the callback's `iss` is
/// checked by the flow; the code exchange sends `resource` again.
fn log_in<D: Driver>(d: &D, client: &Client, resource: &str) -> TokenResponse {
    let (url, pending) = client.authorize(&mut getrandom::SysRng).unwrap();
    assert_eq!(
        query_param(url.as_str(), "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(
        query_param(url.as_str(), "resource").as_deref(),
        Some(resource)
    );
    let callback = Browser::new()
        .authorize(url.as_str(), &redirect_uri(PORT))
        .unwrap();
    assert!(query_param(&callback, "iss").is_some(), "RFC 9207 iss sent");
    d.drive(pending.callback_url(&callback).unwrap()).unwrap()
}

/// The whole path from the resource URL to an MCP session and a refreshed token, with the
/// server's provider confirming `resource` at each step and the registration's type.
fn resource_url_to_mcp_call_and_refresh<D: Driver>(d: &D) {
    let server = McpServer::start().unwrap();
    let unauthenticated = mcp_post(server.resource(), None, &initialize_request()).unwrap();
    assert_eq!(unauthenticated.status, 401);

    let (_, client) = discover_and_register(d, &server);
    let tokens = log_in(d, &client, server.resource());

    let token = tokens.access_token().expose_secret();
    let answer = mcp_post(server.resource(), Some(token), &initialize_request()).unwrap();
    assert_eq!(answer.status, 200, "{}: {answer:?}", d.name());
    let message = answer.message.expect("a JSON-RPC answer");
    assert_eq!(message["id"], 1);
    assert_eq!(message["result"]["serverInfo"]["name"], "pkce-interop-mcp");

    let refresh_token = tokens.refresh_token().expect("a refresh token").clone();
    let refreshed = d.drive(client.refresh(&refresh_token)).unwrap();
    let token = refreshed.access_token().expose_secret();
    let answer = mcp_post(server.resource(), Some(token), &initialize_request()).unwrap();
    assert_eq!(answer.status, 200, "the refreshed token works: {answer:?}");

    let seen = server.observed().unwrap();
    let resource = Some(server.resource().to_owned());
    assert_eq!(
        seen.authorization_resources,
        std::slice::from_ref(&resource)
    );
    assert_eq!(
        seen.code_exchange_resources,
        std::slice::from_ref(&resource)
    );
    assert_eq!(
        seen.refresh_resources,
        [resource],
        "refresh carries resource"
    );
    assert_eq!(seen.registrations.len(), 1);
    assert_eq!(
        seen.registrations[0].application_type.as_deref(),
        Some("native")
    );
    assert_eq!(
        seen.registrations[0].token_endpoint_auth_method.as_deref(),
        Some("none")
    );
}

#[test]
fn mcp_resource_url_to_initialize_and_refresh_through_ureq() {
    resource_url_to_mcp_call_and_refresh(&ureq());
}

#[test]
fn mcp_resource_url_to_initialize_and_refresh_through_reqwest() {
    resource_url_to_mcp_call_and_refresh(&reqwest());
}

/// Without the 401's pointer, the metadata is found at the well-known URL with the
/// resource's path inserted (RFC 9728 §3.1).
fn well_known_fallback<D: Driver>(d: &D) {
    let server = McpServer::start().unwrap();
    let metadata = d
        .drive(ResourceDiscovery::new(server.resource(), None, LOOPBACK).unwrap())
        .unwrap();
    assert_eq!(metadata.resource, server.resource());
    assert_eq!(metadata.authorization_server(), server.issuer());
}

#[test]
fn mcp_metadata_found_at_the_well_known_url_through_ureq() {
    well_known_fallback(&ureq());
}

#[test]
fn mcp_metadata_found_at_the_well_known_url_through_reqwest() {
    well_known_fallback(&reqwest());
}

/// A URL the server also answers (`/mcp/`, which express routes to `/mcp`) is not the
/// resource its metadata names: the metadata is refused and nothing more is fetched.
fn resource_mismatch<D: Driver>(d: &D) {
    let server = McpServer::start().unwrap();
    let other = format!("{}/", server.resource());
    let err = d
        .drive_err(McpDiscovery::new(&other, LOOPBACK).unwrap())
        .expect("refused");
    assert_eq!(err, Error::Metadata(MetadataError::ResourceMismatch));
    assert!(server.observed().unwrap().registrations.is_empty());
}

#[test]
fn mcp_metadata_for_another_resource_is_refused_through_ureq() {
    resource_mismatch(&ureq());
}

#[test]
fn mcp_metadata_for_another_resource_is_refused_through_reqwest() {
    resource_mismatch(&reqwest());
}

/// A tool that needs more scope is a 403 `insufficient_scope` from the SDK's middleware;
/// the step-up asks for the union of the scopes, and the call then succeeds.
fn step_up<D: Driver>(d: &D) {
    let server = McpServer::start().unwrap();
    let (found, client) = discover_and_register(d, &server);
    let tokens = log_in(d, &client, server.resource());
    let call = tool_call_request(MCP_ADMIN_TOOL);
    let token = tokens.access_token().expose_secret();
    let forbidden = mcp_post(server.resource(), Some(token), &call).unwrap();
    assert_eq!(forbidden.status, 403);
    let header = forbidden.www_authenticate.expect("a challenge");
    let challenge = resource_challenge([header.as_str()]).unwrap().unwrap();
    let mut step_up = ScopeStepUp::new(client.scope().unwrap(), 1);
    let scope = step_up.on_forbidden(&challenge.bearer).unwrap();
    assert_eq!(scope, format!("{MCP_TOOLS_SCOPE} {MCP_ADMIN_SCOPE}"));

    let wider = login_client(&found, client.client_id(), &scope);
    let tokens = log_in(d, &wider, server.resource());
    let token = tokens.access_token().expose_secret();
    let allowed = mcp_post(server.resource(), Some(token), &call).unwrap();
    assert_eq!(allowed.status, 200, "{allowed:?}");
    assert_eq!(
        allowed.message.unwrap()["result"]["content"][0]["text"],
        "admin done"
    );
    assert!(
        step_up.on_forbidden(&challenge.bearer).is_err(),
        "the bound holds"
    );
}

#[test]
fn mcp_insufficient_scope_steps_up_through_ureq() {
    step_up(&ureq());
}

#[test]
fn mcp_insufficient_scope_steps_up_through_reqwest() {
    step_up(&reqwest());
}

/// The SDK server's redirect carries `iss` (RFC 9207): another issuer there is refused, and
/// that answer ends the authorization (a mix-up is not something to wait past).
#[test]
fn mcp_callback_with_another_iss_is_refused() {
    let d = ureq();
    let server = McpServer::start().unwrap();
    let (_, client) = discover_and_register(&d, &server);
    let (url, pending) = client.authorize(&mut getrandom::SysRng).unwrap();
    let callback = Browser::new()
        .authorize(url.as_str(), &redirect_uri(PORT))
        .unwrap();
    let wrong = callback.replace("iss=http%3A%2F%2F127.0.0.1", "iss=http%3A%2F%2F127.0.0.2");
    assert_ne!(wrong, callback);
    let rejected = pending.callback_url(&wrong).unwrap_err();
    assert_eq!(rejected.error(), &Error::Mismatch(Mismatch::IssuerMismatch));
    assert!(rejected.into_pending().is_none());
    assert!(
        server
            .observed()
            .unwrap()
            .code_exchange_resources
            .is_empty()
    );
}
