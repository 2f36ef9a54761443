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
    params: impl IntoIterator<Item = (&'p str, &'p str)>,
) -> HttpRequest {
    let mut body = String::new();
    let mut form = FormEncoder::new(&mut body);
    // Writing into a String cannot fail.
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
    let request = HttpRequest::new(Method::Post, String::from(url), config.policy).form_body(body);
    match &config.auth {
        ClientAuth::Basic(secret) => request.header(
            "authorization",
            pkce_core::client_secret_basic_string(&config.client_id, secret.expose_secret()),
        ),
        ClientAuth::None | ClientAuth::Post(_) => request,
    }
}
