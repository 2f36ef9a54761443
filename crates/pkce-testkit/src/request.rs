//! A request with its body read (within a size cap), and the checks every form POST
//! endpoint shares.

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;

use crate::params::Params;
use crate::respond::{self, Resp, invalid_request};

/// Request bodies past this size get `413`.
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// The parts of a request the handlers look at.
pub(crate) struct Req {
    pub(crate) method: Method,
    pub(crate) path: String,
    /// The raw query, without `?`.
    pub(crate) query: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

fn too_large() -> Resp {
    respond::oauth_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "invalid_request",
        "request body is too large",
    )
}

/// Reads the body, at most [`MAX_BODY`] bytes.
pub(crate) async fn read(req: Request<Incoming>) -> Result<Req, Resp> {
    let (parts, body) = req.into_parts();
    // A declared length past the cap is refused before anything is read.
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => return Err(too_large()),
        Err(_) => return Err(invalid_request("the request body could not be read")),
    };
    Ok(Req {
        method: parts.method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or("").to_owned(),
        headers: parts.headers,
        body,
    })
}

/// Whether the request declares an `application/x-www-form-urlencoded` body (parameters
/// such as `charset=UTF-8` allowed; media types are case-insensitive).
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    let mut values = headers.get_all(CONTENT_TYPE).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let media = value.split(';').next().unwrap_or("").trim();
    media.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

/// Parameters that belong in a body and must never ride in the URL (credentials among them).
const BODY_ONLY: [&str; 10] = [
    "client_id",
    "client_secret",
    "code",
    "code_verifier",
    "grant_type",
    "redirect_uri",
    "refresh_token",
    "scope",
    "token",
    "request_uri",
];

/// The shared front of the token, PAR and revocation endpoints: POST only, a form body
/// (RFC 6749 §3.2), no OAuth parameter in the query, no duplicate or malformed parameter.
pub(crate) fn form_post(req: &Req) -> Result<Params, Resp> {
    if req.method != Method::POST {
        return Err(respond::method_not_allowed("POST"));
    }
    if !is_form(&req.headers) {
        return Err(invalid_request(
            "Content-Type must be application/x-www-form-urlencoded",
        ));
    }
    let in_query = Params::parse(req.query.as_bytes());
    if BODY_ONLY
        .iter()
        .any(|name| in_query.names().any(|n| n == *name))
    {
        return Err(invalid_request(
            "OAuth parameters must be sent in the request body, not the URL",
        ));
    }
    let params = Params::parse(&req.body);
    params
        .require_clean()
        .map_err(|why| invalid_request(&why))?;
    Ok(params)
}
