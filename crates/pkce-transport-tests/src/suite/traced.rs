//! What a transport records with `tracing`: a span per exchange with its kind, an event per
//! request with the method, the URL without its query, the status and the time taken, and
//! never a secret, whether the exchange succeeds, is refused or fails on the network.

#[allow(clippy::wildcard_imports)]
use super::*;

use pkce_flow::{AccessToken, HttpRequest};
use pkce_testkit::{Recorded, TraceCapture};

/// Passes an exchange through and remembers every secret its requests carry: the
/// `authorization` value and the body's code, verifier, tokens and client secret.
struct Peek<'s, E>(E, &'s mut Secrets);

impl<E: Exchange> Exchange for Peek<'_, E> {
    type Output = E::Output;

    fn kind(&self) -> &'static str {
        self.0.kind()
    }

    fn poll_output(&mut self) -> Result<Poll<E::Output>, pkce_flow::Error> {
        let polled = self.0.poll_output()?;
        if let Poll::Request(request) = &polled {
            remember(request, self.1);
        }
        Ok(polled)
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), pkce_flow::Error> {
        self.0.handle_response(response)
    }
}

fn remember(request: &HttpRequest, secrets: &mut Secrets) {
    const SECRET_PARAMS: [&str; 5] = [
        "code",
        "code_verifier",
        "client_secret",
        "refresh_token",
        "token",
    ];
    for (name, value) in request.headers() {
        if HttpRequest::is_secret_header(name) {
            secrets.add(value);
        }
    }
    for (name, value) in Pairs::new(request.body()) {
        if SECRET_PARAMS.iter().any(|p| name.decoded_eq(p)) {
            secrets.add(&value.decode_lossy());
        }
    }
}

pub fn exchanges_are_traced_without_secrets<D: Driver>() {
    let server = AuthServer::start().unwrap();
    let transport = D::new();
    let capture = TraceCapture::default();
    let mut secrets = Secrets::with(Auth::Basic);
    let client = client(&server, Auth::Basic);
    let refused = capture.run(|| {
        let exchange = approve(&client, &mut secrets);
        let tokens = transport
            .drive(Peek(exchange, &mut secrets))
            .expect("code exchange");
        secrets.add_tokens(&tokens);
        let spent = tokens.refresh_token().unwrap().clone();
        let refreshed = transport
            .drive(Peek(client.refresh(&spent), &mut secrets))
            .expect("refresh");
        secrets.add_tokens(&refreshed);
        // A resource URL whose query carries a secret, answered and then unreachable.
        let access = refreshed.access_token().expose_secret();
        let with_query = format!("{}?q={access}", server.url("/userinfo"));
        let answered = transport
            .bearer_get(&with_query, refreshed.access_token())
            .unwrap();
        assert_eq!(answered.status, 200);
        // The spent refresh token again: refused with invalid_grant.
        let refused = transport
            .drive(Peek(client.refresh(&spent), &mut secrets))
            .unwrap_err();
        let unreachable = format!("http://127.0.0.1:1/resource?q={access}");
        transport
            .bearer_get(&unreachable, &AccessToken::new(access.to_owned()))
            .unwrap_err();
        refused
    });
    assert!(D::is_invalid_grant(&refused), "{refused:?}");

    let records = capture.records();
    let kinds: Vec<&str> = records
        .iter()
        .filter(|r| r.what == "span" && r.name == "pkce_exchange")
        .filter_map(|r| r.field("kind"))
        .collect();
    assert_eq!(
        kinds,
        [
            "code_exchange",
            "refresh",
            "resource",
            "refresh",
            "resource"
        ]
    );
    let responses: Vec<&Recorded> = records
        .iter()
        .filter(|r| r.name == "response received")
        .collect();
    let statuses: Vec<&str> = responses.iter().filter_map(|r| r.field("status")).collect();
    assert_eq!(statuses, ["200", "200", "200", "400"]);
    for response in &responses {
        for field in ["method", "url", "elapsed_ms", "body_bytes"] {
            assert!(response.field(field).is_some(), "{field} in {response:?}");
        }
    }
    assert_eq!(responses[0].field("method"), Some("POST"));
    assert_eq!(
        responses[0].field("url"),
        Some(server.url("/token").as_str())
    );
    assert_eq!(responses[2].field("method"), Some("GET"));
    assert_eq!(
        responses[2].field("url"),
        Some(server.url("/userinfo").as_str())
    );
    let failed: Vec<&Recorded> = records
        .iter()
        .filter(|r| r.name == "request failed")
        .collect();
    assert_eq!(failed.len(), 1, "{records:#?}");
    assert_eq!(failed[0].level, "WARN");
    assert_eq!(failed[0].field("url"), Some("http://127.0.0.1:1/resource"));
    assert!(
        records
            .iter()
            .any(|r| r.name == "exchange failed" && r.field("invalid_grant") == Some("true"))
    );

    for record in &records {
        if let Some(url) = record.field("url") {
            assert!(
                !url.contains(['?', '#']),
                "a query or fragment in {record:?}"
            );
        }
        for text in record.texts() {
            secrets.assert_absent_from_text(text);
        }
    }
}
