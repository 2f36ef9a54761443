//! Using an access token: a `GET` with `Authorization: Bearer` (RFC 6750 §2.1) under the
//! same policy as the flow's requests.

use std::fmt;

use pkce_flow::AccessToken;
use pkce_flow::bearer::{BearerChallenge, authorization_header, bearer_challenge};
use reqwest::header::{AUTHORIZATION, USER_AGENT, WWW_AUTHENTICATE};

use crate::transport::{USER_AGENT_VALUE, may_carry_token, prepare};
use crate::{Error, Transport};

/// The answer of a protected resource.
#[non_exhaustive]
pub struct BearerResponse {
    /// The HTTP status. A 3xx is returned as is: redirects are not followed.
    pub status: u16,
    /// The body, at most the policy's `max_response_bytes`.
    pub body: Vec<u8>,
    /// The `WWW-Authenticate: Bearer` challenge of a 401 or 403 (RFC 6750 §3), parsed;
    /// `error` is `invalid_token` when the token expired or was revoked.
    pub challenge: Option<BearerChallenge>,
}

impl fmt::Debug for BearerResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may be personal data; its length is enough for a log.
        f.debug_struct("BearerResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .field("challenge", &self.challenge)
            .finish()
    }
}

impl Transport {
    /// `GET url` with `Authorization: Bearer <token>`, no redirects, the body capped and the
    /// time limited by [`Self::resource_policy`]. The token goes in the header only, never in
    /// the URL, and only over `https` or to a loopback IP literal.
    ///
    /// # Errors
    /// [`Error::InsecureUrl`] for plain `http` elsewhere; [`Error::Flow`] for a token that
    /// cannot be a header value or a malformed challenge; a transport variant otherwise.
    pub async fn bearer_get(
        &self,
        url: &str,
        token: &AccessToken,
    ) -> Result<BearerResponse, Error> {
        let authorization = authorization_header(token)?;
        let policy = self.resource_policy_ref();
        let builder = self
            .client()
            .get(url)
            .header(AUTHORIZATION, authorization)
            .header(USER_AGENT, USER_AGENT_VALUE);
        // Built (and the URL parsed) before anything is sent, so the check comes first.
        let request = prepare(builder, policy)?;
        if !may_carry_token(request.url()) {
            return Err(Error::InsecureUrl);
        }
        let received = self.execute(request, policy).await?;
        let challenge = if matches!(received.status, 401 | 403) {
            let values = received
                .headers
                .get_all(WWW_AUTHENTICATE)
                .into_iter()
                .filter_map(|v| v.to_str().ok());
            bearer_challenge(values)?
        } else {
            None
        };
        Ok(BearerResponse {
            status: received.status,
            body: received.body,
            challenge,
        })
    }
}
