//! The app's small HTML pages, every interpolated text escaped, served with headers that
//! keep them out of caches and frames and send no `Referer` (a callback URL holds a code).

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION, REFERRER_POLICY, SET_COOKIE,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use pkce_flow::pkce_core::HtmlEscaped;

/// A response under construction: status, body and cookies to set.
#[derive(Debug)]
pub struct Page {
    status: StatusCode,
    body: String,
    location: Option<String>,
    cookies: Vec<String>,
}

impl Page {
    /// A page titled `title` (escaped) around `body_html` (already safe HTML).
    #[must_use]
    pub fn html(status: StatusCode, title: &str, body_html: &str) -> Self {
        let title = HtmlEscaped(title);
        let body = format!(
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
             <body><h1>{title}</h1>\n{body_html}\n</body></html>\n"
        );
        Self {
            status,
            body,
            location: None,
            cookies: Vec::new(),
        }
    }

    /// An error page: `message` escaped, a link to start again.
    #[must_use]
    pub fn error(status: StatusCode, message: &str) -> Self {
        let body = format!(
            "<p id=\"error\">{}</p>\n<p><a href=\"/login\">Sign in again</a></p>",
            HtmlEscaped(message)
        );
        Self::html(status, "Sign-in failed", &body)
    }

    /// A `303 See Other` to `location`.
    #[must_use]
    pub fn redirect(location: &str) -> Self {
        Self {
            status: StatusCode::SEE_OTHER,
            body: String::new(),
            location: Some(location.to_owned()),
            cookies: Vec::new(),
        }
    }

    /// Adds a `Set-Cookie` header.
    #[must_use]
    pub fn cookie(mut self, set_cookie: String) -> Self {
        self.cookies.push(set_cookie);
        self
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut resp = (self.status, self.body).into_response();
        let headers = resp.headers_mut();
        let fixed = [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
            (
                CONTENT_SECURITY_POLICY,
                "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
            (REFERRER_POLICY, "no-referrer"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ];
        for (name, value) in fixed {
            headers.insert(name, HeaderValue::from_static(value));
        }
        // The location is an authorization URL or an app path, and the cookies are built
        // from base64url values: each is a valid header value; one that is not is dropped
        // and the browser sees the page without it.
        if let Some(value) = self.location.and_then(|l| HeaderValue::try_from(l).ok()) {
            headers.insert(LOCATION, value);
        }
        for cookie in self.cookies {
            if let Ok(value) = HeaderValue::try_from(cookie) {
                headers.append(SET_COOKIE, value);
            }
        }
        resp
    }
}
