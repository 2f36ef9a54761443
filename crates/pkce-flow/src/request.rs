//! Building the back-channel POSTs (form body, client authentication, headers) from parts
//! encoded once per client, and the text helpers the authorization URL shares.
//!
//! Everything in a back-channel request that depends only on the configuration (the
//! redirect URI, extra parameters, the credentials) is form-encoded once, at
//! [`crate::ClientBuilder::build`], into [`Prebuilt`]. A request is then those parts and
//! the few per-request values (state, challenge, code, verifier, token) written into one
//! exactly sized buffer: one allocation, one pass. Parameters keep the order of the RFC
//! examples.

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

use pkce_core::form::{FormEncoder, encode_component, encoded_len, encoded_pairs_len};

use crate::auth::ClientAuth;
use crate::http::{HttpRequest, Method, RequestPolicy};
use crate::params::{client_params, extra_params};
use crate::secret::ClientSecret;

/// The configuration-only parts of every request, form-encoded.
pub(crate) struct Prebuilt {
    /// `endpoint?response_type=code&client_id=…&redirect_uri=…[&scope=…]`: the endpoint and
    /// [`crate::params::client_params`].
    pub(crate) authorize_head: String,
    /// `&name=value` for every extra authorization parameter
    /// ([`crate::params::extra_params`]).
    pub(crate) authorize_tail: String,
    /// `&redirect_uri=…` for the code exchange (empty for a client without one, which never
    /// authorizes, so never exchanges a code).
    pub(crate) exchange_redirect: String,
    /// `&name=value` for every extra token request parameter.
    pub(crate) exchange_tail: String,
    /// `&name=value` for every extra refresh parameter.
    pub(crate) refresh_tail: String,
    /// The body credentials, `&client_id=…[&client_secret=…]`; empty for Basic. Held as a
    /// secret (redacted, wiped with `zeroize`) since it may contain the client secret.
    pub(crate) credentials: ClientSecret,
    /// The `Authorization` header value for `client_secret_basic`.
    pub(crate) basic: Option<ClientSecret>,
}

/// What [`Prebuilt::new`] encodes.
pub(crate) struct Parts<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) auth: &'a ClientAuth,
    pub(crate) redirect_uri: Option<&'a str>,
    pub(crate) scope: Option<&'a str>,
    pub(crate) authorization_endpoint: &'a str,
    pub(crate) authorization_params: &'a [(String, String)],
    pub(crate) token_params: &'a [(String, String)],
    pub(crate) refresh_params: &'a [(String, String)],
}

impl Prebuilt {
    pub(crate) fn new(p: &Parts<'_>) -> Self {
        let mut authorize_head = String::from(p.authorization_endpoint);
        push_separator(&mut authorize_head);
        let mut form = FormEncoder::new(&mut authorize_head);
        for (name, value) in client_params(p.client_id, p.redirect_uri, p.scope, true) {
            // Writing into a String cannot fail.
            let _ = form.append_pair(name, value);
        }
        let exchange_redirect = p.redirect_uri.map_or_else(String::new, |uri| {
            concat(&[Piece::Raw("&redirect_uri="), Piece::Encoded(uri)])
        });

        let credentials = match p.auth {
            ClientAuth::None => continued([("client_id", p.client_id)]),
            ClientAuth::Post(secret) => continued([
                ("client_id", p.client_id),
                ("client_secret", secret.expose_secret()),
            ]),
            ClientAuth::Basic(_) => String::new(),
        };
        let basic = match p.auth {
            ClientAuth::Basic(secret) => Some(ClientSecret::new(
                pkce_core::client_secret_basic_string(p.client_id, secret.expose_secret()),
            )),
            ClientAuth::None | ClientAuth::Post(_) => None,
        };
        Self {
            authorize_head,
            authorize_tail: continued(extra_params(p.authorization_params)),
            exchange_redirect,
            exchange_tail: continued_owned(p.token_params),
            refresh_tail: continued_owned(p.refresh_params),
            credentials: ClientSecret::new(credentials),
            basic,
        }
    }

    /// A form POST of `body` (which already ends with [`Self::credentials`]) to `url`, with
    /// the Basic header when the client uses it.
    pub(crate) fn post(&self, url: &Arc<str>, policy: RequestPolicy, body: String) -> HttpRequest {
        let request = HttpRequest::new(Method::Post, Arc::clone(url), policy).form_body(body);
        match &self.basic {
            Some(value) => request.authorization(String::from(value.expose_secret())),
            None => request,
        }
    }

    /// A form POST of `params` with the client's authentication applied: Basic in the
    /// header, or `client_id` (+ `client_secret` for `client_secret_post`) in the body;
    /// never both (RFC 6749 §2.3.1).
    pub(crate) fn authenticated_post<'p, P>(
        &self,
        url: &Arc<str>,
        policy: RequestPolicy,
        params: P,
    ) -> HttpRequest
    where
        P: IntoIterator<Item = (&'p str, &'p str)> + Clone,
    {
        let credentials = self.credentials.expose_secret();
        // Measured, then written once into an exactly sized body: no copies of the secrets
        // are left behind in freed, grown-out buffers.
        let mut body = String::with_capacity(encoded_pairs_len(params.clone()) + credentials.len());
        let mut form = FormEncoder::new(&mut body);
        for (name, value) in params {
            // Writing into a String cannot fail.
            let _ = form.append_pair(name, value);
        }
        // With no parameter before them, the credentials lose their leading `&`.
        let credentials = if body.is_empty() {
            credentials.strip_prefix('&').unwrap_or(credentials)
        } else {
            credentials
        };
        body.push_str(credentials);
        self.post(url, policy, body)
    }
}

impl fmt::Debug for Prebuilt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Lengths only: the credentials may hold the client secret.
        f.debug_struct("Prebuilt")
            .field("authorize_head_len", &self.authorize_head.len())
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// Appends `?`, or `&` when the endpoint already has a query (RFC 6749 §3.1: it is kept).
pub(crate) fn push_separator(url: &mut String) {
    match url.find('?') {
        None => url.push('?'),
        Some(i) if i + 1 == url.len() || url.ends_with('&') => {}
        Some(_) => url.push('&'),
    }
}

/// One part of a request's text: written as it is, or form-encoded on the way in.
#[derive(Clone, Copy)]
pub(crate) enum Piece<'a> {
    Raw(&'a str),
    Encoded(&'a str),
}

/// The pieces joined into one exactly sized `String`: measured first (arithmetic, no
/// encoding), then written once, so no copy of a secret is left behind in a freed,
/// grown-out buffer.
pub(crate) fn concat(pieces: &[Piece<'_>]) -> String {
    let len = pieces
        .iter()
        .map(|piece| match piece {
            Piece::Raw(text) => text.len(),
            Piece::Encoded(text) => encoded_len(text),
        })
        .sum();
    let mut out = String::with_capacity(len);
    for piece in pieces {
        match piece {
            Piece::Raw(text) => out.push_str(text),
            // Writing into a String cannot fail.
            Piece::Encoded(text) => {
                let _ = encode_component(&mut out, text);
            }
        }
    }
    out
}

/// `&name=value` for each pair.
fn continued<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    let mut form = FormEncoder::continuing(&mut out);
    for (name, value) in pairs {
        // Writing into a String cannot fail.
        let _ = form.append_pair(name, value);
    }
    out
}

/// [`continued`] for owned pairs (the configured extra parameters).
fn continued_owned(pairs: &[(String, String)]) -> String {
    continued(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())))
}
