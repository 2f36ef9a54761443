//! Client configuration: built once, validated once. Every mistake is a [`ConfigError`] from
//! [`ClientBuilder::build`], never a surprise at use.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::auth::ClientAuth;
use crate::client::{Client, ClientConfig};
use crate::discovery::ServerMetadata;
use crate::endpoint::{
    LoopbackHttp, check_endpoint, check_issuer, check_query_free_of, check_redirect_uri,
    is_scope_token,
};
use crate::error::{ConfigError, Error};
use crate::http::RequestPolicy;
use crate::params::{AUTHORIZATION_RESERVED, TOKEN_RESERVED, check_extras};
use crate::quirk::{Quirk, QuirkSet};
use crate::request::{Parts, Prebuilt};
use crate::secret::{ClientSecret, is_vschar, is_vschar_string};

/// Builds a [`Client`]. Nothing is checked until [`ClientBuilder::build`], which checks all.
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    client_id: String,
    auth: ClientAuth,
    redirect_uri: Option<String>,
    scopes: Vec<String>,
    issuer: Option<String>,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    par_endpoint: Option<String>,
    userinfo_endpoint: Option<String>,
    introspection_endpoint: Option<String>,
    device_endpoint: Option<String>,
    authorization_params: Vec<(String, String)>,
    token_params: Vec<(String, String)>,
    refresh_params: Vec<(String, String)>,
    quirks: QuirkSet,
    iss_required: bool,
    par_required: bool,
    send_nonce: bool,
    s256_advertised: Option<bool>,
    assume_s256: bool,
    auth_methods: Option<Vec<String>>,
    loopback: LoopbackHttp,
    policy: RequestPolicy,
    pub(crate) dpop: Option<crate::dpop::DpopKey>,
    /// The metadata's `dpop_signing_alg_values_supported`, when it gave one.
    dpop_algs: Option<Vec<String>>,
}

impl Client {
    /// Starts a configuration for `client_id`.
    pub fn builder(client_id: &str) -> ClientBuilder {
        ClientBuilder::new(client_id)
    }
}

impl ClientBuilder {
    fn new(client_id: &str) -> Self {
        Self {
            client_id: String::from(client_id),
            auth: ClientAuth::None,
            redirect_uri: None,
            scopes: Vec::new(),
            issuer: None,
            authorization_endpoint: None,
            token_endpoint: None,
            revocation_endpoint: None,
            par_endpoint: None,
            userinfo_endpoint: None,
            introspection_endpoint: None,
            device_endpoint: None,
            authorization_params: Vec::new(),
            token_params: Vec::new(),
            refresh_params: Vec::new(),
            quirks: QuirkSet::empty(),
            dpop: None,
            dpop_algs: None,
            iss_required: false,
            par_required: false,
            send_nonce: false,
            s256_advertised: None,
            assume_s256: false,
            auth_methods: None,
            loopback: LoopbackHttp::Refuse,
            policy: RequestPolicy::default(),
        }
    }

    /// Takes the issuer and every endpoint from validated server metadata (RFC 8414), and
    /// remembers whether the server sends `iss` (RFC 9207), requires PAR, and supports S256.
    /// A userinfo or introspection endpoint set with its setter wins over the metadata's.
    pub fn metadata(mut self, metadata: &ServerMetadata) -> Self {
        self.issuer = Some(metadata.issuer.clone());
        self.authorization_endpoint = Some(metadata.authorization_endpoint.clone());
        self.token_endpoint = Some(metadata.token_endpoint.clone());
        self.revocation_endpoint
            .clone_from(&metadata.revocation_endpoint);
        self.par_endpoint
            .clone_from(&metadata.pushed_authorization_request_endpoint);
        self.userinfo_endpoint = self
            .userinfo_endpoint
            .take()
            .or_else(|| metadata.userinfo_endpoint.clone());
        self.introspection_endpoint = self
            .introspection_endpoint
            .take()
            .or_else(|| metadata.introspection_endpoint.clone());
        self.device_endpoint = self
            .device_endpoint
            .take()
            .or_else(|| metadata.device_authorization_endpoint.clone());
        self.iss_required |= metadata.authorization_response_iss_parameter_supported;
        self.par_required |= metadata.require_pushed_authorization_requests;
        self.s256_advertised = Some(
            metadata
                .code_challenge_methods_supported
                .as_ref()
                .is_some_and(|m| m.iter().any(|m| m == "S256")),
        );
        self.auth_methods = Some(
            metadata
                .token_endpoint_auth_methods_supported
                .clone()
                // RFC 8414 §2: when omitted, the default is client_secret_basic.
                .unwrap_or_else(|| alloc::vec![String::from("client_secret_basic")]),
        );
        self.dpop_algs
            .clone_from(&metadata.dpop_signing_alg_values_supported);
        self.loopback = metadata.loopback;
        self
    }

    /// The redirect URI, kept exactly as given and sent byte-for-byte in both requests.
    pub fn redirect_uri(mut self, uri: &str) -> Self {
        self.redirect_uri = Some(String::from(uri));
        self
    }

    /// Adds one scope token (RFC 6749 §3.3).
    pub fn scope(mut self, token: &str) -> Self {
        self.scopes.push(String::from(token));
        self
    }

    /// Adds every space-separated token of `scopes`; doubled, leading or trailing spaces
    /// make an empty token, which `build` refuses.
    pub fn scopes(mut self, scopes: &str) -> Self {
        self.scopes.extend(scopes.split(' ').map(String::from));
        self
    }

    /// The expected issuer, for manual configuration (with metadata it comes from there).
    pub fn issuer(mut self, issuer: &str) -> Self {
        self.issuer = Some(String::from(issuer));
        self
    }

    /// The authorization endpoint.
    pub fn authorization_endpoint(mut self, url: &str) -> Self {
        self.authorization_endpoint = Some(String::from(url));
        self
    }

    /// The token endpoint.
    pub fn token_endpoint(mut self, url: &str) -> Self {
        self.token_endpoint = Some(String::from(url));
        self
    }

    /// The revocation endpoint (RFC 7009).
    pub fn revocation_endpoint(mut self, url: &str) -> Self {
        self.revocation_endpoint = Some(String::from(url));
        self
    }

    /// The pushed authorization request endpoint (RFC 9126).
    pub fn par_endpoint(mut self, url: &str) -> Self {
        self.par_endpoint = Some(String::from(url));
        self
    }

    /// The userinfo endpoint (OpenID Connect Core §5.3), for servers whose metadata lacks it
    /// or for manual configuration. Checked at `build` like every endpoint: https, or
    /// `http` on a loopback IP literal with [`Self::dangerous_allow_insecure_loopback`].
    /// It wins over the metadata's, whichever is given first.
    pub fn userinfo_endpoint(mut self, url: &str) -> Self {
        self.userinfo_endpoint = Some(String::from(url));
        self
    }

    /// The token introspection endpoint (RFC 7662), for servers whose metadata lacks it or
    /// for manual configuration; the same rules as [`Self::userinfo_endpoint`].
    pub fn introspection_endpoint(mut self, url: &str) -> Self {
        self.introspection_endpoint = Some(String::from(url));
        self
    }

    /// The device authorization endpoint (RFC 8628 §3.1).
    pub fn device_authorization_endpoint(mut self, url: &str) -> Self {
        self.device_endpoint = Some(String::from(url));
        self
    }

    /// Authenticates with `client_secret_basic`.
    pub fn client_secret_basic(mut self, secret: ClientSecret) -> Self {
        self.auth = ClientAuth::Basic(secret);
        self
    }

    /// Authenticates with `client_secret_post`.
    pub fn client_secret_post(mut self, secret: ClientSecret) -> Self {
        self.auth = ClientAuth::Post(secret);
        self
    }

    /// Sets the client authentication.
    pub fn auth(mut self, auth: ClientAuth) -> Self {
        self.auth = auth;
        self
    }

    /// An extra parameter on the authorization request (`prompt`, `login_hint`, …).
    pub fn authorization_param(mut self, name: &str, value: &str) -> Self {
        self.authorization_params
            .push((String::from(name), String::from(value)));
        self
    }

    /// An extra parameter on the code exchange request.
    pub fn token_param(mut self, name: &str, value: &str) -> Self {
        self.token_params
            .push((String::from(name), String::from(value)));
        self
    }

    /// An extra parameter on refresh requests.
    pub fn refresh_param(mut self, name: &str, value: &str) -> Self {
        self.refresh_params
            .push((String::from(name), String::from(value)));
        self
    }

    /// An RFC 8707 `resource` indicator on the authorization, token and refresh requests.
    /// May be given several times.
    pub fn resource(self, uri: &str) -> Self {
        self.authorization_param("resource", uri)
            .token_param("resource", uri)
            .refresh_param("resource", uri)
    }

    /// An RFC 8707-style `audience` on the authorization, token and refresh requests.
    pub fn audience(self, audience: &str) -> Self {
        self.authorization_param("audience", audience)
            .token_param("audience", audience)
            .refresh_param("audience", audience)
    }

    /// Tolerates one named provider deviation.
    pub fn quirk(mut self, quirk: Quirk) -> Self {
        self.quirks.insert(quirk);
        self
    }

    /// Rejects callbacks without `iss` even if the metadata does not promise it (RFC 9207).
    pub fn require_iss(mut self) -> Self {
        self.iss_required = true;
        self
    }

    /// Sends an OpenID Connect `nonce` with each authorization request; the pending
    /// authorization keeps it for the ID token check. On by itself when the scope holds
    /// `openid` (OpenID Connect Core §3.1.2.1).
    pub fn send_nonce(mut self) -> Self {
        self.send_nonce = true;
        self
    }

    /// Uses S256 even though the metadata does not advertise it (policy P-2). Never enables
    /// `plain`, which does not exist here.
    pub fn assume_s256_supported(mut self) -> Self {
        self.assume_s256 = true;
        self
    }

    /// Allows `http://` endpoints and issuers on loopback IP literals, for tests and local
    /// servers. Everything else must be https.
    pub fn dangerous_allow_insecure_loopback(mut self) -> Self {
        self.loopback = LoopbackHttp::DangerouslyAllow;
        self
    }

    /// The policy every request carries (body cap, timeouts). Redirects are never followed.
    pub fn request_policy(mut self, policy: RequestPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Validates everything and builds a client that can start logins: a redirect URI is
    /// required.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first problem found;
    /// [`ConfigError::Missing`]`("redirect_uri")` without a redirect URI (a client that
    /// only refreshes or revokes is built with [`Self::build_for_tokens`]).
    pub fn build(self) -> Result<Client, Error> {
        if self.redirect_uri.is_none() {
            return Err(Error::Config(ConfigError::Missing("redirect_uri")));
        }
        self.build_for_tokens()
    }

    /// Validates everything and builds a client for tokens obtained elsewhere: refresh,
    /// revocation, resource calls. The redirect URI is optional (checked when given);
    /// without one, [`Client::authorize`], [`Client::push_authorization`] and
    /// [`Client::resume`] return [`Error::NotConfigured`]`("redirect_uri")` before drawing
    /// anything.
    ///
    /// ```
    /// # use pkce_flow::{Client, Error, RefreshToken};
    /// let client = Client::builder("cli")
    ///     .authorization_endpoint("https://as.example/authorize")
    ///     .token_endpoint("https://as.example/token")
    ///     .build_for_tokens()?;
    /// assert_eq!(client.redirect_uri(), None);
    /// let refresh = client.refresh(&RefreshToken::new("a refresh token".into()));
    /// # drop(refresh);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] naming the first problem found.
    pub fn build_for_tokens(self) -> Result<Client, Error> {
        self.build_config()
            .map(|config| Client {
                config: Arc::new(config),
            })
            .map_err(Error::Config)
    }

    fn build_config(mut self) -> Result<ClientConfig, ConfigError> {
        if !is_vschar_string(&self.client_id) {
            return Err(ConfigError::InvalidClientId);
        }
        if let ClientAuth::Basic(s) | ClientAuth::Post(s) = &self.auth
            && !s.expose_secret().bytes().all(is_vschar)
        {
            return Err(ConfigError::InvalidClientSecret);
        }
        if let Some(redirect_uri) = &self.redirect_uri {
            check_redirect_uri(redirect_uri)?;
        }
        if !self.scopes.iter().all(|s| is_scope_token(s)) {
            return Err(ConfigError::InvalidScope);
        }
        let loopback = self.loopback;
        if let Some(issuer) = &self.issuer {
            check_issuer(issuer, loopback)?;
        }
        let endpoint = |name: &'static str, url: &Option<String>| -> Result<(), ConfigError> {
            url.as_deref().map_or(Ok(()), |u| {
                check_endpoint(u, loopback)
                    .map(|_| ())
                    .map_err(|e| ConfigError::Endpoint(name, e))
            })
        };
        let authorization_endpoint = self
            .authorization_endpoint
            .ok_or(ConfigError::Missing("authorization_endpoint"))?;
        let token_endpoint = self
            .token_endpoint
            .ok_or(ConfigError::Missing("token_endpoint"))?;
        endpoint(
            "authorization_endpoint",
            &Some(authorization_endpoint.clone()),
        )?;
        endpoint("token_endpoint", &Some(token_endpoint.clone()))?;
        endpoint("revocation_endpoint", &self.revocation_endpoint)?;
        endpoint("pushed_authorization_request_endpoint", &self.par_endpoint)?;
        endpoint("userinfo_endpoint", &self.userinfo_endpoint)?;
        endpoint("introspection_endpoint", &self.introspection_endpoint)?;
        endpoint("device_authorization_endpoint", &self.device_endpoint)?;

        check_extras(&self.authorization_params, &AUTHORIZATION_RESERVED)?;
        check_extras(&self.token_params, &TOKEN_RESERVED)?;
        if let (Some(key), Some(algs)) = (&self.dpop, &self.dpop_algs)
            && !algs.iter().any(|a| a == key.signer().algorithm())
        {
            return Err(ConfigError::DpopAlgorithmUnsupported);
        }
        if let Some(key) = &self.dpop {
            let jkt = String::from(key.thumbprint().as_str());
            self.authorization_params
                .push((String::from("dpop_jkt"), jkt));
        }
        check_extras(&self.refresh_params, &TOKEN_RESERVED)?;
        let extra_names: Vec<&str> = self
            .authorization_params
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        for reserved in [&AUTHORIZATION_RESERVED[..], &extra_names[..]] {
            check_query_free_of(&authorization_endpoint, reserved)
                .map_err(|e| ConfigError::Endpoint("authorization_endpoint", e))?;
        }
        check_query_free_of(&token_endpoint, &TOKEN_RESERVED)
            .map_err(|e| ConfigError::Endpoint("token_endpoint", e))?;

        if self.s256_advertised == Some(false) && !self.assume_s256 {
            return Err(ConfigError::S256Unsupported);
        }
        if let (Some(methods), ClientAuth::Basic(_) | ClientAuth::Post(_)) =
            (&self.auth_methods, &self.auth)
            && !methods.iter().any(|m| m == self.auth.method_name())
        {
            return Err(ConfigError::AuthMethodUnsupported(self.auth.method_name()));
        }
        if self.iss_required && self.issuer.is_none() {
            return Err(ConfigError::IssuerRequiredForIss);
        }
        if self.par_required && self.par_endpoint.is_none() {
            return Err(ConfigError::Missing(
                "pushed_authorization_request_endpoint",
            ));
        }
        let scope = (!self.scopes.is_empty()).then(|| self.scopes.join(" "));
        let prebuilt = Prebuilt::new(&Parts {
            client_id: &self.client_id,
            auth: &self.auth,
            redirect_uri: self.redirect_uri.as_deref(),
            scope: scope.as_deref(),
            authorization_endpoint: &authorization_endpoint,
            authorization_params: &self.authorization_params,
            token_params: &self.token_params,
            refresh_params: &self.refresh_params,
        });
        Ok(ClientConfig {
            client_id: Arc::from(self.client_id),
            auth: self.auth,
            redirect_uri: self.redirect_uri.map(Arc::from),
            scope,
            issuer: self.issuer.map(Arc::from),
            authorization_endpoint,
            token_endpoint: Arc::from(token_endpoint),
            revocation_endpoint: self.revocation_endpoint.map(Arc::from),
            par_endpoint: self.par_endpoint.map(Arc::from),
            userinfo_endpoint: self.userinfo_endpoint,
            introspection_endpoint: self.introspection_endpoint,
            device_endpoint: self.device_endpoint.map(Arc::from),
            authorization_params: self.authorization_params,
            quirks: self.quirks,
            dpop: self.dpop,
            iss_required: self.iss_required,
            par_required: self.par_required,
            send_nonce: self.send_nonce || self.scopes.iter().any(|s| s == "openid"),
            policy: self.policy,
            prebuilt,
        })
    }
}
