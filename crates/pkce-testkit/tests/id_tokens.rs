//! ID tokens (`ServerConfig::id_tokens`), read and validated by pkce-flow's `oidc` module:
//! issued for `openid` only, with the request's nonce, the client as audience and the
//! server as issuer, again on every refresh of such a grant with the same identity; the
//! misbehaviours give a token pkce-flow refuses for its nonce or its audience, or (after a
//! refresh) for another subject or audience than the login's.
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
    drive(pending.callback_url(&callback).unwrap())
}

/// A refresh of `tokens` over HTTP.
fn refresh(client: &Client, tokens: &TokenResponse) -> TokenResponse {
    drive(client.refresh(tokens.refresh_token().unwrap()))
}

fn drive(mut exchange: impl Exchange<Output = TokenResponse>) -> TokenResponse {
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

fn by_tls() -> IdTokenValidation<'static> {
    IdTokenValidation::new(unix_now(), IdTokenSignature::IssuerEstablishedByTls)
}

fn validate(client: &Client, tokens: &TokenResponse) -> Result<String, IdTokenError> {
    let validation = by_tls();
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

#[test]
fn a_refresh_of_an_openid_grant_gets_a_new_id_token_with_the_same_identity() {
    let server = server();
    let client = client(&server, "openid offline_access");
    let tokens = login(&client);
    let first = client.validate_id_token(&tokens, &by_tls()).unwrap();
    let refreshed = refresh(&client, &tokens);
    assert_ne!(refreshed.id_token(), tokens.id_token(), "a new ID token");
    let again = client
        .validate_refreshed_id_token_for(&first.identity(), &refreshed, &by_tls())
        .unwrap()
        .expect("an ID token on refresh");
    assert_eq!(again.identity(), first.identity());
    assert!(
        !again.claims_json().contains("nonce"),
        "no nonce on refresh"
    );
}

#[test]
fn a_refresh_of_a_grant_without_openid_gets_no_id_token() {
    let server = server();
    let client = client(&server, "offline_access");
    let refreshed = refresh(&client, &login(&client));
    assert!(refreshed.id_token().is_none());
}

#[test]
fn the_refresh_misbehaviours_change_the_subject_or_the_audience() {
    let server = server();
    let client = client(&server, "openid offline_access");
    let tokens = login(&client);
    let identity = client
        .validate_id_token(&tokens, &by_tls())
        .unwrap()
        .identity();
    let mut rt = tokens;
    for (quirk, claim) in [
        (Misbehavior::IdTokenOtherSubject, "sub"),
        (Misbehavior::IdTokenExtraAudience, "aud"),
    ] {
        server.set_misbehavior(Endpoint::Token, Some(quirk));
        let refreshed = refresh(&client, &rt);
        assert_eq!(
            client
                .validate_refreshed_id_token_for(&identity, &refreshed, &by_tls())
                .unwrap_err(),
            IdTokenError::RefreshChanged(claim)
        );
        rt = refreshed;
    }
}
