//! The HTML the server shows a person: the consent page and the error page.
//!
//! Pages are static apart from escaped text: no script, no external resource.

use http::StatusCode;
use pkce_core::HtmlEscaped;

use crate::respond::{self, Resp};

/// The consent form posts here.
pub(crate) const DECISION_PATH: &str = "/authorize/decision";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>\n{body}\n</body></html>\n"
    )
}

/// `400` for a request the server must not redirect (RFC 6749 §4.1.2.1: unknown client,
/// missing or unregistered redirect URI).
pub(crate) fn error_page(description: &str) -> Resp {
    let body = format!(
        "<h1>Authorization request refused</h1>\n<p id=\"error\">invalid_request</p>\n<p id=\"error_description\">{}</p>",
        HtmlEscaped(description)
    );
    respond::html(StatusCode::BAD_REQUEST, page("Authorization error", &body))
}

/// The consent page: one POST form carrying the opaque interaction id, with an approve and
/// a deny button (`name="decision"`).
pub(crate) fn consent_page(interaction: &str, client_id: &str, scope: &str) -> Resp {
    let body = format!(
        "<h1>Authorize {client}?</h1>\n<p>The application <b>{client}</b> asks for: <code>{scope}</code></p>\n\
         <form method=\"post\" action=\"{DECISION_PATH}\">\n\
         <input type=\"hidden\" name=\"interaction\" value=\"{id}\">\n\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n\
         </form>",
        client = HtmlEscaped(client_id),
        scope = HtmlEscaped(scope),
        id = HtmlEscaped(interaction),
    );
    respond::html(StatusCode::OK, page("Authorize", &body))
}
