//! Code exchanges per second against pkce-testkit over keep-alive loopback HTTP: our two
//! transports beside oauth2-rs 5 driven over the same reqwest 0.13 client (oauth2's own
//! reqwest feature pins reqwest 0.12, so it gets the ten-line adapter its docs describe).
//!
//! Only the exchange is timed: each iteration's authorization (URL, scripted consent,
//! callback validation) happens in criterion's untimed setup, so every timed exchange spends
//! a fresh, single-use code. The server auto-approves; connections are reused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenUrl,
};
use pkce_flow::{Client, DiscoveryKind, LoopbackHttp, TokenExchange};
use pkce_testkit::{AuthServer, ServerConfig, UserAgent, clients};

/// Registered for the public client (any port on loopback, RFC 8252 §7.3); nothing listens:
/// the scripted browser returns the redirect instead of following it.
const REDIRECT: &str = "http://127.0.0.1:53999/callback";

fn code_of(callback: &str) -> String {
    let query = callback.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

fn ours_pending(client: &Client, ua: &UserAgent) -> TokenExchange {
    let (url, pending) = client.authorize(&mut getrandom::SysRng).unwrap();
    pending
        .callback_url(&ua.approve(url.as_str()).unwrap())
        .unwrap()
}

fn bench(c: &mut Criterion) {
    let server = AuthServer::start_with(ServerConfig {
        auto_approve: true,
        ..ServerConfig::default()
    })
    .unwrap();
    let ua = UserAgent::new();
    let blocking = pkce_ureq::Transport::new().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let asynchronous = pkce_reqwest::Transport::new().unwrap();
    let metadata = blocking
        .discover(
            server.issuer(),
            DiscoveryKind::OAuth,
            LoopbackHttp::DangerouslyAllow,
        )
        .unwrap();
    let client = Client::builder(clients::PUBLIC_ID)
        .metadata(&metadata)
        .redirect_uri(REDIRECT)
        .scopes("openid")
        .dangerous_allow_insecure_loopback()
        .build()
        .unwrap();

    // oauth2-rs over the very same reqwest client (redirects off, same TLS config, pooled).
    let http = asynchronous.client().clone();
    let send = move |request: oauth2::HttpRequest| {
        let http = http.clone();
        async move {
            let response = http.execute(reqwest::Request::try_from(request)?).await?;
            let mut builder = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let body = response.bytes().await?.to_vec();
            Ok::<_, reqwest::Error>(builder.body(body).unwrap_or_default())
        }
    };
    let theirs = BasicClient::new(ClientId::new(clients::PUBLIC_ID.into()))
        .set_auth_uri(AuthUrl::new(server.url("/authorize")).unwrap())
        .set_token_uri(TokenUrl::new(server.url("/token")).unwrap())
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
    let theirs_pending = || -> (String, PkceCodeVerifier) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, _csrf) = theirs
            .authorize_url(CsrfToken::new_random)
            .add_scope(Scope::new("openid".into()))
            .set_pkce_challenge(challenge)
            .url();
        (code_of(&ua.approve(url.as_str()).unwrap()), verifier)
    };

    // Each side must really work before it is timed.
    assert!(blocking.exchange(ours_pending(&client, &ua)).is_ok());
    assert!(
        rt.block_on(asynchronous.exchange(ours_pending(&client, &ua)))
            .is_ok()
    );
    let (code, verifier) = theirs_pending();
    let token = rt.block_on(
        theirs
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .request_async(&send),
    );
    assert!(token.is_ok(), "{token:?}");

    let mut g = c.benchmark_group("code exchange over loopback HTTP (keep-alive)");
    g.throughput(Throughput::Elements(1));
    g.bench_function("pkce-ureq", |b| {
        b.iter_batched(
            || ours_pending(&client, &ua),
            |ex| blocking.exchange(ex).is_ok(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("pkce-reqwest", |b| {
        b.iter_batched(
            || ours_pending(&client, &ua),
            |ex| rt.block_on(asynchronous.exchange(ex)).is_ok(),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("oauth2-rs over reqwest", |b| {
        b.iter_batched(
            theirs_pending,
            |(code, verifier)| {
                rt.block_on(
                    theirs
                        .exchange_code(AuthorizationCode::new(code))
                        .set_pkce_verifier(verifier)
                        .request_async(&send),
                )
                .is_ok()
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
    drop(server);
}

criterion_group!(benches, bench);
criterion_main!(benches);
