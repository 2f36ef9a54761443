//! `pkce demo`: the whole flow, narrated, against the built-in strict authorization server
//! (pkce-testkit) on loopback, with a scripted browser. Exit 0 only if every step passed.

use std::time::Duration;

use pkce_flow::bearer::BearerErrorCode;
use pkce_flow::pkce_core::form::Pairs;
use pkce_flow::{Client, DiscoveryKind, Error, LoopbackHttp, TokenErrorCode};
use pkce_testkit::{AuthServer, UserAgent, clients};
use pkce_ureq::Transport;

use crate::cli::DemoArgs;
use crate::failure::Failure;
use crate::narrate::Narrator;
use pkce_loopback::{Listener, LoopbackHost, WaitError};

const STEPS: usize = 12;

struct Steps {
    n: usize,
}

impl Steps {
    fn next(&mut self, title: &str) {
        self.n += 1;
        println!("\n[{}/{STEPS}] {title}", self.n);
    }
}

fn detail(text: &str) {
    println!("      {text}");
}

fn ok(text: &str) {
    println!("   ✓  {text}");
}

fn fail(text: &str) -> Failure {
    println!("   ✗  {text}");
    Failure::new(text.to_owned())
}

pub(crate) fn run(args: &DemoArgs) -> Result<(), Failure> {
    let narrator = Narrator {
        verbose: args.verbose,
    };
    let mut steps = Steps { n: 0 };
    println!(
        "pkce demo: OAuth 2.0 Authorization Code + PKCE, end to end, over real HTTP on 127.0.0.1"
    );

    steps.next("Start a strict authorization server on loopback (pkce-testkit)");
    let server =
        AuthServer::start().map_err(|e| fail(&format!("could not start the server: {e}")))?;
    detail(&format!("issuer {}", server.issuer()));
    ok("listening");

    steps.next("Discover its metadata (RFC 8414, falling back to OpenID Connect Discovery)");
    let transport = Transport::new()?;
    let discovery = pkce_flow::Discovery::new(
        server.issuer(),
        DiscoveryKind::Probe,
        LoopbackHttp::DangerouslyAllow,
    )?;
    let md = transport.drive(narrator.wrap(discovery))?;
    detail(&format!(
        "authorization endpoint  {}",
        md.authorization_endpoint
    ));
    detail(&format!("token endpoint          {}", md.token_endpoint));
    detail(&format!(
        "PKCE methods            {:?}",
        md.code_challenge_methods_supported
            .as_deref()
            .unwrap_or(&[])
    ));
    detail(&format!(
        "sends iss (RFC 9207)    {}",
        md.authorization_response_iss_parameter_supported
    ));
    ok("the document's issuer equals the issuer asked for, byte for byte");

    steps.next("Bind the loopback redirect listener, then build the authorization URL");
    let listener = Listener::bind(LoopbackHost::V4, 0, "/callback")
        .map_err(|e| fail(&format!("bind: {e}")))?;
    let redirect_uri = listener.redirect_uri().to_owned();
    let client = Client::builder(clients::PUBLIC_ID)
        .metadata(&md)
        .redirect_uri(&redirect_uri)
        .scopes("openid profile")
        .dangerous_allow_insecure_loopback()
        .build()?;
    let (url, pending) = client.authorize_with_os_rng()?;
    let query = url.as_str().split_once('?').map_or("", |(_, q)| q);
    for (name, value) in Pairs::new(query.as_bytes()) {
        let name = name.decode_lossy();
        let shown = if name == "state" {
            format!("<{} random characters>", value.decoded_len())
        } else {
            value.decode_lossy()
        };
        detail(&format!("{name:<22}  {shown}"));
    }
    detail("code_verifier           <43 characters, kept secret until the token request>");
    ok(&format!(
        "redirect URI {redirect_uri} (the port actually bound)"
    ));

    steps.next("The user logs in and consents (a scripted browser plays the user)");
    let callback = UserAgent::new()
        .approve(url.as_str())
        .map_err(|e| fail(&format!("browser: {e}")))?;
    let real_state = pkce_flow::callback_state(callback.split_once('?').map_or("", |(_, q)| q))
        .unwrap_or_default();
    let forged = callback.replace(
        &format!("state={real_state}"),
        "state=forged-by-an-attacker",
    );
    let base = redirect_uri.trim_end_matches("/callback").to_owned();
    ok("the server redirected the browser back to the listener with code, state and iss");

    steps.next("The listener ignores stray and forged requests, then takes the real callback");
    let browser = std::thread::spawn(move || {
        let ua = UserAgent::new();
        let stray = ua.deliver(&format!("{base}/favicon.ico")).map(|(s, _)| s);
        let forged = ua.deliver(&forged).map(|(s, _)| s);
        let real = ua.deliver(&callback).map(|(s, _)| s);
        (stray, forged, real)
    });
    let waited = listener.wait_with(pending, Duration::from_secs(30), |status, why| {
        detail(&format!("ignored: {why} → HTTP {status}"));
    });
    let (stray, forged, real) = browser
        .join()
        .map_err(|_| fail("the scripted browser thread failed"))?;
    let exchange = match waited {
        Ok(e) => e,
        Err(WaitError::Rejected(r)) => return Err(fail(&format!("callback refused: {r}"))),
        Err(e) => return Err(fail(&format!("listener: {e}"))),
    };
    if (stray.ok(), forged.ok(), real.ok()) != (Some(404), Some(400), Some(200)) {
        return Err(fail(
            "the listener's answers were not 404 (favicon), 400 (forged), 200 (real)",
        ));
    }
    ok("state matched in constant time; iss matched the issuer; a TokenExchange exists only now");

    steps.next("Exchange the code (with the PKCE verifier) for tokens");
    let tokens = transport.drive(narrator.wrap(exchange))?;
    detail(&format!(
        "token_type {}, expires_in {:?} s",
        tokens.token_type(),
        tokens.expires_in()
    ));
    detail(&format!(
        "access token: {} characters; refresh token: {}",
        tokens.access_token().expose_secret().len(),
        if tokens.refresh_token().is_some() {
            "issued"
        } else {
            "none"
        }
    ));
    ok("the server checked SHA-256(verifier) against the challenge");

    steps.next("Call a protected resource with the access token (RFC 6750 Bearer)");
    let userinfo = md
        .userinfo_endpoint
        .clone()
        .ok_or_else(|| fail("no userinfo endpoint"))?;
    let answer = transport.bearer_get(&userinfo, tokens.access_token())?;
    if answer.status != 200 {
        return Err(fail(&format!("userinfo answered {}", answer.status)));
    }
    ok(&format!(
        "GET {userinfo} → 200 ({} bytes)",
        answer.body.len()
    ));

    steps.next("Refresh the tokens; the server rotates the refresh token");
    let old = tokens
        .refresh_token()
        .cloned()
        .ok_or_else(|| fail("no refresh token to refresh with"))?;
    let refreshed = transport.drive(narrator.wrap(client.refresh(&old)))?;
    if !refreshed.rotated() {
        return Err(fail("the refresh token was not rotated"));
    }
    let works = transport.bearer_get(&userinfo, refreshed.access_token())?;
    if works.status != 200 {
        return Err(fail(&format!(
            "the new access token got HTTP {}",
            works.status
        )));
    }
    ok("new access token (it works: userinfo 200) and a new refresh token (rotated)");

    steps.next("Revoke the new refresh token (RFC 7009); its grant's access token stops working");
    let newest = refreshed
        .refresh_token()
        .cloned()
        .ok_or_else(|| fail("no refresh token"))?;
    transport.drive(narrator.wrap(client.revoke_refresh_token(&newest)?))?;
    let after = transport.bearer_get(&userinfo, refreshed.access_token())?;
    let invalid = after.challenge.as_ref().and_then(|c| c.error.as_ref())
        == Some(&BearerErrorCode::InvalidToken);
    if after.status != 401 || !invalid {
        return Err(fail(&format!(
            "after revocation userinfo answered {}",
            after.status
        )));
    }
    ok("revoked; the resource now answers 401 with error=\"invalid_token\"");

    steps.next("Try the rotated-out refresh token: it must be refused");
    match transport.drive(narrator.wrap(client.refresh(&old))) {
        Err(pkce_ureq::Error::Flow(Error::Token(e))) if e.code == TokenErrorCode::InvalidGrant => {
            ok(&format!("refused: {e}"));
        }
        Ok(_) => return Err(fail("a rotated-out refresh token still worked")),
        Err(e) => return Err(fail(&format!("unexpected: {e}"))),
    }

    steps.next("Several processes share one stored session and ask at the same expiry");
    let shared = crate::demo_sessions::run()?;
    detail(&format!(
        "{} `pkce` processes, one file session (0600, OS file lock per session), tokens living 1 s",
        crate::demo_sessions::WORKERS
    ));
    detail(&format!(
        "refreshes the server saw: {}; refresh tokens used twice: {}",
        shared.refreshes, shared.reuses
    ));
    if shared.accepted != crate::demo_sessions::WORKERS
        || shared.refreshes != 1
        || shared.reuses != 0
    {
        return Err(fail("the processes did not share one refresh"));
    }
    ok("one refresh under the session's lock; the others re-read and adopted its token");

    steps.next("Bind the tokens to a key (DPoP, RFC 9449) at a server that requires its nonce");
    let dpop = crate::demo_dpop::run()?;
    detail(&format!(
        "token requests: {} (the first refused with use_dpop_nonce, sent once more with the nonce)",
        dpop.token_requests
    ));
    if dpop.token_requests != 2 || dpop.token_type != "DPoP" || dpop.with_key != 200 {
        return Err(fail("the DPoP login did not answer one nonce challenge"));
    }
    if dpop.stolen != 401 {
        return Err(fail("the DPoP-bound token worked without the key"));
    }
    ok("token_type DPoP; userinfo 200 with a proof; the same token without the key: 401");

    println!("\nAll {STEPS} steps passed.");
    drop(server);
    Ok(())
}
