//! The scenario suite over real loopback HTTP, driven by the async transport. The
//! scenarios live in pkce-transport-tests, shared with the blocking twin; this file is the
//! [`Driver`] for reqwest and what only reqwest has (`Transport::with_client_builder`, futures
//! that can be spawned).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use pkce_flow::device::DeviceAuthorization;
use pkce_flow::pkce_core::rand_core::TryCryptoRng;
use pkce_flow::{
    AccessToken, BearerResponse, Client, DiscoveryKind, Exchange, LoopbackHttp,
    PushedAuthorizationUrl, RefreshToken, ServerMetadata, TokenExchange, TokenResponse,
};
use pkce_reqwest as transport;
use pkce_testkit::{AuthServer, Endpoint, Misbehavior, UserAgent, clients};
use pkce_transport_tests::{Driver, Fault};

/// The async transport, as the shared suite drives it: each call runs to completion on the
/// driver's own current-thread runtime.
struct Reqwest(transport::Transport, tokio::runtime::Runtime);

impl Driver for Reqwest {
    type Error = transport::Error;
    const USER_AGENT: &'static str = transport::USER_AGENT_VALUE;

    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Self(transport::Transport::new().unwrap(), runtime)
    }
    fn drive<E: Exchange>(&self, exchange: E) -> Result<E::Output, Self::Error> {
        self.1.block_on(self.0.drive(exchange))
    }
    fn discover(
        &self,
        issuer: &str,
        kind: DiscoveryKind,
        loopback: LoopbackHttp,
    ) -> Result<ServerMetadata, Self::Error> {
        self.1.block_on(self.0.discover(issuer, kind, loopback))
    }
    fn push_authorization<R: TryCryptoRng + ?Sized>(
        &self,
        client: &Client,
        rng: &mut R,
    ) -> Result<PushedAuthorizationUrl, Self::Error> {
        self.1.block_on(self.0.push_authorization(client, rng))
    }
    fn exchange(&self, exchange: TokenExchange) -> Result<TokenResponse, Self::Error> {
        self.1.block_on(self.0.exchange(exchange))
    }
    fn refresh(&self, client: &Client, token: &RefreshToken) -> Result<TokenResponse, Self::Error> {
        self.1.block_on(self.0.refresh(client, token))
    }
    fn revoke_refresh_token(
        &self,
        client: &Client,
        token: &RefreshToken,
    ) -> Result<(), Self::Error> {
        self.1.block_on(self.0.revoke_refresh_token(client, token))
    }
    fn revoke_access_token(&self, client: &Client, token: &AccessToken) -> Result<(), Self::Error> {
        self.1.block_on(self.0.revoke_access_token(client, token))
    }
    fn device_login<F: FnOnce(&DeviceAuthorization)>(
        &self,
        client: &Client,
        show: F,
    ) -> Result<TokenResponse, Self::Error> {
        self.1.block_on(self.0.device_login(client, show))
    }
    fn device_login_with_nonces<F: FnOnce(&DeviceAuthorization)>(
        &self,
        client: &Client,
        nonces: &mut pkce_flow::dpop::NonceMemory,
        show: F,
    ) -> Result<TokenResponse, Self::Error> {
        self.1
            .block_on(self.0.device_login_with_nonces(client, nonces, show))
    }
    fn fresh_access_token<S: pkce_session::SessionStore>(
        &self,
        sessions: &pkce_session::Sessions<S>,
        key: &pkce_session::SessionKey,
        now: u64,
    ) -> Result<AccessToken, pkce_session::SessionError> {
        self.1
            .block_on(self.0.fresh_access_token(sessions, key, now))
    }
    fn bearer_get(&self, url: &str, token: &AccessToken) -> Result<BearerResponse, Self::Error> {
        self.1.block_on(self.0.bearer_get(url, token))
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

pkce_transport_tests::scenarios!(Reqwest);

fn new_transport() -> transport::Transport {
    transport::Transport::new().unwrap()
}

/// The TLS configuration a caller of `with_client_builder` would bring.
fn tls() -> rustls::ClientConfig {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
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

#[tokio::test]
async fn with_client_builder_keeps_the_policy_whatever_the_builder_says() {
    let server = AuthServer::start().unwrap();
    let target = AuthServer::start().unwrap();
    // A builder that would follow redirects and wait ten minutes.
    let lax = reqwest::Client::builder()
        .tls_backend_preconfigured(tls())
        .redirect(reqwest::redirect::Policy::limited(10))
        .timeout(std::time::Duration::from_secs(600));
    let transport = transport::Transport::with_client_builder(lax).unwrap();

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
        .await
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

    // The client's ten-minute limit does not replace the policy's.
    server.set_misbehavior(Endpoint::Token, Some(Misbehavior::Stall { secs: 20 }));
    let policy = pkce_flow::RequestPolicy {
        timeout: std::time::Duration::from_secs(1),
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
    let error = transport
        .exchange(pending.callback_url(&callback).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(error, transport::Error::Timeout(_)), "{error:?}");
}

#[tokio::test]
async fn the_transport_is_send_and_its_futures_can_be_spawned() {
    let server = AuthServer::start().unwrap();
    let transport = new_transport();
    let issuer = server.issuer().to_owned();
    let handle = tokio::spawn(async move {
        transport
            .discover(
                &issuer,
                pkce_flow::DiscoveryKind::OAuth,
                pkce_flow::LoopbackHttp::DangerouslyAllow,
            )
            .await
    });
    let metadata = handle.await.unwrap().unwrap();
    assert_eq!(metadata.issuer, server.issuer());
}
