//! Shared helpers: a plain ureq client that follows no redirect and treats no status as an
//! error, and the steps of the code flow built from pkce-core values.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::time::Duration;

use pkce_core::form::{Pairs, encode_pairs_string};
use pkce_core::{CodeVerifier, State, client_secret_basic_string};
use pkce_testkit::{AuthServer, UserAgent, clients};
use serde_json::Value;
use ureq::http::HeaderMap;

/// A client that shows every response as it is: no redirect followed, no status turned
/// into an error.
pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .new_agent()
}

/// A response read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `error` of a JSON error body.
    pub(crate) fn error(&self) -> String {
        self.json()["error"].as_str().unwrap_or_default().to_owned()
    }
}

fn finish(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut resp = result.expect("request failed");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.body_mut().read_to_string().expect("body");
    Reply {
        status,
        headers,
        body,
    }
}

pub(crate) fn get(url: &str) -> Reply {
    finish(agent().get(url).call())
}

pub(crate) fn get_with(url: &str, header: (&str, &str)) -> Reply {
    finish(agent().get(url).header(header.0, header.1).call())
}

/// POSTs a form body, with an `Authorization` header when given.
pub(crate) fn post_form(url: &str, authorization: Option<&str>, pairs: &[(&str, &str)]) -> Reply {
    let mut req = agent().post(url);
    if let Some(value) = authorization {
        req = req.header("authorization", value);
    }
    finish(req.send_form(pairs.iter().copied()))
}

/// The three default clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Public,
    Basic,
    Post,
}

pub(crate) const KINDS: [Kind; 3] = [Kind::Public, Kind::Basic, Kind::Post];

impl Kind {
    pub(crate) fn id(self) -> &'static str {
        match self {
            Kind::Public => clients::PUBLIC_ID,
            Kind::Basic => clients::BASIC_ID,
            Kind::Post => clients::POST_ID,
        }
    }

    /// POSTs `pairs` to `path`, authenticated the way this client is registered.
    pub(crate) fn post(self, server: &AuthServer, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let mut all = pairs.to_vec();
        let header = match self {
            Kind::Public => {
                all.push(("client_id", clients::PUBLIC_ID));
                None
            }
            Kind::Basic => Some(client_secret_basic_string(
                clients::BASIC_ID,
                clients::BASIC_SECRET,
            )),
            Kind::Post => {
                all.extend([
                    ("client_id", clients::POST_ID),
                    ("client_secret", clients::POST_SECRET),
                ]);
                None
            }
        };
        post_form(&server.url(path), header.as_deref(), &all)
    }
}

/// One authorization request in the making.
pub(crate) struct Authz {
    pub(crate) verifier: CodeVerifier,
    pub(crate) state: State,
    pub(crate) redirect_uri: String,
    pub(crate) client_id: String,
    pub(crate) scope: String,
}

impl Authz {
    pub(crate) fn new(client_id: &str, scope: &str) -> Self {
        let mut rng = getrandom::SysRng;
        Self {
            verifier: CodeVerifier::generate(&mut rng).expect("rng"),
            state: State::generate(&mut rng).expect("rng"),
            redirect_uri: "http://127.0.0.1:43210/callback".to_owned(),
            client_id: client_id.to_owned(),
            scope: scope.to_owned(),
        }
    }

    /// The authorization request parameters, as a client following our policies sends them.
    pub(crate) fn pairs(&self) -> Vec<(&str, String)> {
        vec![
            ("response_type", "code".to_owned()),
            ("client_id", self.client_id.clone()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("scope", self.scope.clone()),
            ("state", self.state.expose_secret().to_owned()),
            (
                "code_challenge",
                self.verifier.challenge().as_str().to_owned(),
            ),
            ("code_challenge_method", "S256".to_owned()),
        ]
    }

    /// `/authorize?…`, leaving out `omit` parameters.
    pub(crate) fn url_without(&self, server: &AuthServer, omit: &[&str]) -> String {
        let pairs = self.pairs();
        let kept = pairs
            .iter()
            .filter(|(n, _)| !omit.contains(n))
            .map(|(n, v)| (*n, v.as_str()));
        format!("{}?{}", server.url("/authorize"), encode_pairs_string(kept))
    }

    pub(crate) fn url(&self, server: &AuthServer) -> String {
        self.url_without(server, &[])
    }
}

/// The value of `name` in `url`'s query, decoded once; panics on a duplicate.
pub(crate) fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let mut found = Pairs::new(query.as_bytes()).filter(|(n, _)| n.decoded_eq(name));
    let value = found
        .next()
        .map(|(_, v)| v.decode_string().expect("valid escape"));
    assert!(found.next().is_none(), "duplicate {name} in {url}");
    value
}

/// Runs the front channel (the user approves) and checks the callback; returns the code.
pub(crate) fn authorize(server: &AuthServer, authz: &Authz) -> String {
    let callback = UserAgent::new()
        .approve(&authz.url(server))
        .expect("approve");
    assert!(
        callback.starts_with(&format!("{}?", authz.redirect_uri)),
        "{callback}"
    );
    assert_eq!(
        query_param(&callback, "state").as_deref(),
        Some(authz.state.expose_secret())
    );
    assert_eq!(
        query_param(&callback, "iss").as_deref(),
        Some(server.issuer())
    );
    query_param(&callback, "code").expect("code in callback")
}

/// The code exchange for `kind`.
pub(crate) fn exchange(
    server: &AuthServer,
    kind: Kind,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Reply {
    kind.post(
        server,
        "/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ],
    )
}

/// A whole login for `kind`; returns the token response.
pub(crate) fn login(server: &AuthServer, kind: Kind, scope: &str) -> Value {
    let authz = Authz::new(kind.id(), scope);
    let code = authorize(server, &authz);
    let reply = exchange(
        server,
        kind,
        &code,
        &authz.redirect_uri,
        authz.verifier.expose_secret(),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

pub(crate) fn refresh(server: &AuthServer, kind: Kind, rt: &str) -> Reply {
    kind.post(
        server,
        "/token",
        &[("grant_type", "refresh_token"), ("refresh_token", rt)],
    )
}

/// `GET /userinfo` with a bearer token.
pub(crate) fn userinfo(server: &AuthServer, token: &str) -> Reply {
    get_with(
        &server.url("/userinfo"),
        ("authorization", &format!("Bearer {token}")),
    )
}

pub(crate) fn str_field<'v>(json: &'v Value, name: &str) -> &'v str {
    json[name]
        .as_str()
        .unwrap_or_else(|| panic!("no string {name} in {json}"))
}
