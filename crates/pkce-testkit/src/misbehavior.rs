//! Endpoints and the ways a test can make one of them misbehave.
//!
//! Transport-level misbehaviours (redirects, huge, endless or cut-off bodies, stalls) are
//! what a hostile or broken network shows a client; the body quirks are what real providers
//! send. Each replaces the endpoint's normal answer, so a client's handling of it can be
//! tested over real HTTP.

use std::io;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::BodyExt;
use http_body_util::channel::Channel;

use crate::respond::{self, JSON, Resp};

/// The endpoints of the server, for [`AuthServer::set_misbehavior`](crate::AuthServer::set_misbehavior)
/// and [`AuthServer::hits`](crate::AuthServer::hits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// Both metadata documents: `/.well-known/oauth-authorization-server` (RFC 8414) and
    /// `/.well-known/openid-configuration`.
    Metadata,
    /// `/authorize` and the consent form's `/authorize/decision`.
    Authorize,
    /// `/token`.
    Token,
    /// `/par` (RFC 9126).
    Par,
    /// `/revoke` (RFC 7009).
    Revocation,
    /// `/userinfo`.
    UserInfo,
    /// `/device_authorization` and the user-code page `/device` (RFC 8628).
    Device,
}

impl Endpoint {
    /// A dense index for per-endpoint tables.
    pub(crate) const COUNT: usize = 7;

    pub(crate) const fn index(self) -> usize {
        self as usize
    }

    /// The endpoint serving `path`, if any.
    pub(crate) fn route(path: &str) -> Option<Self> {
        Some(match path {
            "/.well-known/oauth-authorization-server" | "/.well-known/openid-configuration" => {
                Self::Metadata
            }
            "/authorize" | "/authorize/decision" => Self::Authorize,
            "/token" => Self::Token,
            "/par" => Self::Par,
            "/revoke" => Self::Revocation,
            "/userinfo" => Self::UserInfo,
            "/device_authorization" | "/device" => Self::Device,
            _ => return None,
        })
    }
}

/// A deliberate protocol or transport violation, replacing an endpoint's normal response.
///
/// The request is still counted in [`AuthServer::hits`](crate::AuthServer::hits). Unless
/// said otherwise the request is not processed, so a misbehaving token endpoint does not
/// consume the code. The body quirks (`WrongContentType` through `CommaScope`, and the ID
/// token's) on
/// [`Endpoint::Token`] are the exception: the grant is processed for real and a success
/// response is sent with the quirk (errors stay normal), so a lenient client gets working
/// tokens. On other endpoints they send a canned token-shaped body, except that
/// `WrongContentType` and `Status201` on [`Endpoint::Metadata`] serve the real document.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Misbehavior {
    /// Answer with `status` (meant for 302, 307 or 308) and `Location: location`. Whether the
    /// target was requested is for the test to observe.
    Redirect {
        /// The status code; a value that is not a valid status gives a 500.
        status: u16,
        /// The `Location` header.
        location: String,
    },
    /// `200 application/json` with a body of exactly `bytes` bytes, streamed in chunks
    /// without `Content-Length`, so only a client that counts while reading stops early.
    HugeBody {
        /// The body size.
        bytes: u64,
    },
    /// `200 application/json` whose body never ends: whitespace chunks until the client
    /// hangs up.
    EndlessBody,
    /// Accept the request, send nothing for `secs` seconds, then answer normally.
    Stall {
        /// How long to stay silent.
        secs: u64,
    },
    /// Send the headers (with a `Content-Length` larger than what follows) and the start of a
    /// body, then abort the connection.
    ResetMidBody,
    /// A valid token response with `Content-Type: text/html`.
    WrongContentType,
    /// `200 application/json` whose body is `<html>captive portal</html>`.
    NotJson,
    /// `500` with a plain text body.
    ServerError,
    /// `200` with `{"error":"invalid_grant","error_description":…}`.
    ErrorWith200,
    /// `"expires_in":"3600"`, a string (Azure AD v1).
    StringExpiresIn,
    /// `"expires":3600` and no `expires_in` (old Facebook).
    ExpiresInsteadOfExpiresIn,
    /// No `token_type`.
    MissingTokenType,
    /// A success body with status 201.
    Status201,
    /// `"scope":["openid","profile"]`.
    ScopeArray,
    /// `"scope":"openid,profile"` (GitHub).
    CommaScope,
    /// `400` `use_dpop_nonce` with a new `DPoP-Nonce` every time, whatever the proof: a
    /// client that retries more than once loops.
    EndlessDpopNonce,
    /// `token_type` `Bearer` although the tokens are bound to the request's DPoP key.
    BearerForDpop,
    /// The ID token (`ServerConfig::id_tokens`) carries a `nonce` other than the request's.
    IdTokenWrongNonce,
    /// The ID token's `aud` is another client's id.
    IdTokenWrongAudience,
    /// The ID token's `sub` is another user's (valid for a login; after a refresh, another
    /// user than the login's, which OpenID Connect Core §12.2 forbids).
    IdTokenOtherSubject,
    /// The ID token's `aud` is the client and another party, with `azp` the client (valid for
    /// a login; after a refresh, another audience than the login's, which §12.2 forbids).
    IdTokenExtraAudience,
}

/// What the router does with a request, given the endpoint's misbehaviour.
pub(crate) enum Plan {
    /// Serve normally, after `delay` (zero unless the endpoint stalls).
    Serve {
        delay: Duration,
        quirk: Option<Misbehavior>,
    },
    /// Send this response instead.
    Replace(Resp),
}

impl Misbehavior {
    /// Whether this misbehaviour only mangles a success body.
    fn is_quirk(&self) -> bool {
        matches!(
            self,
            Self::WrongContentType
                | Self::StringExpiresIn
                | Self::ExpiresInsteadOfExpiresIn
                | Self::MissingTokenType
                | Self::Status201
                | Self::ScopeArray
                | Self::CommaScope
                | Self::BearerForDpop
                | Self::IdTokenWrongNonce
                | Self::IdTokenWrongAudience
                | Self::IdTokenOtherSubject
                | Self::IdTokenExtraAudience
        )
    }
}

/// Decides how a request to `endpoint` is answered.
pub(crate) fn plan(endpoint: Endpoint, m: Option<Misbehavior>) -> Plan {
    let serve = |quirk| Plan::Serve {
        delay: Duration::ZERO,
        quirk,
    };
    match m {
        None => serve(None),
        Some(Misbehavior::Stall { secs }) => Plan::Serve {
            delay: Duration::from_secs(secs),
            quirk: None,
        },
        Some(q) if q.is_quirk() && endpoint == Endpoint::Token => serve(Some(q)),
        Some(q @ (Misbehavior::WrongContentType | Misbehavior::Status201))
            if endpoint == Endpoint::Metadata =>
        {
            serve(Some(q))
        }
        Some(q) if q.is_quirk() => {
            Plan::Replace(crate::token::render_success(&canned_tokens(), Some(&q)))
        }
        Some(m) => Plan::Replace(replacement(&m)),
    }
}

/// The token-shaped body of canned quirk responses; the tokens are not valid anywhere.
fn canned_tokens() -> crate::store::Issued {
    crate::store::Issued {
        access_token: "pkce-testkit-canned-access-token".to_owned(),
        expires_in: 3600,
        refresh_token: Some("pkce-testkit-canned-refresh-token".to_owned()),
        bound: false,
        scope: "openid profile".to_owned(),
        id_token: None,
    }
}

/// The response of a transport-level misbehaviour.
fn replacement(m: &Misbehavior) -> Resp {
    match m {
        Misbehavior::Redirect { status, location } => match StatusCode::from_u16(*status) {
            Ok(status) => respond::redirect(status, location),
            Err(_) => respond::text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "invalid misbehaviour status",
            ),
        },
        Misbehavior::HugeBody { bytes } => streamed(huge_body(*bytes)),
        Misbehavior::EndlessBody => streamed(endless_body()),
        Misbehavior::ResetMidBody => reset_mid_body(),
        Misbehavior::NotJson => respond::no_store(respond::with_body(
            StatusCode::OK,
            JSON,
            respond::full("<html>captive portal</html>"),
        )),
        Misbehavior::ServerError => {
            respond::text(StatusCode::INTERNAL_SERVER_ERROR, "internal server error")
        }
        Misbehavior::EndlessDpopNonce => {
            let resp = respond::oauth_error(
                StatusCode::BAD_REQUEST,
                "use_dpop_nonce",
                "use the nonce in the DPoP-Nonce header",
            );
            let nonce = crate::store::random().unwrap_or_default();
            respond::with_header(resp, http::HeaderName::from_static("dpop-nonce"), &nonce)
        }
        Misbehavior::ErrorWith200 => respond::oauth_error(
            StatusCode::OK,
            "invalid_grant",
            "the authorization code is invalid (sent with status 200)",
        ),
        // Quirks and stalls never get here (see `plan`); answering normally-shaped keeps the
        // function total.
        _ => crate::token::render_success(&canned_tokens(), Some(m)),
    }
}

const CHUNK: usize = 16 * 1024;

/// A `200 application/json` response whose body a task fills chunk by chunk.
fn streamed(body: Channel<Bytes, io::Error>) -> Resp {
    respond::no_store(respond::with_body(
        StatusCode::OK,
        JSON,
        body.boxed_unsync(),
    ))
}

/// Exactly `bytes` bytes: a JSON object with one long string when it fits, spaces otherwise.
fn huge_body(bytes: u64) -> Channel<Bytes, io::Error> {
    let (mut tx, body) = Channel::new(2);
    tokio::spawn(async move {
        const HEAD: &[u8] = br#"{"padding":""#;
        const TAIL: &[u8] = br#""}"#;
        let framed = bytes >= (HEAD.len() + TAIL.len()) as u64;
        let mut left = bytes;
        if framed {
            left -= (HEAD.len() + TAIL.len()) as u64;
            if tx.send_data(Bytes::from_static(HEAD)).await.is_err() {
                return;
            }
        }
        let fill = if framed { b'x' } else { b' ' };
        let chunk = Bytes::from(vec![fill; CHUNK]);
        while left > 0 {
            let n = usize::try_from(left).map_or(CHUNK, |l| l.min(CHUNK));
            // A failed send means the client hung up: stop producing.
            if tx.send_data(chunk.slice(..n)).await.is_err() {
                return;
            }
            left -= n as u64;
        }
        if framed {
            let _ = tx.send_data(Bytes::from_static(TAIL)).await;
        }
    });
    body
}

/// Whitespace (valid JSON padding) until the client hangs up.
fn endless_body() -> Channel<Bytes, io::Error> {
    let (mut tx, body) = Channel::new(2);
    tokio::spawn(async move {
        let chunk = Bytes::from(vec![b' '; CHUNK]);
        while tx.send_data(chunk.clone()).await.is_ok() {}
    });
    body
}

/// Headers promising 4096 bytes, 32 of them, a pause for hyper to flush them, then an
/// aborted body: hyper closes the connection without completing the message.
fn reset_mid_body() -> Resp {
    let (mut tx, body) = Channel::<Bytes, io::Error>::new(2);
    tokio::spawn(async move {
        if tx
            .send_data(Bytes::from_static(br#"{"access_token":"cut-off-in-the-"#))
            .await
            .is_ok()
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
            tx.abort(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "ResetMidBody",
            ));
        }
    });
    let resp = streamed(body);
    respond::with_header(resp, http::header::CONTENT_LENGTH, "4096")
}
