//! Building the back-channel POSTs: form body, client authentication, headers.

use alloc::string::String;

use pkce_core::form::{FormEncoder, encoded_pairs_len};

use crate::config::{ClientAuth, ClientConfig};
use crate::http::{HttpRequest, Method};

/// A form POST to `url` with the client's authentication applied: Basic in the header, or
/// `client_id` (+ `client_secret` for `client_secret_post`) in the body; never both.
pub(crate) fn authenticated_post<'p, P>(
    config: &'p ClientConfig,
    url: &str,
    params: P,
) -> HttpRequest
where
    P: IntoIterator<Item = (&'p str, &'p str)> + Clone,
{
    // The credentials that go in the body, as plain pairs after the request's own.
    let client_id = ("client_id", &*config.client_id);
    let credentials: &[(&str, &str)] = match &config.auth {
        ClientAuth::None => &[client_id],
        ClientAuth::Post(secret) => &[client_id, ("client_secret", secret.expose_secret())],
        ClientAuth::Basic(_) => &[],
    };
    let pairs = |params: P| params.into_iter().chain(credentials.iter().copied());
    // Measure (arithmetic, no encoding), then write once into an exactly sized body: one
    // allocation, no copies of the secrets left behind in freed, grown-out buffers.
    let mut body = String::with_capacity(encoded_pairs_len(pairs(params.clone())));
    let mut form = FormEncoder::new(&mut body);
    for (name, value) in pairs(params) {
        // Writing into a String cannot fail.
        let _ = form.append_pair(name, value);
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
