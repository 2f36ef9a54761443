//! The few JSON pieces a JWS header, its claims and a JWK thumbprint need, written by hand
//! into any byte sink (a buffer, or a hash so a thumbprint needs no buffer).

use alloc::vec::Vec;

use sha2::{Digest, Sha256};

/// Where JSON text goes.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Sink for Sha256 {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// A JSON string (RFC 8259 §7): `"` and `\` escaped, control characters as `\u00XX`, all
/// other characters (non-ASCII included) as they are.
pub(crate) fn string(out: &mut impl Sink, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.put(b"\"");
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.put(&bytes[start..i]);
        match b {
            b'"' => out.put(b"\\\""),
            b'\\' => out.put(b"\\\\"),
            _ => out.put(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
        start = i + 1;
    }
    out.put(&bytes[start..]);
    out.put(b"\"");
}

/// `{"name":"value",...}` with the members in the order given.
pub(crate) fn object<'a>(
    out: &mut impl Sink,
    members: impl IntoIterator<Item = (&'a str, &'a str)>,
) {
    out.put(b"{");
    for (i, (name, value)) in members.into_iter().enumerate() {
        if i > 0 {
            out.put(b",");
        }
        string(out, name);
        out.put(b":");
        string(out, value);
    }
    out.put(b"}");
}

#[cfg(test)]
mod tests {
    use alloc::string::String;
    use alloc::vec::Vec;

    use proptest::prelude::*;

    proptest! {
        /// Whatever the text, serde_json reads back exactly the string written.
        #[test]
        fn written_strings_read_back_unchanged(s in any::<String>()) {
            let mut out = Vec::new();
            super::string(&mut out, &s);
            let back: String = serde_json::from_slice(&out).map_err(|e| TestCaseError::fail(alloc::format!("{e}")))?;
            prop_assert_eq!(back, s);
        }
    }

    #[test]
    fn quotes_backslashes_and_controls_are_escaped() {
        let mut out = Vec::new();
        super::string(&mut out, "a\"b\\c\n\u{1}é");
        assert_eq!(out, "\"a\\\"b\\\\c\\u000a\\u0001é\"".as_bytes());
    }
}
