//! Client authentication at the token, PAR and revocation endpoints (RFC 6749 §2.3).

use base64ct::{Base64, Encoding};
use http::HeaderMap;
use http::header::AUTHORIZATION;
use pkce_core::constant_time_eq;
use pkce_core::form::Encoded;

use crate::config::{ClientAuth, ClientRegistration, ServerConfig};
use crate::params::Params;
use crate::respond::{Resp, invalid_client, invalid_request};

/// Credentials from an `Authorization: Basic` header, form-decoded.
struct Basic {
    id: String,
    secret: String,
}

/// RFC 6749 §2.3.1: base64-decode, split at the first `:`, then form-decode each half.
fn parse_basic(value: &[u8]) -> Result<Option<Basic>, &'static str> {
    let text = std::str::from_utf8(value).map_err(|_| "Authorization header is not ASCII")?;
    let (scheme, rest) = text.split_once(' ').unwrap_or((text, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let decoded = Base64::decode_vec(rest.trim_start_matches(' '))
        .map_err(|_| "Basic credentials are not base64")?;
    let colon = decoded
        .iter()
        .position(|&b| b == b':')
        .ok_or("Basic credentials have no ':'")?;
    let (id, secret) = (&decoded[..colon], &decoded[colon + 1..]);
    let decode = |raw: &[u8]| {
        Encoded::new(raw)
            .decode_string()
            .map_err(|_| "Basic credentials are not form-encoded UTF-8")
    };
    Ok(Some(Basic {
        id: decode(id)?,
        secret: decode(secret)?,
    }))
}

fn secret_eq(expected: &str, got: &str) -> bool {
    constant_time_eq(expected.as_bytes(), got.as_bytes())
}

/// The registration of the client making this request, authenticated by exactly the
/// method it is registered for; otherwise the error response to send.
pub(crate) fn authenticate<'c>(
    config: &'c ServerConfig,
    headers: &HeaderMap,
    params: &Params,
) -> Result<&'c ClientRegistration, Resp> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let header = values.next();
    if values.next().is_some() {
        return Err(invalid_request("more than one Authorization header"));
    }
    let basic = match header.map(|h| parse_basic(h.as_bytes())) {
        None => None,
        Some(Ok(Some(basic))) => Some(basic),
        Some(Ok(None)) => return Err(invalid_client("unsupported Authorization scheme")),
        Some(Err(why)) => return Err(invalid_client(why)),
    };
    let body_secret = params.get("client_secret");
    let body_id = params.get("client_id");
    if basic.is_some() && body_secret.is_some() {
        return Err(invalid_request(
            "more than one client authentication method (RFC 6749 section 2.3)",
        ));
    }
    let client_id = match (&basic, body_id) {
        (Some(b), Some(id)) if b.id != id => {
            return Err(invalid_request(
                "client_id differs from the authenticated client",
            ));
        }
        (Some(b), _) => b.id.as_str(),
        (None, Some(id)) => id,
        (None, None) => {
            return Err(invalid_client(
                "client authentication or client_id is required",
            ));
        }
    };
    let Some(client) = config.client(client_id) else {
        return Err(invalid_client("unknown client"));
    };
    let ok = match (&client.auth, &basic, body_secret) {
        (ClientAuth::None, None, None) => true,
        (ClientAuth::Basic { secret }, Some(b), None) => secret_eq(secret, &b.secret),
        (ClientAuth::Post { secret }, None, Some(s)) => secret_eq(secret, s),
        _ => false,
    };
    if ok {
        Ok(client)
    } else {
        Err(invalid_client("client authentication failed"))
    }
}
