//! Building the back-channel POSTs: form body, client authentication, headers.

use alloc::string::String;

use pkce_core::form::FormEncoder;

use crate::config::{ClientAuth, ClientConfig};
use crate::http::{HttpRequest, Method};

/// A form POST to `url` with the client's authentication applied: Basic in the header, or
/// `client_id` (+ `client_secret` for `client_secret_post`) in the body; never both.
pub(crate) fn authenticated_post<'p>(
    config: &ClientConfig,
    url: &str,
    params: impl IntoIterator<Item = (&'p str, &'p str)> + Clone,
) -> HttpRequest {
    // Measure, then write once into an exactly sized body: one allocation, no copies of the
    // secrets left behind in freed, grown-out buffers.
    let mut counter = pkce_core::SliceWriter::new(&mut []);
    write_body(&mut counter, config, params.clone());
    let mut body = String::with_capacity(counter.len());
    write_body(&mut body, config, params);
    let request = HttpRequest::new(Method::Post, String::from(url), config.policy).form_body(body);
    match &config.auth {
        ClientAuth::Basic(secret) => request.header(
            "authorization",
            pkce_core::client_secret_basic_string(&config.client_id, secret.expose_secret()),
        ),
        ClientAuth::None | ClientAuth::Post(_) => request,
    }
}

fn write_body<'p, W: core::fmt::Write>(
    out: W,
    config: &ClientConfig,
    params: impl IntoIterator<Item = (&'p str, &'p str)>,
) {
    let mut form = FormEncoder::new(out);
    // Neither sink can fail: a String grows, a SliceWriter counts.
    for (name, value) in params {
        let _ = form.append_pair(name, value);
    }
    match &config.auth {
        ClientAuth::None => {
            let _ = form.append_pair("client_id", &config.client_id);
        }
        ClientAuth::Post(secret) => {
            let _ = form.append_pair("client_id", &config.client_id);
            let _ = form.append_pair("client_secret", secret.expose_secret());
        }
        ClientAuth::Basic(_) => {}
    }
}
