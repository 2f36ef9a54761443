//! CORS for the endpoints a single-page app calls from the browser (metadata, token,
//! revocation, userinfo), as servers that accept browser clients answer: the configured
//! origins only, each echoed back (never `*`), no credentials.
//!
//! A preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered here and never
//! reaches an endpoint or its hit counter: 204 with the allowed methods and headers for a
//! configured origin, 403 without any CORS header for another. An ordinary request from a
//! foreign origin is still served (a server cannot stop a request it receives), but without
//! CORS headers, so the browser keeps the response from the page.

use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD,
    HeaderMap, HeaderValue, ORIGIN, VARY,
};
use http::{Method, StatusCode};

use crate::config::ServerConfig;
use crate::misbehavior::Endpoint;
use crate::respond::{self, Resp};

/// The request headers a page may send: the form or JSON content type, a bearer or DPoP
/// `Authorization`, and a `DPoP` proof.
const ALLOWED_HEADERS: &str = "authorization, content-type, dpop";
/// The response headers a page may read besides the CORS-safelisted ones: the resource's
/// challenge and the server's DPoP nonce.
const EXPOSED_HEADERS: &str = "www-authenticate, dpop-nonce";

/// What CORS makes of one request.
pub(crate) enum Cors {
    /// Not a browser's cross-origin request to a browser endpoint: serve as usual.
    None,
    /// A preflight, answered here.
    Preflight(Resp),
    /// A cross-origin request from an allowed origin: serve, then add the headers.
    Allow(HeaderValue),
}

/// Whether a page may call `endpoint` from another origin at all.
fn browser_endpoint(endpoint: Endpoint) -> bool {
    matches!(
        endpoint,
        Endpoint::Metadata | Endpoint::Token | Endpoint::Revocation | Endpoint::UserInfo
    )
}

/// Decides CORS for a request to `endpoint` from its method and headers.
pub(crate) fn check(
    config: &ServerConfig,
    endpoint: Endpoint,
    method: &Method,
    headers: &HeaderMap,
) -> Cors {
    let Some(origin) = headers.get(ORIGIN) else {
        return Cors::None;
    };
    let allowed = browser_endpoint(endpoint)
        && config
            .cors_allowed_origins
            .iter()
            .any(|o| o.as_bytes() == origin.as_bytes());
    let preflight =
        method == Method::OPTIONS && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    match (preflight, allowed) {
        (true, true) => {
            let mut resp = respond::text(StatusCode::NO_CONTENT, "");
            let h = resp.headers_mut();
            h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            h.insert(
                ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST"),
            );
            h.insert(
                ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOWED_HEADERS),
            );
            h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
            h.insert(VARY, HeaderValue::from_static("Origin"));
            Cors::Preflight(resp)
        }
        (true, false) => {
            Cors::Preflight(respond::text(StatusCode::FORBIDDEN, "origin not allowed"))
        }
        (false, true) => Cors::Allow(origin.clone()),
        (false, false) => Cors::None,
    }
}

/// Adds the headers that let the allowed origin's page read `resp`.
pub(crate) fn allow(mut resp: Resp, origin: HeaderValue) -> Resp {
    let h = resp.headers_mut();
    h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(
        ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED_HEADERS),
    );
    h.append(VARY, HeaderValue::from_static("Origin"));
    resp
}
