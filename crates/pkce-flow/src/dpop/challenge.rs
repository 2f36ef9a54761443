//! What a server says about DPoP: the `DPoP` challenge of `WWW-Authenticate` (RFC 9449 §7.1)
//! and the decision whether a response asks for a nonce (RFC 9449 §8, §9).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::DpopError;
use super::nonce::DpopNonce;
use crate::bearer::parse_challenges;
use crate::error::{Error, ResponseError};
use crate::http::HttpResponse;
use crate::text::UntrustedText;

/// The `error` of a `DPoP` challenge (RFC 9449 §7.1, §12.2; RFC 6750 §3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DpopErrorCode {
    /// `use_dpop_nonce`: send the request again with the nonce of the `DPoP-Nonce` header.
    UseDpopNonce,
    /// `invalid_dpop_proof`: the proof was refused.
    InvalidDpopProof,
    /// `invalid_token`: the access token is invalid, expired or bound to another key.
    InvalidToken,
    /// `invalid_request`.
    InvalidRequest,
    /// `insufficient_scope`.
    InsufficientScope,
    /// Another code.
    Other(UntrustedText),
}

impl DpopErrorCode {
    fn parse(code: String) -> Self {
        match code.as_str() {
            "use_dpop_nonce" => Self::UseDpopNonce,
            "invalid_dpop_proof" => Self::InvalidDpopProof,
            "invalid_token" => Self::InvalidToken,
            "invalid_request" => Self::InvalidRequest,
            "insufficient_scope" => Self::InsufficientScope,
            _ => Self::Other(UntrustedText::new(code)),
        }
    }
}

/// A parsed `DPoP` challenge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DpopChallenge {
    /// `algs`: the JWS algorithms the resource server accepts, split on spaces.
    pub algs: Vec<String>,
    /// `error`.
    pub error: Option<DpopErrorCode>,
    /// `error_description`.
    pub error_description: Option<UntrustedText>,
    /// `realm`.
    pub realm: Option<UntrustedText>,
    /// `scope`, split on spaces.
    pub scope: Vec<String>,
}

/// The parameters a `DPoP` challenge defines, in the order of the slots below.
const PARAMS: [&str; 5] = ["algs", "error", "error_description", "realm", "scope"];

/// Finds the `DPoP` challenge among every challenge of one or more `WWW-Authenticate` values
/// (a resource server may offer `Bearer` and `DPoP` side by side, in any order, RFC 9449
/// §7.2), the scheme compared case-insensitively, and reads its parameters. A repeated
/// parameter is an error, never "last one wins".
///
/// # Errors
/// [`DpopError::MalformedChallenge`] on a syntax error or a repeated parameter,
/// [`DpopError::ChallengeTooLarge`] past the parser's size cap.
pub fn dpop_challenge<'v>(
    values: impl IntoIterator<Item = &'v str>,
) -> Result<Option<DpopChallenge>, DpopError> {
    let challenges = parse_challenges(values).map_err(|e| match e {
        Error::Response(ResponseError::ChallengeTooLarge) => DpopError::ChallengeTooLarge,
        _ => DpopError::MalformedChallenge,
    })?;
    let Some(challenge) = challenges
        .into_iter()
        .find(|c| c.scheme.eq_ignore_ascii_case("dpop"))
    else {
        return Ok(None);
    };
    let [algs, error, error_description, realm, scope] = unique_params(challenge.params, PARAMS)?;
    Ok(Some(DpopChallenge {
        algs: algs.as_deref().map(split_spaces).unwrap_or_default(),
        error: error.map(DpopErrorCode::parse),
        error_description: error_description.map(UntrustedText::new),
        realm: realm.map(UntrustedText::new),
        scope: scope.as_deref().map(split_spaces).unwrap_or_default(),
    }))
}

/// The values of the parameters `names` (lower case), each at most once; others ignored.
fn unique_params<const N: usize>(
    params: Vec<(String, String)>,
    names: [&str; N],
) -> Result<[Option<String>; N], DpopError> {
    let mut slots: [Option<String>; N] = core::array::from_fn(|_| None);
    for (name, value) in params {
        if let Some(i) = names.iter().position(|n| *n == name)
            && slots[i].replace(value).is_some()
        {
            return Err(DpopError::MalformedChallenge);
        }
    }
    Ok(slots)
}

fn split_spaces(s: &str) -> Vec<String> {
    s.split(' ')
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect()
}

/// Who answered: the two kinds of server ask for a nonce differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DpopServer {
    /// The token or PAR endpoint: `400` with the JSON error `use_dpop_nonce` (RFC 9449 §8).
    AuthorizationServer,
    /// A protected resource: `401` with `WWW-Authenticate: DPoP error="use_dpop_nonce"`
    /// (RFC 9449 §9).
    ResourceServer,
}

/// Whether `response` asks the client to send the request again with a server nonce, and
/// with which: `Ok(Some(nonce))` for a `use_dpop_nonce` answer, `Ok(None)` for anything else
/// (success, another error: the exchange handles those as usual).
///
/// The caller sends **one** new request with the nonce; a second `use_dpop_nonce` answer to
/// that request is a failure, not another retry.
///
/// # Errors
/// [`DpopError::NonceMissing`] for a `use_dpop_nonce` answer without a `DPoP-Nonce`,
/// [`DpopError::InvalidNonce`] when its `DPoP-Nonce` is malformed (never copied into a
/// proof), [`DpopError::MalformedChallenge`] for a resource server's unreadable challenge.
pub fn nonce_retry(
    server: DpopServer,
    response: &HttpResponse<'_>,
) -> Result<Option<DpopNonce>, DpopError> {
    let asks = match server {
        DpopServer::AuthorizationServer => {
            response.status() == 400
                && response.is_json()
                && json_error(response.body()).as_deref() == Some("use_dpop_nonce")
        }
        DpopServer::ResourceServer => {
            response.status() == 401
                && dpop_challenge(response.headers_named("www-authenticate"))?
                    .is_some_and(|c| c.error == Some(DpopErrorCode::UseDpopNonce))
        }
    };
    if !asks {
        return Ok(None);
    }
    DpopNonce::from_response(response)?
        .map(Some)
        .ok_or(DpopError::NonceMissing)
}

/// The `error` member of a JSON error body; `None` when the body is no JSON object with a
/// string `error` (the exchange reports such bodies itself).
fn json_error(body: &[u8]) -> Option<Cow<'_, str>> {
    #[derive(serde::Deserialize)]
    struct ErrorBody<'a> {
        #[serde(borrow)]
        error: Option<Cow<'a, str>>,
    }
    serde_json::from_slice::<ErrorBody<'_>>(body).ok()?.error
}
