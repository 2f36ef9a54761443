//! The DPoP targets: `DPoP-Nonce` values and `WWW-Authenticate` values with a `DPoP`
//! challenge (RFC 9449 §7-§9), each against a reference model written here.

use pkce_flow::HttpResponse;
use pkce_flow::bearer::{MAX_CHALLENGE_BYTES, parse_challenges};
use pkce_flow::dpop::{
    self as flow, DpopError, DpopErrorCode, DpopNonce, DpopServer, MAX_NONCE_BYTES, NonceError,
    NonceMemory, nonce_retry,
};

/// The parameters a `DPoP` challenge reads.
const DPOP_PARAMS: [&str; 5] = ["algs", "error", "error_description", "realm", "scope"];

/// `DpopNonce::parse` is `Ok` ⇔ the value without surrounding SP/HTAB is 1..=MAX bytes of
/// `%x21 / %x23-5B / %x5D-7E`; an accepted nonce round-trips, and the response paths
/// (`from_response`, `nonce_retry`, `NonceMemory`) agree with `parse`.
pub fn dpop_nonce(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let trimmed = s.trim_matches([' ', '\t']);
    let nqchar = |b: u8| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b);
    let want = if trimmed.len() > MAX_NONCE_BYTES {
        Err(NonceError::TooLarge)
    } else if trimmed.is_empty() {
        Err(NonceError::Empty)
    } else if !trimmed.bytes().all(nqchar) {
        Err(NonceError::InvalidCharacter)
    } else {
        Ok(trimmed)
    };
    let got = DpopNonce::parse(&s);
    assert_eq!(
        got.as_ref().map(DpopNonce::as_str).map_err(|e| *e),
        want,
        "{s:?}"
    );

    let body = br#"{"error":"use_dpop_nonce"}"#;
    let response = HttpResponse::new(400, body)
        .with_header("Content-Type", "application/json")
        .with_header("DPoP-Nonce", &s);
    assert_eq!(DpopNonce::from_response(&response), got.clone().map(Some));
    let retry = nonce_retry(DpopServer::AuthorizationServer, &response);
    assert_eq!(
        retry,
        got.clone().map(Some).map_err(DpopError::InvalidNonce)
    );

    let mut memory = NonceMemory::new();
    let url = "https://as.example/token";
    let updated = memory.update(url, &response);
    match &got {
        Ok(nonce) => {
            assert_eq!(
                DpopNonce::parse(nonce.as_str()).as_ref(),
                Ok(nonce),
                "round trip"
            );
            assert_eq!(updated, Ok(true));
            assert_eq!(memory.get("https://AS.example:443/par"), Some(nonce));
        }
        Err(e) => {
            assert_eq!(updated, Err(DpopError::InvalidNonce(*e)));
            assert_eq!(memory.get(url), None, "a refused value is never remembered");
            assert_inert(&DpopError::InvalidNonce(*e));
        }
    }
}

/// `dpop_challenge([s])` agrees with the challenges `parse_challenges([s])` sees: `Ok(Some)`
/// only with a DPoP challenge whose parameters are not repeated and equal the fields;
/// `Ok(None)` only without one; an error only on a parse error, a repeat or the size cap.
/// `nonce_retry` on a 401 carrying the value asks for a retry only when that DPoP challenge
/// says `error="use_dpop_nonce"`.
pub fn dpop_challenge(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let got = flow::dpop_challenge([&*s]);
    let all = parse_challenges([&*s]);
    let dpop = all
        .as_ref()
        .ok()
        .map(|all| all.iter().find(|c| c.scheme.eq_ignore_ascii_case("dpop")));
    let repeated = |params: &[(String, String)]| {
        DPOP_PARAMS
            .iter()
            .any(|name| params.iter().filter(|(k, _)| k == name).count() > 1)
    };
    match &got {
        Ok(Some(c)) => {
            let Some(Some(ch)) = dpop else {
                panic!("a DPoP challenge that parse_challenges does not see: {s:?}");
            };
            assert!(
                !repeated(&ch.params),
                "a repeated parameter accepted: {s:?}"
            );
            let value = |k: &str| {
                ch.params
                    .iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.as_str())
            };
            let words = |k: &str| -> Vec<&str> {
                value(k)
                    .map(|v| v.split(' ').filter(|t| !t.is_empty()).collect())
                    .unwrap_or_default()
            };
            assert_eq!(c.algs, words("algs"));
            assert_eq!(c.scope, words("scope"));
            assert_eq!(c.realm.as_ref().map(|r| r.raw()), value("realm"));
            assert_eq!(
                c.error_description.as_ref().map(|r| r.raw()),
                value("error_description")
            );
            assert_eq!(c.error.is_some(), value("error").is_some());
            assert_eq!(
                c.error == Some(DpopErrorCode::UseDpopNonce),
                value("error") == Some("use_dpop_nonce")
            );
        }
        Ok(None) => assert!(matches!(dpop, Some(None)), "DPoP missed: {s:?}"),
        Err(DpopError::ChallengeTooLarge) => assert!(s.len() > MAX_CHALLENGE_BYTES),
        Err(e @ DpopError::MalformedChallenge) => {
            assert_inert(e);
            match dpop {
                None => {}
                Some(Some(ch)) => {
                    assert!(repeated(&ch.params), "failed on a clean challenge: {s:?}")
                }
                Some(None) => panic!("failed ({e}) without a DPoP challenge: {s:?}"),
            }
        }
        Err(e) => panic!("unexpected error {e:?}: {s:?}"),
    }

    let response = HttpResponse::new(401, b"")
        .with_header("WWW-Authenticate", &s)
        .with_header("DPoP-Nonce", "n1");
    let asks = matches!(&got, Ok(Some(c)) if c.error == Some(DpopErrorCode::UseDpopNonce));
    match nonce_retry(DpopServer::ResourceServer, &response) {
        Ok(Some(nonce)) => {
            assert!(
                asks,
                "a nonce retry without a DPoP use_dpop_nonce challenge: {s:?}"
            );
            assert_eq!(nonce.as_str(), "n1");
        }
        Ok(None) => assert!(!asks && got.is_ok(), "{s:?}"),
        Err(e) => assert_eq!(Err(e), got.map(|_| ()), "{s:?}"),
    }
}

/// An error's `Display` holds no control character and stays short.
fn assert_inert(e: &DpopError) {
    let shown = e.to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
    assert!(shown.len() <= 256, "{shown:?}");
}
