//! The scenario suite over real loopback HTTP, driven by the async transport. The list of
//! scenarios lives in `pkce-ureq/tests/suite/mod.rs`, shared with the blocking twin; this
//! file adapts it to reqwest and adds what only reqwest needs (`Transport::with_client_builder`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use pkce_flow::{Client, Exchange, Poll};
use pkce_reqwest as transport;
use pkce_testkit::{AuthServer, Endpoint, Misbehavior, UserAgent, clients};

/// A scenario is an async test on a current-thread runtime here.
macro_rules! scenario {
    ($(#[$m:meta])* fn $name:ident() $body:block) => {
        $(#[$m])*
        #[tokio::test]
        async fn $name() $body
    };
}

/// A helper that calls the transport is an async function here.
macro_rules! step {
    ($(#[$m:meta])* fn $name:ident($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$m])*
        async fn $name($($arg: $ty),*) $(-> $ret)? $body
    };
}

/// A transport call is awaited here.
macro_rules! wait {
    ($e:expr) => {
        $e.await
    };
}

fn new_transport() -> transport::Transport {
    transport::Transport::new().unwrap()
}

#[path = "../../pkce-ureq/tests/suite/mod.rs"]
mod suite;

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
async fn drive_is_the_generic_loop() {
    // Any Exchange, not only the ones with a convenience method: a hand-rolled one that
    // counts its round trips.
    struct Counting<E>(E, usize);
    impl<E: Exchange> Exchange for Counting<E> {
        type Output = (E::Output, usize);
        fn poll_output(&mut self) -> Result<Poll<Self::Output>, pkce_flow::Error> {
            Ok(match self.0.poll_output()? {
                Poll::Request(r) => {
                    self.1 += 1;
                    Poll::Request(r)
                }
                Poll::Done(v) => Poll::Done((v, self.1)),
            })
        }
        fn handle_response(
            &mut self,
            response: pkce_flow::HttpResponse<'_>,
        ) -> Result<(), pkce_flow::Error> {
            self.0.handle_response(response)
        }
    }
    let server = AuthServer::start().unwrap();
    let discovery = pkce_flow::Discovery::new(
        server.issuer(),
        pkce_flow::DiscoveryKind::Probe,
        pkce_flow::LoopbackHttp::DangerouslyAllow,
    )
    .unwrap();
    let (metadata, round_trips) = new_transport().drive(Counting(discovery, 0)).await.unwrap();
    assert_eq!(metadata.issuer, server.issuer());
    assert_eq!(round_trips, 1);
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
