//! Property tests with oracles: any callback either validates or gives a typed error, and the
//! authorization URL always parses back to exactly the parameters given.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use proptest::prelude::*;

fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_=&%+.~-]{0,24}",
        any::<String>().prop_map(|s| s.chars().take(24).collect()),
        Just("state".to_owned()),
        Just("code".to_owned()),
        Just("iss".to_owned()),
        Just("error".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Oracle: success only when the query decodes to exactly one non-empty VSCHAR code, the
    /// real state once, the right iss once, and no error.
    #[test]
    fn any_callback_validates_or_is_a_typed_error(
        pairs_in in proptest::collection::vec((component(), component()), 0..6),
        include_state in any::<bool>(),
        include_iss in any::<bool>(),
    ) {
        let (_, pending) = client().authorize(&mut rng()).unwrap();
        let s = pending.state().expose_secret().to_owned();
        let mut parts: Vec<String> = pairs_in.iter().map(|(n, v)| format!("{n}={v}")).collect();
        if include_state { parts.push(format!("state={s}")); }
        if include_iss { parts.push("iss=https%3A%2F%2Fas.example".into()); }
        let query = parts.join("&");
        let result = pending.callback(&query);
        if result.is_ok() {
            let p = pkce_flow::pkce_core::form::Pairs::new(query.as_bytes());
            let mut states = 0; let mut codes = 0; let mut errors = 0;
            for (n, v) in p {
                if n.decoded_eq("state") { states += 1; prop_assert!(v.decoded_eq(&s)); }
                if n.decoded_eq("code") { codes += 1; prop_assert!(!v.is_empty()); }
                if n.decoded_eq("error") { errors += 1; }
            }
            prop_assert_eq!((states, codes, errors), (1, 1, 0));
        }
    }

    /// Oracle: the `form_urlencoded` crate's parser.
    #[test]
    fn authorization_url_parses_back_to_exactly_the_parameters(
        scope in "[a-z]{1,8}( [a-z:/.]{1,8}){0,3}",
        prompt in any::<String>(),
        resource in "[ -~]{1,30}",
    ) {
        let c = builder().scopes(&scope).authorization_param("prompt", &prompt).resource(&resource).build().unwrap();
        let (url, pending) = c.authorize(&mut rng()).unwrap();
        let got: Vec<(String, String)> = form_urlencoded::parse(query_of(url.as_str()).as_bytes()).into_owned().collect();
        let challenge = pending_challenge(&got);
        let want = vec![
            ("response_type".to_owned(), "code".to_owned()),
            ("client_id".into(), "s6BhdRkqt3".into()),
            ("redirect_uri".into(), REDIRECT.into()),
            ("scope".into(), format!("openid profile {scope}")),
            ("state".into(), pending.state().expose_secret().into()),
            ("code_challenge".into(), challenge),
            ("code_challenge_method".into(), "S256".into()),
            // `openid` is in the scope: the OpenID Connect nonce is sent.
            ("nonce".into(), pending.nonce().unwrap().expose_secret().into()),
            ("prompt".into(), prompt.clone()),
            ("resource".into(), resource.clone()),
        ];
        prop_assert_eq!(got, want);
    }
}

fn pending_challenge(got: &[(String, String)]) -> String {
    got.iter()
        .find(|(n, _)| n == "code_challenge")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The auth method's credentials as body pairs (none for Basic).
fn credentials(method: u8) -> (pkce_flow::ClientBuilder, Vec<(String, String)>) {
    let id = ("client_id".to_owned(), "s6BhdRkqt3".to_owned());
    match method % 3 {
        0 => (builder(), vec![id]),
        1 => (
            builder().client_secret_basic(pkce_flow::ClientSecret::new("gX1f&B =t3".into())),
            vec![],
        ),
        _ => (
            builder().client_secret_post(pkce_flow::ClientSecret::new("7F%jf+p0 &x".into())),
            vec![id, ("client_secret".into(), "7F%jf+p0 &x".into())],
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Oracle: the `form_urlencoded` crate's parser. The code exchange and refresh bodies,
    /// written from parts encoded at `build`, decode to exactly these parameters in order.
    #[test]
    fn token_request_bodies_parse_back_to_exactly_the_parameters(
        code in "[ -~]{1,40}",
        extra in "[ -~]{0,20}",
        refresh in "[ -~]{1,40}",
        path in "[a-z0-9._~-]{0,12}",
        method in any::<u8>(),
    ) {
        let redirect = format!("http://127.0.0.1:51004/cb{path}");
        let (b, creds) = credentials(method);
        let c = b.redirect_uri(&redirect).token_param("x_t", &extra).refresh_param("x_r", &extra).build().unwrap();
        let (url, pending) = c.authorize(&mut rng()).unwrap();
        let query = format!(
            "code={}&state={}&iss=https%3A%2F%2Fas.example",
            form_urlencoded::byte_serialize(code.as_bytes()).collect::<String>(),
            pending.state().expose_secret(),
        );
        let mut exchange = pending.callback(&query).unwrap();
        let req = request_of(&mut exchange);
        let got: Vec<(String, String)> = form_urlencoded::parse(req.body()).into_owned().collect();
        let verifier = got.iter().find(|(n, _)| n == "code_verifier").map(|(_, v)| v.clone()).unwrap_or_default();
        let mut want = vec![
            ("grant_type".to_owned(), "authorization_code".to_owned()),
            ("code".into(), code.clone()),
            ("redirect_uri".into(), redirect.clone()),
            ("code_verifier".into(), verifier.clone()),
            ("x_t".into(), extra.clone()),
        ];
        want.extend(creds.iter().cloned());
        prop_assert_eq!(got, want);
        // The verifier is the one whose challenge went out in the URL.
        let sent: Vec<(String, String)> = form_urlencoded::parse(query_of(url.as_str()).as_bytes()).into_owned().collect();
        let challenge = pkce_flow::pkce_core::CodeChallenge::parse(&pending_challenge(&sent)).unwrap();
        prop_assert!(challenge.is_satisfied_by(&verifier));

        let rt = pkce_flow::RefreshToken::new(refresh.clone());
        let req = request_of(&mut c.refresh_with_scope(&rt, "openid").unwrap());
        let got: Vec<(String, String)> = form_urlencoded::parse(req.body()).into_owned().collect();
        let mut want = vec![
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            ("refresh_token".into(), refresh.clone()),
            ("scope".into(), "openid".into()),
            ("x_r".into(), extra.clone()),
        ];
        want.extend(creds);
        prop_assert_eq!(got, want);
    }
}
