//! The scenario suite every transport of `pkce-flow` must pass, written once.
//!
//! A transport's test file implements [`Driver`] (a blocking view of the transport: an async
//! one blocks on its own runtime) and expands [`scenarios!`], which makes one `#[test]` of
//! each scenario in [`suite`]. The scenarios speak real HTTP over 127.0.0.1 to pkce-testkit's
//! authorization server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use pkce_flow::device::DeviceAuthorization;
use pkce_flow::pkce_core::rand_core::TryCryptoRng;
use pkce_flow::{
    AccessToken, BearerResponse, Client, DiscoveryKind, Exchange, LoopbackHttp,
    PushedAuthorizationUrl, RefreshToken, ServerMetadata, TokenExchange, TokenResponse,
};

// Each scenario's name says what it checks.
#[allow(missing_docs)]
pub mod suite;

/// A transport under test, with the transports' shared method names. Each method is the
/// transport's own (for an async transport, its future run to completion).
pub trait Driver {
    /// The transport's error.
    type Error: std::error::Error + 'static;
    /// The transport's `User-Agent` value.
    const USER_AGENT: &'static str;

    /// A transport as `Transport::new` makes it.
    fn new() -> Self;
    /// The generic loop.
    fn drive<E: Exchange>(&self, exchange: E) -> Result<E::Output, Self::Error>;
    /// `Transport::discover`.
    fn discover(
        &self,
        issuer: &str,
        kind: DiscoveryKind,
        loopback: LoopbackHttp,
    ) -> Result<ServerMetadata, Self::Error>;
    /// `Transport::push_authorization`.
    fn push_authorization<R: TryCryptoRng + ?Sized>(
        &self,
        client: &Client,
        rng: &mut R,
    ) -> Result<PushedAuthorizationUrl, Self::Error>;
    /// `Transport::exchange`.
    fn exchange(&self, exchange: TokenExchange) -> Result<TokenResponse, Self::Error>;
    /// `Transport::refresh`.
    fn refresh(&self, client: &Client, token: &RefreshToken) -> Result<TokenResponse, Self::Error>;
    /// `Transport::revoke_refresh_token`.
    fn revoke_refresh_token(
        &self,
        client: &Client,
        token: &RefreshToken,
    ) -> Result<(), Self::Error>;
    /// `Transport::revoke_access_token`.
    fn revoke_access_token(&self, client: &Client, token: &AccessToken) -> Result<(), Self::Error>;
    /// `Transport::device_login`.
    fn device_login<F: FnOnce(&DeviceAuthorization)>(
        &self,
        client: &Client,
        show: F,
    ) -> Result<TokenResponse, Self::Error>;
    /// `Transport::device_login_with_nonces`.
    fn device_login_with_nonces<F: FnOnce(&DeviceAuthorization)>(
        &self,
        client: &Client,
        nonces: &mut pkce_flow::dpop::NonceMemory,
        show: F,
    ) -> Result<TokenResponse, Self::Error>;
    /// `Transport::fresh_access_token` (feature `session`).
    fn fresh_access_token<S: pkce_session::SessionStore>(
        &self,
        sessions: &pkce_session::Sessions<S>,
        key: &pkce_session::SessionKey,
        now: u64,
    ) -> Result<AccessToken, pkce_session::SessionError>;
    /// `Transport::bearer_get`.
    fn bearer_get(&self, url: &str, token: &AccessToken) -> Result<BearerResponse, Self::Error>;
    /// Which fault an error of this transport is, for the scenarios' assertions.
    fn fault(error: &Self::Error) -> Fault<'_>;
    /// The transport error's `action()`.
    fn action(error: &Self::Error) -> pkce_flow::Action;
    /// The transport error's `is_invalid_grant()`.
    fn is_invalid_grant(error: &Self::Error) -> bool;
}

/// The faults the twin transports' errors share, by the same names.
#[derive(Debug)]
pub enum Fault<'e> {
    /// The flow's verdict.
    Flow(&'e pkce_flow::Error),
    /// A time limit of the policy.
    Timeout,
    /// Nothing listens.
    ConnectionRefused,
    /// The TLS handshake failed.
    Tls,
    /// The connection broke.
    Io,
    /// The body passed the policy's cap.
    BodyTooLarge {
        /// The cap.
        limit: usize,
    },
    /// A redirect was followed by the HTTP client.
    UnexpectedRedirect,
    /// Anything else.
    Other,
}

/// One `#[test]` per scenario of [`suite`], for the [`Driver`] named.
#[macro_export]
macro_rules! scenarios {
    ($driver:ty) => {
        $crate::scenarios!(@tests $driver;
            requests_go_out_exactly_as_the_flow_describes_them
            exchanges_are_traced_without_secrets
            a_get_goes_out_without_a_body
            drive_is_the_generic_loop
            code_flow_public_client
            code_flow_client_secret_basic
            code_flow_client_secret_post
            discovery_oauth_and_openid
            discovery_refuses_http_without_the_opt_in
            discovery_redirect_is_not_followed
            refresh_rotates_and_the_old_token_is_refused
            revoked_refresh_token_ends_the_access_token
            revoked_access_token_is_refused_by_userinfo
            pushed_authorization_request
            tampered_code_gives_invalid_grant
            wrong_client_secret_gives_invalid_client
            token_redirect_302_is_not_followed
            token_redirect_307_is_not_followed
            token_redirect_308_is_not_followed
            huge_body_stops_at_the_cap
            endless_body_stops_at_the_cap
            smaller_cap_from_the_policy
            stall_times_out
            reset_mid_body_is_an_io_error
            wrong_content_type_is_refused
            not_json_is_refused
            server_error_is_an_unexpected_status
            error_with_200_is_refused_without_the_quirk
            error_with_200_is_a_token_error_with_the_quirk
            string_expires_in_is_refused_without_the_quirk
            string_expires_in_is_accepted_with_the_quirk
            connection_refused
            untrusted_tls_certificate_is_refused
            bearer_token_never_goes_over_plain_http_elsewhere
            userinfo_without_a_valid_token_gets_a_challenge
            obs_text_in_a_challenge_reaches_the_flow
            dpop_code_exchange_refresh_and_resource_call
            dpop_nonce_required_at_par_token_and_resource
            dpop_nonce_rotated_mid_session
            dpop_a_second_nonce_error_is_an_error
            dpop_a_bearer_answer_is_a_typed_error
            dpop_refresh_with_the_wrong_key_is_refused
            dpop_fresh_access_token_refreshes_with_the_stored_key
            dpop_fresh_access_token_with_another_stored_key_is_refused
            device_flow_approved_after_pending_polls
            device_flow_denied_is_access_denied
            device_flow_expired_at_the_server_is_expired_token
            device_flow_stops_when_the_code_lifetime_ends
            device_flow_slow_down_adds_five_seconds
            device_flow_with_dpop_polls_with_proofs_and_one_nonce_retry_each
            device_flow_with_dpop_refuses_a_bearer_answer
        );
    };
    (@tests $driver:ty; $($name:ident)*) => {
        $(
            #[test]
            fn $name() {
                $crate::suite::$name::<$driver>();
            }
        )*
    };
}
