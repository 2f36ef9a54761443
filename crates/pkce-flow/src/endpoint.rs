//! Validation of endpoint, issuer and redirect URLs. The raw strings are kept exactly as
//! given: a URL parser would normalize them (trailing `/`, default port, case), and the
//! protocol compares them as exact strings (RFC 6749 §4.1.3, RFC 8414 §3.3, RFC 9207 §2.4).

use core::net::IpAddr;

use url::{Host, Url};

use crate::error::{ConfigError, EndpointError};

/// Whether `http://` is acceptable for loopback IP literals. Named so that every use reads as
/// the danger it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum LoopbackHttp {
    /// Only `https` (the default).
    #[default]
    Refuse,
    /// Also `http://127.0.0.1…`/`http://[::1]…` (never `localhost`, never another host): for
    /// tests and a local authorization server only.
    DangerouslyAllow,
}

/// Whether the URL's host is a loopback IP literal.
pub(crate) fn is_loopback_ip(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        _ => false,
    }
}

/// Checks an endpoint: absolute, no fragment, no user info, https (or loopback http when
/// allowed). Returns the parsed URL for further checks; the caller keeps the raw string.
pub(crate) fn check_endpoint(raw: &str, loopback: LoopbackHttp) -> Result<Url, EndpointError> {
    if raw.contains('#') {
        return Err(EndpointError::Fragment);
    }
    // The raw text is what gets sent, so the raw text is what must be right: the URL parser
    // below forgives leading spaces, tabs and line feeds, backslashes and `https:host`, and
    // validating its cleaned-up result would let those through (found by fuzzing).
    if !(raw.starts_with("https://") || raw.starts_with("http://")) {
        return Err(EndpointError::NotAbsolute);
    }
    if !is_wire_safe(raw) {
        return Err(EndpointError::InvalidCharacter);
    }
    let url = Url::parse(raw).map_err(|_| EndpointError::NotAbsolute)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(EndpointError::UserInfo);
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if loopback == LoopbackHttp::DangerouslyAllow && is_loopback_ip(&url) => Ok(url),
        _ => Err(EndpointError::Insecure),
    }
}

/// Printable ASCII without space or backslash: what a URL on the wire may hold as is.
pub(crate) fn is_wire_safe(raw: &str) -> bool {
    raw.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// Checks that an endpoint's own query holds none of the parameters the client sends.
pub(crate) fn check_query_free_of(raw: &str, reserved: &[&str]) -> Result<(), EndpointError> {
    let Some((_, query)) = raw.split_once('?') else {
        return Ok(());
    };
    let clash = pkce_core::form::Pairs::new(query.as_bytes())
        .any(|(name, _)| reserved.iter().any(|r| name.decoded_eq(r)));
    if clash {
        Err(EndpointError::ReservedParameter)
    } else {
        Ok(())
    }
}

/// An issuer: an https URL with no query and no fragment (RFC 8414 §2).
pub(crate) fn check_issuer(raw: &str, loopback: LoopbackHttp) -> Result<(), ConfigError> {
    let url = check_endpoint(raw, loopback).map_err(|_| ConfigError::InvalidIssuer)?;
    if url.query().is_some() || raw.contains('?') {
        return Err(ConfigError::InvalidIssuer);
    }
    Ok(())
}

/// A redirect URI (RFC 6749 §3.1.2, RFC 8252 §7): absolute; no fragment; `http` only with a
/// loopback IP literal; `https`; or a private-use scheme that is a reversed domain name.
pub(crate) fn check_redirect_uri(raw: &str) -> Result<(), ConfigError> {
    if raw.contains('#') {
        return Err(ConfigError::RedirectFragment);
    }
    if !is_wire_safe(raw) {
        return Err(ConfigError::RedirectInvalidCharacter);
    }
    let url = Url::parse(raw).map_err(|_| ConfigError::RedirectRelative)?;
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "https" => Err(ConfigError::RedirectRelative),
        "http" if is_loopback_ip(&url) => Ok(()),
        "http"
            if url
                .host_str()
                .is_some_and(|h| h.eq_ignore_ascii_case("localhost")) =>
        {
            Err(ConfigError::LocalhostRedirect)
        }
        "http" => Err(ConfigError::InsecureRedirect),
        scheme if scheme.contains('.') => Ok(()),
        _ => Err(ConfigError::PrivateSchemeNotReverseDns),
    }
}

/// `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )` (RFC 6749 §3.3).
pub(crate) fn is_scope_token(token: &str) -> bool {
    !token.is_empty()
        && token
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e))
}

/// Splits the part of a URL before its query (and fragment).
pub(crate) fn without_query(raw: &str) -> &str {
    let end = raw.find(['?', '#']).unwrap_or(raw.len());
    raw.get(..end).unwrap_or(raw)
}
