//! The form encoder.

use core::fmt;

use crate::error::BufferTooSmall;
use crate::sink::SliceWriter;

/// Per octet: 0 = kept as is (`A-Z a-z 0-9 * - . _`), 1 = space (becomes `+`), 3 = escaped.
/// The value is also the octet's encoded length.
const CLASS: [u8; 256] = {
    let mut table = [3u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || matches!(c, b'*' | b'-' | b'.' | b'_') {
            table[b] = 0;
        } else if c == b' ' {
            table[b] = 1;
        }
        b += 1;
    }
    table
};

/// `%00%01…%FF`: the escape of octet `b` is `ESCAPES[3 * b..3 * b + 3]`. Built at compile
/// time, so an escape is a slice of a validated `str`, not a fresh UTF-8 check.
const ESCAPE_BYTES: [u8; 768] = {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut table = [0u8; 768];
    let mut b = 0;
    while b < 256 {
        table[3 * b] = b'%';
        table[3 * b + 1] = HEX[b >> 4];
        table[3 * b + 2] = HEX[b & 0x0f];
        b += 1;
    }
    table
};
const ESCAPES: &str = match core::str::from_utf8(&ESCAPE_BYTES) {
    Ok(s) => s,
    // Unreachable: the table is ASCII. A compile-time empty string would only make every
    // escape empty, which the test vectors catch.
    Err(_) => "",
};

/// The length of `text` once form-encoded.
#[must_use]
pub fn encoded_len(text: &str) -> usize {
    text.bytes()
        .map(|b| usize::from(CLASS[usize::from(b)].max(1)))
        .sum()
}

/// Writes `text` form-encoded to `out`, in runs: every maximal run of kept octets is one
/// `write_str`, and an escape is one more.
///
/// # Errors
/// Whatever `out` returns.
pub fn encode_component<W: fmt::Write + ?Sized>(out: &mut W, text: &str) -> fmt::Result {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let class = CLASS[usize::from(b)];
        if class == 0 {
            continue;
        }
        if start < i {
            // The run holds only ASCII octets, so it lies on character boundaries.
            out.write_str(text.get(start..i).unwrap_or(""))?;
        }
        if class == 1 {
            out.write_str("+")?;
        } else {
            let at = 3 * usize::from(b);
            out.write_str(ESCAPES.get(at..at + 3).unwrap_or(""))?;
        }
        start = i + 1;
    }
    if start < bytes.len() {
        out.write_str(text.get(start..).unwrap_or(""))?;
    }
    Ok(())
}

/// The length of `name=value` pairs joined with `&`, without writing them.
#[must_use]
pub fn encoded_pairs_len<'p>(pairs: impl IntoIterator<Item = (&'p str, &'p str)>) -> usize {
    pairs
        .into_iter()
        .enumerate()
        .map(|(i, (n, v))| usize::from(i > 0) + encoded_len(n) + 1 + encoded_len(v))
        .sum()
}

/// Writes `name=value` pairs joined with `&` to any [`fmt::Write`].
///
/// ```
/// use pkce_core::form::FormEncoder;
///
/// let mut body = heapless::String::<64>::new();
/// let mut form = FormEncoder::new(&mut body);
/// form.append_pair("grant_type", "authorization_code")?;
/// form.append_pair("scope", "read write")?;
/// assert_eq!(body.as_str(), "grant_type=authorization_code&scope=read+write");
/// # Ok::<(), core::fmt::Error>(())
/// ```
pub struct FormEncoder<W> {
    out: W,
    empty: bool,
}

impl<W: fmt::Write> FormEncoder<W> {
    /// An encoder whose first pair is written without a leading `&`.
    pub fn new(out: W) -> Self {
        Self { out, empty: true }
    }

    /// An encoder that appends to output already holding pairs (a leading `&` is written).
    pub fn continuing(out: W) -> Self {
        Self { out, empty: false }
    }

    /// Appends one pair.
    ///
    /// # Errors
    /// Whatever the sink returns.
    pub fn append_pair(&mut self, name: &str, value: &str) -> fmt::Result {
        if !self.empty {
            self.out.write_str("&")?;
        }
        self.empty = false;
        encode_component(&mut self.out, name)?;
        self.out.write_str("=")?;
        encode_component(&mut self.out, value)
    }

    /// Whether no pair has been written by this encoder (or before it, for `continuing`).
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// The sink.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Encodes `pairs` into `buf` and returns the text.
///
/// # Errors
/// [`BufferTooSmall`] with the size the whole encoding needs.
///
/// ```
/// let mut buf = [0u8; 16];
/// let err = pkce_core::form::encode_pairs_into([("redirect_uri", "http://127.0.0.1/cb")], &mut buf)
///     .unwrap_err();
/// assert_eq!(err.needed, 40);
/// ```
pub fn encode_pairs_into<'b, 'p>(
    pairs: impl IntoIterator<Item = (&'p str, &'p str)>,
    buf: &'b mut [u8],
) -> Result<&'b str, BufferTooSmall> {
    let mut enc = FormEncoder::new(SliceWriter::new(buf));
    for (name, value) in pairs {
        // SliceWriter never fails: it counts what does not fit.
        let _ = enc.append_pair(name, value);
    }
    enc.into_inner().finish_str()
}

/// Encodes `pairs` into a new `String`.
#[cfg(feature = "alloc")]
#[must_use]
pub fn encode_pairs_string<'p>(
    pairs: impl IntoIterator<Item = (&'p str, &'p str)>,
) -> alloc::string::String {
    let mut out = alloc::string::String::new();
    let mut enc = FormEncoder::new(&mut out);
    for (name, value) in pairs {
        // Writing to a String cannot fail.
        let _ = enc.append_pair(name, value);
    }
    out
}

// The sink may hold secrets (a token request body): `Debug` never shows it.
impl<W> fmt::Debug for FormEncoder<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormEncoder")
            .field("empty", &self.empty)
            .finish_non_exhaustive()
    }
}
