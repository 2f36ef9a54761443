//! The static pages the listener answers with. None of them echoes anything from the
//! request or the server, so there is nothing to escape; every one is `no-store`,
//! `no-referrer` (the callback URL holds the code) and closes the connection.

/// What the browser is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Page {
    /// The callback was accepted.
    Success,
    /// The callback answered this login with a refusal.
    Failure,
    /// 400: not the answer to this login (or a malformed request); still waiting.
    BadRequest,
    /// 404: another path.
    NotFound,
    /// 405: not a GET.
    MethodNotAllowed,
    /// 408: the request head did not arrive in time.
    Timeout,
    /// 431: the request head is over the size cap.
    TooLarge,
    /// 503: closed to make room for a newer connection.
    Busy,
}

impl Page {
    /// The page for a stray request's status.
    pub(crate) fn for_status(status: u16) -> Self {
        match status {
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            408 => Self::Timeout,
            431 => Self::TooLarge,
            503 => Self::Busy,
            _ => Self::BadRequest,
        }
    }

    /// The HTTP status it is sent with.
    pub(crate) fn status(self) -> u16 {
        match self {
            Self::Success | Self::Failure => 200,
            Self::BadRequest => 400,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Timeout => 408,
            Self::TooLarge => 431,
            Self::Busy => 503,
        }
    }

    /// The whole response: status line, headers and body.
    pub(crate) fn response(self) -> Vec<u8> {
        let status = self.status();
        let (reason, title, text) = match self {
            Self::Success => (
                "OK",
                "Login succeeded",
                "You are signed in. You can close this tab and return to the application.",
            ),
            Self::Failure => (
                "OK",
                "Login failed",
                "The login was refused. The application says why. You can close this tab.",
            ),
            Self::BadRequest => (
                "Bad Request",
                "Not the expected response",
                "This request does not answer the login in progress. The application is still waiting.",
            ),
            Self::NotFound => ("Not Found", "Not found", "Nothing here."),
            Self::MethodNotAllowed => (
                "Method Not Allowed",
                "Method not allowed",
                "Only GET is accepted here.",
            ),
            Self::Timeout => (
                "Request Timeout",
                "Request timeout",
                "The request took too long.",
            ),
            Self::TooLarge => (
                "Request Header Fields Too Large",
                "Request too large",
                "The request is too large.",
            ),
            Self::Busy => (
                "Service Unavailable",
                "Busy",
                "Too many connections. Try again.",
            ),
        };
        let body = format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
             <body><h1>{title}</h1><p>{text}</p></body></html>\n"
        );
        format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n\
             Content-Security-Policy: default-src 'none'\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }
}
