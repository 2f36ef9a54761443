//! The response body read from its `ReadableStream` chunk by chunk, stopping at the cap.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

use crate::Error;

/// Reads `response`'s body whole, or fails as soon as it passes `limit` bytes: the chunk
/// that crosses the cap ends the read and the stream is cancelled, so memory stays bounded
/// by the cap plus one chunk whatever the server sends. `aborted` tells a failed read caused
/// by the request's timeout from a broken body.
pub(crate) async fn read_capped(
    response: &Response,
    limit: usize,
    aborted: impl Fn() -> bool,
) -> Result<Vec<u8>, Error> {
    let declared = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(Error::BodyTooLarge { limit });
    }
    let Some(stream) = response.body() else {
        // No body at all (204, a HEAD): nothing to read.
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader =
        stream
            .get_reader()
            .dyn_into()
            .map_err(|_| Error::ClientSetup {
                reason: "the browser gave no default reader for the response body",
            })?;
    let capacity = declared
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0)
        .min(limit);
    let mut body = Vec::with_capacity(capacity);
    loop {
        let step = JsFuture::from(reader.read())
            .await
            .map_err(|_| if aborted() { Error::Timeout } else { Error::Io })?;
        if field(&step, "done").as_bool().unwrap_or(true) {
            return Ok(body);
        }
        let chunk = field(&step, "value")
            .dyn_into::<Uint8Array>()
            .map_err(|_| Error::Io)?;
        let len = usize::try_from(chunk.length()).unwrap_or(usize::MAX);
        if len > limit - body.len() {
            // Tell the browser to stop downloading; its answer does not matter any more.
            drop(reader.cancel());
            return Err(Error::BodyTooLarge { limit });
        }
        let start = body.len();
        body.resize(start + len, 0);
        chunk.copy_to(&mut body[start..]);
    }
}

/// A property of a `read()` result (`done`, `value`); `undefined` when absent.
fn field(object: &JsValue, name: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}
