//! [`Browser`]: a scripted user agent for oidc-provider's development login and consent pages.

use std::sync::Mutex;
use std::time::Duration;

use ureq::http::Response;

use crate::error::{HarnessError, without_query};
use crate::html;

mod device;
use crate::url::{resolve, split};

/// How many requests one [`Browser::authorize`] may make before it gives up.
const MAX_STEPS: usize = 20;

/// The password typed into the login form (dev interactions accept anything).
const PASSWORD: &str = "interop-password";

/// An HTTP agent for talking to the provider directly: no redirects followed, 4xx/5xx
/// returned as responses (not errors), no proxy from the environment, 30 s timeout.
#[must_use]
pub fn http_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(30)))
        .user_agent("pkce-interop")
        .build()
        .into()
}

/// A scripted user agent: follows redirects by hand, keeps cookies, signs in on the
/// development login page and grants consent, and stops as soon as it is redirected to the
/// client.
///
/// Cookies are kept per `host:port` and path; `Domain`, `Secure`, `SameSite` are ignored (all
/// traffic is to one loopback origin). A value shared between threads is fine: requests of
/// one `Browser` are serialised on its cookie jar.
#[derive(Debug)]
pub struct Browser {
    agent: ureq::Agent,
    jar: Mutex<Vec<Cookie>>,
    login: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Cookie {
    authority: String,
    path: String,
    name: String,
    value: String,
}

/// What the script does on the provider's pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Script {
    /// Sign in and consent.
    Approve,
    /// Press "Cancel" on the first page that has it.
    Deny,
}

/// One request the user agent makes next.
enum Step {
    Get(String),
    Post(String, Vec<(String, String)>),
}

impl Step {
    fn url(&self) -> &str {
        match self {
            Self::Get(u) | Self::Post(u, _) => u,
        }
    }
}

/// What a walk met: a redirect (its target resolved) or a page that is not one.
enum Seen<'a> {
    Redirect(String),
    Page {
        url: &'a str,
        status: u16,
        body: &'a str,
    },
}

/// What a walk does next.
enum Turn<T> {
    /// Send this request.
    Next(Step),
    /// Stop with this result.
    Done(T),
    /// Stop with [`HarnessError::UnexpectedPage`] for the page just seen.
    Unexpected,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    /// A browser with an empty cookie jar that signs in as `interop-user`.
    #[must_use]
    pub fn new() -> Self {
        Self::with_login("interop-user")
    }

    /// A browser that signs in as `login` (which becomes the `sub` of the tokens).
    #[must_use]
    pub fn with_login(login: &str) -> Self {
        Self {
            agent: http_agent(),
            jar: Mutex::new(Vec::new()),
            login: login.to_owned(),
        }
    }

    /// The login name this browser types into the login form.
    #[must_use]
    pub fn login(&self) -> &str {
        &self.login
    }

    /// Opens `authorization_url`, follows redirects, signs in and consents as needed, and
    /// returns the first redirect target that starts with `redirect_uri_prefix`, without
    /// requesting it. The result may be a success (`code`) or an error (`error`) redirect.
    ///
    /// A browser that has signed in and consented before (same cookies) goes straight
    /// through.
    ///
    /// # Errors
    /// [`HarnessError::UnexpectedPage`] when the provider shows a page other than its login
    /// or consent form (for example its error page, with the error text in the summary),
    /// [`HarnessError::Http`] on transport errors, [`HarnessError::TooManySteps`].
    pub fn authorize(
        &self,
        authorization_url: &str,
        redirect_uri_prefix: &str,
    ) -> Result<String, HarnessError> {
        self.run(authorization_url, redirect_uri_prefix, Script::Approve)
    }

    /// Opens `authorization_url` and presses the dev interactions' "Cancel" link on the
    /// first page that shows one; returns the resulting error redirect to the client
    /// (`error=access_denied`, `error_description=End-User aborted interaction`, with
    /// `state` and `iss`) without requesting it.
    ///
    /// # Errors
    /// [`HarnessError::NothingToDeny`] when the provider redirects back without showing a
    /// page, and the errors of [`Browser::authorize`].
    pub fn deny(
        &self,
        authorization_url: &str,
        redirect_uri_prefix: &str,
    ) -> Result<String, HarnessError> {
        self.run(authorization_url, redirect_uri_prefix, Script::Deny)
    }

    fn run(&self, start: &str, prefix: &str, script: Script) -> Result<String, HarnessError> {
        split(start)?;
        let mut cancelled = false;
        self.walk(start, |seen| match seen {
            Seen::Redirect(next) if next.starts_with(prefix) => {
                if script == Script::Deny && !cancelled {
                    return Err(HarnessError::NothingToDeny);
                }
                Ok(Turn::Done(next))
            }
            Seen::Redirect(next) => Ok(Turn::Next(Step::Get(next))),
            Seen::Page { url, status, body } => Ok(match status {
                200 => self
                    .next_step(url, body, script, &mut cancelled)?
                    .map_or(Turn::Unexpected, Turn::Next),
                _ => Turn::Unexpected,
            }),
        })
    }

    /// The one step loop of every walk: sends `start`, resolves each redirect's `Location`
    /// and reads each page's body, and asks `decide` what comes next, at most
    /// [`MAX_STEPS`] requests.
    fn walk<T>(
        &self,
        start: &str,
        mut decide: impl FnMut(Seen<'_>) -> Result<Turn<T>, HarnessError>,
    ) -> Result<T, HarnessError> {
        let mut step = Step::Get(start.to_owned());
        for _ in 0..MAX_STEPS {
            let url = step.url().to_owned();
            let mut resp = self.send(&step)?;
            let status = resp.status().as_u16();
            let (turn, body) = if (300..400).contains(&status) {
                let location =
                    header(&resp, "location").ok_or_else(|| HarnessError::UnexpectedPage {
                        url: without_query(&url),
                        status,
                        summary: "redirect without a Location header".into(),
                    })?;
                (decide(Seen::Redirect(resolve(&url, &location)?))?, None)
            } else {
                let body =
                    resp.body_mut()
                        .read_to_string()
                        .map_err(|source| HarnessError::Http {
                            url: without_query(&url),
                            source,
                        })?;
                let turn = decide(Seen::Page {
                    url: &url,
                    status,
                    body: &body,
                })?;
                (turn, Some(body))
            };
            match turn {
                Turn::Done(done) => return Ok(done),
                Turn::Next(next) => step = next,
                Turn::Unexpected => {
                    return Err(HarnessError::UnexpectedPage {
                        url: without_query(&url),
                        status,
                        summary: html::summary(body.as_deref().unwrap_or_default(), 600),
                    });
                }
            }
        }
        Err(HarnessError::TooManySteps {
            last_url: without_query(step.url()),
        })
    }

    /// What to do on a 200 page: follow "Cancel", or fill and submit the login/consent form.
    fn next_step(
        &self,
        url: &str,
        body: &str,
        script: Script,
        cancelled: &mut bool,
    ) -> Result<Option<Step>, HarnessError> {
        if script == Script::Deny && !*cancelled {
            let abort = html::links(body).into_iter().find(|l| {
                l.href.contains("/abort") || l.text.to_ascii_lowercase().contains("cancel")
            });
            if let Some(link) = abort {
                *cancelled = true;
                return Ok(Some(Step::Get(resolve(url, &link.href)?)));
            }
        }
        // oidc-provider's dev interactions: one POST form with a hidden `prompt` input,
        // `login` (login + password fields) or `consent` (no fields).
        let Some(form) = html::forms(body)
            .into_iter()
            .find(|f| f.method == "post" && f.value_of("prompt").is_some())
        else {
            return Ok(None);
        };
        let action = resolve(url, form.action.as_deref().unwrap_or(url))?;
        let mut fields = Vec::new();
        for input in &form.inputs {
            if input.name.is_empty() {
                continue;
            }
            let value = match input.kind.as_str() {
                "password" => PASSWORD.to_owned(),
                "checkbox" | "radio" if !input.checked => continue,
                "submit" | "button" | "image" | "reset" | "file" => continue,
                "text" | "email" if input.value.is_empty() => self.login.clone(),
                _ => input.value.clone(),
            };
            fields.push((input.name.clone(), value));
        }
        Ok(Some(Step::Post(action, fields)))
    }

    fn send(&self, step: &Step) -> Result<Response<ureq::Body>, HarnessError> {
        let url = step.url();
        let parts = split(url)?;
        let cookie = self.cookie_header(parts.authority, parts.path);
        let result = match step {
            Step::Get(_) => {
                let mut req = self.agent.get(url);
                if let Some(c) = &cookie {
                    req = req.header("Cookie", c);
                }
                req.call()
            }
            Step::Post(_, fields) => {
                let body = pkce_core::form::encode_pairs_string(
                    fields.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                );
                let mut req = self
                    .agent
                    .post(url)
                    .header("Content-Type", "application/x-www-form-urlencoded");
                if let Some(c) = &cookie {
                    req = req.header("Cookie", c);
                }
                req.send(body.as_bytes())
            }
        };
        let resp = result.map_err(|source| HarnessError::Http {
            url: without_query(url),
            source,
        })?;
        for value in resp.headers().get_all("set-cookie") {
            if let Ok(text) = value.to_str() {
                self.store_cookie(parts.authority, parts.path, text);
            }
        }
        Ok(resp)
    }

    fn store_cookie(&self, authority: &str, request_path: &str, set_cookie: &str) {
        let mut parts = set_cookie.split(';');
        let Some((name, value)) = parts.next().and_then(|nv| nv.split_once('=')) else {
            return;
        };
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() {
            return;
        }
        let mut path = None;
        let mut expired = false;
        for attr in parts {
            let (k, v) = attr.split_once('=').unwrap_or((attr, ""));
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
            match k.as_str() {
                "path" if v.starts_with('/') => path = Some(v.to_owned()),
                "max-age" => expired |= v.parse::<i64>().is_ok_and(|s| s <= 0),
                // Deletions are sent as the epoch; no full date parser needed for that.
                "expires" => expired |= v.contains("1970"),
                _ => {}
            }
        }
        let path = path.unwrap_or_else(|| default_path(request_path));
        let mut jar = self
            .jar
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        jar.retain(|c| !(c.authority == authority && c.name == name && c.path == path));
        if !expired {
            jar.push(Cookie {
                authority: authority.to_owned(),
                path,
                name: name.to_owned(),
                value: value.to_owned(),
            });
        }
    }

    fn cookie_header(&self, authority: &str, path: &str) -> Option<String> {
        let jar = self
            .jar
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut matching: Vec<&Cookie> = jar
            .iter()
            .filter(|c| c.authority == authority && path_matches(path, &c.path))
            .collect();
        if matching.is_empty() {
            return None;
        }
        // RFC 6265 §5.4: longer paths first.
        matching.sort_by_key(|c| std::cmp::Reverse(c.path.len()));
        Some(
            matching
                .iter()
                .map(|c| format!("{}={}", c.name, c.value))
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}

/// RFC 6265 §5.1.4 default-path.
fn default_path(request_path: &str) -> String {
    match request_path.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(i) => request_path[..i].to_owned(),
    }
}

/// RFC 6265 §5.1.4 path-match.
fn path_matches(request_path: &str, cookie_path: &str) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/')
                || request_path.as_bytes().get(cookie_path.len()) == Some(&b'/')))
}

fn header(resp: &Response<ureq::Body>, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_jar_paths_and_deletion() {
        let b = Browser::new();
        b.store_cookie(
            "h:1",
            "/auth",
            "_interaction=abc; path=/interaction/abc; httponly",
        );
        b.store_cookie("h:1", "/auth", "_session=s1; path=/; samesite=none");
        b.store_cookie("h:1", "/a/b", "plain=1");
        assert_eq!(
            b.cookie_header("h:1", "/interaction/abc").as_deref(),
            Some("_interaction=abc; _session=s1")
        );
        assert_eq!(
            b.cookie_header("h:1", "/interaction/abcd").as_deref(),
            Some("_session=s1")
        );
        assert_eq!(
            b.cookie_header("h:1", "/a/c").as_deref(),
            Some("plain=1; _session=s1")
        );
        assert_eq!(b.cookie_header("h:2", "/"), None);
        b.store_cookie(
            "h:1",
            "/x",
            "_session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT",
        );
        assert_eq!(b.cookie_header("h:1", "/"), None);
        b.store_cookie("h:1", "/x", "_session=s2; path=/");
        b.store_cookie("h:1", "/x", "_session=s3; path=/");
        assert_eq!(b.cookie_header("h:1", "/").as_deref(), Some("_session=s3"));
        b.store_cookie("h:1", "/x", "_session=s3; path=/; Max-Age=0");
        assert_eq!(b.cookie_header("h:1", "/"), None);
    }
}
