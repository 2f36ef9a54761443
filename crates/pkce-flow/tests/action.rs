//! What an application can do about each kind of error, and the common questions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pkce_flow::{
    Action, AuthorizationError, AuthorizationErrorCode, CallbackError, ConfigError, EndpointError,
    Error, MetadataError, Mismatch, Misuse, ResponseError, TokenError, TokenErrorCode,
    UntrustedText,
};

fn token(code: TokenErrorCode) -> Error {
    Error::Token(TokenError {
        status: 400,
        code,
        description: None,
        uri: None,
    })
}

fn authorization(code: AuthorizationErrorCode) -> Error {
    Error::Authorization(AuthorizationError {
        code,
        description: None,
        uri: None,
    })
}

#[test]
fn a_dead_grant_means_logging_in_again() {
    assert_eq!(
        token(TokenErrorCode::InvalidGrant).action(),
        Action::LoginAgain
    );
    assert_eq!(
        authorization(AuthorizationErrorCode::AccessDenied).action(),
        Action::LoginAgain
    );
}

#[test]
fn transient_answers_mean_retrying_later() {
    for status in [429, 500, 503] {
        let e = Error::Response(ResponseError::UnexpectedStatus {
            status,
            retry_after: None,
        });
        assert_eq!(e.action(), Action::RetryLater, "{status}");
    }
    let e = Error::Response(ResponseError::RevocationUnavailable {
        retry_after: Some(5),
    });
    assert_eq!(e.action(), Action::RetryLater);
    let e = authorization(AuthorizationErrorCode::TemporarilyUnavailable);
    assert_eq!(e.action(), Action::RetryLater);
}

#[test]
fn configuration_faults_mean_fixing_the_configuration() {
    for e in [
        token(TokenErrorCode::InvalidClient),
        authorization(AuthorizationErrorCode::InvalidScope),
        Error::Config(ConfigError::InvalidScope),
        Error::NotConfigured("revocation_endpoint"),
        Error::ParRequired,
        Error::ResourceUrl(EndpointError::Insecure),
        Error::Metadata(MetadataError::CodeFlowUnsupported),
    ] {
        assert_eq!(e.action(), Action::FixConfiguration, "{e:?}");
    }
}

#[test]
fn possible_attacks_and_broken_servers_mean_stopping() {
    for e in [
        Error::Mismatch(Mismatch::StateMismatch),
        Error::Mismatch(Mismatch::IssuerMismatch),
        Error::Metadata(MetadataError::IssuerMismatch),
        Error::Callback(CallbackError::AmbiguousResponse),
        Error::Response(ResponseError::UnexpectedRedirect { status: 307 }),
        Error::Response(ResponseError::Json),
        Error::Response(ResponseError::UnexpectedStatus {
            status: 404,
            retry_after: None,
        }),
        Error::Misuse(Misuse::Finished),
        token(TokenErrorCode::Other(UntrustedText::new("x".to_owned()))),
    ] {
        assert_eq!(e.action(), Action::Stop, "{e:?}");
    }
}

#[test]
fn the_oauth_code_and_invalid_grant_are_one_call_away() {
    let e = token(TokenErrorCode::InvalidGrant);
    assert!(e.is_invalid_grant());
    assert_eq!(e.oauth_error_code(), Some("invalid_grant"));
    let e = token(TokenErrorCode::Other(UntrustedText::new(
        "slow_down".to_owned(),
    )));
    assert!(!e.is_invalid_grant());
    assert_eq!(e.oauth_error_code(), Some("slow_down"));
    let e = authorization(AuthorizationErrorCode::AccessDenied);
    assert_eq!(e.oauth_error_code(), Some("access_denied"));
    assert_eq!(Error::ParRequired.oauth_error_code(), None);
}
