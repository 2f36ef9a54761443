//! One method per exchange of `pkce-flow`: each builds the exchange and hands it to
//! [`Transport::drive`]. No decision is made here.

use pkce_flow::pkce_core::rand_core::TryCryptoRng;
use pkce_flow::{
    AccessToken, Client, Discovery, DiscoveryKind, LoopbackHttp, PushedAuthorizationUrl,
    RefreshToken, ServerMetadata, TokenExchange, TokenResponse,
};

use crate::{Error, Transport};

impl Transport {
    /// Fetches and validates the metadata of `issuer` (RFC 8414 or OpenID Connect Discovery).
    ///
    /// # Errors
    /// [`Error::Flow`] for an unacceptable issuer or document; a transport variant otherwise.
    pub async fn discover(
        &self,
        issuer: &str,
        kind: DiscoveryKind,
        loopback: LoopbackHttp,
    ) -> Result<ServerMetadata, Error> {
        self.drive(Discovery::new(issuer, kind, loopback)?).await
    }

    /// Pushes an authorization request (RFC 9126) and returns the short URL to open with
    /// the pending authorization that waits for its callback.
    ///
    /// # Errors
    /// [`Error::Flow`] (no PAR endpoint, an OAuth error, a failed generator); a transport
    /// variant otherwise.
    pub async fn push_authorization<R: TryCryptoRng + ?Sized>(
        &self,
        client: &Client,
        rng: &mut R,
    ) -> Result<PushedAuthorizationUrl, Error> {
        self.drive(client.push_authorization(rng)?).await
    }

    /// Redeems the code of a validated callback (RFC 6749 §4.1.3, RFC 7636 §4.5). The
    /// request is sent once.
    ///
    /// # Errors
    /// [`Error::Flow`] with [`pkce_flow::Error::Token`] when the server refuses the grant;
    /// a transport variant otherwise.
    pub async fn exchange(&self, exchange: TokenExchange) -> Result<TokenResponse, Error> {
        self.drive(exchange).await
    }

    /// Refreshes with `refresh_token` (RFC 6749 §6). When [`TokenResponse::rotated`] is true,
    /// store the new refresh token before using the new access token.
    ///
    /// # Errors
    /// As [`Self::exchange`].
    pub async fn refresh(
        &self,
        client: &Client,
        refresh_token: &RefreshToken,
    ) -> Result<TokenResponse, Error> {
        self.drive(client.refresh(refresh_token)).await
    }

    /// Revokes a refresh token and, with it, the grant's access tokens (RFC 7009).
    ///
    /// # Errors
    /// [`Error::Flow`] (no revocation endpoint, an OAuth error, 503); a transport variant
    /// otherwise.
    pub async fn revoke_refresh_token(
        &self,
        client: &Client,
        token: &RefreshToken,
    ) -> Result<(), Error> {
        self.drive(client.revoke_refresh_token(token)?).await
    }

    /// Revokes an access token (RFC 7009).
    ///
    /// # Errors
    /// As [`Self::revoke_refresh_token`].
    pub async fn revoke_access_token(
        &self,
        client: &Client,
        token: &AccessToken,
    ) -> Result<(), Error> {
        self.drive(client.revoke_access_token(token)?).await
    }
}
