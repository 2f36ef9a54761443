//! The fast path of the token response parser: one pass over a flat JSON object whose
//! members are all strings without escapes or unsigned integers, which is what conformant
//! authorization servers send.
//!
//! The scanner never decides that a body is wrong. It either produces exactly what the
//! serde path ([`crate::exchange::json_object`] into [`RawToken`]) would produce for the same
//! body, or declines (returns `false`) and lets that path parse it, which names precisely what is
//! wrong. It declines on anything outside its small grammar: an escape, a nested value,
//! `true`/`false`/`null`, a negative or fractional or overflowing number, a leading zero, a
//! byte-order mark, a repeated member, an `error` member, an empty object. The agreement
//! with serde is tested on generated objects (unit tests below) and fuzzed
//! (`fuzz/fuzz_targets/token_response.rs` through [`crate::fuzzing`]).

use alloc::borrow::Cow;

use crate::loose::Loose;
use crate::token::RawToken;

/// Scans `body` into `raw` (which must start empty); `false` means "not in the fast
/// grammar", never "invalid", and leaves `raw` partly filled. Filling the caller's value in
/// place spares moving the 256-byte `RawToken` out.
pub(crate) fn token<'a>(body: &'a [u8], raw: &mut RawToken<'a>) -> bool {
    scan_into(body, raw).is_some()
}

fn scan_into<'a>(body: &'a [u8], raw: &mut RawToken<'a>) -> Option<()> {
    // JSON text is UTF-8 as a whole (RFC 8259 §8.1), so every slice between ASCII
    // delimiters below is UTF-8 too.
    let text = core::str::from_utf8(body).ok()?;
    let b = text.as_bytes();
    let mut at = skip_ws(b, 0);
    if b.get(at) != Some(&b'{') {
        return None;
    }
    at += 1;
    loop {
        at = skip_ws(b, at);
        let (name, after) = string(text, at)?;
        at = skip_ws(b, after);
        if b.get(at) != Some(&b':') {
            return None;
        }
        // The slot first, so that the value is written into it once, where it stays
        // (`get_or_insert` on the empty slot: no drop of the old value to run).
        let mut ignored = None;
        let slot = match name {
            "access_token" => &mut raw.access_token,
            "token_type" => &mut raw.token_type,
            "expires_in" => &mut raw.expires_in,
            "expires" => &mut raw.expires,
            "refresh_token" => &mut raw.refresh_token,
            "scope" => &mut raw.scope,
            "id_token" => &mut raw.id_token,
            // An error in a success response: the serde path's business.
            "error" => return None,
            // A member this parser does not keep.
            _ => &mut ignored,
        };
        if slot.is_some() {
            // A repeated member: the serde path reports `DuplicateField`.
            return None;
        }
        at = skip_ws(b, at + 1);
        at = match b.get(at) {
            Some(b'"') => {
                let (s, next) = string(text, at)?;
                slot.get_or_insert(Loose::Str(Cow::Borrowed(s)));
                next
            }
            Some(b'0'..=b'9') => {
                let (n, next) = integer(b, at)?;
                slot.get_or_insert(Loose::UInt(n));
                next
            }
            _ => return None,
        };
        at = skip_ws(b, at);
        match b.get(at) {
            Some(b',') => at += 1,
            Some(b'}') => break,
            _ => return None,
        }
    }
    // Nothing but whitespace may follow the object.
    (skip_ws(b, at + 1) == b.len()).then_some(())
}

/// Octets that end the fast scan of a string: the closing quote, an escape, or a control
/// character (which JSON forbids unescaped).
const STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        table[c] = true;
        c += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Flags (sets the high bit of) the octets of `word` (little-endian) that are in [`STOP`].
///
/// Each term is the classic "has a zero byte" test, `(v - 0x01…) & !v & 0x80…`, on the
/// word itself (octets below 0x20) or on the word xor a repeated `"` or `\\`. A borrow
/// can only flag an octet *above* one that is truly flagged, so the lowest flag is always
/// exact, which is all the scanner reads.
fn stops(word: u64) -> u64 {
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = zero(word ^ (ONES * u64::from(b'"')));
    let backslash = zero(word ^ (ONES * u64::from(b'\\')));
    (control | quote | backslash) & HIGHS
}

/// The index of the first non-whitespace octet at or after `at`. JSON whitespace only
/// (RFC 8259 §2): not form feed or vertical tab.
fn skip_ws(b: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(at) {
        at += 1;
    }
    at
}

/// A string without escapes or control characters starting at the quote at `at`: the
/// text between the quotes, and the index after the closing quote.
fn string(text: &str, at: usize) -> Option<(&str, usize)> {
    let b = text.as_bytes();
    if b.get(at) != Some(&b'"') {
        return None;
    }
    let start = at + 1;
    let mut end = start;
    // Eight octets at a time while eight remain, then one at a time.
    while let Some(word) = b
        .get(end..end + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
    {
        let flags = stops(u64::from_le_bytes(word));
        if flags != 0 {
            // The lowest flag is exact (see `stops`): its octet is the first stop.
            end += (flags.trailing_zeros() / 8) as usize;
            break;
        }
        end += 8;
    }
    while let Some(&c) = b.get(end) {
        if STOP[usize::from(c)] {
            break;
        }
        end += 1;
    }
    if b.get(end) != Some(&b'"') {
        return None;
    }
    // Both ends are ASCII quotes, so this lies on character boundaries.
    Some((text.get(start..end)?, end + 1))
}

/// An unsigned integer at `at` (a digit) without a leading zero that fits in a `u64`, and
/// the index after it. A fraction or exponent makes it a float: the serde path's business.
fn integer(b: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut n: u64 = 0;
    let mut end = at;
    while let Some(&d @ b'0'..=b'9') = b.get(end) {
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
        end += 1;
    }
    let leading_zero = end - at > 1 && b.get(at) == Some(&b'0');
    if leading_zero || matches!(b.get(end), Some(b'.' | b'e' | b'E')) {
        return None;
    }
    Some((n, end))
}

#[cfg(test)]
mod tests {
    use alloc::format;

    use super::token;
    use crate::exchange::json_object;
    use crate::token::RawToken;

    /// The oracle: whatever the scanner accepts, serde parses to the same thing.
    fn scan(body: &str) -> Option<RawToken<'_>> {
        let mut raw = RawToken::default();
        token(body.as_bytes(), &mut raw).then_some(raw)
    }

    fn agrees(body: &str) -> bool {
        match scan(body) {
            None => false,
            Some(fast) => {
                let slow: RawToken<'_> = json_object(body.as_bytes()).expect(body);
                assert_eq!(fast, slow, "{body}");
                true
            }
        }
    }

    /// The word-at-a-time stop finder against the table, for every stop octet at every
    /// position under every filler, and with a second stop above it.
    #[test]
    fn the_lowest_word_flag_is_the_first_stop() {
        let first = |word: [u8; 8]| {
            let flags = super::stops(u64::from_le_bytes(word));
            (flags != 0).then(|| (flags.trailing_zeros() / 8) as usize)
        };
        for filler in 0x20..=0xffu8 {
            let plain = [filler; 8];
            let want = plain.iter().position(|&c| super::STOP[usize::from(c)]);
            assert_eq!(first(plain), want, "filler {filler:#x}");
            for stop in (0..0x20).chain([b'"', b'\\']) {
                for at in 0..8 {
                    let mut word = plain;
                    word[at] = stop;
                    if let Some(above) = word.get_mut(at + 1) {
                        *above = 0;
                    }
                    let want = word.iter().position(|&c| super::STOP[usize::from(c)]);
                    assert_eq!(first(word), want, "{word:x?}");
                }
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
            r#"{"access_token":"0123456789abcdefghijklmnopqrstuvwxyz!#$%&'()*+,-./:;<=>?@[]^_`{|}~","token_type":"Bearer"}"#,
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
            "{\"access_token\":\"01234567\u{1f}abcdefgh\"}",
            "{\"access_token\":\"0123456789abcdef\\\\\"}",
            "{\"access_token\":\"a\"}\u{c}",
            r#"{"access_token" "a"}"#,
            r#"{"access_token":"a""#,
            r#"{"a\u0063cess_token":"a"}"#,
        ] {
            assert!(scan(body).is_none(), "accepted: {body:?}");
        }
        let mut raw = RawToken::default();
        assert!(!token(b"{\"access_token\":\"\xff\"}", &mut raw));
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
