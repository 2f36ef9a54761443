//! The flows end to end: code exchange for each client kind, discovery, refresh, revocation,
//! PAR, OAuth errors, a protected resource, and the generic loop.

#[allow(clippy::wildcard_imports)]
use super::*;

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
