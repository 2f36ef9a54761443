//! The client: the validated configuration and its accessors. `Client::builder` is in
//! `builder.rs`; the methods that start an exchange live beside their exchange: `authorize.rs` (authorize, resume), `par.rs`
//! (push_authorization), `refresh.rs` (refresh), `revoke.rs` (revoke_*).

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::auth::ClientAuth;
use crate::http::RequestPolicy;
use crate::quirk::QuirkSet;
use crate::request::Prebuilt;

/// The validated configuration, shared by every request and pending authorization.
#[derive(Debug)]
pub(crate) struct ClientConfig {
    pub(crate) client_id: Arc<str>,
    pub(crate) auth: ClientAuth,
    /// Absent for a client that only refreshes, revokes or calls resources
    /// ([`crate::ClientBuilder::build_for_tokens`]).
    pub(crate) redirect_uri: Option<Arc<str>>,
    pub(crate) scope: Option<String>,
    pub(crate) issuer: Option<Arc<str>>,
    pub(crate) authorization_endpoint: String,
    pub(crate) token_endpoint: Arc<str>,
    pub(crate) revocation_endpoint: Option<Arc<str>>,
    pub(crate) par_endpoint: Option<Arc<str>>,
    pub(crate) userinfo_endpoint: Option<String>,
    pub(crate) introspection_endpoint: Option<String>,
    pub(crate) device_endpoint: Option<Arc<str>>,
    pub(crate) authorization_params: Vec<(String, String)>,
    pub(crate) quirks: QuirkSet,
    /// The DPoP key: token responses must then be `DPoP` tokens.
    pub(crate) dpop: Option<crate::dpop::DpopKey>,
    pub(crate) iss_required: bool,
    pub(crate) par_required: bool,
    pub(crate) send_nonce: bool,
    pub(crate) policy: RequestPolicy,
    /// The configuration-only parts of every request, encoded once.
    pub(crate) prebuilt: Prebuilt,
}

/// An OAuth 2.0 client: the entry point to every flow. Cheap to clone (shared configuration).
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) config: Arc<ClientConfig>,
}

impl Client {
    /// The client identifier.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.config.client_id
    }

    /// The redirect URI, exactly as configured; `None` for a client built with
    /// [`crate::ClientBuilder::build_for_tokens`] without one.
    #[must_use]
    pub fn redirect_uri(&self) -> Option<&str> {
        self.config.redirect_uri.as_deref()
    }

    /// The expected issuer, if one is configured.
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.config.issuer.as_deref()
    }

    /// The userinfo endpoint (OpenID Connect Core §5.3), from the builder's setter or the
    /// metadata, if any (for a Bearer call).
    #[must_use]
    pub fn userinfo_endpoint(&self) -> Option<&str> {
        self.config.userinfo_endpoint.as_deref()
    }

    /// The token introspection endpoint (RFC 7662), from the builder's setter or the
    /// metadata, if any.
    #[must_use]
    pub fn introspection_endpoint(&self) -> Option<&str> {
        self.config.introspection_endpoint.as_deref()
    }

    /// The requested scope, space-separated.
    #[must_use]
    pub fn scope(&self) -> Option<&str> {
        self.config.scope.as_deref()
    }

    /// The DPoP key the client is configured with (`ClientBuilder::dpop_key`).
    #[must_use]
    pub fn dpop_key(&self) -> Option<&crate::dpop::DpopKey> {
        self.config.dpop.as_ref()
    }

    /// Whether the server requires pushed authorization requests.
    #[must_use]
    pub fn par_required(&self) -> bool {
        self.config.par_required
    }
}
