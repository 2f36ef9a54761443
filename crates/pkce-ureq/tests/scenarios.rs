//! The scenario suite over real loopback HTTP, driven by the blocking transport. The list
//! of scenarios lives in `suite/mod.rs`, shared with pkce-reqwest; this file adapts it to
//! ureq and adds what only ureq has (`Transport::with_agent`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use pkce_flow::{Client, Exchange, Poll};
use pkce_testkit::{AuthServer, Endpoint, Misbehavior, UserAgent, clients};
use pkce_ureq as transport;
use ureq::tls::{TlsConfig, TlsProvider};

/// A scenario is a plain test here.
macro_rules! scenario {
    ($(#[$m:meta])* fn $name:ident() $body:block) => {
        $(#[$m])*
        #[test]
        fn $name() $body
    };
}

/// A helper that calls the transport is a plain function here.
macro_rules! step {
    ($(#[$m:meta])* fn $name:ident($($arg:ident : $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$m])*
        fn $name($($arg: $ty),*) $(-> $ret)? $body
    };
}

/// A transport call returns its result directly here.
macro_rules! wait {
    ($e:expr) => {
        $e
    };
}

fn new_transport() -> transport::Transport {
    transport::Transport::new().unwrap()
}

mod suite;

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
fn drive_is_the_generic_loop() {
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
    let (metadata, round_trips) = new_transport().drive(Counting(discovery, 0)).unwrap();
    assert_eq!(metadata.issuer, server.issuer());
    assert_eq!(round_trips, 1);
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
        matches!(error, transport::Error::RedirectFollowed),
        "{error:?}"
    );
    assert_eq!(server.hits(Endpoint::Metadata), 0);
    // After the fact: the other server was asked. Hence the warning on `with_agent`.
    assert_eq!(elsewhere.hits(Endpoint::Metadata), 1);
}
