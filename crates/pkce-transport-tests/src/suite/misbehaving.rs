//! A token endpoint told to misbehave: redirects, huge and endless bodies, stalls, resets,
//! wrong media types, broken JSON, error statuses and the quirks that tolerate deviations.

#[allow(clippy::wildcard_imports)]
use super::*;

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

pub fn token_redirect_302_is_not_followed<D: Driver>() {
    token_redirect_is_not_followed::<D>(302);
}

pub fn token_redirect_307_is_not_followed<D: Driver>() {
    token_redirect_is_not_followed::<D>(307);
}

pub fn token_redirect_308_is_not_followed<D: Driver>() {
    token_redirect_is_not_followed::<D>(308);
}

/// A token response body past the default cap: refused at the cap, quickly.
fn body_stops_at_the_cap<D: Driver>(misbehavior: Misbehavior) {
    let started = Instant::now();
    let error = failing_token_endpoint::<D>(misbehavior, unchanged);
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

pub fn huge_body_stops_at_the_cap<D: Driver>() {
    body_stops_at_the_cap::<D>(Misbehavior::HugeBody {
        bytes: 100 * MIB as u64,
    });
}

pub fn endless_body_stops_at_the_cap<D: Driver>() {
    body_stops_at_the_cap::<D>(Misbehavior::EndlessBody);
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
        matches!(response::<D>(&error), ResponseError::UnexpectedContentType),
        "{error:?}"
    );
}

pub fn not_json_is_refused<D: Driver>() {
    let error = failing_token_endpoint::<D>(Misbehavior::NotJson, unchanged);
    assert!(
        matches!(response::<D>(&error), ResponseError::Json),
        "{error:?}"
    );
}

pub fn server_error_is_an_unexpected_status<D: Driver>() {
    let error = failing_token_endpoint::<D>(Misbehavior::ServerError, unchanged);
    assert!(
        matches!(
            response::<D>(&error),
            ResponseError::UnexpectedStatus { status: 500, .. }
        ),
        "{error:?}"
    );
}

pub fn error_with_200_is_refused_without_the_quirk<D: Driver>() {
    let error = failing_token_endpoint::<D>(Misbehavior::ErrorWith200, unchanged);
    assert!(
        matches!(
            flow::<D>(&error),
            pkce_flow::Error::Response(ResponseError::ErrorWithSuccessStatus(
                TokenErrorCode::InvalidGrant
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
            response::<D>(&error),
            ResponseError::InvalidType("expires_in")
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
