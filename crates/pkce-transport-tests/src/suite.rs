//! The scenario suite both transports must pass, over real loopback HTTP against
//! pkce-testkit: each scenario is a function generic over [`Driver`], and
//! [`crate::scenarios!`] makes one `#[test]` of each for a transport.

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
            for (i, secret) in self.0.iter().enumerate() {
                assert!(
                    !text.contains(secret.as_str()),
                    "secret #{i} appears in the error text {text:?}"
                );
            }
        }
    }
}

/// A manually configured client for `server` (discovery has its own scenarios).
fn builder(server: &AuthServer, auth: Auth) -> ClientBuilder {
    let builder = match auth {
        Auth::Public => Client::builder(clients::PUBLIC_ID),
        Auth::Basic => Client::builder(clients::BASIC_ID)
            .client_secret_basic(ClientSecret::new(clients::BASIC_SECRET.to_owned())),
        Auth::Post => Client::builder(clients::POST_ID)
            .client_secret_post(ClientSecret::new(clients::POST_SECRET.to_owned())),
    };
    builder
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

/// Discovery, authorization, code exchange and a userinfo call, for one kind of client.
fn full_login<D: Driver>(auth: Auth) {
    let server = AuthServer::start().unwrap();
    let transport = D::new();
    let metadata = transport
        .discover(
            server.issuer(),
            DiscoveryKind::OAuth,
            LoopbackHttp::DangerouslyAllow,
        )
        .unwrap();
    let client = match auth {
        Auth::Public => Client::builder(clients::PUBLIC_ID),
        Auth::Basic => Client::builder(clients::BASIC_ID)
            .client_secret_basic(ClientSecret::new(clients::BASIC_SECRET.to_owned())),
        Auth::Post => Client::builder(clients::POST_ID)
            .client_secret_post(ClientSecret::new(clients::POST_SECRET.to_owned())),
    }
    .metadata(&metadata)
    .redirect_uri(REDIRECT_URI)
    .scopes(SCOPES)
    .build()
    .unwrap();
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

fn unchanged(builder: ClientBuilder) -> ClientBuilder {
    builder
}

/// A redirect from the token endpoint: refused by the flow, naming the status, and the
/// `Location` (another server) never requested.
fn token_redirect_is_not_followed<D: Driver>(status: u16) {
    let target = AuthServer::start().unwrap();
    let location = target.url("/token");
    let error = failing_token_endpoint::<D>(Misbehavior::Redirect { status, location }, unchanged);
    match D::fault(&error) {
        Fault::Flow(pkce_flow::Error::Response(ResponseError::UnexpectedRedirect {
            status: s,
        })) => {
            assert_eq!(*s, status);
        }
        other => panic!("expected UnexpectedRedirect, got {other:?}"),
    }
    assert!(error.to_string().contains(&status.to_string()), "{error}");
    assert_eq!(
        target.hits(Endpoint::Token),
        0,
        "the Location was requested"
    );
}

/// A one-shot HTTP server on loopback that records the request it gets (head and body) and
/// answers `reply`; for what the testkit cannot show: the bytes on the wire.
fn recording_server(reply: &'static str) -> (String, std::thread::JoinHandle<String>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        let head_end = loop {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0, "the request ended early");
            seen.extend_from_slice(&buf[..n]);
            if let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
        };
        let head = String::from_utf8_lossy(&seen[..head_end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map_or(0, |v| v.trim().parse::<usize>().unwrap());
        while seen.len() < head_end + length {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0, "the body ended early");
            seen.extend_from_slice(&buf[..n]);
        }
        stream.write_all(reply.as_bytes()).unwrap();
        String::from_utf8(seen).unwrap()
    });
    (url, handle)
}

pub fn requests_go_out_exactly_as_the_flow_describes_them<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let reply = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 25\r\n\
                 Connection: close\r\n\r\n{\"error\":\"invalid_grant\"}";
    let (recorder, request) = recording_server(reply);
    let client = builder(&server, Auth::Post)
        .token_endpoint(&format!("{recorder}/token?tenant=a"))
        .build()
        .unwrap();
    let exchange = approve(&client, &mut Secrets::default());
    let error = D::new().exchange(exchange).unwrap_err();
    // A 4xx is an answer for the flow to judge, not a transport failure.
    assert!(
        matches!(D::fault(&error), Fault::Flow(pkce_flow::Error::Token(e)) if e.code == TokenErrorCode::InvalidGrant),
        "{error:?}"
    );

    let request = request.join().unwrap();
    let (head, body) = request.split_once("\r\n\r\n").unwrap();
    let head = head.to_ascii_lowercase();
    assert!(
        head.starts_with("post /token?tenant=a http/1.1\r\n"),
        "{head}"
    );
    for line in [
        "accept: application/json",
        "content-type: application/x-www-form-urlencoded",
        &format!("user-agent: {}", D::USER_AGENT.to_ascii_lowercase()),
    ] {
        assert_eq!(
            head.lines().filter(|l| *l == line).count(),
            1,
            "{line:?} once in {head}"
        );
    }
    assert!(
        !head.contains("authorization:"),
        "client_secret_post sends no Authorization header"
    );
    assert!(
        body.starts_with("grant_type=authorization_code&code="),
        "{body}"
    );
    assert!(
        body.contains("&code_verifier=")
            && body.contains("&client_id=pkce-post&client_secret=p0st+secret%26%3D%2B%3F")
    );
}

pub fn a_get_goes_out_without_a_body<D: Driver>() {
    let reply = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    let (recorder, request) = recording_server(reply);
    let error = D::new()
        .discover(
            &recorder,
            DiscoveryKind::OAuth,
            LoopbackHttp::DangerouslyAllow,
        )
        .unwrap_err();
    assert!(
        matches!(
            D::fault(&error),
            Fault::Flow(pkce_flow::Error::Response(
                ResponseError::UnexpectedStatus { status: 404, .. }
            ))
        ),
        "{error:?}"
    );
    let request = request.join().unwrap().to_ascii_lowercase();
    assert!(
        request.starts_with("get /.well-known/oauth-authorization-server http/1.1\r\n"),
        "{request}"
    );
    assert!(
        request.ends_with("\r\n\r\n") && !request.contains("content-length"),
        "{request}"
    );
    assert!(
        request.contains("\r\naccept: application/json\r\n"),
        "{request}"
    );
}

pub fn code_flow_public_client<D: Driver>() {
    full_login::<D>(Auth::Public);
}

pub fn code_flow_client_secret_basic<D: Driver>() {
    full_login::<D>(Auth::Basic);
}

pub fn code_flow_client_secret_post<D: Driver>() {
    full_login::<D>(Auth::Post);
}

pub fn discovery_oauth_and_openid<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let transport = D::new();
    for kind in [
        DiscoveryKind::OAuth,
        DiscoveryKind::OpenId,
        DiscoveryKind::Probe,
    ] {
        let metadata = transport
            .discover(server.issuer(), kind, LoopbackHttp::DangerouslyAllow)
            .unwrap();
        assert_eq!(metadata.issuer, server.issuer());
        assert_eq!(metadata.token_endpoint, server.url("/token"));
        assert_eq!(metadata.userinfo_endpoint, Some(server.url("/userinfo")));
        assert!(metadata.authorization_response_iss_parameter_supported);
    }
    assert_eq!(server.hits(Endpoint::Metadata), 3);
}

pub fn discovery_refuses_http_without_the_opt_in<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let result = D::new().discover(server.issuer(), DiscoveryKind::OAuth, LoopbackHttp::Refuse);
    assert!(
        matches!(
            result.as_ref().map_err(D::fault),
            Err(Fault::Flow(pkce_flow::Error::Config(_)))
        ),
        "{result:?}"
    );
    assert_eq!(server.hits(Endpoint::Metadata), 0);
}

pub fn discovery_redirect_is_not_followed<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let target = AuthServer::start().unwrap();
    let location = target.url("/.well-known/oauth-authorization-server");
    server.set_misbehavior(
        Endpoint::Metadata,
        Some(Misbehavior::Redirect {
            status: 302,
            location,
        }),
    );
    let result = D::new().discover(
        server.issuer(),
        DiscoveryKind::OAuth,
        LoopbackHttp::DangerouslyAllow,
    );
    assert!(
        matches!(
            result.as_ref().map_err(D::fault),
            Err(Fault::Flow(pkce_flow::Error::Response(
                ResponseError::UnexpectedRedirect { status: 302 }
            )))
        ),
        "{result:?}"
    );
    assert_eq!(target.hits(Endpoint::Metadata), 0);
}

pub fn refresh_rotates_and_the_old_token_is_refused<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let transport = D::new();
    let client = client(&server, Auth::Post);
    let mut secrets = Secrets::with(Auth::Post);
    let tokens = transport.exchange(approve(&client, &mut secrets)).unwrap();
    secrets.add_tokens(&tokens);
    let old = tokens.refresh_token().unwrap().clone();

    let refreshed = transport.refresh(&client, &old).unwrap();
    secrets.add_tokens(&refreshed);
    assert!(refreshed.rotated());
    assert_ne!(refreshed.refresh_token(), Some(&old));
    assert_ne!(refreshed.access_token(), tokens.access_token());

    let error = transport.refresh(&client, &old).unwrap_err();
    match D::fault(&error) {
        Fault::Flow(pkce_flow::Error::Token(e)) => {
            assert_eq!(e.code, TokenErrorCode::InvalidGrant);
            assert_eq!(e.status, 400);
        }
        other => panic!("expected invalid_grant, got {other:?}"),
    }
    secrets.assert_absent_from(&error);
    assert_eq!(server.hits(Endpoint::Token), 3);
}

pub fn revoked_refresh_token_ends_the_access_token<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let transport = D::new();
    let client = client(&server, Auth::Basic);
    let tokens = transport
        .exchange(approve(&client, &mut Secrets::default()))
        .unwrap();
    let userinfo = server.url("/userinfo");
    assert_eq!(
        transport
            .bearer_get(&userinfo, tokens.access_token())
            .unwrap()
            .status,
        200
    );

    transport
        .revoke_refresh_token(&client, tokens.refresh_token().unwrap())
        .unwrap();
    assert_eq!(server.hits(Endpoint::Revocation), 1);
    let answer = transport
        .bearer_get(&userinfo, tokens.access_token())
        .unwrap();
    assert_eq!(answer.status, 401);
    let challenge = answer.challenge.expect("a Bearer challenge");
    assert_eq!(challenge.error, Some(BearerErrorCode::InvalidToken));
}

pub fn revoked_access_token_is_refused_by_userinfo<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let transport = D::new();
    let client = client(&server, Auth::Public);
    let tokens = transport
        .exchange(approve(&client, &mut Secrets::default()))
        .unwrap();
    transport
        .revoke_access_token(&client, tokens.access_token())
        .unwrap();
    let answer = transport
        .bearer_get(&server.url("/userinfo"), tokens.access_token())
        .unwrap();
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.challenge.and_then(|c| c.error),
        Some(BearerErrorCode::InvalidToken)
    );
}

pub fn pushed_authorization_request<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let transport = D::new();
    let client = client(&server, Auth::Basic);
    let pushed = transport
        .push_authorization(&client, &mut getrandom::SysRng)
        .unwrap();
    assert_eq!(server.hits(Endpoint::Par), 1);
    assert!(pushed.expires_in > 0);
    assert!(pushed.url.as_str().contains("request_uri="));
    assert!(
        !pushed.url.as_str().contains("code_challenge"),
        "PAR keeps the parameters off the URL"
    );
    let callback = UserAgent::new().approve(pushed.url.as_str()).unwrap();
    let tokens = transport
        .exchange(pushed.pending.callback_url(&callback).unwrap())
        .unwrap();
    assert!(tokens.refresh_token().is_some());
}

pub fn tampered_code_gives_invalid_grant<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let client = client(&server, Auth::Public);
    let (url, pending) = client.authorize(&mut getrandom::SysRng).unwrap();
    let callback = UserAgent::new().approve(url.as_str()).unwrap();
    let code = param(&callback, "code");
    let tampered = callback.replace(
        &format!("code={code}"),
        "code=a-code-this-server-never-issued",
    );
    assert_ne!(tampered, callback);
    let mut secrets = Secrets::default();
    secrets.add(&code);
    secrets.add(pending.state().expose_secret());

    let error = D::new()
        .exchange(pending.callback_url(&tampered).unwrap())
        .unwrap_err();
    match D::fault(&error) {
        Fault::Flow(pkce_flow::Error::Token(e)) => {
            assert_eq!((e.status, &e.code), (400, &TokenErrorCode::InvalidGrant));
        }
        other => panic!("expected invalid_grant, got {other:?}"),
    }
    // The common questions, on the transport's error, and the flow's error found by a
    // downcast through the chain.
    assert!(D::is_invalid_grant(&error));
    assert_eq!(D::action(&error), pkce_flow::Action::LoginAgain);
    let flow = std::error::Error::source(&error)
        .and_then(|e| e.downcast_ref::<pkce_flow::Error>())
        .expect("source() is the flow's error");
    assert!(flow.is_invalid_grant());
    secrets.assert_absent_from(&error);
    assert_eq!(server.hits(Endpoint::Token), 1);
}

pub fn wrong_client_secret_gives_invalid_client<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let wrong = "not-the-secret-of-pkce-basic";
    let client = builder(&server, Auth::Basic)
        .client_secret_basic(ClientSecret::new(wrong.to_owned()))
        .build()
        .unwrap();
    let mut secrets = Secrets::with(Auth::Basic);
    secrets.add(wrong);
    let exchange = approve(&client, &mut secrets);
    let error = D::new().exchange(exchange).unwrap_err();
    match D::fault(&error) {
        Fault::Flow(pkce_flow::Error::Token(e)) => {
            assert_eq!((e.status, &e.code), (401, &TokenErrorCode::InvalidClient));
        }
        other => panic!("expected invalid_client, got {other:?}"),
    }
    secrets.assert_absent_from(&error);
    assert_eq!(server.hits(Endpoint::Token), 1);
}

pub fn token_redirect_302_is_not_followed<D: Driver>() {
    token_redirect_is_not_followed::<D>(302);
}

pub fn token_redirect_307_is_not_followed<D: Driver>() {
    token_redirect_is_not_followed::<D>(307);
}

pub fn token_redirect_308_is_not_followed<D: Driver>() {
    token_redirect_is_not_followed::<D>(308);
}

pub fn huge_body_stops_at_the_cap<D: Driver>() {
    let started = Instant::now();
    let error = failing_token_endpoint::<D>(
        Misbehavior::HugeBody {
            bytes: 100 * MIB as u64,
        },
        unchanged,
    );
    assert!(
        matches!(D::fault(&error), Fault::BodyTooLarge { limit: MIB }),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

pub fn endless_body_stops_at_the_cap<D: Driver>() {
    let started = Instant::now();
    let error = failing_token_endpoint::<D>(Misbehavior::EndlessBody, unchanged);
    assert!(
        matches!(D::fault(&error), Fault::BodyTooLarge { limit: MIB }),
        "{error:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

pub fn smaller_cap_from_the_policy<D: Driver>() {
    fn small(builder: ClientBuilder) -> ClientBuilder {
        builder.request_policy(RequestPolicy {
            max_response_bytes: 64 * 1024,
            ..RequestPolicy::default()
        })
    }
    let error = failing_token_endpoint::<D>(Misbehavior::HugeBody { bytes: 200 * 1024 }, small);
    assert!(
        matches!(D::fault(&error), Fault::BodyTooLarge { limit: 65_536 }),
        "{error:?}"
    );
}

pub fn stall_times_out<D: Driver>() {
    fn one_second(builder: ClientBuilder) -> ClientBuilder {
        builder.request_policy(RequestPolicy {
            timeout: Duration::from_secs(1),
            ..RequestPolicy::default()
        })
    }
    let started = Instant::now();
    let error = failing_token_endpoint::<D>(Misbehavior::Stall { secs: 20 }, one_second);
    assert!(matches!(D::fault(&error), Fault::Timeout), "{error:?}");
    assert_eq!(D::action(&error), pkce_flow::Action::RetryLater);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(1) && elapsed < Duration::from_secs(8),
        "took {elapsed:?}"
    );
}

pub fn reset_mid_body_is_an_io_error<D: Driver>() {
    let error = failing_token_endpoint::<D>(Misbehavior::ResetMidBody, unchanged);
    assert!(matches!(D::fault(&error), Fault::Io), "{error:?}");
}

pub fn wrong_content_type_is_refused<D: Driver>() {
    let error = failing_token_endpoint::<D>(Misbehavior::WrongContentType, unchanged);
    assert!(
        matches!(
            D::fault(&error),
            Fault::Flow(pkce_flow::Error::Response(
                ResponseError::UnexpectedContentType
            ))
        ),
        "{error:?}"
    );
}

pub fn not_json_is_refused<D: Driver>() {
    let error = failing_token_endpoint::<D>(Misbehavior::NotJson, unchanged);
    assert!(
        matches!(
            D::fault(&error),
            Fault::Flow(pkce_flow::Error::Response(ResponseError::Json))
        ),
        "{error:?}"
    );
}

pub fn server_error_is_an_unexpected_status<D: Driver>() {
    let error = failing_token_endpoint::<D>(Misbehavior::ServerError, unchanged);
    assert!(
        matches!(
            D::fault(&error),
            Fault::Flow(pkce_flow::Error::Response(
                ResponseError::UnexpectedStatus { status: 500, .. }
            ))
        ),
        "{error:?}"
    );
}

pub fn error_with_200_is_refused_without_the_quirk<D: Driver>() {
    let error = failing_token_endpoint::<D>(Misbehavior::ErrorWith200, unchanged);
    assert!(
        matches!(
            D::fault(&error),
            Fault::Flow(pkce_flow::Error::Response(
                ResponseError::ErrorWithSuccessStatus(TokenErrorCode::InvalidGrant)
            ))
        ),
        "{error:?}"
    );
}

pub fn error_with_200_is_a_token_error_with_the_quirk<D: Driver>() {
    fn quirk(builder: ClientBuilder) -> ClientBuilder {
        builder.quirk(Quirk::ErrorWith200)
    }
    let error = failing_token_endpoint::<D>(Misbehavior::ErrorWith200, quirk);
    match D::fault(&error) {
        Fault::Flow(pkce_flow::Error::Token(e)) => {
            assert_eq!((e.status, &e.code), (200, &TokenErrorCode::InvalidGrant));
        }
        other => panic!("expected a token error, got {other:?}"),
    }
}

pub fn string_expires_in_is_refused_without_the_quirk<D: Driver>() {
    let error = failing_token_endpoint::<D>(Misbehavior::StringExpiresIn, unchanged);
    assert!(
        matches!(
            D::fault(&error),
            Fault::Flow(pkce_flow::Error::Response(ResponseError::InvalidType(
                "expires_in"
            )))
        ),
        "{error:?}"
    );
}

pub fn string_expires_in_is_accepted_with_the_quirk<D: Driver>() {
    fn quirk(builder: ClientBuilder) -> ClientBuilder {
        builder.quirk(Quirk::StringExpiresIn)
    }
    let (result, _, server) = misbehaving_token_endpoint::<D>(Misbehavior::StringExpiresIn, quirk);
    assert_transport_free(&result);
    let tokens = result.unwrap();
    assert_eq!(tokens.expires_in(), Some(3600));
    assert!(tokens.quirks_applied().contains(Quirk::StringExpiresIn));
    assert_eq!(server.hits(Endpoint::Token), 1);
}

pub fn connection_refused<D: Driver>() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let issuer = format!("http://127.0.0.1:{port}");
    let error = D::new()
        .discover(
            &issuer,
            DiscoveryKind::OAuth,
            LoopbackHttp::DangerouslyAllow,
        )
        .unwrap_err();
    assert!(
        matches!(D::fault(&error), Fault::ConnectionRefused),
        "{error:?}"
    );
    assert!(
        !error.to_string().contains(&port.to_string()),
        "no URL in the message: {error}"
    );
}

pub fn untrusted_tls_certificate_is_refused<D: Driver>() {
    let server = AuthServer::start_with(ServerConfig {
        tls: true,
        ..ServerConfig::default()
    })
    .unwrap();
    assert!(server.issuer().starts_with("https://"));
    let error = D::new()
        .discover(server.issuer(), DiscoveryKind::OAuth, LoopbackHttp::Refuse)
        .unwrap_err();
    assert!(matches!(D::fault(&error), Fault::Tls), "{error:?}");
    assert!(
        !error.to_string().contains(server.issuer()),
        "no URL in the message: {error}"
    );
    assert_eq!(
        server.hits(Endpoint::Metadata),
        0,
        "no request may reach an untrusted server"
    );
}

pub fn bearer_token_never_goes_over_plain_http_elsewhere<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let transport = D::new();
    let tokens = transport
        .exchange(approve(
            &client(&server, Auth::Public),
            &mut Secrets::default(),
        ))
        .unwrap();
    // A documentation address (RFC 5737): nothing is sent, so nothing needs to listen.
    let error = transport
        .bearer_get("http://192.0.2.1/userinfo", tokens.access_token())
        .unwrap_err();
    assert!(
        matches!(
            D::fault(&error),
            Fault::Flow(pkce_flow::Error::ResourceUrl(EndpointError::Insecure))
        ),
        "{error:?}"
    );
    let error = transport
        .bearer_get("http://localhost/userinfo", tokens.access_token())
        .unwrap_err();
    assert!(
        matches!(
            D::fault(&error),
            Fault::Flow(pkce_flow::Error::ResourceUrl(EndpointError::Insecure))
        ),
        "{error:?}"
    );
}

pub fn userinfo_without_a_valid_token_gets_a_challenge<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let forged = pkce_flow::AccessToken::new("not-a-token-of-this-server".to_owned());
    let answer = D::new()
        .bearer_get(&server.url("/userinfo"), &forged)
        .unwrap();
    assert_eq!(answer.status, 401);
    let challenge = answer.challenge.expect("a Bearer challenge");
    assert_eq!(challenge.error, Some(BearerErrorCode::InvalidToken));
    assert!(challenge.realm.is_some());
}

pub fn drive_is_the_generic_loop<D: Driver>() {
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
        fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), pkce_flow::Error> {
            self.0.handle_response(response)
        }
    }
    let server = AuthServer::start().unwrap();
    let discovery = pkce_flow::Discovery::new(
        server.issuer(),
        DiscoveryKind::Probe,
        LoopbackHttp::DangerouslyAllow,
    )
    .unwrap();
    let (metadata, round_trips) = D::new().drive(Counting(discovery, 0)).unwrap();
    assert_eq!(metadata.issuer, server.issuer());
    assert_eq!(round_trips, 1);
}
