//! Who a login's ID token said the user is: the claims every later ID token of the same
//! grant must repeat (OpenID Connect Core §12.2), kept apart from the token so a stored
//! session can hold them.

use alloc::string::String;
use alloc::vec::Vec;

use super::claims::IdToken;

/// The claims of a validated ID token that a refreshed ID token must repeat (OpenID
/// Connect Core §12.2): `iss`, `sub`, `aud`, `azp` (absent stays absent) and `auth_time`
/// (when the refreshed token carries one). Made only from an [`IdToken`], that is from
/// claims [`Client::validate_id_token`](crate::Client::validate_id_token) validated; with the
/// `serde` feature it can be stored and read back (a store the application trusts, as with
/// its tokens).
///
/// The login's `nonce` is not part of it: a refresh is no authentication request, and a
/// nonce in a refreshed ID token proves nothing about this client's login.
///
/// ```
/// # fn f(client: &pkce_flow::Client, id: &pkce_flow::oidc::IdToken,
/// #      refreshed: &pkce_flow::TokenResponse, now: u64)
/// #      -> Result<(), pkce_flow::oidc::IdTokenError> {
/// use pkce_flow::oidc::{IdTokenSignature, IdTokenValidation, LoginIdentity};
/// let identity: LoginIdentity = id.identity(); // stored with the session
/// let validation = IdTokenValidation::new(now, IdTokenSignature::IssuerEstablishedByTls);
/// if let Some(again) = client.validate_refreshed_id_token_for(&identity, refreshed, &validation)? {
///     assert_eq!(again.subject(), identity.subject());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LoginIdentity {
    issuer: String,
    subject: String,
    audiences: Vec<String>,
    authorized_party: Option<String>,
    auth_time: Option<u64>,
}

impl LoginIdentity {
    /// `iss`.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `sub`: the user at this issuer.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// `aud`, in the token's order.
    #[must_use]
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }

    /// `azp`, if the login's token had one.
    #[must_use]
    pub fn authorized_party(&self) -> Option<&str> {
        self.authorized_party.as_deref()
    }

    /// `auth_time`, if the login's token had one.
    #[must_use]
    pub fn auth_time(&self) -> Option<u64> {
        self.auth_time
    }

    /// The §12.2 comparison of a refreshed token's claims with these: `Some` names the first
    /// claim that differs.
    pub(crate) fn first_change(&self, refreshed: &IdToken) -> Option<&'static str> {
        if refreshed.iss != self.issuer {
            Some("iss")
        } else if refreshed.sub != self.subject {
            Some("sub")
        } else if refreshed.aud.as_slice() != self.audiences.as_slice() {
            Some("aud")
        } else if refreshed.azp != self.authorized_party {
            Some("azp")
        } else if refreshed.auth_time.is_some() && refreshed.auth_time != self.auth_time {
            Some("auth_time")
        } else {
            None
        }
    }
}

impl IdToken {
    /// The claims a refreshed ID token must repeat, to keep (with the session) in place of
    /// the whole token.
    #[must_use]
    pub fn identity(&self) -> LoginIdentity {
        LoginIdentity {
            issuer: self.iss.clone(),
            subject: self.sub.clone(),
            audiences: self.aud.as_slice().to_vec(),
            authorized_party: self.azp.clone(),
            auth_time: self.auth_time,
        }
    }
}
