//! The `http` feature end to end: discovery, a login's code exchange and a refresh driven by
//! a plain hyper client over 127.0.0.1 against the testkit's authorization server, every
//! request through `HttpRequest::to_http` and every response through `HttpResponse::from`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use pkce_flow::{
    Client, ClientSecret, Discovery, DiscoveryKind, Exchange, HttpResponse, LoopbackHttp, Poll,
    RequestPolicy,
};
use pkce_testkit::{AuthServer, Endpoint, UserAgent, clients};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// Sends one request on a fresh HTTP/1.1 connection, reading at most the policy's cap.
async fn send(request: http::Request<Vec<u8>>) -> http::Response<Bytes> {
    let policy = *request.extensions().get::<RequestPolicy>().unwrap();
    let authority = request.uri().authority().unwrap().as_str().to_owned();
    let stream = tokio::net::TcpStream::connect(authority).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    // hyper's client wants an origin-form target and a Host header, as on the wire.
    let (mut parts, body) = request.into_parts();
    let host = parts.uri.authority().unwrap().as_str().parse().unwrap();
    parts.headers.insert(http::header::HOST, host);
    parts.uri = parts
        .uri
        .path_and_query()
        .unwrap()
        .as_str()
        .parse()
        .unwrap();
    let request = http::Request::from_parts(parts, Full::new(Bytes::from(body)));
    let (parts, body) = sender.send_request(request).await.unwrap().into_parts();
    let body = Limited::new(body, policy.max_response_bytes)
        .collect()
        .await
        .unwrap()
        .to_bytes();
    http::Response::from_parts(parts, body)
}

/// The poll loop, written once, over the `http` crate's types.
fn drive<E: Exchange>(runtime: &tokio::runtime::Runtime, mut exchange: E) -> E::Output {
    loop {
        match exchange.poll_output().unwrap() {
            Poll::Request(request) => {
                let response = runtime.block_on(send(request.to_http().unwrap()));
                exchange
                    .handle_response(HttpResponse::from(&response))
                    .unwrap();
            }
            Poll::Done(output) => return output,
        }
    }
}

#[test]
fn discovery_login_and_refresh_run_over_a_hyper_client() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let server = AuthServer::start().unwrap();
    let discovery = Discovery::new(
        server.issuer(),
        DiscoveryKind::OAuth,
        LoopbackHttp::DangerouslyAllow,
    )
    .unwrap();
    let metadata = drive(&runtime, discovery);
    assert_eq!(metadata.token_endpoint, server.url("/token"));

    let client = Client::builder(clients::BASIC_ID)
        .client_secret_basic(ClientSecret::new(clients::BASIC_SECRET.to_owned()))
        .metadata(&metadata)
        .redirect_uri("http://127.0.0.1:49152/callback")
        .scopes("openid offline_access")
        .build()
        .unwrap();
    let (url, pending) = client
        .authorize(&mut ChaCha20Rng::seed_from_u64(7))
        .unwrap();
    let callback = UserAgent::new().approve(url.as_str()).unwrap();
    let exchange = pending.callback_url(&callback).unwrap();
    let tokens = drive(&runtime, exchange);
    assert_eq!(tokens.expires_in(), Some(3600));

    let refresh_token = tokens.refresh_token().unwrap();
    let mut refresh = client.refresh(refresh_token);
    let Poll::Request(request) = refresh.poll_output().unwrap() else {
        panic!("a refresh starts with a request");
    };
    let converted = http::Request::try_from(&request).unwrap();
    let authorization = converted
        .headers()
        .get(http::header::AUTHORIZATION)
        .unwrap();
    assert!(authorization.is_sensitive());
    assert!(!format!("{converted:?}").contains(clients::BASIC_SECRET));
    let response = runtime.block_on(send(converted));
    refresh
        .handle_response(HttpResponse::from(&response))
        .unwrap();
    let Poll::Done(refreshed) = refresh.poll_output().unwrap() else {
        panic!("one response finishes a refresh");
    };
    assert!(refreshed.rotated());
    assert_eq!(server.hits(Endpoint::Token), 2);
}

#[test]
fn a_response_header_with_obs_text_reaches_the_flow_as_bytes() {
    let value = http::HeaderValue::from_bytes(b"Bearer realm=\"caf\xe9\"").unwrap();
    let response = http::Response::builder()
        .status(401)
        .header(http::header::WWW_AUTHENTICATE, value)
        .header("x-ignored", "by the flow")
        .body(Vec::new())
        .unwrap();
    let converted = HttpResponse::from(&response);
    assert_eq!(converted.status(), 401);
    let values: Vec<&[u8]> = converted.header_bytes_named("www-authenticate").collect();
    assert_eq!(values, [&b"Bearer realm=\"caf\xe9\""[..]]);
}
