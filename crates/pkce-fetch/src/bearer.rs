//! Using an access token: the flow's [`ResourceRequest`] driven by the one loop, under the
//! transport's resource policy.

use pkce_flow::{AccessToken, BearerResponse, ResourceRequest};

use crate::{Error, Transport};

impl Transport {
    /// `GET url` with `Authorization: Bearer <token>`, no redirects, the body capped and the
    /// time limited by [`Self::resource_policy`]: [`ResourceRequest`] through [`Self::drive`].
    /// Which URLs may carry the token is the flow's rule, written there.
    ///
    /// # Errors
    /// [`Error::Flow`] for a URL that may not carry the token, a token that cannot be a header
    /// value or a malformed challenge; a transport variant otherwise.
    pub async fn bearer_get(
        &self,
        url: &str,
        token: &AccessToken,
    ) -> Result<BearerResponse, Error> {
        self.drive(ResourceRequest::get(url, token)?.policy(*self.resource_policy_ref()))
            .await
    }
}
