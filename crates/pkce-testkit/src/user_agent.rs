//! The scripted browser: loads the consent page, clicks a button, reports where the server
//! redirects, and can deliver that redirect to a client's loopback listener.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ureq::Agent;
use ureq::http::Response;
use ureq::tls::{Certificate, RootCerts, TlsConfig, TlsProvider};

use crate::tls::TLS_CERT_PEM;

/// Response bodies past this size are an error.
const MAX_BODY: u64 = 1024 * 1024;

/// Why the scripted browser could not do what it was asked.
#[derive(Debug)]
#[non_exhaustive]
pub enum UaError {
    /// The request failed: connection, TLS, timeout, or an unreadable body.
    Transport(ureq::Error),
    /// The server answered neither a redirect nor a consent page (e.g. the `400` page for an
    /// unknown client or an unregistered redirect URI).
    Status {
        /// The HTTP status.
        status: u16,
        /// The response body, for the test's assertion message.
        body: String,
    },
    /// A redirect without a usable `Location` header.
    NoLocation {
        /// The HTTP status.
        status: u16,
    },
    /// A `200` page that holds no consent form.
    NoConsentForm,
    /// A URL the browser cannot resolve (the authorization URL or the form's action).
    BadUrl(String),
}

impl fmt::Display for UaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => write!(f, "request failed: {e}"),
            Self::Status { status, body } => write!(f, "unexpected status {status}: {body}"),
            Self::NoLocation { status } => {
                write!(f, "redirect {status} without a usable Location header")
            }
            Self::NoConsentForm => f.write_str("the page holds no consent form"),
            Self::BadUrl(url) => write!(f, "cannot resolve URL {url:?}"),
        }
    }
}

impl std::error::Error for UaError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Transport(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ureq::Error> for UaError {
    fn from(e: ureq::Error) -> Self {
        Self::Transport(e)
    }
}

/// A scripted browser: follows no redirect by itself, trusts the test server's certificate
/// (so it works with TLS-mode servers), and gives up after 30 seconds per request.
#[derive(Debug, Clone)]
pub struct UserAgent {
    agent: Agent,
}

impl Default for UserAgent {
    fn default() -> Self {
        Self::new()
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

fn location<B>(resp: &Response<B>) -> Result<String, UaError> {
    let status = resp.status().as_u16();
    let value = resp.headers().get("location").and_then(|v| v.to_str().ok());
    value
        .map(str::to_owned)
        .ok_or(UaError::NoLocation { status })
}

fn read_body(resp: &mut Response<ureq::Body>) -> Result<String, UaError> {
    Ok(resp
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_string()?)
}

/// The value of attribute `attr` in the first tag that contains `marker`.
fn attribute<'p>(page: &'p str, marker: &str, attr: &str) -> Option<&'p str> {
    let at = page.find(marker)?;
    // Up to and including the marker's first byte, so a marker that opens the tag counts.
    let start = page.get(..=at)?.rfind('<')?;
    let end = at + page[at..].find('>')?;
    let tag = &page[start..end];
    let needle = format!("{attr}=\"");
    let value = &tag[tag.find(&needle)? + needle.len()..];
    value.get(..value.find('"')?)
}

/// `scheme://authority` of an absolute URL.
fn origin(url: &str) -> Option<&str> {
    let after = url.find("://")? + 3;
    let end = url[after..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after + i);
    Some(&url[..end])
}

impl UserAgent {
    /// A new browser.
    #[must_use]
    pub fn new() -> Self {
        // The PEM is a compiled-in constant that the TLS tests load; should it ever fail to
        // parse, the browser simply trusts nothing.
        let roots = Certificate::from_pem(TLS_CERT_PEM.as_bytes())
            .map(|c| vec![c])
            .unwrap_or_default();
        let tls = TlsConfig::builder()
            .provider(TlsProvider::Rustls)
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .root_certs(RootCerts::Specific(Arc::new(roots)))
            .build();
        let agent = Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .tls_config(tls)
            .build()
            .new_agent();
        Self { agent }
    }

    /// Loads `authorization_url`, approves on the consent page and returns the redirect's
    /// `Location` (the client's callback URL with `code`, `state` and `iss`) without
    /// requesting it. If the server redirects without showing a page (auto-approval, or an
    /// error it may redirect), that `Location` is returned as is.
    ///
    /// # Errors
    /// [`UaError`] when the server shows an error page, or on any transport failure.
    pub fn approve(&self, authorization_url: &str) -> Result<String, UaError> {
        self.decide(authorization_url, "approve")
    }

    /// Like [`UserAgent::approve`], but the user clicks deny: the `Location` carries
    /// `error=access_denied`.
    ///
    /// # Errors
    /// As [`UserAgent::approve`].
    pub fn deny(&self, authorization_url: &str) -> Result<String, UaError> {
        self.decide(authorization_url, "deny")
    }

    fn decide(&self, authorization_url: &str, decision: &str) -> Result<String, UaError> {
        let mut resp = self.agent.get(authorization_url).call()?;
        let status = resp.status().as_u16();
        if is_redirect(status) {
            return location(&resp);
        }
        let page = read_body(&mut resp)?;
        if status != 200 {
            return Err(UaError::Status { status, body: page });
        }
        let interaction =
            attribute(&page, "name=\"interaction\"", "value").ok_or(UaError::NoConsentForm)?;
        let action = attribute(&page, "<form", "action").ok_or(UaError::NoConsentForm)?;
        let target = if action.starts_with('/') {
            let base = origin(authorization_url)
                .ok_or_else(|| UaError::BadUrl(authorization_url.to_owned()))?;
            format!("{base}{action}")
        } else if action.starts_with("http://") || action.starts_with("https://") {
            action.to_owned()
        } else {
            return Err(UaError::BadUrl(action.to_owned()));
        };
        let mut resp = self
            .agent
            .post(&target)
            .send_form([("interaction", interaction), ("decision", decision)])?;
        let status = resp.status().as_u16();
        if is_redirect(status) {
            return location(&resp);
        }
        let body = read_body(&mut resp)?;
        Err(UaError::Status { status, body })
    }

    /// Requests `callback_url` (typically the client's loopback listener) the way a browser
    /// follows the redirect, and returns the status and body.
    ///
    /// # Errors
    /// [`UaError::Transport`] when the request fails or the body is not UTF-8 or over 1 MiB.
    pub fn deliver(&self, callback_url: &str) -> Result<(u16, String), UaError> {
        let mut resp = self.agent.get(callback_url).call()?;
        let status = resp.status().as_u16();
        Ok((status, read_body(&mut resp)?))
    }
}

#[cfg(test)]
mod tests {
    use super::{attribute, origin};

    #[test]
    fn finds_form_fields_and_origins() {
        let page = "<form method=\"post\" action=\"/authorize/decision\">\n<input type=\"hidden\" name=\"interaction\" value=\"abc\">";
        assert_eq!(
            attribute(page, "<form", "action"),
            Some("/authorize/decision")
        );
        assert_eq!(
            attribute(page, "name=\"interaction\"", "value"),
            Some("abc")
        );
        assert_eq!(
            origin("http://127.0.0.1:1/authorize?x=1"),
            Some("http://127.0.0.1:1")
        );
        assert_eq!(origin("https://[::1]:8443"), Some("https://[::1]:8443"));
        assert_eq!(origin("nope"), None);
    }
}
