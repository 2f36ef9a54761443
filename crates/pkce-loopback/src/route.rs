//! Where one request head goes, decided before any OAuth check (RFC 8252 §7.3, §8.3).

/// Where one request head goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Route<'a> {
    /// Answer with this status and keep waiting.
    Stray {
        /// 400, 404 or 405.
        status: u16,
        /// Why, for logs.
        why: &'static str,
    },
    /// A GET of the redirect path on the right Host: its query goes to the callback check.
    Callback {
        /// The query, without `?` (possibly empty).
        query: &'a str,
    },
}

/// Routes a request head: only `GET {path}` with exactly one `Host: {authority}` (the IP
/// literal and port bound, a DNS-rebinding defence) reaches the callback check. A body is
/// never looked at, and nothing is allocated.
#[must_use]
pub fn route<'a>(head: &'a [u8], authority: &str, path: &str) -> Route<'a> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    if !matches!(request.parse(head), Ok(httparse::Status::Complete(_))) {
        return Route::Stray {
            status: 400,
            why: "malformed request",
        };
    }
    let (method, target) = (request.method.unwrap_or(""), request.path.unwrap_or(""));
    let mut hosts = request
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("host"));
    let host = hosts.next().map(|h| h.value);
    if host != Some(authority.as_bytes()) || hosts.next().is_some() {
        return Route::Stray {
            status: 400,
            why: "wrong Host header",
        };
    }
    let (target_path, query) = target.split_once('?').unwrap_or((target, ""));
    if target_path != path {
        return Route::Stray {
            status: 404,
            why: "another path",
        };
    }
    if method != "GET" {
        // A POST to the callback (a 307 from a misbehaving server) carries credentials;
        // its body is never read (RFC 9700 §4.12).
        return Route::Stray {
            status: 405,
            why: "not a GET",
        };
    }
    Route::Callback { query }
}

#[cfg(test)]
mod tests {
    use super::{Route, route};

    const AUTH: &str = "127.0.0.1:5000";

    fn head(s: &str) -> Vec<u8> {
        s.replace('\n', "\r\n").into_bytes()
    }

    #[test]
    fn only_get_of_the_path_on_the_exact_host_reaches_the_callback() {
        let ok = head("GET /callback?code=a&state=b HTTP/1.1\nHost: 127.0.0.1:5000\n\n");
        assert_eq!(
            route(&ok, AUTH, "/callback"),
            Route::Callback {
                query: "code=a&state=b"
            }
        );
        let cases = [
            ("GET /favicon.ico HTTP/1.1\nHost: 127.0.0.1:5000\n\n", 404),
            ("GET /callback HTTP/1.1\nHost: localhost:5000\n\n", 400),
            ("GET /callback HTTP/1.1\n\n", 400),
            (
                "GET /callback HTTP/1.1\nHost: 127.0.0.1:5000\nHost: 127.0.0.1:5000\n\n",
                400,
            ),
            (
                "POST /callback HTTP/1.1\nHost: 127.0.0.1:5000\nContent-Length: 3\n\nabc",
                405,
            ),
            ("GET /callback/x HTTP/1.1\nHost: 127.0.0.1:5000\n\n", 404),
            ("garbage\n\n", 400),
        ];
        for (text, status) in cases {
            assert!(
                matches!(route(&head(text), AUTH, "/callback"), Route::Stray { status: s, .. } if s == status),
                "{text:?}"
            );
        }
    }
}
