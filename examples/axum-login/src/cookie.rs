//! The app's two cookies: the sealed pending authorization between `/login` and
//! `/callback`, and the random session id after it. Both `HttpOnly` and `SameSite=Lax` (sent
//! on the authorization server's top-level redirect back, never on a cross-site `POST`).
//!
//! Over `https` the names carry the `__Host-` prefix (browsers then require `Secure`,
//! `Path=/` and no `Domain`, so no sibling host can set or shadow them). Over plain `http`
//! (a loopback test or development setup) browsers refuse `__Host-` cookies and `Secure`
//! ones, so both the prefix and `Secure` are dropped there.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

/// The pending authorization cookie's base name.
const LOGIN: &str = "pkce-login";
/// The session id cookie's base name.
const SESSION: &str = "pkce-session";

/// How the app's cookies are named and flagged, from the scheme of its public URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cookies {
    secure: bool,
}

/// A request carried the same cookie twice (a sibling host may have set one): neither is
/// trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ambiguous;

impl Cookies {
    /// `Secure` and `__Host-` names for an `https` public URL; neither otherwise.
    #[must_use]
    pub fn for_public_url(public_url: &str) -> Self {
        Self {
            secure: public_url.starts_with("https://"),
        }
    }

    fn name(self, base: &str) -> String {
        if self.secure {
            format!("__Host-{base}")
        } else {
            base.to_owned()
        }
    }

    /// The name of the pending authorization cookie.
    #[must_use]
    pub fn login_name(self) -> String {
        self.name(LOGIN)
    }

    /// The name of the session id cookie.
    #[must_use]
    pub fn session_name(self) -> String {
        self.name(SESSION)
    }

    /// A `Set-Cookie` value for `name`; `max_age` `Some(0)` deletes, `None` lasts the browser
    /// session.
    fn set(self, name: &str, value: &str, max_age: Option<u64>) -> String {
        let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
        if let Some(age) = max_age {
            cookie.push_str(&format!("; Max-Age={age}"));
        }
        if self.secure {
            cookie.push_str("; Secure");
        }
        cookie
    }

    /// Sets the pending authorization for `max_age` seconds.
    #[must_use]
    pub fn set_login(self, sealed: &str, max_age: u64) -> String {
        self.set(&self.login_name(), sealed, Some(max_age))
    }

    /// Deletes the pending authorization.
    #[must_use]
    pub fn clear_login(self) -> String {
        self.set(&self.login_name(), "", Some(0))
    }

    /// Sets the session id for the browser session.
    #[must_use]
    pub fn set_session(self, id: &str) -> String {
        self.set(&self.session_name(), id, None)
    }

    /// Deletes the session id.
    #[must_use]
    pub fn clear_session(self) -> String {
        self.set(&self.session_name(), "", Some(0))
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
///
/// # Errors
/// [`Ambiguous`] when it appears more than once.
pub fn read<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, Ambiguous> {
    let mut found = None;
    let pairs = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'));
    for pair in pairs {
        if let Some((n, v)) = pair.trim().split_once('=')
            && n == name
        {
            if found.is_some() {
                return Err(Ambiguous);
            }
            found = Some(v);
        }
    }
    Ok(found.filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};

    use super::{Ambiguous, Cookies, read};

    #[test]
    fn https_cookies_are_host_prefixed_and_secure_http_ones_are_neither() {
        let https = Cookies::for_public_url("https://app.example");
        assert_eq!(
            https.set_login("v", 600),
            "__Host-pkce-login=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=600; Secure"
        );
        let http = Cookies::for_public_url("http://127.0.0.1:8080");
        assert_eq!(
            http.set_session("id"),
            "pkce-session=id; Path=/; HttpOnly; SameSite=Lax"
        );
        assert!(http.clear_login().contains("Max-Age=0"));
    }

    #[test]
    fn a_cookie_sent_twice_is_refused() {
        let mut headers = HeaderMap::new();
        headers.append("cookie", HeaderValue::from_static("a=1; pkce-login=x"));
        assert_eq!(read(&headers, "pkce-login"), Ok(Some("x")));
        assert_eq!(read(&headers, "missing"), Ok(None));
        headers.append("cookie", HeaderValue::from_static("pkce-login=y"));
        assert_eq!(read(&headers, "pkce-login"), Err(Ambiguous));
    }
}
