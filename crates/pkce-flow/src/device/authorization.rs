//! The device authorization request and its response (RFC 8628 §3.1-3.2).

use alloc::string::String;
use alloc::vec::Vec;

use crate::client::Client;
use crate::endpoint::{LoopbackHttp, check_endpoint};
use crate::error::{Error, ResponseError};
use crate::exchange::{OneShot, error_status};
use crate::http::{Exchange, HttpResponse, Poll};
use crate::json::{json_members, json_object};
use crate::loose::Loose;
use crate::secret::{DeviceCode, is_vschar_string};

/// The longest `user_code` accepted: a person types it, so a real one is short
/// (RFC 8628 §6.1 suggests 8 characters); anything longer is refused rather than shown.
pub const MAX_USER_CODE_LEN: usize = 64;

/// The polling interval when the server gives none (RFC 8628 §3.2).
const DEFAULT_INTERVAL: u64 = 5;

/// The extension parameters of the authorization request that also belong on the device
/// authorization request: the resource indicators (RFC 8707 §2) and `audience`.
const CARRIED_PARAMS: [&str; 2] = ["resource", "audience"];

/// A validated device authorization response (RFC 8628 §3.2).
///
/// `Debug` hides the device code; the user code and URIs are meant to be shown. Every text
/// member is printable ASCII (checked), so showing it cannot inject terminal escapes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceAuthorization {
    device_code: DeviceCode,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: Option<String>,
    expires_in: u64,
    interval: u64,
}

impl DeviceAuthorization {
    /// The device code, which polls for the tokens.
    #[must_use]
    pub fn device_code(&self) -> &DeviceCode {
        &self.device_code
    }

    /// The code the user types at the verification URI.
    #[must_use]
    pub fn user_code(&self) -> &str {
        &self.user_code
    }

    /// Where the user goes to enter the code.
    #[must_use]
    pub fn verification_uri(&self) -> &str {
        &self.verification_uri
    }

    /// The verification URI with the user code in it (for a QR code or a link), if given.
    #[must_use]
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.verification_uri_complete.as_deref()
    }

    /// The device code's lifetime in seconds from the response.
    #[must_use]
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// The minimum seconds between polling requests (5 when the server gave none).
    #[must_use]
    pub fn interval(&self) -> u64 {
        self.interval
    }
}

/// The device authorization request (RFC 8628 §3.1): client authentication as configured,
/// `scope`, and the configured `resource`/`audience` values.
#[derive(Debug)]
pub struct DeviceAuthorizationRequest {
    loopback: LoopbackHttp,
    machine: OneShot<DeviceAuthorization>,
}

impl Client {
    /// Starts the device authorization request (RFC 8628 §3.1).
    ///
    /// # Errors
    /// [`Error::NotConfigured`] (`device_authorization_endpoint`) when the client has no
    /// device authorization endpoint (from the metadata or the builder).
    pub fn device_authorization(&self) -> Result<DeviceAuthorizationRequest, Error> {
        let c = &*self.config;
        let endpoint = c
            .device_endpoint
            .as_ref()
            .ok_or(Error::NotConfigured("device_authorization_endpoint"))?;
        let mut params: Vec<(&str, &str)> = Vec::new();
        if let Some(scope) = &c.scope {
            params.push(("scope", scope));
        }
        params.extend(
            c.authorization_params
                .iter()
                .filter(|(name, _)| CARRIED_PARAMS.contains(&name.as_str()))
                .map(|(n, v)| (n.as_str(), v.as_str())),
        );
        let request = c.prebuilt.authenticated_post(endpoint, c.policy, params);
        // The endpoint passed the loopback rule at `build`; a verification URI may use http
        // only when the endpoint itself does.
        let loopback = if endpoint.starts_with("http://") {
            LoopbackHttp::DangerouslyAllow
        } else {
            LoopbackHttp::Refuse
        };
        Ok(DeviceAuthorizationRequest {
            loopback,
            machine: OneShot::new(request),
        })
    }
}

impl Exchange for DeviceAuthorizationRequest {
    type Output = DeviceAuthorization;

    fn kind(&self) -> &'static str {
        "device_authorization"
    }

    fn poll_output(&mut self) -> Result<Poll<DeviceAuthorization>, Error> {
        self.machine.poll()
    }

    fn handle_response(&mut self, response: HttpResponse<'_>) -> Result<(), Error> {
        let loopback = self.loopback;
        self.machine.handle(&response, |r| {
            parse_device_authorization(r, loopback).map(Some)
        })
    }
}

#[derive(Default)]
struct RawDeviceAuthorization<'a> {
    device_code: Option<Loose<'a>>,
    user_code: Option<Loose<'a>>,
    verification_uri: Option<Loose<'a>>,
    verification_uri_complete: Option<Loose<'a>>,
    expires_in: Option<Loose<'a>>,
    interval: Option<Loose<'a>>,
}
json_members!(RawDeviceAuthorization<'a> {
    device_code,
    user_code,
    verification_uri,
    verification_uri_complete,
    expires_in,
    interval,
});

/// Parses a device authorization response (RFC 8628 §3.2). `loopback` says whether a
/// verification URI may be `http://` on a loopback IP literal.
///
/// # Errors
/// An OAuth error ([`Error::Token`]) for 400/401 with an error body; [`ResponseError`] for a
/// missing or invalid member (an empty or unprintable code, a `user_code` longer than
/// [`MAX_USER_CODE_LEN`], a verification URI that is not an absolute https URL, a zero or
/// negative `expires_in`, a negative `interval`), another status or media type.
pub fn parse_device_authorization(
    response: &HttpResponse<'_>,
    loopback: LoopbackHttp,
) -> Result<DeviceAuthorization, Error> {
    if response.status() != 200 {
        return Err(error_status(response));
    }
    if !response.is_json() {
        return Err(ResponseError::UnexpectedContentType.into());
    }
    let raw: RawDeviceAuthorization<'_> = json_object(response.body())?;
    let device_code = DeviceCode::new(printable("device_code", raw.device_code)?);
    let user_code = printable("user_code", raw.user_code)?;
    if user_code.len() > MAX_USER_CODE_LEN {
        return Err(ResponseError::InvalidValue("user_code").into());
    }
    let verification_uri = uri("verification_uri", raw.verification_uri, loopback)?;
    let verification_uri_complete = match raw.verification_uri_complete {
        None => None,
        some => Some(uri("verification_uri_complete", some, loopback)?),
    };
    let expires_in = match seconds("expires_in", raw.expires_in)? {
        None => return Err(ResponseError::MissingField("expires_in").into()),
        Some(0) => return Err(ResponseError::InvalidValue("expires_in").into()),
        Some(s) => s,
    };
    let interval = seconds("interval", raw.interval)?.unwrap_or(DEFAULT_INTERVAL);
    Ok(DeviceAuthorization {
        device_code,
        user_code,
        verification_uri,
        verification_uri_complete,
        expires_in,
        interval,
    })
}

/// A required member that must be a non-empty printable ASCII string.
fn printable(name: &'static str, value: Option<Loose<'_>>) -> Result<String, ResponseError> {
    match value {
        None => Err(ResponseError::MissingField(name)),
        Some(Loose::Str(s)) if is_vschar_string(&s) => Ok(s.into_owned()),
        Some(Loose::Str(_)) => Err(ResponseError::InvalidValue(name)),
        Some(_) => Err(ResponseError::InvalidType(name)),
    }
}

/// A required URI shown to the user: an absolute https URL (the endpoint rules).
fn uri(
    name: &'static str,
    value: Option<Loose<'_>>,
    loopback: LoopbackHttp,
) -> Result<String, ResponseError> {
    let text = printable(name, value)?;
    check_endpoint(&text, loopback).map_err(|_| ResponseError::InvalidValue(name))?;
    Ok(text)
}

/// An optional non-negative JSON integer of seconds.
fn seconds(name: &'static str, value: Option<Loose<'_>>) -> Result<Option<u64>, ResponseError> {
    match value {
        None => Ok(None),
        Some(Loose::UInt(n)) => Ok(Some(n)),
        Some(Loose::NegInt | Loose::Float) => Err(ResponseError::InvalidValue(name)),
        Some(_) => Err(ResponseError::InvalidType(name)),
    }
}
