//! What a test server is told at start: its clients, its switches and its lifetimes.

/// The default client registrations, as constants a test can name.
///
/// The three clients cover every client authentication method the server knows. Each is
/// registered for both loopback redirect URIs, which match with any port (RFC 8252 §7.3).
pub mod clients {
    /// A public client (`token_endpoint_auth_method` `none`): it sends `client_id` only.
    pub const PUBLIC_ID: &str = "pkce-public";
    /// A confidential client that authenticates with `client_secret_basic`.
    pub const BASIC_ID: &str = "pkce-basic";
    /// [`BASIC_ID`]'s secret. Every character other than the letters needs form-encoding
    /// before base64 (RFC 6749 §2.3.1), so a client that skips that step is refused.
    pub const BASIC_SECRET: &str = "b@sic:secret+/%";
    /// A confidential client that authenticates with `client_secret_post`.
    pub const POST_ID: &str = "pkce-post";
    /// [`POST_ID`]'s secret. The space, `&`, `=` and `+` break a body that is not
    /// form-encoded properly.
    pub const POST_SECRET: &str = "p0st secret&=+?";
    /// The IPv4 loopback redirect URI; any port matches.
    pub const REDIRECT_URI_V4: &str = "http://127.0.0.1/callback";
    /// The IPv6 loopback redirect URI; any port matches.
    pub const REDIRECT_URI_V6: &str = "http://[::1]/callback";
    /// Both default redirect URIs.
    pub const REDIRECT_URIS: [&str; 2] = [REDIRECT_URI_V4, REDIRECT_URI_V6];
}

/// How a registered client authenticates at the token, PAR and revocation endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// A public client: no secret, `client_id` in the body.
    None,
    /// `client_secret_basic`: HTTP Basic over the form-encoded id and secret.
    Basic {
        /// The client secret.
        secret: String,
    },
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    Post {
        /// The client secret.
        secret: String,
    },
}

/// One registered client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRegistration {
    /// The `client_id`.
    pub client_id: String,
    /// The one authentication method this client must use.
    pub auth: ClientAuth,
    /// Registered redirect URIs. `http` URIs on `127.0.0.1` or `[::1]` match any port
    /// (RFC 8252 §7.3); every other URI must match exactly.
    pub redirect_uris: Vec<String>,
}

impl ClientRegistration {
    /// Whether `requested` (the `redirect_uri` parameter, decoded once) is registered.
    pub(crate) fn allows_redirect(&self, requested: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|registered| redirect_matches(registered, requested))
    }
}

/// The server's configuration. Every field is public; start from `Default` and change what
/// a test needs.
///
/// ```
/// let config = pkce_testkit::ServerConfig { auto_approve: true, ..Default::default() };
/// # let _ = config;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// The registered clients. Default: the three of [`clients`].
    pub clients: Vec<ClientRegistration>,
    /// Send `iss` in authorization responses and advertise it (RFC 9207). Default `true`.
    pub send_iss: bool,
    /// Serve `https` with a certificate no ordinary client trusts (needs the `tls`
    /// feature; without it the server does not start). Default `false`.
    pub tls: bool,
    /// Skip the consent page: `/authorize` redirects with a code at once. Default `false`.
    pub auto_approve: bool,
    /// Access token lifetime in seconds, also sent as `expires_in`. Default 3600.
    pub access_token_ttl: u64,
    /// Authorization code lifetime in seconds; 0 makes every code expire at once. Default 60.
    pub code_ttl_secs: u64,
    /// Issue a new refresh token on every refresh and invalidate the old one. Default `true`.
    /// Without rotation a refresh response carries no `refresh_token`, so the client keeps
    /// its old one.
    pub rotate_refresh_tokens: bool,
    /// Refuse authorization requests that do not come through PAR (RFC 9126 §5).
    /// Default `false`.
    pub require_par: bool,
    /// Refuse token, PAR and userinfo requests without a DPoP proof (RFC 9449). A proof
    /// sent is always verified, and binds the tokens issued (`token_type` `DPoP`). With
    /// this or `dpop_nonce_required`, the metadata advertises
    /// `dpop_signing_alg_values_supported` `["ES256"]`. Default `false`.
    pub dpop_required: bool,
    /// Require the server's nonce in every DPoP proof (RFC 9449 §8, §9): a proof without it,
    /// or with an old one, is refused with `use_dpop_nonce` and the current nonce
    /// (`AuthServer::rotate_dpop_nonce` changes it). Default `false`.
    pub dpop_nonce_required: bool,
    /// The device flow's polling `interval` in seconds (RFC 8628 §3.2). Default 5.
    pub device_interval_secs: u64,
    /// The device code's lifetime in seconds (`expires_in`). Default 600.
    pub device_code_ttl_secs: u64,
    /// The web origins (`scheme://host:port`, compared byte for byte) whose pages may call the
    /// metadata, token, revocation and userinfo endpoints from a browser (CORS, as servers
    /// that accept single-page apps answer). A preflight from any other origin is refused
    /// with 403 and no response to it carries a CORS header, so the browser hides it from
    /// the page. Default: none.
    pub cors_allowed_origins: Vec<String>,
    /// Answer a code exchange whose authorization asked for `openid` with an ID token
    /// (OpenID Connect Core §3.1.3.3): `iss`, `sub`, `aud`, `exp`, `iat` and the request's
    /// `nonce`, ES256-signed with a key made for this server's run and not published, so a
    /// client establishes the issuer by TLS. A refresh of such a grant is answered with a new
    /// ID token too (§12.2: the same `iss`, `sub` and `aud`, no `nonce`). Default `false`.
    pub id_tokens: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        let redirect_uris: Vec<String> = clients::REDIRECT_URIS
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let client = |id: &str, auth: ClientAuth| ClientRegistration {
            client_id: id.to_owned(),
            auth,
            redirect_uris: redirect_uris.clone(),
        };
        Self {
            clients: vec![
                client(clients::PUBLIC_ID, ClientAuth::None),
                client(
                    clients::BASIC_ID,
                    ClientAuth::Basic {
                        secret: clients::BASIC_SECRET.to_owned(),
                    },
                ),
                client(
                    clients::POST_ID,
                    ClientAuth::Post {
                        secret: clients::POST_SECRET.to_owned(),
                    },
                ),
            ],
            send_iss: true,
            tls: false,
            auto_approve: false,
            access_token_ttl: 3600,
            code_ttl_secs: 60,
            rotate_refresh_tokens: true,
            require_par: false,
            dpop_required: false,
            dpop_nonce_required: false,
            device_interval_secs: 5,
            device_code_ttl_secs: 600,
            cors_allowed_origins: Vec::new(),
            id_tokens: false,
        }
    }
}

impl ServerConfig {
    /// The registration of `client_id`, if any.
    pub(crate) fn client(&self, client_id: &str) -> Option<&ClientRegistration> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }
}

/// A loopback redirect URI split into the parts RFC 8252 §7.3 compares: scheme and host
/// literal, and everything after the authority. The port is dropped on purpose.
struct Loopback<'a> {
    host: &'a str,
    rest: &'a str,
}

fn parse_loopback(uri: &str) -> Option<Loopback<'_>> {
    let after = uri.strip_prefix("http://")?;
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let close = v6.find(']')?;
        let host = authority.get(..close + 2)?;
        (host, authority.get(close + 2..)?)
    } else {
        match authority.split_once(':') {
            Some((host, _)) => (host, authority.get(host.len()..)?),
            None => (authority, ""),
        }
    };
    if host != "127.0.0.1" && host != "[::1]" {
        return None;
    }
    // An empty port, a sign or a non-digit would be accepted by lenient URL parsers but is
    // not a port; refusing it keeps the match strict.
    if let Some(digits) = port.strip_prefix(':') {
        let valid =
            !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit());
        if !valid || digits.parse::<u32>().map_or(true, |p| p > 65_535) {
            return None;
        }
    } else if !port.is_empty() {
        return None;
    }
    Some(Loopback { host, rest })
}

/// RFC 8252 §7.3: a loopback IP literal redirect URI matches with any port; everything else
/// is a simple string comparison (RFC 6749 §3.1.2.3, RFC 9700 §4.1.3).
pub(crate) fn redirect_matches(registered: &str, requested: &str) -> bool {
    match (parse_loopback(registered), parse_loopback(requested)) {
        (Some(reg), Some(req)) => reg.host == req.host && reg.rest == req.rest,
        _ => registered == requested,
    }
}

#[cfg(test)]
mod tests {
    use super::redirect_matches;

    #[test]
    fn loopback_matches_any_port_but_nothing_else() {
        let reg = "http://127.0.0.1/callback";
        assert!(redirect_matches(reg, "http://127.0.0.1/callback"));
        assert!(redirect_matches(reg, "http://127.0.0.1:49152/callback"));
        assert!(redirect_matches(
            "http://[::1]/callback",
            "http://[::1]:8080/callback"
        ));
        for bad in [
            "http://127.0.0.1:/callback",
            "http://127.0.0.1:99999/callback",
            "http://127.0.0.1:+80/callback",
            "http://127.0.0.1:80/callback/",
            "http://127.0.0.1:80/Callback",
            "http://127.0.0.1:80/callback?x=1",
            "http://127.0.0.1:80/callback#f",
            "https://127.0.0.1:80/callback",
            "http://localhost:80/callback",
            "http://[::1]:80/callback",
            "http://127.0.0.1@evil:80/callback",
        ] {
            assert!(!redirect_matches(reg, bad), "{bad}");
        }
        assert!(redirect_matches(
            "https://app.example/cb",
            "https://app.example/cb"
        ));
        assert!(!redirect_matches(
            "https://app.example/cb",
            "https://app.example:443/cb"
        ));
    }
}
