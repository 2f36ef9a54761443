//! Shared fixtures: a seeded RNG, a standard client, canned responses, and form helpers.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod jws;

use pkce_flow::pkce_core::form::Pairs;
use pkce_flow::{Client, ClientBuilder, ClientSecret, Exchange, HttpRequest, HttpResponse, Poll};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

pub const ISS: &str = "https://as.example";
pub const REDIRECT: &str = "http://127.0.0.1:51004/callback";
/// Every authorization request of the test client carries these, in this order (written
/// out here, not taken from the crate's constants, so the tests are an independent oracle).
pub const AUTHORIZATION_PARAMS: [&str; 7] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
];

/// The error of [`FailingRng`].
#[derive(Debug)]
pub struct Unavailable;

impl core::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("unavailable")
    }
}

impl core::error::Error for Unavailable {}

/// A generator whose every call fails.
pub struct FailingRng;

impl rand_chacha::rand_core::TryRng for FailingRng {
    type Error = Unavailable;
    fn try_next_u32(&mut self) -> Result<u32, Unavailable> {
        Err(Unavailable)
    }
    fn try_next_u64(&mut self) -> Result<u64, Unavailable> {
        Err(Unavailable)
    }
    fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Unavailable> {
        Err(Unavailable)
    }
}

impl rand_chacha::rand_core::TryCryptoRng for FailingRng {}

pub fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(0x5eed)
}

pub fn builder() -> ClientBuilder {
    builder_without_redirect()
        .redirect_uri(REDIRECT)
        .scopes("openid profile")
}

/// The endpoints of [`builder`], without a redirect URI or scopes.
pub fn builder_without_redirect() -> ClientBuilder {
    Client::builder("s6BhdRkqt3")
        .issuer(ISS)
        .authorization_endpoint("https://as.example/authorize")
        .token_endpoint("https://as.example/token")
        .revocation_endpoint("https://as.example/revoke")
        .par_endpoint("https://as.example/par")
}

pub fn client() -> Client {
    builder().build().unwrap()
}

pub fn basic_client() -> Client {
    builder()
        .client_secret_basic(ClientSecret::new("gX1fBat3bV".into()))
        .build()
        .unwrap()
}

pub fn post_client() -> Client {
    builder()
        .client_secret_post(ClientSecret::new("7Fjfp0ZBr1KtDRbnfVdmIw".into()))
        .build()
        .unwrap()
}

/// Decoded pairs of a form or query.
pub fn pairs(input: &str) -> Vec<(String, String)> {
    Pairs::new(input.as_bytes())
        .map(|(n, v)| (n.decode_string().unwrap(), v.decode_string().unwrap()))
        .collect()
}

/// The one value of `name`, asserting it appears exactly once.
pub fn one(pairs: &[(String, String)], name: &str) -> String {
    let found: Vec<_> = pairs.iter().filter(|(n, _)| n == name).collect();
    assert_eq!(
        found.len(),
        1,
        "{name} must appear exactly once in {pairs:?}"
    );
    found[0].1.clone()
}

pub fn query_of(url: &str) -> &str {
    url.split_once('?').map_or("", |(_, q)| q)
}

pub fn json(status: u16, body: &'static str) -> HttpResponse<'static> {
    HttpResponse::new(status, body.as_bytes())
        .with_header("Content-Type", "application/json; charset=UTF-8")
}

/// Polls the request out of a fresh exchange.
pub fn request_of<E: Exchange>(exchange: &mut E) -> HttpRequest {
    match exchange.poll_output().unwrap() {
        Poll::Request(r) => r,
        Poll::Done(_) => panic!("expected a request"),
    }
}

/// Drives `exchange` through `responses`, one per request, returning the URLs asked and
/// the outcome (an exchange that asks for more than it was given panics).
pub fn drive_responses<'r, E: Exchange>(
    mut exchange: E,
    responses: impl IntoIterator<Item = HttpResponse<'r>>,
) -> (Vec<String>, Result<E::Output, pkce_flow::Error>) {
    let mut urls = Vec::new();
    for response in responses {
        let request = request_of(&mut exchange);
        urls.push(request.url().to_owned());
        if let Err(e) = exchange.handle_response(response) {
            return (urls, Err(e));
        }
    }
    match exchange.poll_output() {
        Ok(Poll::Done(v)) => (urls, Ok(v)),
        Ok(Poll::Request(r)) => panic!("unexpected request to {}", r.url()),
        Err(e) => (urls, Err(e)),
    }
}

/// Feeds one response and returns the outcome.
pub fn finish<E: Exchange>(
    mut exchange: E,
    response: HttpResponse<'_>,
) -> Result<E::Output, pkce_flow::Error> {
    let _ = request_of(&mut exchange);
    exchange.handle_response(response)?;
    match exchange.poll_output()? {
        Poll::Done(v) => Ok(v),
        Poll::Request(_) => panic!("unexpected second request"),
    }
}

/// A code exchange for `client`, from a valid callback with `code`.
pub fn exchange_for(client: &Client, code: &str) -> pkce_flow::TokenExchange {
    let (_, pending) = client.authorize(&mut rng()).unwrap();
    let state = pending.state().expose_secret().to_owned();
    pending
        .callback(&format!(
            "code={code}&state={state}&iss=https%3A%2F%2Fas.example"
        ))
        .unwrap()
}

pub fn header<'r>(request: &'r HttpRequest, name: &str) -> Option<&'r str> {
    request
        .headers()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

pub fn body_pairs(request: &HttpRequest) -> Vec<(String, String)> {
    pairs(std::str::from_utf8(request.body()).unwrap())
}
