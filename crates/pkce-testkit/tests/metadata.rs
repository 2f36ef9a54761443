//! RFC 8414 metadata and OIDC discovery: the same document at both well-known paths.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::get;
use pkce_testkit::{AuthServer, Endpoint};
use serde_json::json;

#[test]
fn metadata_is_served_at_both_well_known_urls() {
    let server = AuthServer::start().unwrap();
    let issuer = server.issuer();
    assert!(
        issuer.starts_with("http://127.0.0.1:") && !issuer.ends_with('/'),
        "{issuer}"
    );
    assert_eq!(server.url("/token"), format!("{issuer}/token"));
    assert_eq!(issuer, format!("http://{}", server.addr()));
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let reply = get(&server.url(path));
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let doc = reply.json();
        assert_eq!(doc["issuer"], issuer);
        for (field, path) in [
            ("authorization_endpoint", "/authorize"),
            ("token_endpoint", "/token"),
            ("revocation_endpoint", "/revoke"),
            ("pushed_authorization_request_endpoint", "/par"),
            ("userinfo_endpoint", "/userinfo"),
            ("device_authorization_endpoint", "/device_authorization"),
        ] {
            assert_eq!(doc[field], server.url(path), "{field}");
        }
        let methods = json!(["none", "client_secret_basic", "client_secret_post"]);
        assert_eq!(doc["response_types_supported"], json!(["code"]));
        assert_eq!(
            doc["grant_types_supported"],
            json!([
                "authorization_code",
                "refresh_token",
                "urn:ietf:params:oauth:grant-type:device_code"
            ])
        );
        assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(doc["token_endpoint_auth_methods_supported"], methods);
        assert_eq!(doc["revocation_endpoint_auth_methods_supported"], methods);
        assert_eq!(doc["authorization_response_iss_parameter_supported"], true);
        assert_eq!(doc["require_pushed_authorization_requests"], false);
        assert_eq!(
            doc["scopes_supported"],
            json!([
                "openid",
                "profile",
                "email",
                "offline_access",
                "read",
                "write"
            ])
        );
    }
    assert_eq!(server.hits(Endpoint::Metadata), 2);
    assert_eq!(get(&server.url("/.well-known/unknown")).status, 404);
    assert_eq!(server.hits(Endpoint::Metadata), 2);
}

#[test]
fn servers_are_independent() {
    let a = AuthServer::start().unwrap();
    let b = AuthServer::start().unwrap();
    assert_ne!(a.issuer(), b.issuer());
    get(&a.url("/.well-known/openid-configuration"));
    assert_eq!(
        (a.hits(Endpoint::Metadata), b.hits(Endpoint::Metadata)),
        (1, 0)
    );
    let addr = a.addr();
    drop(a);
    // Dropping the server closes its port.
    assert!(std::net::TcpStream::connect(addr).is_err());
}
