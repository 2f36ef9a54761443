//! Small URL helpers for the user agent: split an absolute `http(s)` URL, resolve a
//! reference (RFC 3986 §5.2, enough of it for `Location` headers and form actions), and read
//! query parameters.

use crate::error::{HarnessError, without_query};

/// The parts of an absolute `http://` or `https://` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Parts<'a> {
    /// `http` or `https`.
    pub(crate) scheme: &'a str,
    /// `host[:port]`, as written.
    pub(crate) authority: &'a str,
    /// The path, `/` when empty.
    pub(crate) path: &'a str,
    /// The query without `?`, if any.
    pub(crate) query: Option<&'a str>,
}

/// Splits an absolute `http`/`https` URL. The fragment is dropped.
pub(crate) fn split(url: &str) -> Result<Parts<'_>, HarnessError> {
    let invalid = |reason| HarnessError::InvalidUrl {
        url: without_query(url),
        reason,
    };
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| invalid("not an absolute URL"))?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(invalid("only http and https URLs are supported"));
    }
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..auth_end];
    if authority.is_empty() {
        return Err(invalid("no host"));
    }
    let rest = &rest[auth_end..];
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    Ok(Parts {
        scheme,
        authority,
        path: if path.is_empty() { "/" } else { path },
        query,
    })
}

/// Resolves `reference` (a `Location` value or a form action) against the absolute `base`.
pub(crate) fn resolve(base: &str, reference: &str) -> Result<String, HarnessError> {
    let reference = reference.trim();
    let has_scheme = reference
        .find(':')
        .filter(|&colon| {
            colon > 0
                && reference[..colon]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
                && reference.as_bytes()[0].is_ascii_alphabetic()
        })
        .is_some();
    if has_scheme {
        // Validates it is http(s), and keeps it as given.
        split(reference)?;
        return Ok(reference.to_owned());
    }
    let b = split(base)?;
    if let Some(rest) = reference.strip_prefix("//") {
        return Ok(format!("{}://{rest}", b.scheme));
    }
    let origin = format!("{}://{}", b.scheme, b.authority);
    if reference.is_empty() || reference.starts_with('#') {
        let q = b.query.map(|q| format!("?{q}")).unwrap_or_default();
        return Ok(format!("{origin}{}{q}", b.path));
    }
    if reference.starts_with('?') {
        return Ok(format!("{origin}{}{reference}", b.path));
    }
    let (ref_path, ref_query) = match reference.find('?') {
        Some(i) => (&reference[..i], &reference[i..]),
        None => (reference, ""),
    };
    let merged = if ref_path.starts_with('/') {
        ref_path.to_owned()
    } else {
        let dir = &b.path[..b.path.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{ref_path}")
    };
    Ok(format!(
        "{origin}{}{ref_query}",
        remove_dot_segments(&merged)
    ))
}

/// RFC 3986 §5.2.4, on a path that starts with `/`.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    let mut trailing_slash = false;
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => trailing_slash = i == last,
            ".." => {
                out.pop();
                trailing_slash = i == last;
            }
            s => {
                out.push(s);
                trailing_slash = false;
            }
        }
    }
    let mut s = format!("/{}", out.join("/"));
    if trailing_slash && !s.ends_with('/') {
        s.push('/');
    }
    s
}

/// The decoded `name=value` pairs of the URL's query (empty when it has none). Decoding is
/// the lenient WHATWG one, through `pkce_core::form`.
#[must_use]
pub fn query_pairs(url: &str) -> Vec<(String, String)> {
    let no_fragment = url.split_once('#').map_or(url, |(before, _)| before);
    let Some((_, query)) = no_fragment.split_once('?') else {
        return Vec::new();
    };
    pkce_core::form::Pairs::new(query.as_bytes())
        .map(|(n, v)| (n.decode_lossy(), v.decode_lossy()))
        .collect()
}

/// The decoded value of the first query parameter called `name`.
#[must_use]
pub fn query_param(url: &str, name: &str) -> Option<String> {
    query_pairs(url)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_references() {
        let base = "http://127.0.0.1:9/auth/abc?x=1";
        let r = |s| resolve(base, s).unwrap();
        assert_eq!(r("/interaction/u"), "http://127.0.0.1:9/interaction/u");
        assert_eq!(r("http://h/cb?code=1"), "http://h/cb?code=1");
        assert_eq!(r("//other:1/p"), "http://other:1/p");
        assert_eq!(r("?y=2"), "http://127.0.0.1:9/auth/abc?y=2");
        assert_eq!(r("def"), "http://127.0.0.1:9/auth/def");
        assert_eq!(r("../x/./y?q"), "http://127.0.0.1:9/x/y?q");
        assert_eq!(r(""), "http://127.0.0.1:9/auth/abc?x=1");
        assert!(resolve(base, "ftp://h/x").is_err());
    }

    #[test]
    fn splits() {
        let p = split("http://127.0.0.1:9?x#f").unwrap();
        assert_eq!(p.authority, "127.0.0.1:9");
        assert_eq!(p.path, "/");
        assert_eq!(p.query, Some("x"));
        assert!(split("/relative").is_err());
        assert!(split("http:///x").is_err());
    }

    #[test]
    fn query() {
        let url =
            "http://127.0.0.1:1/callback?code=a%2Bb&state=s+t&iss=http%3A%2F%2F127.0.0.1%3A2#frag";
        assert_eq!(query_param(url, "code").as_deref(), Some("a+b"));
        assert_eq!(query_param(url, "state").as_deref(), Some("s t"));
        assert_eq!(
            query_param(url, "iss").as_deref(),
            Some("http://127.0.0.1:2")
        );
        assert_eq!(query_param(url, "frag"), None);
        assert!(query_pairs("http://h/").is_empty());
    }
}
