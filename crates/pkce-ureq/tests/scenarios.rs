//! The scenario suite over real loopback HTTP, driven by the blocking transport. The
//! scenarios live in pkce-transport-tests, shared with pkce-reqwest; this file is the
//! [`Driver`] for ureq and what only ureq has (`Transport::with_agent`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use pkce_flow::device::DeviceAuthorization;
use pkce_flow::pkce_core::rand_core::TryCryptoRng;
use pkce_flow::{
    AccessToken, BearerResponse, Client, DiscoveryKind, Exchange, LoopbackHttp,
    PushedAuthorizationUrl, RefreshToken, ServerMetadata, TokenExchange, TokenResponse,
};
use pkce_testkit::{AuthServer, Endpoint, Misbehavior, UserAgent, clients};
use pkce_transport_tests::{Driver, Fault};
use pkce_ureq as transport;
use ureq::tls::{TlsConfig, TlsProvider};

/// The blocking transport, as the shared suite drives it.
struct Ureq(transport::Transport);

impl Driver for Ureq {
    type Error = transport::Error;
    const USER_AGENT: &'static str = transport::USER_AGENT_VALUE;

    fn new() -> Self {
        Self(transport::Transport::new().unwrap())
    }
    fn drive<E: Exchange>(&self, exchange: E) -> Result<E::Output, Self::Error> {
        self.0.drive(exchange)
    }
    fn discover(
        &self,
        issuer: &str,
        kind: DiscoveryKind,
        loopback: LoopbackHttp,
    ) -> Result<ServerMetadata, Self::Error> {
        self.0.discover(issuer, kind, loopback)
    }
    fn push_authorization<R: TryCryptoRng + ?Sized>(
        &self,
        client: &Client,
        rng: &mut R,
    ) -> Result<PushedAuthorizationUrl, Self::Error> {
        self.0.push_authorization(client, rng)
    }
    fn exchange(&self, exchange: TokenExchange) -> Result<TokenResponse, Self::Error> {
        self.0.exchange(exchange)
    }
    fn refresh(&self, client: &Client, token: &RefreshToken) -> Result<TokenResponse, Self::Error> {
        self.0.refresh(client, token)
    }
    fn revoke_refresh_token(
        &self,
        client: &Client,
        token: &RefreshToken,
    ) -> Result<(), Self::Error> {
        self.0.revoke_refresh_token(client, token)
    }
    fn revoke_access_token(&self, client: &Client, token: &AccessToken) -> Result<(), Self::Error> {
        self.0.revoke_access_token(client, token)
    }
    fn device_login<F: FnOnce(&DeviceAuthorization)>(
        &self,
        client: &Client,
        show: F,
    ) -> Result<TokenResponse, Self::Error> {
        self.0.device_login(client, show)
    }
    fn device_login_with_nonces<F: FnOnce(&DeviceAuthorization)>(
        &self,
        client: &Client,
        nonces: &mut pkce_flow::dpop::NonceMemory,
        show: F,
    ) -> Result<TokenResponse, Self::Error> {
        self.0.device_login_with_nonces(client, nonces, show)
    }
    fn fresh_access_token<S: pkce_session::SessionStore>(
        &self,
        sessions: &pkce_session::Sessions<S>,
        key: &pkce_session::SessionKey,
        now: u64,
    ) -> Result<AccessToken, pkce_session::SessionError> {
        self.0.fresh_access_token(sessions, key, now)
    }
    fn bearer_get(&self, url: &str, token: &AccessToken) -> Result<BearerResponse, Self::Error> {
        self.0.bearer_get(url, token)
    }
    fn action(error: &Self::Error) -> pkce_flow::Action {
        error.action()
    }
    fn is_invalid_grant(error: &Self::Error) -> bool {
        error.is_invalid_grant()
    }
    fn fault(error: &Self::Error) -> Fault<'_> {
        match error {
            transport::Error::Flow(e) => Fault::Flow(e),
            transport::Error::Timeout(_) => Fault::Timeout,
            transport::Error::ConnectionRefused(_) => Fault::ConnectionRefused,
            transport::Error::Tls(_) => Fault::Tls,
            transport::Error::Io(_) => Fault::Io,
            transport::Error::BodyTooLarge { limit } => Fault::BodyTooLarge { limit: *limit },
            transport::Error::UnexpectedRedirect => Fault::UnexpectedRedirect,
            _ => Fault::Other,
        }
    }
}

pkce_transport_tests::scenarios!(Ureq);

/// An agent that would follow redirects and turn 4xx into errors, with a crypto provider.
fn lax_agent() -> ureq::Agent {
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .build();
    ureq::Agent::config_builder()
        .tls_config(tls)
        .max_redirects(10)
        .http_status_as_error(true)
        .timeout_global(Some(Duration::from_secs(600)))
        .build()
        .new_agent()
}

fn public_client(server: &AuthServer) -> Client {
    Client::builder(clients::PUBLIC_ID)
        .issuer(server.issuer())
        .authorization_endpoint(&server.url("/authorize"))
        .token_endpoint(&server.url("/token"))
        .redirect_uri("http://127.0.0.1:49152/callback")
        .dangerous_allow_insecure_loopback()
        .build()
        .unwrap()
}

#[test]
fn with_agent_cannot_relax_the_policy() {
    let server = AuthServer::start().unwrap();
    let target = AuthServer::start().unwrap();
    let transport = transport::Transport::with_agent(lax_agent()).unwrap();

    // The agent would follow this 307; the request-level configuration does not.
    let client = public_client(&server);
    let (url, pending) = client.authorize(&mut getrandom::SysRng).unwrap();
    let callback = UserAgent::new().approve(url.as_str()).unwrap();
    let location = target.url("/token");
    server.set_misbehavior(
        Endpoint::Token,
        Some(Misbehavior::Redirect {
            status: 307,
            location,
        }),
    );
    let error = transport
        .exchange(pending.callback_url(&callback).unwrap())
        .unwrap_err();
    assert!(
        matches!(
            error,
            transport::Error::Flow(pkce_flow::Error::Response(
                pkce_flow::ResponseError::UnexpectedRedirect { status: 307 }
            ))
        ),
        "{error:?}"
    );
    assert_eq!(target.hits(Endpoint::Token), 0);

    // The agent would turn this 400 into ureq::Error::StatusCode; the flow must see it.
    server.set_misbehavior(Endpoint::Token, None);
    let (url, pending) = client.authorize(&mut getrandom::SysRng).unwrap();
    let callback = UserAgent::new().approve(url.as_str()).unwrap();
    let tampered = callback.replacen("code=", "code=x", 1);
    let error = transport
        .exchange(pending.callback_url(&tampered).unwrap())
        .unwrap_err();
    assert!(
        matches!(error, transport::Error::Flow(pkce_flow::Error::Token(_))),
        "{error:?}"
    );

    // The agent's ten-minute limit does not replace the policy's.
    let policy = pkce_flow::RequestPolicy {
        timeout: Duration::from_secs(1),
        ..Default::default()
    };
    let client = Client::builder(clients::PUBLIC_ID)
        .issuer(server.issuer())
        .authorization_endpoint(&server.url("/authorize"))
        .token_endpoint(&server.url("/token"))
        .redirect_uri("http://127.0.0.1:49152/callback")
        .request_policy(policy)
        .dangerous_allow_insecure_loopback()
        .build()
        .unwrap();
    let (url, pending) = client.authorize(&mut getrandom::SysRng).unwrap();
    let callback = UserAgent::new().approve(url.as_str()).unwrap();
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::Stall { secs: 20 }));
    let error = transport
        .exchange(pending.callback_url(&callback).unwrap())
        .unwrap_err();
    assert!(matches!(error, transport::Error::Timeout(_)), "{error:?}");
}

#[test]
fn with_agent_refuses_an_agent_without_a_crypto_provider() {
    // With ureq's `rustls-no-provider`, this agent would panic on its first https request.
    let error = transport::Transport::with_agent(ureq::Agent::new_with_defaults()).unwrap_err();
    assert!(
        matches!(error, transport::Error::ClientSetup { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("crypto provider"), "{error}");
}

#[test]
fn with_agent_detects_a_middleware_that_answers_for_another_url() {
    // A middleware that sends every request elsewhere, as one that follows redirects would:
    // ureq cannot show it beforehand, so the transport notices the response's URL.
    let server = AuthServer::start().unwrap();
    let elsewhere = AuthServer::start().unwrap();
    let target: ureq::http::Uri = elsewhere
        .url("/.well-known/oauth-authorization-server")
        .parse()
        .unwrap();
    let tls = TlsConfig::builder()
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .build();
    let agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .middleware(
            move |mut request: ureq::http::Request<ureq::SendBody<'_>>,
                  next: ureq::middleware::MiddlewareNext<'_>| {
                *request.uri_mut() = target.clone();
                next.handle(request)
            },
        )
        .build()
        .new_agent();
    let transport = transport::Transport::with_agent(agent).unwrap();
    let error = transport
        .discover(
            server.issuer(),
            pkce_flow::DiscoveryKind::OAuth,
            pkce_flow::LoopbackHttp::DangerouslyAllow,
        )
        .unwrap_err();
    assert!(
        matches!(error, transport::Error::UnexpectedRedirect),
        "{error:?}"
    );
    assert_eq!(server.hits(Endpoint::Metadata), 0);
    // After the fact: the other server was asked. Hence the warning on `with_agent`.
    assert_eq!(elsewhere.hits(Endpoint::Metadata), 1);
}
