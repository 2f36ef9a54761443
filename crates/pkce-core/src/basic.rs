//! `client_secret_basic` (RFC 6749 §2.3.1): the `Authorization` header value.
//!
//! The client id and secret are **form-encoded first** (Appendix B), joined with `:`, and the
//! result is encoded in **standard, padded** base64 (RFC 7617). Skipping the form-encoding
//! step breaks ids that hold `:` and secrets that hold `%` or `+`.

use core::fmt;

use base64ct::{Base64, Encoding};

use crate::error::BufferTooSmall;
use crate::form::{encode_component, encoded_len};
use crate::sink::SliceWriter;

const PREFIX: &str = "Basic ";

/// The length of the header value for this id and secret.
#[must_use]
pub fn client_secret_basic_len(client_id: &str, client_secret: &str) -> usize {
    let plain = encoded_len(client_id) + 1 + encoded_len(client_secret);
    PREFIX.len() + plain.div_ceil(3) * 4
}

/// Writes `Basic base64(form(id) ":" form(secret))` into `buf`.
///
/// The output holds the secret: treat the buffer as secret too.
///
/// # Errors
/// [`BufferTooSmall`] with the size needed ([`client_secret_basic_len`]).
///
/// ```
/// let mut buf = [0u8; 64];
/// let value = pkce_core::client_secret_basic("s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw", &mut buf)?;
/// assert_eq!(value, "Basic czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3");
/// # Ok::<(), pkce_core::BufferTooSmall>(())
/// ```
pub fn client_secret_basic<'b>(
    client_id: &str,
    client_secret: &str,
    buf: &'b mut [u8],
) -> Result<&'b str, BufferTooSmall> {
    let needed = client_secret_basic_len(client_id, client_secret);
    if buf.len() < needed {
        return Err(BufferTooSmall { needed });
    }
    let mut out = SliceWriter::new(buf);
    out.push_bytes(PREFIX.as_bytes());
    let mut b64 = Base64Sink {
        out,
        group: [0; 3],
        filled: 0,
    };
    // The sink never fails; errors are impossible here.
    let _ = encode_component(&mut b64, client_id);
    b64.push(b':');
    let _ = encode_component(&mut b64, client_secret);
    b64.finish().finish_str()
}

/// The header value in a new `String`.
#[cfg(feature = "alloc")]
#[must_use]
pub fn client_secret_basic_string(client_id: &str, client_secret: &str) -> alloc::string::String {
    let mut buf = alloc::vec![0u8; client_secret_basic_len(client_id, client_secret)];
    let value = client_secret_basic(client_id, client_secret, &mut buf)
        .map(alloc::string::String::from)
        .unwrap_or_default();
    #[cfg(feature = "zeroize")]
    zeroize::Zeroize::zeroize(&mut buf);
    value
}

/// Streams octets through base64 three at a time, so the form-encoded pre-image never needs
/// a buffer of its own.
struct Base64Sink<'a> {
    out: SliceWriter<'a>,
    group: [u8; 3],
    filled: usize,
}

impl<'a> Base64Sink<'a> {
    fn push(&mut self, b: u8) {
        if let Some(slot) = self.group.get_mut(self.filled) {
            *slot = b;
        }
        self.filled += 1;
        if self.filled == 3 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let mut quad = [0u8; 4];
        let input = self.group.get(..self.filled).unwrap_or(&[]);
        if let Ok(text) = Base64::encode(input, &mut quad) {
            self.out.push_bytes(text.as_bytes());
        }
        self.group = [0; 3];
        self.filled = 0;
    }

    fn finish(mut self) -> SliceWriter<'a> {
        if self.filled > 0 {
            self.flush();
        }
        self.out
    }
}

impl fmt::Write for Base64Sink<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        s.bytes().for_each(|b| self.push(b));
        Ok(())
    }
}
