//! The operations `versus.rs` times and `versus_allocations.rs` counts, defined once so both
//! measure exactly the same code. Each comparison is like for like:
//!
//! * verifier + challenge, state: one generation each. oauth2-rs draws from rand 0.8's
//!   `thread_rng` (user-space ChaCha12, reseeded from the OS) and makes a 128-bit CSRF token
//!   where ours and the floor make 256 bits. Ours takes the caller's generator: one row
//!   gives it ChaCha20 (our default advice), one ChaCha12, the same cipher as `thread_rng`,
//!   so that row compares the PKCE work alone.
//! * authorization URL: both sides generate a verifier, its S256 challenge and a state, and
//!   write a URL with the same seven parameters (two scopes).
//! * callback: oauth2-rs has none. `reference_callback` is what its users write instead
//!   (`form_urlencoded::parse`, a string compare of the state, the code copied out), and the
//!   oauth2-rs side of the token request and exchange rows starts with it, as ours starts with
//!   `PendingAuthorization::callback`.
//! * token request: oauth2-rs cannot build one without sending it (`prepare_request` is
//!   private), so its row hands the built request to a client that drops it and fails at once.
//! * token response parse: `serde_json::from_slice::<BasicTokenResponse>` (oauth2-rs's own
//!   path adds `serde_path_to_error`, so this is its lower bound).
//! * exchange and refresh: request built, canned response parsed, tokens out. oauth2-rs's HTTP
//!   client type must return an owned `http::Response<Vec<u8>>`; building it is timed on its
//!   own (`G_CANNED`) so it can be subtracted.
//!
//! Setup (a fresh pending authorization, its redirect query) runs outside the timings.
#![allow(dead_code)]

use std::borrow::Cow;

use crate::floors::*;
use std::hint::black_box;

use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenUrl,
};
use pkce_flow::{
    Client, Exchange, PendingAuthorization, Poll, QuirkSet, RefreshToken, TokenResponse,
    parse_token_response,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

pub(crate) const CODE: &str = "SplxlOBeZQQYbYS6WxSbIA";
pub(crate) const REFRESH: &str = "8xLOxBtZp8";

pub(crate) type OauthClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

pub(crate) fn oauth2_client() -> OauthClient {
    BasicClient::new(ClientId::new(CLIENT_ID.into()))
        .set_auth_uri(AuthUrl::new(AUTHORIZE.into()).unwrap())
        .set_token_uri(TokenUrl::new(TOKEN.into()).unwrap())
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap())
}

/// The redirect query the authorization server sends back for `state`.
pub(crate) fn callback_query(state: &str) -> String {
    format!("code={CODE}&state={state}&iss=https%3A%2F%2Fas.example")
}

/// A fresh pending authorization and the query that answers it (benchmark setup, untimed).
pub(crate) fn ours_pending(
    client: &Client,
    rng: &mut ChaCha20Rng,
) -> (PendingAuthorization, String) {
    let (_, pending) = client.authorize(rng).unwrap();
    let query = callback_query(pending.state().expose_secret());
    (pending, query)
}

/// What an oauth2-rs user keeps between the redirect and the callback (setup, untimed).
pub(crate) fn oauth2_pending() -> (PkceCodeVerifier, String, String) {
    let (_, verifier) = PkceCodeChallenge::new_random_sha256();
    let state = CsrfToken::new_random_len(32).secret().clone();
    let query = callback_query(&state);
    (verifier, state, query)
}

/// What a floor needs for the callback: the state and the query (setup, untimed).
pub(crate) fn floor_pending() -> (String, String) {
    let (_, state, query) = oauth2_pending();
    (state, query)
}

/// Where the access token, refresh token and scope are in `TOKEN_BODY`, found once.
pub(crate) fn token_ranges() -> [std::ops::Range<usize>; 3] {
    let text = std::str::from_utf8(TOKEN_BODY).unwrap();
    [
        "mF_9.B5f-4.1JqM",
        "tGzv3JOkF0XG5Qx2TlKWIA",
        "openid profile",
    ]
    .map(|v| {
        let start = text.find(v).unwrap();
        start..start + v.len()
    })
}

/// Less than any parser with owned output can do: check that the body is UTF-8 and copy
/// the three strings it keeps into `String`s, knowing where they are (no scanning at all).
pub(crate) fn floor_parse_owned(body: &[u8], at: &[std::ops::Range<usize>; 3]) -> Option<u64> {
    let text = std::str::from_utf8(body).ok()?;
    let [a, r, s] = at.clone().map(|range| text.get(range).map(str::to_owned));
    black_box((a?, r?, s?));
    Some(3600)
}

/// What an oauth2-rs user writes for the callback: parse the query, compare the state, take
/// the code (owned, as `AuthorizationCode::new` needs).
pub(crate) fn reference_callback(query: &str, state: &str) -> Option<String> {
    let mut code = None;
    let mut state_ok = false;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match &*name {
            "code" => code = Some(value),
            "state" => state_ok = value == state,
            _ => {}
        }
    }
    code.filter(|_| state_ok).map(Cow::into_owned)
}

/// The canned token response, as oauth2-rs's HTTP client type must return it: an owned
/// `http::Response<Vec<u8>>`.
pub(crate) fn canned() -> oauth2::HttpResponse {
    oauth2::http::Response::builder()
        .status(200)
        .header(oauth2::http::header::CONTENT_TYPE, "application/json")
        .body(TOKEN_BODY.to_vec())
        .unwrap()
}

pub(crate) fn canned_client(
    _: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, std::fmt::Error> {
    Ok(canned())
}

/// An HTTP client that receives the built request, keeps nothing and fails at once.
pub(crate) fn dropping_client(
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, std::fmt::Error> {
    black_box(&request);
    Err(std::fmt::Error)
}

pub(crate) fn ours_url(client: &Client, rng: &mut ChaCha20Rng) -> usize {
    client
        .authorize(rng)
        .map_or(0, |(url, _)| url.as_str().len())
}

pub(crate) fn oauth2_url(client: &OauthClient) -> usize {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    black_box(verifier);
    url.as_str().len()
}

pub(crate) fn ours_request((pending, query): (PendingAuthorization, String)) -> usize {
    let Ok(mut exchange) = pending.callback(&query) else {
        return 0;
    };
    match exchange.poll_output() {
        Ok(Poll::Request(request)) => request.body().len(),
        _ => 0,
    }
}

pub(crate) fn oauth2_request(
    client: &OauthClient,
    (verifier, state, query): (PkceCodeVerifier, String, String),
) -> bool {
    let Some(code) = reference_callback(&query, &state) else {
        return false;
    };
    client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request(&dropping_client)
        .is_err()
}

pub(crate) fn ours_exchange((pending, query): (PendingAuthorization, String)) -> Option<u64> {
    canned_exchange(pending.callback(&query).ok()?)
}

pub(crate) fn oauth2_exchange(
    client: &OauthClient,
    (verifier, state, query): (PkceCodeVerifier, String, String),
) -> Option<u64> {
    use oauth2::TokenResponse as _;
    let code = reference_callback(&query, &state)?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request(&canned_client)
        .ok()?;
    tokens.expires_in().map(|d| d.as_secs())
}

pub(crate) fn floor_exchange(query: &[u8], state: &[u8], body: &[u8]) -> Option<u64> {
    if !floor_callback(query, state) {
        return None;
    }
    floor_body(body);
    floor_parse(TOKEN_BODY)
}

pub(crate) fn ours_refresh(client: &Client, rt: &RefreshToken) -> Option<u64> {
    canned_exchange(client.refresh(rt))
}

/// Our side of an in-memory exchange: the request is built, the canned response parsed.
fn canned_exchange<E: Exchange<Output = TokenResponse>>(mut exchange: E) -> Option<u64> {
    let Poll::Request(request) = exchange.poll_output().ok()? else {
        return None;
    };
    black_box(&request);
    exchange.handle_response(ours_response()).ok()?;
    match exchange.poll_output().ok()? {
        Poll::Done(tokens) => tokens.expires_in(),
        Poll::Request(_) => None,
    }
}

pub(crate) fn oauth2_refresh(client: &OauthClient, rt: &oauth2::RefreshToken) -> Option<u64> {
    use oauth2::TokenResponse as _;
    let tokens = client
        .exchange_refresh_token(rt)
        .request(&canned_client)
        .ok()?;
    tokens.expires_in().map(|d| d.as_secs())
}

/// Inputs shared by the sanity checks, the allocation counts and the benchmarks.
pub(crate) struct Fixture {
    pub(crate) ours: Client,
    pub(crate) theirs: OauthClient,
    pub(crate) url_template: Vec<u8>,
    pub(crate) exchange_body: Vec<u8>,
    pub(crate) refresh_body: Vec<u8>,
    pub(crate) ours_rt: RefreshToken,
    pub(crate) theirs_rt: oauth2::RefreshToken,
}

impl Fixture {
    pub(crate) fn new() -> Self {
        let ours = client();
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let (url, _) = ours.authorize(&mut rng).unwrap();
        let (pending, query) = ours_pending(&ours, &mut rng);
        let mut exchange = pending.callback(&query).unwrap();
        let Ok(Poll::Request(request)) = exchange.poll_output() else {
            panic!("no code exchange request")
        };
        let ours_rt = RefreshToken::new(REFRESH.into());
        let Ok(Poll::Request(refresh)) = ours.refresh(&ours_rt).poll_output() else {
            panic!("no refresh request")
        };
        Self {
            ours,
            theirs: oauth2_client(),
            url_template: url.as_str().as_bytes().to_vec(),
            exchange_body: request.body().to_vec(),
            refresh_body: refresh.body().to_vec(),
            ours_rt,
            theirs_rt: oauth2::RefreshToken::new(REFRESH.into()),
        }
    }

    /// Every measured path succeeds; a benchmark of an early error would measure nothing.
    pub(crate) fn check(&self) {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        assert!(ours_url(&self.ours, &mut rng) > 0);
        let url_len = oauth2_url(&self.theirs);
        assert!(url_len > 0, "oauth2-rs url");
        assert!(ours_request(ours_pending(&self.ours, &mut rng)) > 0);
        assert!(oauth2_request(&self.theirs, oauth2_pending()));
        assert_eq!(
            ours_exchange(ours_pending(&self.ours, &mut rng)),
            Some(3600)
        );
        assert_eq!(oauth2_exchange(&self.theirs, oauth2_pending()), Some(3600));
        assert_eq!(ours_refresh(&self.ours, &self.ours_rt), Some(3600));
        assert_eq!(oauth2_refresh(&self.theirs, &self.theirs_rt), Some(3600));
        let theirs: BasicTokenResponse = serde_json::from_slice(TOKEN_BODY).unwrap();
        black_box(theirs);
        assert!(parse_token_response(&ours_response(), QuirkSet::empty()).is_ok());
        assert_eq!(floor_parse(TOKEN_BODY), Some(3600));
        assert_eq!(floor_parse_owned(TOKEN_BODY, &token_ranges()), Some(3600));
        let (v, s, q) = oauth2_pending();
        assert!(reference_callback(&q, &s).is_some());
        drop(v);
    }
}

/// The criterion group names, shared with the allocation lines `cargo xtask bench` reads.
pub(crate) const G_VC_CHACHA: &str = "vs oauth2-rs: verifier + challenge (ours ChaCha20)";
pub(crate) const G_VC_CHACHA12: &str =
    "vs oauth2-rs: verifier + challenge (both ChaCha12, as thread_rng)";
pub(crate) const G_VC_OS: &str = "vs oauth2-rs: verifier + challenge (ours OS RNG)";
pub(crate) const G_STATE: &str = "vs oauth2-rs: state (ours ChaCha20)";
pub(crate) const G_URL: &str = "vs oauth2-rs: authorization URL (2 scopes + PKCE + state)";
pub(crate) const G_CALLBACK: &str = "vs oauth2-rs: callback parse + state check";
pub(crate) const G_REQUEST: &str = "vs oauth2-rs: callback + token request build";
pub(crate) const G_PARSE: &str = "vs oauth2-rs: token response parse";
pub(crate) const G_PARSE_OWNED: &str =
    "vs oauth2-rs: token response parse (floor: UTF-8 check + 3 owned copies, no scan)";
pub(crate) const G_EXCHANGE: &str = "vs oauth2-rs: whole code exchange (in memory)";
pub(crate) const G_REFRESH: &str = "vs oauth2-rs: refresh (in memory)";
pub(crate) const G_CANNED: &str = "vs oauth2-rs: canned http::Response (oauth2-rs only)";
