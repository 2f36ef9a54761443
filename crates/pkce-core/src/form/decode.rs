//! The form decoder: split first, then decode each component.

use crate::error::{BufferTooSmall, FormError};

/// The `name=value` pairs of a query string or form body, as raw encoded components.
///
/// Splits on `&` only (`;` is data), skips empty sequences, and splits each sequence at its
/// first `=`; a sequence without `=` has an empty value. Nothing is decoded until asked, so
/// `%26` inside a value can never split it.
#[derive(Clone)]
pub struct Pairs<'a> {
    rest: &'a [u8],
}

impl<'a> Pairs<'a> {
    /// The pairs of `input` (a query without its `?`, or a form body).
    #[must_use]
    pub fn new(input: &'a [u8]) -> Self {
        Self { rest: input }
    }
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (Encoded<'a>, Encoded<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (seq, rest) = match self.rest.iter().position(|&b| b == b'&') {
                Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
                None => (self.rest, &[][..]),
            };
            self.rest = rest;
            if seq.is_empty() {
                continue;
            }
            return Some(match seq.iter().position(|&b| b == b'=') {
                Some(i) => (Encoded(&seq[..i]), Encoded(&seq[i + 1..])),
                None => (Encoded(seq), Encoded(&[])),
            });
        }
    }
}

/// One still-encoded name or value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Encoded<'a>(&'a [u8]);

impl<'a> Encoded<'a> {
    /// Wraps an encoded component.
    #[must_use]
    pub const fn new(raw: &'a [u8]) -> Self {
        Self(raw)
    }

    /// The encoded octets as received.
    #[must_use]
    pub const fn raw(&self) -> &'a [u8] {
        self.0
    }

    /// Whether the component is empty (before decoding, which is the same thing).
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The decoded octets under WHATWG rules: `+` is a space, `%XX` an octet, and a `%`
    /// without two hex digits stays literal.
    #[must_use]
    pub fn decoded_bytes(&self) -> DecodedBytes<'a> {
        DecodedBytes { rest: self.0 }
    }

    /// Whether the leniently decoded octets equal `expected`, without a buffer. Parameter
    /// names are compared this way, so `%63ode` is recognised as `code`.
    #[must_use]
    pub fn decoded_eq(&self, expected: &str) -> bool {
        if self.is_plain() {
            return self.0 == expected.as_bytes();
        }
        self.decoded_bytes().eq(expected.bytes())
    }

    /// Whether the component has no `%` and no `+`, so it decodes to itself.
    #[must_use]
    pub fn is_plain(&self) -> bool {
        !self.0.iter().any(|&b| b == b'%' || b == b'+')
    }

    /// Decodes strictly and compares with `expected`, without a buffer.
    ///
    /// # Errors
    /// [`FormError::MalformedEscape`] (checked over the whole component, even after a
    /// difference, so the outcome does not depend on where the texts differ).
    pub fn strict_eq(&self, expected: &str) -> Result<bool, FormError> {
        if self.is_plain() {
            // Nothing to decode, nothing malformed.
            return Ok(self.0 == expected.as_bytes());
        }
        let mut want = expected.bytes();
        let mut equal = true;
        for b in (StrictBytes {
            rest: self.0,
            offset: 0,
        }) {
            equal &= want.next() == Some(b?);
        }
        Ok(equal && want.next().is_none())
    }

    /// The number of decoded octets.
    #[must_use]
    pub fn decoded_len(&self) -> usize {
        self.decoded_bytes().count()
    }

    /// Decodes strictly into `buf`: a malformed escape or invalid UTF-8 is an error, as
    /// policy P-12 asks for OAuth parameters.
    ///
    /// # Errors
    /// [`FormError::MalformedEscape`], [`FormError::InvalidUtf8`], or
    /// [`FormError::BufferTooSmall`] with the decoded length.
    pub fn decode_into<'b>(&self, buf: &'b mut [u8]) -> Result<&'b str, FormError> {
        if self.is_plain() {
            // The common case (a state, a code): the component decodes to itself.
            let out = buf.get_mut(..self.0.len()).ok_or(BufferTooSmall {
                needed: self.0.len(),
            })?;
            out.copy_from_slice(self.0);
            return core::str::from_utf8(out).map_err(|_| FormError::InvalidUtf8);
        }
        let mut len = 0usize;
        let mut iter = StrictBytes {
            rest: self.0,
            offset: 0,
        };
        for b in &mut iter {
            let b = b?;
            if let Some(slot) = buf.get_mut(len) {
                *slot = b;
            }
            len += 1;
        }
        let out = buf.get(..len).ok_or(BufferTooSmall { needed: len })?;
        core::str::from_utf8(out).map_err(|_| FormError::InvalidUtf8)
    }

    /// Decodes strictly into a new `String`.
    ///
    /// # Errors
    /// [`FormError::MalformedEscape`] or [`FormError::InvalidUtf8`].
    #[cfg(feature = "alloc")]
    pub fn decode_string(&self) -> Result<alloc::string::String, FormError> {
        if self.is_plain() {
            // The common case: the component decodes to itself.
            return core::str::from_utf8(self.0)
                .map(alloc::string::String::from)
                .map_err(|_| FormError::InvalidUtf8);
        }
        // Decoding never lengthens the text, so one allocation of the encoded size suffices.
        let mut bytes = alloc::vec::Vec::with_capacity(self.0.len());
        for b in (StrictBytes {
            rest: self.0,
            offset: 0,
        }) {
            bytes.push(b?);
        }
        alloc::string::String::from_utf8(bytes).map_err(|_| FormError::InvalidUtf8)
    }

    /// Decodes leniently (WHATWG): invalid UTF-8 becomes U+FFFD. For text that is only shown.
    #[cfg(feature = "alloc")]
    #[must_use]
    pub fn decode_lossy(&self) -> alloc::string::String {
        let bytes: alloc::vec::Vec<u8> = self.decoded_bytes().collect();
        alloc::string::String::from_utf8_lossy(&bytes).into_owned()
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Splits off the first decoded octet: `(octet, consumed, well_formed)`.
fn step(rest: &[u8]) -> Option<(u8, usize, bool)> {
    match *rest {
        [] => None,
        [b'+', ..] => Some((b' ', 1, true)),
        [b'%', h, l, ..] => match (hex(h), hex(l)) {
            (Some(h), Some(l)) => Some(((h << 4) | l, 3, true)),
            _ => Some((b'%', 1, false)),
        },
        [b'%', ..] => Some((b'%', 1, false)),
        [b, ..] => Some((b, 1, true)),
    }
}

/// The leniently decoded octets of an [`Encoded`] component.
#[derive(Clone)]
pub struct DecodedBytes<'a> {
    rest: &'a [u8],
}

impl Iterator for DecodedBytes<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        let (b, n, _) = step(self.rest)?;
        self.rest = self.rest.get(n..).unwrap_or(&[]);
        Some(b)
    }
}

struct StrictBytes<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl Iterator for StrictBytes<'_> {
    type Item = Result<u8, FormError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (b, n, ok) = step(self.rest)?;
        if !ok {
            let offset = self.offset;
            self.rest = &[];
            return Some(Err(FormError::MalformedEscape { offset }));
        }
        self.rest = self.rest.get(n..).unwrap_or(&[]);
        self.offset += n;
        Some(Ok(b))
    }
}

/// The first of `names` that occurs more than once in `input` (names compared after
/// decoding), or `None`. Linear in the input for each name; no allocation.
///
/// ```
/// use pkce_core::form::first_duplicate;
///
/// assert_eq!(first_duplicate(b"code=a&state=s&%63ode=b", &["code", "state"]), Some("code"));
/// assert_eq!(first_duplicate(b"code=a&state=s&foo=1&foo=2", &["code", "state"]), None);
/// ```
#[must_use]
pub fn first_duplicate<'k>(input: &[u8], names: &[&'k str]) -> Option<&'k str> {
    names
        .iter()
        .find(|name| {
            Pairs::new(input)
                .filter(|(n, _)| n.decoded_eq(name))
                .nth(1)
                .is_some()
        })
        .copied()
}

// The components may hold a code, a state or a verifier: `Debug` shows sizes only.
impl core::fmt::Debug for Pairs<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pairs")
            .field("remaining_bytes", &self.rest.len())
            .finish()
    }
}

impl core::fmt::Debug for Encoded<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Encoded(<{} bytes>)", self.0.len())
    }
}

impl core::fmt::Debug for DecodedBytes<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DecodedBytes")
            .field("remaining_bytes", &self.rest.len())
            .finish()
    }
}
