//! What servers answer about DPoP (RFC 9449 §7-§9): `DPoP-Nonce` values, `DPoP` challenges
//! among others, the `use_dpop_nonce` decision and the per-origin nonce memory. Hostile
//! values give typed errors, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pkce_flow::HttpResponse;
use pkce_flow::dpop::{
    DpopChallenge, DpopError, DpopErrorCode, DpopNonce, DpopServer, MAX_NONCE_BYTES, NonceError,
    NonceMemory, dpop_challenge, nonce_retry, origin_of,
};

fn nonce(s: &str) -> DpopNonce {
    DpopNonce::parse(s).unwrap()
}

#[test]
fn nonces_of_nqchars_are_accepted_and_kept_as_sent() {
    for n in [
        "eyJ7S_zG.eyJH0-Z.HX4w-7v",
        "!",
        "~",
        "a#[]{}'/",
        &"x".repeat(MAX_NONCE_BYTES),
    ] {
        assert_eq!(nonce(n).as_str(), n);
    }
    assert_eq!(
        nonce(" \tabc\t ").as_str(),
        "abc",
        "surrounding whitespace is not the value"
    );
}

#[test]
fn malformed_nonces_are_refused_with_their_reason() {
    let cases: [(&str, NonceError); 10] = [
        ("", NonceError::Empty),
        ("  \t", NonceError::Empty),
        ("a b", NonceError::InvalidCharacter),
        ("a\"b", NonceError::InvalidCharacter),
        ("\"abc\"", NonceError::InvalidCharacter),
        ("a\\b", NonceError::InvalidCharacter),
        ("abc\r\nSet-Cookie: x=1", NonceError::InvalidCharacter),
        ("nönce", NonceError::InvalidCharacter),
        ("a\u{0}b", NonceError::InvalidCharacter),
        ("a\u{7f}", NonceError::InvalidCharacter),
    ];
    for (value, reason) in cases {
        assert_eq!(DpopNonce::parse(value).err(), Some(reason), "{value:?}");
    }
    let huge = "n".repeat(1024 * 1024);
    assert_eq!(DpopNonce::parse(&huge).err(), Some(NonceError::TooLarge));
    let one_over = "n".repeat(MAX_NONCE_BYTES + 1);
    assert_eq!(
        DpopNonce::parse(&one_over).err(),
        Some(NonceError::TooLarge)
    );
}

#[test]
fn a_response_with_two_nonces_is_refused() {
    let r = HttpResponse::new(200, b"")
        .with_header("DPoP-Nonce", "a")
        .with_header("dpop-nonce", "b");
    assert_eq!(DpopNonce::from_response(&r), Err(NonceError::Repeated));
    let none = HttpResponse::new(200, b"");
    assert_eq!(DpopNonce::from_response(&none), Ok(None));
}

fn challenge(values: &[&str]) -> Option<DpopChallenge> {
    dpop_challenge(values.iter().copied()).unwrap()
}

#[test]
fn the_dpop_challenge_is_found_beside_bearer_in_either_order() {
    for value in [
        r#"DPoP algs="ES256 PS256", Bearer realm="api""#,
        r#"Bearer realm="api", DPoP algs="ES256 PS256""#,
        r#"Bearer realm="api", error="invalid_token", DPoP algs="ES256 PS256""#,
    ] {
        let c = challenge(&[value]).expect(value);
        assert_eq!(c.algs, ["ES256", "PS256"], "{value}");
        assert_eq!(c.error, None);
        assert!(c.realm.is_none(), "Bearer's realm is not DPoP's: {value}");
    }
    let split = challenge(&["Bearer realm=\"api\"", "DPoP algs=ES256"]).unwrap();
    assert_eq!(split.algs, ["ES256"], "two header fields");
}

#[test]
fn scheme_names_are_case_insensitive() {
    for scheme in ["DPoP", "dpop", "DPOP", "dPoP"] {
        let c = challenge(&[&format!(r#"{scheme} error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#)]).unwrap();
        assert_eq!(c.error, Some(DpopErrorCode::UseDpopNonce), "{scheme}");
        assert_eq!(
            c.error_description.unwrap().raw(),
            "Resource server requires nonce in DPoP proof"
        );
    }
}

#[test]
fn challenges_without_dpop_or_with_bad_syntax() {
    assert_eq!(challenge(&[r#"Bearer error="use_dpop_nonce""#]), None);
    assert_eq!(challenge(&[]), None);
    assert_eq!(challenge(&["DPoPx algs=ES256"]), None, "another scheme");
    for bad in [
        r#"DPoP algs="ES256", algs="RS256""#,
        r#"DPoP error="use_dpop_nonce", error="invalid_token""#,
        r#"DPoP error="unterminated"#,
        r#"DPoP algs="ES256" junk"#,
        r#"=DPoP"#,
    ] {
        assert_eq!(
            dpop_challenge([bad]),
            Err(DpopError::MalformedChallenge),
            "{bad}"
        );
    }
    let huge = format!("DPoP algs=\"{}\"", "a".repeat(20 * 1024));
    assert_eq!(
        dpop_challenge([huge.as_str()]),
        Err(DpopError::ChallengeTooLarge)
    );
}

#[test]
fn every_dpop_error_code_is_named_and_unknown_ones_are_kept() {
    let code = |v: &str| {
        challenge(&[&format!("DPoP error=\"{v}\"")])
            .unwrap()
            .error
            .unwrap()
    };
    assert_eq!(code("invalid_dpop_proof"), DpopErrorCode::InvalidDpopProof);
    assert_eq!(code("invalid_token"), DpopErrorCode::InvalidToken);
    assert_eq!(code("invalid_request"), DpopErrorCode::InvalidRequest);
    assert_eq!(code("insufficient_scope"), DpopErrorCode::InsufficientScope);
    assert!(
        matches!(code("USE_DPOP_NONCE"), DpopErrorCode::Other(t) if t.raw() == "USE_DPOP_NONCE")
    );
}

const AS: DpopServer = DpopServer::AuthorizationServer;
const RS: DpopServer = DpopServer::ResourceServer;
const USE_NONCE: &[u8] = br#"{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof"}"#;

fn as_answer<'a>(status: u16, body: &'a [u8], nonce: Option<&'a str>) -> HttpResponse<'a> {
    let r = HttpResponse::new(status, body).with_header("Content-Type", "application/json");
    match nonce {
        Some(n) => r.with_header("DPoP-Nonce", n),
        None => r,
    }
}

#[test]
fn an_authorization_server_nonce_answer_gives_the_nonce_to_retry_with() {
    let r = as_answer(400, USE_NONCE, Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"));
    assert_eq!(
        nonce_retry(AS, &r),
        Ok(Some(nonce("eyJ7S_zG.eyJH0-Z.HX4w-7v")))
    );
    assert_eq!(
        nonce_retry(RS, &r),
        Ok(None),
        "a resource server asks with 401 and a challenge"
    );
}

#[test]
fn other_authorization_server_answers_are_not_nonce_answers() {
    let n = Some("n1");
    for r in [
        as_answer(400, br#"{"error":"invalid_grant"}"#, n),
        as_answer(401, USE_NONCE, n),
        as_answer(200, br#"{"access_token":"a","token_type":"DPoP"}"#, n),
        as_answer(400, b"use_dpop_nonce", n),
        as_answer(400, br#"{"error":["use_dpop_nonce"]}"#, n),
        HttpResponse::new(400, USE_NONCE).with_header("DPoP-Nonce", "n1"),
    ] {
        assert_eq!(nonce_retry(AS, &r), Ok(None), "{r:?}");
    }
}

#[test]
fn a_nonce_answer_without_a_usable_nonce_is_an_error() {
    assert_eq!(
        nonce_retry(AS, &as_answer(400, USE_NONCE, None)),
        Err(DpopError::NonceMissing)
    );
    let crlf = as_answer(400, USE_NONCE, Some("n1\r\nX-Injected: 1"));
    let err = nonce_retry(AS, &crlf).unwrap_err();
    assert_eq!(err, DpopError::InvalidNonce(NonceError::InvalidCharacter));
    assert!(!err.to_string().contains("n1"), "the value is not echoed");
    let long = "n".repeat(1024 * 1024);
    assert_eq!(
        nonce_retry(AS, &as_answer(400, USE_NONCE, Some(&long))),
        Err(DpopError::InvalidNonce(NonceError::TooLarge))
    );
}

#[test]
fn a_resource_server_nonce_answer_gives_the_nonce_to_retry_with() {
    for www in [
        r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#,
        r#"Bearer realm="api", dpop algs="ES256", error="use_dpop_nonce""#,
    ] {
        let r = HttpResponse::new(401, b"")
            .with_header("WWW-Authenticate", www)
            .with_header("DPoP-Nonce", "eyJ7S_zG");
        assert_eq!(nonce_retry(RS, &r), Ok(Some(nonce("eyJ7S_zG"))), "{www}");
        assert_eq!(nonce_retry(AS, &r), Ok(None));
    }
}

#[test]
fn other_resource_server_answers_are_not_nonce_answers() {
    let with = |status, www| {
        HttpResponse::new(status, b"")
            .with_header("WWW-Authenticate", www)
            .with_header("DPoP-Nonce", "n1")
    };
    for r in [
        with(401, r#"Bearer error="use_dpop_nonce""#),
        with(401, r#"DPoP error="invalid_token""#),
        with(403, r#"DPoP error="use_dpop_nonce""#),
        HttpResponse::new(401, b"").with_header("DPoP-Nonce", "n1"),
    ] {
        assert_eq!(nonce_retry(RS, &r), Ok(None), "{r:?}");
    }
    let bad = with(401, r#"DPoP error="use_dpop_nonce", error="x""#);
    assert_eq!(nonce_retry(RS, &bad), Err(DpopError::MalformedChallenge));
    let missing = HttpResponse::new(401, b"")
        .with_header("WWW-Authenticate", r#"DPoP error="use_dpop_nonce""#);
    assert_eq!(nonce_retry(RS, &missing), Err(DpopError::NonceMissing));
}

#[test]
fn origins_are_scheme_host_and_port() {
    assert_eq!(
        origin_of("https://AS.example/token?x=1").unwrap(),
        "https://as.example:443"
    );
    assert_eq!(
        origin_of("http://127.0.0.1:8080/").unwrap(),
        "http://127.0.0.1:8080"
    );
    assert_eq!(origin_of("https://[::1]:9/x").unwrap(), "https://[::1]:9");
    assert_eq!(origin_of("/token"), Err(DpopError::InvalidUrl));
    assert_eq!(origin_of("urn:x:y"), Err(DpopError::InvalidUrl));
}

#[test]
fn any_response_updates_the_nonce_of_its_origin_only() {
    let mut memory = NonceMemory::new();
    let ok = HttpResponse::new(200, b"").with_header("DPoP-Nonce", "n1");
    assert_eq!(memory.update("https://as.example/token", &ok), Ok(true));
    assert_eq!(
        memory.get("https://AS.example:443/par"),
        Some(&nonce("n1")),
        "same origin"
    );
    assert_eq!(
        memory.get("https://as.example:8443/par"),
        None,
        "another port"
    );
    assert_eq!(memory.get("http://as.example/par"), None, "another scheme");
    assert_eq!(memory.get("https://rs.example/api"), None);

    let rotated = HttpResponse::new(401, b"").with_header("DPoP-Nonce", "n2");
    assert_eq!(memory.update("https://as.example/par", &rotated), Ok(true));
    assert_eq!(memory.get("https://as.example/token"), Some(&nonce("n2")));

    let silent = HttpResponse::new(200, b"");
    assert_eq!(
        memory.update("https://as.example/token", &silent),
        Ok(false)
    );
    let bad = HttpResponse::new(200, b"").with_header("DPoP-Nonce", "bad nonce");
    assert_eq!(
        memory.update("https://as.example/token", &bad),
        Err(DpopError::InvalidNonce(NonceError::InvalidCharacter))
    );
    assert_eq!(
        memory.get("https://as.example/token"),
        Some(&nonce("n2")),
        "kept"
    );
}

#[test]
fn the_memory_holds_a_bounded_number_of_origins() {
    let mut memory = NonceMemory::new();
    for port in 1..=100u16 {
        memory
            .remember(&format!("https://as.example:{port}/"), nonce("n"))
            .unwrap();
    }
    assert_eq!(memory.get("https://as.example:100/"), Some(&nonce("n")));
    assert_eq!(
        memory.get("https://as.example:1/"),
        None,
        "the one remembered longest ago went"
    );
}

#[test]
fn a_nonce_that_is_not_utf8_is_refused_not_taken_as_absent() {
    let mut r = HttpResponse::new(200, b"");
    r.push_header_bytes("DPoP-Nonce", b"abc\xff");
    assert_eq!(
        DpopNonce::from_response(&r),
        Err(NonceError::InvalidCharacter)
    );
}
