//! The fast path of the token response parser: one pass over a flat JSON object whose
//! members are all strings without escapes or unsigned integers, which is what conformant
//! authorization servers send.
//!
//! The scanner never decides that a body is wrong. It either produces exactly what the
//! serde path ([`crate::exchange::json_object`] into [`RawToken`]) would produce for the same
//! body, or declines (`None`) and lets that path parse it, which names precisely what is
//! wrong. It declines on anything outside its small grammar: an escape, a nested value,
//! `true`/`false`/`null`, a negative or fractional or overflowing number, a leading zero, a
//! byte-order mark, a repeated member, an `error` member, an empty object. The agreement
//! with serde is tested on generated objects (unit tests below) and fuzzed
//! (`fuzz/fuzz_targets/token_response.rs` through [`crate::fuzzing`]).

use alloc::borrow::Cow;

use crate::loose::Loose;
use crate::token::RawToken;

/// Scans `body`; `None` means "not in the fast grammar", never "invalid".
pub(crate) fn token(body: &[u8]) -> Option<RawToken<'_>> {
    // JSON text is UTF-8 as a whole (RFC 8259 §8.1), so every slice between ASCII
    // delimiters below is UTF-8 too.
    let text = core::str::from_utf8(body).ok()?;
    let mut s = Scanner { text, at: 0 };
    let mut raw = RawToken::default();
    s.skip_ws();
    s.eat(b'{')?;
    loop {
        s.skip_ws();
        let name = s.string()?;
        s.skip_ws();
        s.eat(b':')?;
        s.skip_ws();
        let value = s.value()?;
        let slot = match name {
            "access_token" => &mut raw.access_token,
            "token_type" => &mut raw.token_type,
            "expires_in" => &mut raw.expires_in,
            "expires" => &mut raw.expires,
            "refresh_token" => &mut raw.refresh_token,
            "scope" => &mut raw.scope,
            "id_token" => &mut raw.id_token,
            // An error in a success response, or a member this parser does not keep.
            "error" => return None,
            _ => &mut None,
        };
        if slot.is_some() {
            // A repeated member: the serde path reports `DuplicateField`.
            return None;
        }
        *slot = Some(value);
        s.skip_ws();
        match s.next()? {
            b',' => {}
            b'}' => break,
            _ => return None,
        }
    }
    s.skip_ws();
    // Nothing may follow the object.
    (s.at == body.len()).then_some(raw)
}

struct Scanner<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// JSON whitespace only (RFC 8259 §2): not form feed or vertical tab.
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// A string without escapes or control characters; the text between the quotes.
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let rest = self.text.as_bytes().get(start..)?;
        let len = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.at = start + len + 1;
        // Both ends are ASCII quotes, so this lies on character boundaries.
        self.text.get(start..start + len)
    }

    /// A member value: an escape-free string or an unsigned integer without a leading zero
    /// that fits in a `u64`.
    fn value(&mut self) -> Option<Loose<'a>> {
        match self.peek()? {
            b'"' => self.string().map(|s| Loose::Str(Cow::Borrowed(s))),
            b'0'..=b'9' => {
                let start = self.at;
                let mut n: u64 = 0;
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
                    self.at += 1;
                }
                let digits = self.at - start;
                let leading_zero = digits > 1 && self.text.as_bytes().get(start) == Some(&b'0');
                // A fraction or exponent makes it a float: the serde path's business.
                if leading_zero || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
                    return None;
                }
                Some(Loose::UInt(n))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::format;

    use super::token;
    use crate::exchange::json_object;
    use crate::token::RawToken;

    /// The oracle: whatever the scanner accepts, serde parses to the same thing.
    fn agrees(body: &str) -> bool {
        match token(body.as_bytes()) {
            None => false,
            Some(fast) => {
                let slow: RawToken<'_> = json_object(body.as_bytes()).expect(body);
                assert_eq!(fast, slow, "{body}");
                true
            }
        }
    }

    #[test]
    fn conformant_responses_take_the_fast_path() {
        for body in [
            r#"{"access_token":"mF_9.B5f-4.1JqM","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","scope":"openid profile"}"#,
            " {\n \"access_token\" : \"a\" ,\r\n\t\"token_type\":\"bearer\", \"x\": 0 } \n",
            r#"{"access_token":"a","token_type":"Bearer","expires_in":18446744073709551615}"#,
            r#"{"token_type":"Bearer","access_token":"é ü 😀","id_token":"a.b.c","not-before-policy":0}"#,
            r#"{"access_token":"","token_type":"","expires":7}"#,
        ] {
            assert!(agrees(body), "declined: {body}");
        }
    }

    #[test]
    fn anything_unusual_is_left_to_serde() {
        for body in [
            "",
            "{}",
            "[]",
            "\u{feff}{\"access_token\":\"a\"}",
            r#"{"access_token":"a\/b"}"#,
            r#"{"access_token":"a","access_token":"b"}"#,
            r#"{"access_token":"a","error":"invalid_grant"}"#,
            r#"{"access_token":null}"#,
            r#"{"access_token":"a","ok":true}"#,
            r#"{"access_token":"a","n":{"x":1}}"#,
            r#"{"expires_in":-1}"#,
            r#"{"expires_in":1.5}"#,
            r#"{"expires_in":1e3}"#,
            r#"{"expires_in":0123}"#,
            r#"{"expires_in":18446744073709551616}"#,
            r#"{"access_token":"a",}"#,
            r#"{"access_token":"a"} x"#,
            r#"{"access_token":"a"}}"#,
            "{\"access_token\":\"a\tb\"}",
            "{\"access_token\":\"a\"}\u{c}",
            r#"{"access_token" "a"}"#,
            r#"{"access_token":"a""#,
            r#"{"a\u0063cess_token":"a"}"#,
        ] {
            assert!(token(body.as_bytes()).is_none(), "accepted: {body:?}");
        }
        assert!(token(b"{\"access_token\":\"\xff\"}").is_none());
    }

    /// Generated objects: every combination of member names (known, unknown, repeated),
    /// value shapes and whitespace. Where the scanner accepts, serde must agree.
    #[test]
    fn scanner_agrees_with_serde_on_generated_objects() {
        let names = [
            "access_token",
            "token_type",
            "expires_in",
            "expires",
            "refresh_token",
            "scope",
            "id_token",
            "other",
        ];
        let values = [
            r#""v""#, r#""""#, "0", "42", "007", r#""a b""#, "-3", "true", r#""é""#,
        ];
        let spaces = ["", " ", "\n\t"];
        let mut accepted = 0;
        let mut total = 0;
        for (i, a) in names.iter().enumerate() {
            for b in &names[i..] {
                for va in values {
                    for vb in values {
                        for ws in spaces {
                            let body = format!("{{{ws}\"{a}\"{ws}:{va},\"{b}\":{ws}{vb}{ws}}}");
                            total += 1;
                            if agrees(&body) {
                                accepted += 1;
                            }
                        }
                    }
                }
            }
        }
        // The oracle must have been exercised on both sides.
        assert!(
            accepted > total / 3 && accepted < total,
            "{accepted}/{total}"
        );
    }
}
