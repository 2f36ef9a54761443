//! Token responses (RFC 6749 §5) and the code exchange (§4.1.3).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::sync::Arc;

use pkce_core::{CodeVerifier, Nonce};

use crate::client::ClientConfig;
use crate::error::{Error, ResponseError, TokenError, TokenErrorCode};
use crate::exchange::{OneShot, error_status, oauth_error};
use crate::http::{Exchange, HttpResponse, Poll};
use crate::json::{json_members, json_object};
use crate::loose::Loose;
use crate::quirk::{Quirk, QuirkSet};
use crate::request::{Piece, concat};
use crate::secret::{AccessToken, AuthorizationCode, RefreshToken, is_vschar_string};
use crate::text::UntrustedText;

/// The latest expiry instant [`TokenResponse::expires_at`] gives: 9999-12-31T23:59:59Z, in
/// seconds since the Unix epoch. Every platform's `SystemTime` (and the common date crates)
/// can hold it.
pub const MAX_EXPIRES_AT: u64 = 253_402_300_799;

/// A successful token response. Tokens are secrets; read them through their accessors.
#[derive(Clone, Debug)]
pub struct TokenResponse {
    access_token: AccessToken,
    expires_in: Option<u64>,
    pub(crate) refresh_token: Option<RefreshToken>,
    scope: Option<String>,
    id_token: Option<String>,
    quirks: QuirkSet,
    pub(crate) rotated: bool,
    dpop: bool,
    /// The OpenID Connect nonce sent with the authorization request this answers.
    pub(crate) nonce: Option<Nonce>,
}

impl TokenResponse {
    /// The access token.
    #[must_use]
    pub fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    /// The token type: `DPoP` for a client configured with a DPoP key (RFC 9449 §5),
    /// else `Bearer`; no other type is ever accepted.
    #[must_use]
    pub fn token_type(&self) -> &'static str {
        if self.dpop { "DPoP" } else { "Bearer" }
    }

    /// `expires_in`, in seconds, when the server gave it. The token may stop working earlier
    /// (OAuth 2.1 §3.2.3).
    #[must_use]
    pub fn expires_in(&self) -> Option<u64> {
        self.expires_in
    }

    /// The expiry instant, given when the response arrived (`now`, seconds since the Unix
    /// epoch); `None` only when the server gave no lifetime.
    ///
    /// The sum **saturates at [`MAX_EXPIRES_AT`]** (the last second of the year 9999), so an
    /// absurd `expires_in` (up to `u64::MAX`) still gives an instant that every platform's
    /// `SystemTime` can hold: `UNIX_EPOCH + Duration::from_secs(at)` never overflows.
    #[must_use]
    pub fn expires_at(&self, now: u64) -> Option<u64> {
        self.expires_in
            .map(|d| now.saturating_add(d).min(MAX_EXPIRES_AT))
    }

    /// The refresh token: after a refresh, the new one if the server rotated it, else the
    /// one used (RFC 6749 §6).
    #[must_use]
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// After a refresh: whether the server issued a new refresh token. The old one must then
    /// be discarded (RFC 6749 §6); persist the new one before using the new access token.
    #[must_use]
    pub fn rotated(&self) -> bool {
        self.rotated
    }

    /// The granted scope as the server stated it, or `None` when it stated none, which means
    /// "as requested" (RFC 6749 §5.1).
    #[must_use]
    pub fn granted_scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The OpenID Connect ID token, unvalidated, if the server sent one.
    #[must_use]
    pub fn id_token(&self) -> Option<&str> {
        self.id_token.as_deref()
    }

    /// Which named quirks this response needed.
    #[must_use]
    pub fn quirks_applied(&self) -> QuirkSet {
        self.quirks
    }
}

/// Every member the token parser reads, each as it came.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct RawToken<'a> {
    pub(crate) access_token: Option<Loose<'a>>,
    pub(crate) token_type: Option<Loose<'a>>,
    pub(crate) expires_in: Option<Loose<'a>>,
    pub(crate) expires: Option<Loose<'a>>,
    pub(crate) refresh_token: Option<Loose<'a>>,
    pub(crate) scope: Option<Loose<'a>>,
    pub(crate) id_token: Option<Loose<'a>>,
    pub(crate) error: Option<Loose<'a>>,
}
json_members!(RawToken<'a> {
    access_token,
    token_type,
    expires_in,
    expires,
    refresh_token,
    scope,
    id_token,
    error,
});

/// Parses a token endpoint response under the configured quirks.
///
/// # Errors
/// An OAuth error for 400/401, [`ResponseError`] for everything that breaks RFC 6749 §5.
pub fn parse_token_response(
    response: &HttpResponse<'_>,
    quirks: QuirkSet,
) -> Result<TokenResponse, Error> {
    parse_token_response_as(response, quirks, false)
}

/// As [`parse_token_response`]; with `dpop`, the `token_type` must be `DPoP` (any case),
/// and `Bearer` is accepted only under the quirk `BearerForDpop` (RFC 9449 §5).
pub(crate) fn parse_token_response_as(
    response: &HttpResponse<'_>,
    quirks: QuirkSet,
    dpop: bool,
) -> Result<TokenResponse, Error> {
    let mut applied = QuirkSet::empty();
    match response.status() {
        200 => {}
        201 if quirks.contains(Quirk::Status201) => applied.insert(Quirk::Status201),
        _ => return Err(error_status(response)),
    }
    if !response.is_json() {
        return Err(ResponseError::UnexpectedContentType.into());
    }
    let raw = json_object::<RawToken<'_>>(response.body())?;
    if let Some(Loose::Str(code)) = &raw.error {
        if quirks.contains(Quirk::ErrorWith200) {
            return Err(oauth_error(response.status(), response.body())
                .unwrap_or(TokenError {
                    status: response.status(),
                    code: TokenErrorCode::parse(code),
                    description: None,
                    uri: None,
                })
                .into());
        }
        return Err(ResponseError::ErrorWithSuccessStatus(TokenErrorCode::parse(code)).into());
    }
    let access_token = match raw.access_token {
        None => return Err(ResponseError::MissingField("access_token").into()),
        Some(Loose::Str(s)) if is_vschar_string(&s) => AccessToken::new(s.into_owned()),
        Some(Loose::Str(_)) => return Err(ResponseError::InvalidValue("access_token").into()),
        Some(_) => return Err(ResponseError::InvalidType("access_token").into()),
    };
    let bearer = match raw.token_type {
        Some(Loose::Str(t)) if t.eq_ignore_ascii_case("bearer") => true,
        Some(Loose::Str(t)) if dpop && t.eq_ignore_ascii_case("dpop") => false,
        Some(Loose::Str(t)) => {
            return Err(
                ResponseError::UnsupportedTokenType(UntrustedText::new(t.into_owned())).into(),
            );
        }
        Some(_) => return Err(ResponseError::InvalidType("token_type").into()),
        None if quirks.contains(Quirk::MissingTokenType) => {
            applied.insert(Quirk::MissingTokenType);
            true
        }
        None => return Err(ResponseError::MissingField("token_type").into()),
    };
    if dpop && bearer {
        if !quirks.contains(Quirk::BearerForDpop) {
            return Err(Error::Dpop(crate::dpop::DpopError::BearerForDpop));
        }
        applied.insert(Quirk::BearerForDpop);
    }
    let expires_in = match (raw.expires_in, raw.expires) {
        (Some(v), _) => Some(lifetime(v, quirks, &mut applied)?),
        (None, Some(v)) if quirks.contains(Quirk::ExpiresField) => {
            applied.insert(Quirk::ExpiresField);
            Some(lifetime(v, quirks, &mut applied)?)
        }
        (None, _) => None,
    };
    let refresh_token = match raw.refresh_token {
        None => None,
        // An empty string is not a replacement: RFC 6749 §6 is silent, and an empty token
        // could never be used, so the old one is kept (policy P-11).
        Some(Loose::Str(s)) if s.is_empty() => None,
        Some(Loose::Str(s)) if is_vschar_string(&s) => Some(RefreshToken::new(s.into_owned())),
        Some(Loose::Str(_)) => return Err(ResponseError::InvalidValue("refresh_token").into()),
        Some(_) => return Err(ResponseError::InvalidType("refresh_token").into()),
    };
    let scope = raw.scope.and_then(|s| scope(s, quirks, &mut applied));
    let id_token = raw.id_token.and_then(Loose::into_str).map(Cow::into_owned);
    Ok(TokenResponse {
        access_token,
        expires_in,
        refresh_token,
        scope,
        id_token,
        quirks: applied,
        rotated: false,
        dpop: !bearer,
        nonce: None,
    })
}

/// `expires_in`: a non-negative JSON integer; a string of digits only under the quirk.
fn lifetime(
    value: Loose<'_>,
    quirks: QuirkSet,
    applied: &mut QuirkSet,
) -> Result<u64, ResponseError> {
    match value {
        Loose::UInt(n) => Ok(n),
        Loose::NegInt | Loose::Float => Err(ResponseError::InvalidValue("expires_in")),
        Loose::Str(s) if quirks.contains(Quirk::StringExpiresIn) => {
            applied.insert(Quirk::StringExpiresIn);
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ResponseError::InvalidValue("expires_in"));
            }
            s.parse::<u64>()
                .map_err(|_| ResponseError::InvalidValue("expires_in"))
        }
        _ => Err(ResponseError::InvalidType("expires_in")),
    }
}

/// The granted scope (policy P-14): a string is kept as sent; the comma and array forms are
/// turned into the standard space-separated form only under their quirks; anything else is
/// ignored rather than failing the response.
fn scope(value: Loose<'_>, quirks: QuirkSet, applied: &mut QuirkSet) -> Option<String> {
    match value {
        Loose::Str(s) if quirks.contains(Quirk::CommaScope) && s.contains(',') => {
            applied.insert(Quirk::CommaScope);
            Some(
                s.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .collect::<alloc::vec::Vec<_>>()
                    .join(" "),
            )
        }
        Loose::Str(s) => Some(s.into_owned()),
        Loose::Strings(items) if quirks.contains(Quirk::ScopeArray) => {
            applied.insert(Quirk::ScopeArray);
            Some(items.join(" "))
        }
        _ => None,
    }
}

/// The code exchange (RFC 6749 §4.1.3 + RFC 7636 §4.5). It exists only as the result of a
/// validated callback, and sends its request once. The request is built at the first
/// `poll_output`, so validating a callback allocates nothing but the code.
#[derive(Debug)]
pub struct TokenExchange {
    config: Arc<ClientConfig>,
    step: CodeStep,
    nonce: Option<Nonce>,
}

#[derive(Debug)]
enum CodeStep {
    Unsent {
        code: AuthorizationCode,
        verifier: CodeVerifier,
    },
    Sent(OneShot<TokenResponse>),
}

impl TokenExchange {
    pub(crate) fn new(
        config: Arc<ClientConfig>,
        code: AuthorizationCode,
        verifier: CodeVerifier,
        nonce: Option<Nonce>,
    ) -> Self {
        Self {
            config,
            step: CodeStep::Unsent { code, verifier },
            nonce,
        }
    }

    fn request(
        c: &ClientConfig,
        code: &AuthorizationCode,
        verifier: &CodeVerifier,
    ) -> crate::http::HttpRequest {
        // In the order of RFC 6749 §4.1.3 and RFC 7636 §4.5: grant_type, code, the redirect
        // URI exactly as sent in the authorization request (encoded at `build`), the
        // verifier; then the extra parameters and the body credentials. One exactly sized
        // allocation.
        let p = &c.prebuilt;
        let body = concat(&[
            Piece::Raw("grant_type=authorization_code&code="),
            Piece::Encoded(code.expose_secret()),
            Piece::Raw(&p.exchange_redirect),
            Piece::Raw("&code_verifier="),
            Piece::Encoded(verifier.expose_secret()),
            Piece::Raw(&p.exchange_tail),
            Piece::Raw(p.credentials.expose_secret()),
        ]);
        p.post(&c.token_endpoint, c.policy, body)
    }
}

impl crate::dpop::DpopTarget for TokenExchange {
    fn dpop_binding(&self) -> crate::dpop::DpopBinding<'_> {
        crate::dpop::DpopBinding::authorization_server(self.config.dpop.as_ref())
    }
}

impl Exchange for TokenExchange {
    type Output = TokenResponse;

    fn kind(&self) -> &'static str {
        "code_exchange"
    }

    fn poll_output(&mut self) -> Result<Poll<TokenResponse>, Error> {
        if let CodeStep::Unsent { code, verifier } = &self.step {
            // The code and verifier are dropped here: from now on they live only in the
            // request, which the driver sends once.
            self.step = CodeStep::Sent(OneShot::new(Self::request(&self.config, code, verifier)));
        }
        match &mut self.step {
            CodeStep::Sent(machine) => machine.poll(),
            CodeStep::Unsent { .. } => Err(crate::error::Misuse::Finished.into()),
        }
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        let (quirks, dpop) = (self.config.quirks, self.config.dpop.is_some());
        let nonce = &mut self.nonce;
        match &mut self.step {
            CodeStep::Sent(machine) => machine.handle(&response, |r| {
                let mut tokens = parse_token_response_as(r, quirks, dpop)?;
                tokens.nonce = nonce.take();
                Ok(Some(tokens))
            }),
            CodeStep::Unsent { .. } => Err(crate::error::Misuse::NoRequestOutstanding.into()),
        }
    }
}
