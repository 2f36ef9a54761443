//! The bodies of the fuzz targets, each with its oracle.
//!
//! Every target is a plain `pub fn name(data: &[u8])` that panics when its oracle is
//! violated. The libFuzzer binaries in `fuzz_targets/` are one-line shims over these, and
//! `tests/corpus.rs` replays the committed corpora through the same functions with a stable
//! toolchain, so the oracles are checked in CI without nightly.
//!
//! The oracles compare against small, independent reference models written here (a
//! WHATWG form decoder, a callback acceptance model, a recount of auth-params), not against
//! the code under test. See `fuzz/README.md` for the list.

use std::sync::OnceLock;

mod seal_open;
pub use seal_open::seal_open;
mod dpop;
pub use dpop::{dpop_challenge, dpop_nonce};
mod device;
pub use device::device_authorization;

use pkce_core::form::{Pairs, encode_pairs_into, encode_pairs_string, encoded_len};
use pkce_core::{CodeVerifier, FormError, validate_verifier};
use pkce_flow::bearer::{bearer_challenge, parse_challenges};
use pkce_flow::{
    Client, Error, Exchange, HttpResponse, LoopbackHttp, MAX_QUERY_BYTES, MAX_VALUE_BYTES, Poll,
    Quirk, QuirkSet, parse_metadata, parse_token_response,
};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// The expected issuer.
pub const ISS: &str = "https://as.example";
/// The registered redirect URI (`CB`).
pub const REDIRECT_URI: &str = "http://127.0.0.1:51004/callback";
/// The client id of the fixed client.
pub const CLIENT_ID: &str = "s6BhdRkqt3";
/// The authorization endpoint of the fixed client.
pub const AUTHORIZATION_ENDPOINT: &str = "https://as.example/authorize";
/// The token endpoint of the fixed client.
pub const TOKEN_ENDPOINT: &str = "https://as.example/token";
/// The PAR endpoint of the fixed client.
pub const PAR_ENDPOINT: &str = "https://as.example/par";
/// Replaced by the real state in callback inputs, so the fuzzer reaches past the state check.
pub const STATE_MARKER: &str = "{S}";
/// The seed of the RNG that makes the pending authorization (so `S` is the same every run).
pub const RNG_SEED: u64 = 0x5EED;

/// The OAuth parameters a callback reads (the fragment must hold none of them).
const OAUTH_PARAMS: [&str; 6] = [
    "code",
    "state",
    "iss",
    "error",
    "error_description",
    "error_uri",
];
const CODE: usize = 0;
const STATE: usize = 1;
const P_ISS: usize = 2;
const ERROR: usize = 3;

/// Content types for the token targets, chosen by one input byte (`None`: no header).
const CONTENT_TYPES: [Option<&str>; 8] = [
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("APPLICATION/JSON"),
    Some("text/html"),
    Some("application/x-www-form-urlencoded"),
    Some("application/jsonp"),
    None,
    Some(" application/json ;"),
];

/// A target body: panics when the oracle is violated.
pub type Target = fn(&[u8]);

/// Every target, by the name of its `fuzz_targets/<name>.rs` and `corpus/<name>/`.
pub const TARGETS: [(&str, Target); 15] = [
    ("verifier_validate", verifier_validate),
    ("form_decode", form_decode),
    ("form_roundtrip", form_roundtrip),
    ("callback_query", callback_query),
    ("callback_url", callback_url),
    ("token_response", token_response),
    ("error_response", error_response),
    ("metadata", metadata),
    ("www_authenticate", www_authenticate),
    ("par_response", par_response),
    ("loopback_head", loopback_head),
    ("seal_open", seal_open),
    ("dpop_nonce", dpop_nonce),
    ("dpop_challenge", dpop_challenge),
    ("device_authorization", device_authorization),
];

// ---------------------------------------------------------------------------------------
// Targets.

/// `CodeVerifier::new` is `Ok` ⇔ 43..=128 bytes, all in `A-Za-z0-9-._~`.
pub fn verifier_validate(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let want = (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    let got = CodeVerifier::new(s);
    assert_eq!(got.is_ok(), want, "CodeVerifier::new({s:?}) = {got:?}");
    assert_eq!(validate_verifier(s).is_ok(), want, "validate({s:?})");
    if let Ok(v) = got {
        assert_eq!(v.expose_secret(), s);
        assert_eq!(v.challenge().as_str().len(), 43);
    }
}

/// For each component of `Pairs`: the lengths agree, and `decode_into`, `decode_string` and
/// `strict_eq` agree with a reference strict decoder.
pub fn form_decode(data: &[u8]) {
    let mut count = 0;
    for (name, value) in Pairs::new(data) {
        count += 1;
        assert!(!name.raw().contains(&b'&') && !name.raw().contains(&b'='));
        assert!(!value.raw().contains(&b'&'));
        for c in [name, value] {
            let raw = c.raw();
            let lenient = lenient_decode(raw);
            assert_eq!(c.decoded_len(), c.decoded_bytes().count(), "{raw:?}");
            assert_eq!(c.decoded_bytes().collect::<Vec<_>>(), lenient, "{raw:?}");
            assert!(c.decoded_len() <= raw.len());
            let strict = strict_decode(raw);
            let mut big = vec![0u8; raw.len() + 1];
            let got = c.decode_into(&mut big).map(str::to_owned);
            match strict.as_deref().map(std::str::from_utf8) {
                None => assert!(
                    matches!(got, Err(FormError::MalformedEscape { .. })),
                    "{raw:?} must be a malformed escape, got {got:?}"
                ),
                Some(Err(_)) => assert_eq!(got, Err(FormError::InvalidUtf8), "{raw:?}"),
                Some(Ok(s)) => assert_eq!(got.as_deref(), Ok(s), "{raw:?}"),
            }
            assert_eq!(
                c.decode_string(),
                got,
                "decode_string vs decode_into: {raw:?}"
            );
            match &got {
                Ok(s) => {
                    assert_eq!(c.strict_eq(s), Ok(true), "{raw:?}");
                    assert_eq!(c.strict_eq(&format!("{s}x")), Ok(false), "{raw:?}");
                    assert!(c.decoded_eq(s));
                    if let Some(short) = c.decoded_len().checked_sub(1) {
                        let mut small = vec![0u8; short];
                        let e = c.decode_into(&mut small);
                        assert!(
                            matches!(e, Err(FormError::BufferTooSmall(b)) if b.needed == short + 1)
                        );
                    }
                }
                Err(FormError::MalformedEscape { .. }) => {
                    assert!(
                        c.strict_eq("").is_err() && c.strict_eq("x").is_err(),
                        "{raw:?}"
                    );
                }
                Err(_) => assert_eq!(c.strict_eq(&String::from_utf8_lossy(&lenient)), Ok(false)),
            }
        }
    }
    assert_eq!(count, split_pairs(data).len());
}

/// `encode_pairs_string` then `Pairs` + `decode_string` gives the pairs back; the encoding
/// holds only `[A-Za-z0-9*._+%-]`, `=` and `&`.
pub fn form_roundtrip(data: &[u8]) {
    let Ok(pairs) = arbitrary::Unstructured::new(data).arbitrary::<Vec<(String, String)>>() else {
        return;
    };
    let refs = || pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let encoded = encode_pairs_string(refs());
    let bad = encoded
        .bytes()
        .find(|&b| !(b.is_ascii_alphanumeric() || b"*._+%-=&".contains(&b)));
    assert_eq!(bad, None, "{pairs:?} encoded to {encoded:?}");
    let len: usize = pairs
        .iter()
        .map(|(n, v)| encoded_len(n) + 1 + encoded_len(v))
        .sum();
    assert_eq!(encoded.len(), len + pairs.len().saturating_sub(1));
    let mut buf = vec![0u8; encoded.len()];
    assert_eq!(
        encode_pairs_into(refs(), &mut buf).ok(),
        Some(encoded.as_str())
    );
    if let Some(short) = encoded.len().checked_sub(1) {
        let mut buf = vec![0u8; short];
        let e = encode_pairs_into(refs(), &mut buf);
        assert_eq!(e.map_err(|e| e.needed), Err(encoded.len()));
    }
    let back: Vec<(String, String)> = Pairs::new(encoded.as_bytes())
        .map(|(n, v)| (n.decode_string().unwrap(), v.decode_string().unwrap()))
        .collect();
    assert_eq!(back, pairs, "via {encoded:?}");
}

/// `PendingAuthorization::callback(query)`: `Ok` exactly when the reference model accepts
/// (one `state` = S, one non-empty VSCHAR `code`, one `iss` = ISS, no `error`, no repeated
/// OAuth parameter, sizes within the caps); the pending authorization comes back exactly
/// when the state did not match (policy P-8).
pub fn callback_query(data: &[u8]) {
    let pending = pending();
    let Some(query) = splice_state(data, state_of(&pending)) else {
        return;
    };
    let model = CallbackModel::of(&query, state_of(&pending));
    let got = pending.callback(&query);
    check_callback(&query, &model, got);
}

/// `PendingAuthorization::callback_url(url)`: as `callback_query` for the query, with the
/// URL before the query equal to the redirect URI; the fragment never contributes
/// parameters (OAuth names in it only ever make the response rejected).
pub fn callback_url(data: &[u8]) {
    let pending = pending();
    let Some(url) = splice_state(data, state_of(&pending)) else {
        return;
    };
    let (before_fragment, fragment) = url.split_once('#').unwrap_or((&url, ""));
    let fragment_has_oauth = split_pairs(fragment.as_bytes()).iter().any(|(n, _)| {
        OAUTH_PARAMS
            .iter()
            .any(|p| lenient_decode(n) == p.as_bytes())
    });
    let (base, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    let mut model = CallbackModel::of(query, state_of(&pending));
    if fragment_has_oauth || base != REDIRECT_URI {
        model = CallbackModel {
            accept: None,
            state_ok: false,
        };
    }
    let got = pending.callback_url(&url);
    check_callback(&url, &model, got);
}

/// `parse_token_response` with no quirks and with every quirk: `Ok` ⇒ status 200 (201
/// only under `Status201`), a JSON content type, a non-empty VSCHAR access token equal to
/// the body's `access_token` string as serde_json reads it (which also refuses a repeated
/// member), and only quirks that were allowed applied.
pub fn token_response(data: &[u8]) {
    let [s0, s1, ct, body @ ..] = data else {
        return;
    };
    let status = u16::from_be_bytes([*s0, *s1]);
    let response = response(status, *ct, body);
    for quirks in [QuirkSet::empty(), all_quirks()] {
        match parse_token_response(&response, quirks) {
            Ok(t) => {
                let ok_status =
                    status == 200 || (status == 201 && quirks.contains(Quirk::Status201));
                assert!(ok_status, "accepted status {status} under {quirks:?}");
                assert!(
                    response.is_json(),
                    "accepted content type {:?}",
                    response.header("content-type")
                );
                let at = t.access_token().expose_secret();
                assert!(is_vschar_string(at), "access token {at:?}");
                let json: TokenMembers = json_members(body);
                assert_eq!(
                    json.access_token.as_ref().and_then(|v| v.as_str()),
                    Some(at)
                );
                if let Some(rt) = t.refresh_token() {
                    assert!(is_vschar_string(rt.expose_secret()), "refresh token");
                }
                assert_eq!(t.token_type(), "Bearer");
                match json.token_type.as_ref().filter(|v| !v.is_null()) {
                    Some(tt) => assert!(
                        tt.as_str()
                            .is_some_and(|t| t.eq_ignore_ascii_case("bearer"))
                    ),
                    None => assert!(quirks.contains(Quirk::MissingTokenType)),
                }
                let applied = t.quirks_applied();
                for q in ALL_QUIRKS {
                    assert!(!applied.contains(q) || quirks.contains(q), "{q:?} applied");
                }
            }
            Err(e) => assert_inert(&e),
        }
    }
}

/// A 400 or 401 token endpoint response is never a success, whatever the body and quirks.
pub fn error_response(data: &[u8]) {
    let [selector, ct, body @ ..] = data else {
        return;
    };
    let status = if selector & 1 == 0 { 400 } else { 401 };
    let response = response(status, *ct, body);
    for quirks in [QuirkSet::empty(), all_quirks()] {
        match parse_token_response(&response, quirks) {
            Ok(_) => panic!("a {status} response was accepted as tokens under {quirks:?}"),
            Err(e) => {
                if let Error::Token(t) = &e {
                    assert_eq!(t.status, status);
                }
                assert_inert(&e);
            }
        }
    }
}

/// `parse_metadata(ISS, body, Refuse)`: `Ok` ⇒ `issuer == ISS` byte for byte and every
/// endpoint starts with `https://` and has no `#`, no space and no control character.
pub fn metadata(data: &[u8]) {
    match parse_metadata(ISS, data, LoopbackHttp::Refuse) {
        Ok(m) => {
            assert_eq!(m.issuer, ISS);
            let endpoints = [
                ("authorization_endpoint", Some(&m.authorization_endpoint)),
                ("token_endpoint", Some(&m.token_endpoint)),
                ("revocation_endpoint", m.revocation_endpoint.as_ref()),
                (
                    "pushed_authorization_request_endpoint",
                    m.pushed_authorization_request_endpoint.as_ref(),
                ),
                ("userinfo_endpoint", m.userinfo_endpoint.as_ref()),
                ("introspection_endpoint", m.introspection_endpoint.as_ref()),
                ("jwks_uri", m.jwks_uri.as_ref()),
            ];
            for (name, url) in endpoints {
                if let Some(url) = url {
                    assert!(url.starts_with("https://"), "{name} {url:?} accepted");
                    assert!(!url.contains('#'), "{name} {url:?} accepted");
                    // The string is sent as is: what was validated must be what is sent, and
                    // a URL parser drops tabs, newlines and surrounding spaces before checking.
                    let stray = url.bytes().any(|b| b <= b' ' || b == 0x7f);
                    assert!(
                        !stray,
                        "{name} {url:?} with a control character or space accepted"
                    );
                }
            }
        }
        Err(e) => assert_inert(&e),
    }
}

/// `bearer_challenge([s])`: `Ok(Some(_))` never comes from a Bearer challenge with a repeated
/// `realm`/`scope`/`error`/`error_description`/`error_uri` (recounted over
/// `parse_challenges`), and the two functions agree on what the header holds.
pub fn www_authenticate(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let got = bearer_challenge([&*s]);
    let all = parse_challenges([&*s]);
    let bearer = all
        .as_ref()
        .ok()
        .map(|all| all.iter().find(|c| c.scheme.eq_ignore_ascii_case("bearer")));
    match &got {
        Ok(Some(c)) => {
            let Some(Some(ch)) = bearer else {
                panic!("a Bearer challenge that parse_challenges does not see: {s:?}");
            };
            for name in ["realm", "scope", "error", "error_description", "error_uri"] {
                let n = ch.params.iter().filter(|(k, _)| k == name).count();
                assert!(n <= 1, "{name} appears {n} times, accepted: {s:?}");
            }
            let value = |k: &str| {
                ch.params
                    .iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.as_str())
            };
            assert_eq!(c.realm.as_ref().map(|r| r.raw()), value("realm"));
            assert_eq!(
                c.error_description.as_ref().map(|r| r.raw()),
                value("error_description")
            );
            assert_eq!(c.error_uri.as_ref().map(|r| r.raw()), value("error_uri"));
            assert_eq!(c.error.is_some(), value("error").is_some());
            let scope: Vec<&str> = value("scope")
                .map(|v| v.split(' ').filter(|t| !t.is_empty()).collect())
                .unwrap_or_default();
            assert_eq!(c.scope, scope);
        }
        Ok(None) => assert!(matches!(bearer, Some(None)), "Bearer missed: {s:?}"),
        Err(e) => {
            assert_inert(e);
            assert!(
                !matches!(bearer, Some(None)),
                "failed ({e}) without a Bearer: {s:?}"
            );
            if let Some(Some(ch)) = bearer {
                let dup = ["realm", "scope", "error", "error_description", "error_uri"]
                    .iter()
                    .any(|name| ch.params.iter().filter(|(k, _)| k == name).count() > 1);
                assert!(
                    dup,
                    "bearer_challenge failed ({e}) on a clean challenge: {s:?}"
                );
            }
        }
    }
}

/// A PAR exchange answered `201 application/json` with the input: `Ok` ⇒ the final URL is
/// the authorization endpoint with exactly `client_id` (= the client's) and `request_uri`
/// (= the body's, non-empty VSCHAR, at most 4096 bytes); an error finishes the exchange.
pub fn par_response(data: &[u8]) {
    let mut rng = ChaCha20Rng::seed_from_u64(RNG_SEED);
    let mut par = client()
        .push_authorization(&mut rng)
        .expect("the fixed client has a PAR endpoint");
    match par.poll_output() {
        Ok(Poll::Request(r)) => assert_eq!(r.url(), PAR_ENDPOINT),
        other => panic!("PAR did not start with a request: {other:?}"),
    }
    let response = HttpResponse::new(201, data).with_header("content-type", "application/json");
    if let Err(e) = par.handle_response(response) {
        assert_inert(&e);
        assert!(
            par.poll_output().is_err(),
            "a failed PAR exchange is not finished"
        );
        return;
    }
    let out = match par.poll_output() {
        Ok(Poll::Done(out)) => out,
        other => panic!("accepted PAR response did not finish: {other:?}"),
    };
    assert!(out.expires_in > 0);
    let url = out.url.as_str();
    let query = url
        .strip_prefix(AUTHORIZATION_ENDPOINT)
        .and_then(|q| q.strip_prefix('?'))
        .unwrap_or_else(|| panic!("PAR URL {url:?} is not the authorization endpoint's"));
    let pairs = split_pairs(query.as_bytes());
    let names: Vec<Vec<u8>> = pairs.iter().map(|(n, _)| lenient_decode(n)).collect();
    assert_eq!(names, [&b"client_id"[..], b"request_uri"], "{url:?}");
    assert_eq!(
        strict_decode(pairs[0].1).as_deref(),
        Some(CLIENT_ID.as_bytes())
    );
    let request_uri = strict_decode(pairs[1].1).expect("request_uri encoding");
    let request_uri = String::from_utf8(request_uri).expect("request_uri UTF-8");
    assert!(is_vschar_string(&request_uri) && request_uri.len() <= 4096);
    let json: ParMembers = json_members(data);
    assert_eq!(
        json.request_uri.as_ref().and_then(|v| v.as_str()),
        Some(&*request_uri)
    );
}

// ---------------------------------------------------------------------------------------
// The fixed client and the callback model.

/// The client every callback and PAR input is checked against: issuer ISS, `require_iss`.
pub fn client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        Client::builder(CLIENT_ID)
            .issuer(ISS)
            .authorization_endpoint(AUTHORIZATION_ENDPOINT)
            .token_endpoint(TOKEN_ENDPOINT)
            .par_endpoint(PAR_ENDPOINT)
            .redirect_uri(REDIRECT_URI)
            .require_iss()
            .build()
            .expect("the fixed client is valid")
    })
}

/// A pending authorization of the fixed client; the same state on every call.
pub fn pending() -> pkce_flow::PendingAuthorization {
    let mut rng = ChaCha20Rng::seed_from_u64(RNG_SEED);
    client().authorize(&mut rng).expect("authorize").1
}

fn state_of(p: &pkce_flow::PendingAuthorization) -> &str {
    p.state().expose_secret()
}

/// The input as text with every `{S}` replaced by the real state; `None` if not UTF-8.
fn splice_state(data: &[u8], state: &str) -> Option<String> {
    Some(std::str::from_utf8(data).ok()?.replace(STATE_MARKER, state))
}

/// What a callback must give, per the reference model.
struct CallbackModel {
    /// `Some(code)`: the callback must be accepted with this code. `None`: rejected.
    accept: Option<String>,
    /// Whether the state matched (then a rejection consumes the pending authorization).
    state_ok: bool,
}

impl CallbackModel {
    fn of(query: &str, state: &str) -> Self {
        let mut count = [0usize; 6];
        let mut first: [Option<&[u8]>; 6] = [None; 6];
        let mut too_large = query.len() > MAX_QUERY_BYTES;
        for (name, value) in split_pairs(query.as_bytes()) {
            let name = lenient_decode(name);
            if let Some(i) = OAUTH_PARAMS.iter().position(|p| p.as_bytes() == name) {
                count[i] += 1;
                too_large |= value.len() > MAX_VALUE_BYTES;
                first[i].get_or_insert(value);
            }
        }
        let strict = |i: usize| first[i].and_then(strict_decode);
        let collected = !too_large && count.iter().all(|&n| n <= 1);
        let state_ok = collected && strict(STATE).as_deref() == Some(state.as_bytes());
        let code = strict(CODE)
            .and_then(|c| String::from_utf8(c).ok())
            .filter(|c| is_vschar_string(c));
        let accept =
            (state_ok && strict(P_ISS).as_deref() == Some(ISS.as_bytes()) && count[ERROR] == 0)
                .then_some(code)
                .flatten();
        Self { accept, state_ok }
    }
}

fn check_callback(
    input: &str,
    model: &CallbackModel,
    got: Result<pkce_flow::TokenExchange, pkce_flow::Rejected>,
) {
    match (got, &model.accept) {
        (Ok(mut exchange), Some(code)) => {
            // The code sent is the one in the query, decoded once.
            let Ok(Poll::Request(r)) = exchange.poll_output() else {
                panic!("an accepted callback did not lead to a token request");
            };
            assert_eq!(r.url(), TOKEN_ENDPOINT);
            let sent = Pairs::new(r.body())
                .find(|(n, _)| n.decoded_eq("code"))
                .and_then(|(_, v)| v.decode_string().ok());
            assert_eq!(
                sent.as_deref(),
                Some(code.as_str()),
                "code sent for {input:?}"
            );
        }
        (Ok(_), None) => panic!("callback accepted, but the model rejects it: {input:?}"),
        (Err(e), Some(_)) => panic!("callback rejected ({e}), but the model accepts it: {input:?}"),
        (Err(e), None) => {
            assert_inert(e.error());
            assert_eq!(
                e.is_recoverable(),
                !model.state_ok,
                "pending authorization {} after {e} for {input:?}",
                if e.is_recoverable() {
                    "kept"
                } else {
                    "consumed"
                }
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Reference models and shared checks.

const ALL_QUIRKS: [Quirk; 7] = [
    Quirk::StringExpiresIn,
    Quirk::ExpiresField,
    Quirk::MissingTokenType,
    Quirk::ErrorWith200,
    Quirk::Status201,
    Quirk::ScopeArray,
    Quirk::CommaScope,
];

fn all_quirks() -> QuirkSet {
    let mut set = QuirkSet::empty();
    for q in ALL_QUIRKS {
        set.insert(q);
    }
    set
}

fn response(status: u16, ct: u8, body: &[u8]) -> HttpResponse<'_> {
    let response = HttpResponse::new(status, body);
    match CONTENT_TYPES[usize::from(ct) % CONTENT_TYPES.len()] {
        Some(ct) => response.with_header("content-type", ct),
        None => response,
    }
}

/// `1*VSCHAR`: non-empty, every byte 0x20..=0x7E.
fn is_vschar_string(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

/// The members of an accepted body that the oracles cross-check, read by serde_json on its
/// own. Other members are skipped as the flow skips them (a number such as `1e400` in an
/// unknown member is valid JSON grammar and not an error).
///
/// One struct per response kind: a member the parser under test ignores may legitimately
/// repeat (only duplicates of *known* members are refused), so the reference parse
/// must know exactly the same members (a shared struct made a repeated `request_uri` in a
/// token response look like an oracle violation, found in a 10-minute run).
#[derive(serde::Deserialize)]
struct TokenMembers {
    access_token: Option<serde_json::Value>,
    token_type: Option<serde_json::Value>,
}

/// See [`TokenMembers`].
#[derive(serde::Deserialize)]
struct ParMembers {
    request_uri: Option<serde_json::Value>,
}

/// An accepted body must be UTF-8 JSON (RFC 8259 §8.1; one leading BOM
/// is skipped, policy P-13) holding one object.
fn json_members<T: serde::de::DeserializeOwned>(body: &[u8]) -> T {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if let Err(e) = std::str::from_utf8(body) {
        panic!("accepted a body that is not UTF-8: {e}");
    }
    match serde_json::from_slice(body) {
        Ok(members) => members,
        Err(e) => panic!("accepted a body that is not a JSON object: {e}"),
    }
}

/// Untrusted text is inert on display: no control character, and a bounded length
/// (server text is escaped and truncated on display).
fn assert_inert(e: &Error) {
    let shown = e.to_string();
    assert!(
        !shown.chars().any(char::is_control),
        "control character in error display: {shown:?}"
    );
    assert!(
        shown.len() <= 16 * 1024,
        "error display of {} bytes",
        shown.len()
    );
}

/// `&`-separated, empty sequences skipped, each split at its first `=`.
fn split_pairs(input: &[u8]) -> Vec<(&[u8], &[u8])> {
    input
        .split(|&b| b == b'&')
        .filter(|seq| !seq.is_empty())
        .map(|seq| match seq.iter().position(|&b| b == b'=') {
            Some(i) => (&seq[..i], &seq[i + 1..]),
            None => (seq, &[][..]),
        })
        .collect()
}

fn hex_pair(h: Option<&u8>, l: Option<&u8>) -> Option<u8> {
    let h = char::from(*h?).to_digit(16)?;
    let l = char::from(*l?).to_digit(16)?;
    u8::try_from(h * 16 + l).ok()
}

/// WHATWG `application/x-www-form-urlencoded` percent-decoding: `+` is a space, `%XX` an
/// octet, any other `%` stays literal.
fn lenient_decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match (b, hex_pair(raw.get(i + 1), raw.get(i + 2))) {
            (b'%', Some(octet)) => {
                out.push(octet);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Strict decoding (policy P-12): `None` when a `%` is not followed by two hex digits.
fn strict_decode(raw: &[u8]) -> Option<Vec<u8>> {
    let bad_escape = raw
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'%' && hex_pair(raw.get(i + 1), raw.get(i + 2)).is_none());
    // A `%` inside a valid escape (`%%41`?) cannot occur: a valid escape's digits are hex.
    (!bad_escape).then(|| lenient_decode(raw))
}

/// The loopback redirect listener deciding what to do with arbitrary bytes received on its
/// socket (`pkce_loopback::route`). Oracle: nothing reaches the callback check unless
/// an independent reading of the head finds a `GET` of exactly `/callback`, one `Host`
/// header equal to the bound authority, and the query the router hands over is the one in
/// the request line. Routing never allocates (httparse works in place).
pub fn loopback_head(data: &[u8]) {
    use pkce_loopback::{Route, route};
    const AUTHORITY: &str = "127.0.0.1:5000";
    match route(data, AUTHORITY, "/callback") {
        Route::Stray { status, .. } => {
            assert!(matches!(status, 400 | 404 | 405), "status {status}")
        }
        Route::Callback { query } => {
            // The head ends at the first empty line; lines end in LF with an optional CR
            // before it (httparse accepts both). What follows is body, never looked at.
            // Empty lines before the request line are skipped (RFC 9112 §2.2).
            let mut lines = data
                .split(|&b| b == b'\n')
                .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
                .skip_while(|l| l.is_empty());
            let request_line =
                String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
            let target = request_line
                .strip_prefix("GET ")
                .and_then(|r| r.split(' ').next())
                .unwrap_or_default();
            let (path, q) = target.split_once('?').unwrap_or((target, ""));
            assert_eq!(path, "/callback", "routed a request for {target:?}");
            assert_eq!(q, query, "the query handed over is not the request line's");
            let hosts: Vec<String> = lines
                .take_while(|l| !l.is_empty())
                .map(String::from_utf8_lossy)
                .filter_map(|l| {
                    l.split_once(':')
                        .map(|(n, v)| (n.to_owned(), v.trim_matches([' ', '\t']).to_owned()))
                })
                .filter(|(n, _)| n.eq_ignore_ascii_case("host"))
                .map(|(_, v)| v)
                .collect();
            assert_eq!(hosts, [AUTHORITY], "routed with Host headers {hosts:?}");
        }
    }
}
