//! ID tokens (`ServerConfig::id_tokens`), read and validated by pkce-flow's `oidc` module:
//! issued for `openid` only, with the request's nonce, the client as audience and the
//! server as issuer; the misbehaviours give a token pkce-flow refuses for its nonce or its
//! audience.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use pkce_flow::oidc::{IdTokenError, IdTokenSignature, IdTokenValidation};
use pkce_flow::{Client, Exchange, HttpResponse, Poll, TokenResponse};
use pkce_testkit::{AuthServer, Endpoint, Misbehavior, ServerConfig, UserAgent, clients};

fn server() -> AuthServer {
    AuthServer::start_with(ServerConfig {
        id_tokens: true,
        auto_approve: true,
        ..ServerConfig::default()
    })
    .unwrap()
}

fn client(server: &AuthServer, scope: &str) -> Client {
    Client::builder(clients::PUBLIC_ID)
        .issuer(server.issuer())
        .authorization_endpoint(&server.url("/authorize"))
        .token_endpoint(&server.url("/token"))
        .redirect_uri(clients::REDIRECT_URIS[0])
        .scopes(scope)
        .dangerous_allow_insecure_loopback()
        .build()
        .unwrap()
}

/// A login of `client` through the scripted browser, the code exchanged over HTTP.
fn login(client: &Client) -> TokenResponse {
    let (url, pending) = client.authorize(&mut getrandom::SysRng).unwrap();
    let callback = UserAgent::new().approve(url.as_str()).unwrap();
    let mut exchange = pending.callback_url(&callback).unwrap();
    loop {
        match exchange.poll_output().unwrap() {
            Poll::Done(tokens) => return tokens,
            Poll::Request(req) => {
                let mut builder = common::agent().post(req.url());
                for (name, value) in req.headers() {
                    builder = builder.header(name, value);
                }
                let mut resp = builder.send(req.body()).unwrap();
                let content_type = resp
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let body = resp.body_mut().read_to_vec().unwrap();
                let response = HttpResponse::new(resp.status().as_u16(), &body)
                    .with_header("content-type", &content_type);
                exchange.handle_response(response).unwrap();
            }
        }
    }
}

fn validate(client: &Client, tokens: &TokenResponse) -> Result<String, IdTokenError> {
    let validation = IdTokenValidation::new(unix_now(), IdTokenSignature::IssuerEstablishedByTls);
    client
        .validate_id_token(tokens, &validation)
        .map(|claims| claims.subject().to_owned())
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn an_openid_login_gets_an_id_token_that_validates_with_its_nonce() {
    let server = server();
    let client = client(&server, "openid offline_access");
    let tokens = login(&client);
    assert_eq!(validate(&client, &tokens).unwrap(), "alice");
}

#[test]
fn a_login_without_openid_gets_no_id_token() {
    let server = server();
    let tokens = login(&client(&server, "offline_access"));
    assert!(tokens.id_token().is_none());
}

#[test]
fn the_id_token_misbehaviours_are_refused_for_their_nonce_and_audience() {
    let server = server();
    let client = client(&server, "openid");
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::IdTokenWrongNonce));
    let tokens = login(&client);
    assert!(matches!(
        validate(&client, &tokens),
        Err(IdTokenError::NonceMismatch)
    ));
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::IdTokenWrongAudience));
    let tokens = login(&client);
    assert!(matches!(
        validate(&client, &tokens),
        Err(IdTokenError::AudienceMismatch)
    ));
}
