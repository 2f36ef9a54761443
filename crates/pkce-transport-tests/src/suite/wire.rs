//! What goes on the wire, and the network failing: requests byte for byte, refused
//! connections, untrusted TLS, and a bearer token kept off plain http.

#[allow(clippy::wildcard_imports)]
use super::*;

/// A one-shot HTTP server on loopback that records the request it gets (head and body) and
/// answers `reply`; for what the testkit cannot show: the bytes on the wire.
fn recording_server(reply: &'static [u8]) -> (String, std::thread::JoinHandle<String>) {
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
        stream.write_all(reply).unwrap();
        String::from_utf8(seen).unwrap()
    });
    (url, handle)
}

pub fn requests_go_out_exactly_as_the_flow_describes_them<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let reply = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 25\r\n\
                 Connection: close\r\n\r\n{\"error\":\"invalid_grant\"}";
    let (recorder, request) = recording_server(reply.as_bytes());
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
    let (recorder, request) = recording_server(reply.as_bytes());
    let error = D::new()
        .discover(
            &recorder,
            DiscoveryKind::OAuth,
            LoopbackHttp::DangerouslyAllow,
        )
        .unwrap_err();
    assert!(
        matches!(
            response::<D>(&error),
            ResponseError::UnexpectedStatus { status: 404, .. }
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
    // A documentation address (RFC 5737) and a name: nothing is sent, so nothing needs to
    // listen.
    for url in ["http://192.0.2.1/userinfo", "http://localhost/userinfo"] {
        let error = transport
            .bearer_get(url, tokens.access_token())
            .unwrap_err();
        assert!(
            matches!(
                flow::<D>(&error),
                pkce_flow::Error::ResourceUrl(EndpointError::Insecure)
            ),
            "{url}: {error:?}"
        );
    }
}

pub fn obs_text_in_a_challenge_reaches_the_flow<D: Driver>() {
    // `é` in Latin-1 (0xE9) inside a quoted string: obs-text (RFC 9110 §5.6.4), which no
    // HTTP library turns into a `str`. The transport passes the bytes; the flow reads the
    // challenge and keeps the byte as U+FFFD.
    let reply: &[u8] = b"HTTP/1.1 401 Unauthorized\r\n\
        WWW-Authenticate: Bearer realm=\"caf\xe9\", error=\"invalid_token\"\r\n\
        Content-Length: 0\r\nConnection: close\r\n\r\n";
    let (server, request) = recording_server(reply);
    let token = pkce_flow::AccessToken::new("a-token".to_owned());
    let answer = D::new()
        .bearer_get(&format!("{server}/userinfo"), &token)
        .unwrap();
    request.join().unwrap();
    assert_eq!(answer.status, 401);
    let challenge = answer.challenge.expect("the challenge, obs-text and all");
    assert_eq!(challenge.error, Some(BearerErrorCode::InvalidToken));
    assert_eq!(
        challenge.realm.map(|r| r.raw().to_owned()).as_deref(),
        Some("caf\u{fffd}")
    );
}
