//! TLS mode: https with a certificate that ordinary clients refuse and a trusting one accepts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use common::{Authz, query_param};
use pkce_testkit::{AuthServer, Endpoint, ServerConfig, TLS_CERT_PEM, UserAgent, clients};
use ureq::tls::{Certificate, RootCerts, TlsConfig};

fn agent(roots: RootCerts) -> ureq::Agent {
    let tls = TlsConfig::builder()
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .root_certs(roots)
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .http_status_as_error(false)
        .build()
        .new_agent()
}

#[test]
fn a_client_with_normal_roots_refuses_the_handshake() {
    let server = AuthServer::start_with(ServerConfig {
        tls: true,
        ..Default::default()
    })
    .unwrap();
    assert!(
        server.issuer().starts_with("https://127.0.0.1:"),
        "{}",
        server.issuer()
    );
    let err = agent(RootCerts::WebPki)
        .get(&server.url("/.well-known/openid-configuration"))
        .call()
        .unwrap_err();
    // rustls reports the refused certificate through an I/O error.
    assert!(
        format!("{err:?}").contains("InvalidCertificate(UnknownIssuer)"),
        "{err:?}"
    );
    // Refused before any HTTP: no request reached the endpoint.
    assert_eq!(server.hits(Endpoint::Metadata), 0);
    // Plain http to the https port is no way around it either.
    let plain = server
        .url("/.well-known/openid-configuration")
        .replacen("https://", "http://", 1);
    assert!(common::agent().get(&plain).call().is_err());
}

#[test]
fn a_client_trusting_the_test_certificate_gets_through() {
    let config = ServerConfig {
        tls: true,
        auto_approve: true,
        ..Default::default()
    };
    let server = AuthServer::start_with(config).unwrap();
    let cert = Certificate::from_pem(TLS_CERT_PEM.as_bytes()).unwrap();
    let trusting = agent(RootCerts::Specific(Arc::new(vec![cert])));
    let mut resp = trusting
        .get(&server.url("/.well-known/oauth-authorization-server"))
        .call()
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(doc["issuer"], server.issuer());
    assert_eq!(doc["token_endpoint"], server.url("/token"));

    let authz = Authz::new(clients::PUBLIC_ID, "openid");
    let callback = UserAgent::new().approve(&authz.url(&server)).unwrap();
    assert_eq!(
        query_param(&callback, "iss").as_deref(),
        Some(server.issuer())
    );
    let code = query_param(&callback, "code").unwrap();
    let resp = trusting
        .post(&server.url("/token"))
        .send_form([
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", authz.redirect_uri.as_str()),
            ("client_id", clients::PUBLIC_ID),
            ("code_verifier", authz.verifier.expose_secret()),
        ])
        .unwrap();
    assert_eq!(resp.status(), 200);
}
