//! The device authorization response target (RFC 8628 §3.2), against serde_json's own
//! reading of the body and the rules written out here.

use pkce_flow::device::{MAX_USER_CODE_LEN, parse_device_authorization};
use pkce_flow::{HttpResponse, LoopbackHttp};

use super::{assert_inert, is_vschar_string, json_members};

/// The members the parser reads, read by serde_json on its own.
#[derive(serde::Deserialize)]
struct DeviceMembers {
    device_code: Option<serde_json::Value>,
    user_code: Option<serde_json::Value>,
    verification_uri: Option<serde_json::Value>,
    verification_uri_complete: Option<serde_json::Value>,
    expires_in: Option<serde_json::Value>,
    interval: Option<serde_json::Value>,
}

/// A URI the user is shown: `https://`, printable ASCII without space or backslash.
fn shown_uri_ok(uri: &str) -> bool {
    uri.starts_with("https://")
        && uri.len() > "https://".len()
        && uri
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'\\' && b != b'#')
}

/// `parse_device_authorization` of a `200 application/json` body: `Ok` ⇒ every member
/// equals the body's as serde_json reads it; the codes are non-empty printable ASCII, the
/// user code at most `MAX_USER_CODE_LEN` bytes; both URIs are https and printable without
/// space; `expires_in > 0`; `interval` is the body's or 5; `Debug` never shows the device
/// code. `Err` ⇒ the error text is inert.
pub fn device_authorization(data: &[u8]) {
    let response = HttpResponse::new(200, data).with_header("content-type", "application/json");
    let parsed = match parse_device_authorization(&response, LoopbackHttp::Refuse) {
        Ok(parsed) => parsed,
        Err(e) => return assert_inert(&e),
    };
    let json: DeviceMembers = json_members(data);
    let text =
        |v: &Option<serde_json::Value>| v.as_ref().and_then(|v| v.as_str().map(str::to_owned));
    let device_code = parsed.device_code().expose_secret();
    assert_eq!(text(&json.device_code).as_deref(), Some(device_code));
    assert!(is_vschar_string(device_code), "device code {device_code:?}");
    let user_code = parsed.user_code();
    assert_eq!(text(&json.user_code).as_deref(), Some(user_code));
    assert!(is_vschar_string(user_code) && user_code.len() <= MAX_USER_CODE_LEN);
    let uri = parsed.verification_uri();
    assert_eq!(text(&json.verification_uri).as_deref(), Some(uri));
    assert!(shown_uri_ok(uri), "verification URI {uri:?}");
    assert_eq!(
        text(&json.verification_uri_complete).as_deref(),
        parsed.verification_uri_complete()
    );
    if let Some(complete) = parsed.verification_uri_complete() {
        assert!(shown_uri_ok(complete), "complete URI {complete:?}");
    }
    let expires_in = json.expires_in.as_ref().and_then(serde_json::Value::as_u64);
    assert_eq!(expires_in, Some(parsed.expires_in()));
    assert!(parsed.expires_in() > 0);
    let interval = json
        .interval
        .as_ref()
        .map(|v| v.as_u64().expect("interval accepted only as an integer"));
    assert_eq!(interval.unwrap_or(5), parsed.interval());
    let debug = format!("{parsed:?}");
    assert!(debug.contains("DeviceCode(<redacted>)"), "{debug}");
    // The code could appear inside another member by chance; only a long one is checked.
    if device_code.len() >= 16
        && !data
            .windows(device_code.len())
            .filter(|w| *w == device_code.as_bytes())
            .nth(1)
            .is_some()
    {
        assert!(
            !debug.contains(device_code),
            "device code in Debug: {debug}"
        );
    }
}
