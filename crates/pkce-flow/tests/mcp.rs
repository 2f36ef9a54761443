//! MCP authorization: the 401 challenge, protected resource metadata (RFC 9728), the
//! discovery order, the profile's metadata checks and scope step-up.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{drive_responses, json, request_of};
use pkce_flow::bearer::bearer_challenge;
use pkce_flow::mcp::{
    McpProfile, MissingMetadata, ResourceDiscovery, ResourceMetadata, ScopeStepUp, StepUpError,
    parse_resource_metadata, resource_challenge, resource_metadata_urls,
};
use pkce_flow::{
    Discovery, DiscoveryKind, Error, Exchange, HttpResponse, LoopbackHttp, MetadataError,
    ResponseError, ServerMetadata, parse_metadata,
};

const RESOURCE: &str = "https://mcp.example/mcp";
const AS: &str = "https://as.example/tenant";

fn prm(body: &str) -> Result<ResourceMetadata, Error> {
    parse_resource_metadata(RESOURCE, body.as_bytes(), LoopbackHttp::Refuse)
}

fn good_prm() -> ResourceMetadata {
    prm(&format!(r#"{{"resource":"{RESOURCE}","authorization_servers":["{AS}"],"scopes_supported":["mcp:read"]}}"#)).unwrap()
}

fn server(extra: &str) -> ServerMetadata {
    let body = format!(
        r#"{{"issuer":"{AS}","authorization_endpoint":"{AS}/authorize","token_endpoint":"{AS}/token","response_types_supported":["code"]{extra}}}"#
    );
    parse_metadata(AS, body.as_bytes(), LoopbackHttp::Refuse).unwrap()
}

#[test]
fn a_401_challenge_gives_the_resource_metadata_url_and_scope() {
    let header = r#"Bearer realm="mcp", resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/mcp", scope="mcp:read mcp:write""#;
    let ch = resource_challenge([header]).unwrap().unwrap();
    assert_eq!(
        ch.resource_metadata.as_deref(),
        Some("https://mcp.example/.well-known/oauth-protected-resource/mcp")
    );
    assert_eq!(ch.bearer.scope, ["mcp:read", "mcp:write"]);
    assert_eq!(resource_challenge(["Basic realm=x"]).unwrap(), None);
    let twice = r#"Bearer resource_metadata="https://a.example/x", resource_metadata="https://b.example/x""#;
    assert_eq!(
        resource_challenge([twice]).unwrap_err(),
        ResponseError::MalformedChallenge.into()
    );
}

#[test]
fn well_known_resource_urls_insert_the_path_then_try_the_root() {
    assert_eq!(
        resource_metadata_urls("https://mcp.example/mcp"),
        [
            "https://mcp.example/.well-known/oauth-protected-resource/mcp",
            "https://mcp.example/.well-known/oauth-protected-resource",
        ]
    );
    assert_eq!(
        resource_metadata_urls("https://mcp.example/"),
        ["https://mcp.example/.well-known/oauth-protected-resource"]
    );
}

#[test]
fn resource_metadata_for_another_resource_or_without_good_servers_is_refused() {
    assert_eq!(good_prm().authorization_server(), AS);
    let cases = [
        (
            r#"{"resource":"https://mcp.example/mcp/","authorization_servers":["https://as.example"]}"#,
            Error::Metadata(MetadataError::ResourceMismatch),
        ),
        (
            r#"{"resource":"https://evil.example/mcp","authorization_servers":["https://as.example"]}"#,
            Error::Metadata(MetadataError::ResourceMismatch),
        ),
        (
            r#"{"resource":"https://mcp.example/mcp","authorization_servers":[]}"#,
            Error::Metadata(MetadataError::NoAuthorizationServer),
        ),
        (
            r#"{"resource":"https://mcp.example/mcp"}"#,
            Error::Metadata(MetadataError::NoAuthorizationServer),
        ),
        (
            r#"{"resource":"https://mcp.example/mcp","authorization_servers":["http://as.example"]}"#,
            Error::Metadata(MetadataError::InvalidAuthorizationServer),
        ),
        (
            r#"{"resource":"https://mcp.example/mcp","authorization_servers":["https://as.example?x=1"]}"#,
            Error::Metadata(MetadataError::InvalidAuthorizationServer),
        ),
        (
            r#"{"authorization_servers":["https://as.example"]}"#,
            ResponseError::MissingField("resource").into(),
        ),
        (
            r#"{"resource":"https://mcp.example/mcp","authorization_servers":"https://as.example"}"#,
            ResponseError::Json.into(),
        ),
        ("not json", ResponseError::Json.into()),
    ];
    for (body, expected) in cases {
        assert_eq!(prm(body).unwrap_err(), expected, "{body}");
    }
}

/// Drives `exchange` through `answers` (status, body; a 200 is JSON), returning the URLs
/// asked and the outcome.
fn drive<E: Exchange>(
    exchange: E,
    answers: &[(u16, &'static str)],
) -> (Vec<String>, Result<E::Output, Error>) {
    let responses = answers.iter().map(|(status, body)| {
        if *status == 200 {
            json(200, body)
        } else {
            HttpResponse::new(*status, body.as_bytes())
        }
    });
    drive_responses(exchange, responses)
}

const PRM_BODY: &str = r#"{"resource":"https://mcp.example/mcp","authorization_servers":["https://as.example/tenant"]}"#;

#[test]
fn resource_discovery_probes_path_then_root_and_stops_at_other_errors() {
    let d = ResourceDiscovery::new(RESOURCE, None, LoopbackHttp::Refuse).unwrap();
    let (urls, out) = drive(d, &[(404, ""), (200, PRM_BODY)]);
    assert_eq!(urls, resource_metadata_urls(RESOURCE));
    assert_eq!(out.unwrap().authorization_server(), AS);
    let d = ResourceDiscovery::new(RESOURCE, None, LoopbackHttp::Refuse).unwrap();
    let (urls, out) = drive(d, &[(500, "")]);
    assert_eq!(urls.len(), 1);
    assert!(matches!(
        out.unwrap_err(),
        Error::Response(ResponseError::UnexpectedStatus { status: 500, .. })
    ));
}

#[test]
fn resource_discovery_uses_only_the_challenges_url_when_given() {
    let header = r#"Bearer resource_metadata="https://mcp.example/prm""#;
    let ch = resource_challenge([header]).unwrap().unwrap();
    let d = ResourceDiscovery::new(RESOURCE, Some(&ch), LoopbackHttp::Refuse).unwrap();
    let (urls, out) = drive(d, &[(404, "")]);
    assert_eq!(urls, ["https://mcp.example/prm"]);
    assert!(out.is_err());
    let insecure = r#"Bearer resource_metadata="http://mcp.example/prm""#;
    let ch = resource_challenge([insecure]).unwrap().unwrap();
    assert!(ResourceDiscovery::new(RESOURCE, Some(&ch), LoopbackHttp::Refuse).is_err());
}

#[test]
fn authorization_server_discovery_follows_the_mcp_order_with_exact_issuer() {
    let d = Discovery::new(AS, DiscoveryKind::Mcp, LoopbackHttp::Refuse).unwrap();
    let body = r#"{"issuer":"https://as.example/tenant","authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t","response_types_supported":["code"]}"#;
    let (urls, out) = drive(d, &[(404, ""), (404, ""), (200, body)]);
    assert_eq!(
        urls,
        [
            "https://as.example/.well-known/oauth-authorization-server/tenant",
            "https://as.example/.well-known/openid-configuration/tenant",
            "https://as.example/tenant/.well-known/openid-configuration",
        ]
    );
    assert_eq!(out.unwrap().issuer, AS);
    let d = Discovery::new(AS, DiscoveryKind::Mcp, LoopbackHttp::Refuse).unwrap();
    let slash = r#"{"issuer":"https://as.example/tenant/","authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t","response_types_supported":["code"]}"#;
    let (_, out) = drive(d, &[(200, slash)]);
    assert_eq!(out.unwrap_err(), MetadataError::IssuerMismatch.into());
    let root = Discovery::new(
        "https://as.example",
        DiscoveryKind::Mcp,
        LoopbackHttp::Refuse,
    );
    let (urls, _) = drive(root.unwrap(), &[(404, ""), (404, "")]);
    assert_eq!(urls.len(), 2, "{urls:?}");
}

#[test]
fn the_profile_reports_every_missing_piece_at_once() {
    let prm = good_prm();
    let bare = server("");
    let err = McpProfile::new(&prm, &bare).check(true).unwrap_err();
    assert_eq!(
        err.missing(),
        [
            MissingMetadata::CodeChallengeMethods,
            MissingMetadata::Registration
        ]
    );
    let plain = server(r#","code_challenge_methods_supported":["plain"]"#);
    assert_eq!(
        McpProfile::new(&prm, &plain)
            .check(false)
            .unwrap_err()
            .missing(),
        [MissingMetadata::S256]
    );
    let other = ResourceMetadata::clone(&prm);
    let other_prm = parse_resource_metadata(
        RESOURCE,
        br#"{"resource":"https://mcp.example/mcp","authorization_servers":["https://other.example"]}"#,
        LoopbackHttp::Refuse,
    )
    .unwrap();
    let good = server(
        r#","code_challenge_methods_supported":["S256"],"registration_endpoint":"https://as.example/register""#,
    );
    assert!(McpProfile::new(&other, &good).check(true).is_ok());
    assert_eq!(
        McpProfile::new(&other_prm, &good)
            .check(true)
            .unwrap_err()
            .missing(),
        [MissingMetadata::IssuerNotListedByResource]
    );
}

#[test]
fn the_profile_sends_resource_on_authorization_token_and_refresh() {
    let prm = good_prm();
    let meta = server(r#","code_challenge_methods_supported":["S256"]"#);
    let client = McpProfile::new(&prm, &meta)
        .client_builder("mcp-client")
        .unwrap()
        .redirect_uri("http://127.0.0.1:4711/callback")
        .build()
        .unwrap();
    let (url, pending) = client.authorize(&mut common::rng()).unwrap();
    let resource = ("resource".to_owned(), RESOURCE.to_owned());
    assert!(common::pairs(common::query_of(url.as_str())).contains(&resource));
    let state = pending.state().expose_secret().to_owned();
    let mut exchange = pending.callback(&format!("code=c&state={state}")).unwrap();
    let token = request_of(&mut exchange);
    assert!(common::pairs(std::str::from_utf8(token.body()).unwrap()).contains(&resource));
    let mut refresh = client.refresh(&pkce_flow::RefreshToken::new("r".into()));
    let refresh = request_of(&mut refresh);
    assert!(common::pairs(std::str::from_utf8(refresh.body()).unwrap()).contains(&resource));
}

#[test]
fn step_up_asks_for_the_union_and_stops_after_the_bound() {
    let forbidden = |scope: &str| {
        let header = format!(r#"Bearer error="insufficient_scope", scope="{scope}""#);
        bearer_challenge([header.as_str()]).unwrap().unwrap()
    };
    let mut step = ScopeStepUp::new("mcp:read openid", 2);
    assert_eq!(
        step.on_forbidden(&forbidden("mcp:write mcp:read")).unwrap(),
        "mcp:read openid mcp:write"
    );
    assert_eq!(
        step.on_forbidden(&forbidden("admin")).unwrap(),
        "mcp:read openid mcp:write admin"
    );
    assert_eq!(
        step.on_forbidden(&forbidden("more")).unwrap_err(),
        StepUpError::TooManyAttempts
    );
    assert_eq!(step.scope(), "mcp:read openid mcp:write admin");
    let invalid = bearer_challenge([r#"Bearer error="invalid_token""#])
        .unwrap()
        .unwrap();
    assert_eq!(
        ScopeStepUp::new("", 1).on_forbidden(&invalid).unwrap_err(),
        StepUpError::NotInsufficientScope
    );
    let no_scope = bearer_challenge([r#"Bearer error="insufficient_scope""#])
        .unwrap()
        .unwrap();
    assert_eq!(
        ScopeStepUp::new("", 1).on_forbidden(&no_scope).unwrap_err(),
        StepUpError::NoUsableScope
    );
}
