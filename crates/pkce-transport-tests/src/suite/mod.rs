//! The scenario suite both transports must pass, over real loopback HTTP against
//! pkce-testkit: each scenario is a function generic over [`Driver`], and
//! [`crate::scenarios!`] makes one `#[test]` of each for a transport. This module holds the
//! shared fixtures; the scenarios are grouped by what they exercise.

mod device;
mod device_dpop;
mod dpop;
mod dpop_session;
mod flows;
mod misbehaving;
mod traced;
mod wire;

pub use device::*;
pub use device_dpop::*;
pub use dpop::*;
pub use dpop_session::*;
pub use flows::*;
pub use misbehaving::*;
pub use traced::*;
pub use wire::*;

use std::time::{Duration, Instant};

use pkce_flow::bearer::BearerErrorCode;
use pkce_flow::pkce_core::form::Pairs;
use pkce_flow::{
    Client, ClientBuilder, ClientSecret, DiscoveryKind, EndpointError, Exchange, HttpResponse,
    LoopbackHttp, Poll, Quirk, RequestPolicy, ResponseError, TokenErrorCode, TokenExchange,
    TokenResponse,
};
use pkce_testkit::{AuthServer, Endpoint, Misbehavior, ServerConfig, UserAgent, clients};

use crate::{Driver, Fault};

/// A loopback redirect URI; the testkit accepts any port (RFC 8252 §7.3) and the scripted
/// browser never requests it.
const REDIRECT_URI: &str = "http://127.0.0.1:49152/callback";
const SCOPES: &str = "openid offline_access";
const MIB: usize = 1024 * 1024;

/// How the test client authenticates.
#[derive(Clone, Copy)]
enum Auth {
    Public,
    Basic,
    Post,
}

/// The secrets of one login; no error text may contain any of them.
#[derive(Default)]
struct Secrets(Vec<String>);

impl Secrets {
    fn with(auth: Auth) -> Self {
        let mut s = Self::default();
        match auth {
            Auth::Public => {}
            Auth::Basic => s.add(clients::BASIC_SECRET),
            Auth::Post => s.add(clients::POST_SECRET),
        }
        s
    }

    fn add(&mut self, secret: &str) {
        self.0.push(secret.to_owned());
    }

    fn add_tokens(&mut self, tokens: &TokenResponse) {
        self.add(tokens.access_token().expose_secret());
        if let Some(rt) = tokens.refresh_token() {
            self.add(rt.expose_secret());
        }
    }

    /// Checks `Display`, `Debug` and every `source()` of the chain.
    fn assert_absent_from(&self, error: &(dyn std::error::Error + 'static)) {
        let mut texts = vec![error.to_string(), format!("{error:?}")];
        let mut source = std::error::Error::source(error);
        while let Some(e) = source {
            texts.push(e.to_string());
            source = e.source();
        }
        for text in &texts {
            self.assert_absent_from_text(text);
        }
    }

    fn assert_absent_from_text(&self, text: &str) {
        for (i, secret) in self.0.iter().enumerate() {
            assert!(
                !text.contains(secret.as_str()),
                "secret #{i} appears in the text {text:?}"
            );
        }
    }
}

/// A builder for the testkit's client of this kind, with its credentials.
fn credentials(auth: Auth) -> ClientBuilder {
    match auth {
        Auth::Public => Client::builder(clients::PUBLIC_ID),
        Auth::Basic => Client::builder(clients::BASIC_ID)
            .client_secret_basic(ClientSecret::new(clients::BASIC_SECRET.to_owned())),
        Auth::Post => Client::builder(clients::POST_ID)
            .client_secret_post(ClientSecret::new(clients::POST_SECRET.to_owned())),
    }
}

/// A manually configured client for `server` (discovery has its own scenarios).
fn builder(server: &AuthServer, auth: Auth) -> ClientBuilder {
    credentials(auth)
        .issuer(server.issuer())
        .authorization_endpoint(&server.url("/authorize"))
        .token_endpoint(&server.url("/token"))
        .revocation_endpoint(&server.url("/revoke"))
        .par_endpoint(&server.url("/par"))
        .redirect_uri(REDIRECT_URI)
        .scopes(SCOPES)
        .dangerous_allow_insecure_loopback()
}

fn client(server: &AuthServer, auth: Auth) -> Client {
    builder(server, auth)
        .build()
        .expect("valid client configuration")
}

/// The raw value of `name` in the query of `url`.
fn param(url: &str, name: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    Pairs::new(query.as_bytes())
        .find(|(n, _)| n.decoded_eq(name))
        .map(|(_, v)| v.decode_lossy())
        .unwrap_or_else(|| panic!("no {name} in the callback"))
}

/// The user approves in the browser; the callback is validated into a code exchange.
fn approve(client: &Client, secrets: &mut Secrets) -> TokenExchange {
    let (url, pending) = client
        .authorize(&mut getrandom::SysRng)
        .expect("authorization URL");
    let callback = UserAgent::new()
        .approve(url.as_str())
        .expect("the user approves");
    secrets.add(pending.state().expose_secret());
    secrets.add(&param(&callback, "code"));
    pending.callback_url(&callback).expect("valid callback")
}

fn assert_transport_free<T, E: std::error::Error>(result: &Result<T, E>) {
    if let Err(e) = result {
        panic!("unexpected error: {e} ({e:?})");
    }
}

/// A client of this kind configured from the server's metadata (RFC 8414).
fn discovered_client<D: Driver>(server: &AuthServer, transport: &D, auth: Auth) -> Client {
    discovered_builder(server, transport, auth).build().unwrap()
}

/// The builder of [`discovered_client`], for a scenario that adds to it.
fn discovered_builder<D: Driver>(server: &AuthServer, transport: &D, auth: Auth) -> ClientBuilder {
    let metadata = transport
        .discover(
            server.issuer(),
            DiscoveryKind::OAuth,
            LoopbackHttp::DangerouslyAllow,
        )
        .unwrap();
    credentials(auth)
        .metadata(&metadata)
        .redirect_uri(REDIRECT_URI)
        .scopes(SCOPES)
}

/// Discovery, authorization, code exchange and a userinfo call, for one kind of client.
fn full_login<D: Driver>(auth: Auth) {
    let server = AuthServer::start().unwrap();
    let transport = D::new();
    let client = discovered_client(&server, &transport, auth);
    let exchange = approve(&client, &mut Secrets::default());
    let tokens = transport.exchange(exchange).unwrap();
    assert_eq!(tokens.expires_in(), Some(3600));
    assert!(tokens.refresh_token().is_some());

    let userinfo = client
        .userinfo_endpoint()
        .expect("advertised userinfo endpoint");
    let answer = transport
        .bearer_get(userinfo, tokens.access_token())
        .unwrap();
    assert_eq!(answer.status, 200);
    assert!(String::from_utf8_lossy(&answer.body).contains(r#""sub":"alice""#));
    assert!(answer.challenge.is_none());
    assert_eq!(server.hits(Endpoint::Token), 1);
}

/// A code exchange against a token endpoint told to misbehave; the error (if any), the
/// secrets of the login and the server, for the hit counts.
fn misbehaving_token_endpoint<D: Driver>(
    misbehavior: Misbehavior,
    configure: fn(ClientBuilder) -> ClientBuilder,
) -> (Result<TokenResponse, D::Error>, Secrets, AuthServer) {
    let server = AuthServer::start().unwrap();
    let client = configure(builder(&server, Auth::Basic)).build().unwrap();
    let mut secrets = Secrets::with(Auth::Basic);
    let exchange = approve(&client, &mut secrets);
    server.set_misbehavior(Endpoint::Token, Some(misbehavior));
    let result = D::new().exchange(exchange);
    (result, secrets, server)
}

/// A misbehaving code exchange that must fail, sent once.
fn failing_token_endpoint<D: Driver>(
    misbehavior: Misbehavior,
    configure: fn(ClientBuilder) -> ClientBuilder,
) -> D::Error {
    let (result, secrets, server) = misbehaving_token_endpoint::<D>(misbehavior, configure);
    let error = result.expect_err("the exchange must fail");
    secrets.assert_absent_from(&error);
    assert_eq!(
        server.hits(Endpoint::Token),
        1,
        "the token request must be sent exactly once"
    );
    error
}

/// The flow's verdict inside a transport error; any other fault fails the test.
fn flow<D: Driver>(error: &D::Error) -> &pkce_flow::Error {
    match D::fault(error) {
        Fault::Flow(e) => e,
        other => panic!("expected the flow's verdict, got {other:?}"),
    }
}

/// The flow's protocol verdict on a response inside a transport error.
fn response<D: Driver>(error: &D::Error) -> &ResponseError {
    match flow::<D>(error) {
        pkce_flow::Error::Response(e) => e,
        other => panic!("expected a response error, got {other:?}"),
    }
}

fn unchanged(builder: ClientBuilder) -> ClientBuilder {
    builder
}
