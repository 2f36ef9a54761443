//! Reading the sealed text: base64url without padding (RFC 4648 §5), canonical only.
//!
//! The text is not secret (a clear header and ciphertext), so it is decoded with a lookup
//! table in variable time: base64ct's constant-time decoder cost a quarter of `open`. It
//! must agree with base64ct on every input (tested on every bit flip and truncation of
//! sealed values and on arbitrary strings).

/// Marks a byte outside the alphabet.
const INVALID: u8 = 0xFF;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The 6-bit value of each byte, or [`INVALID`].
static SEXTETS: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The decoded length of `len` characters, `None` for a length no encoding has.
pub(super) fn decoded_len(len: usize) -> Option<usize> {
    match len % 4 {
        1 => None,
        rest => Some(len / 4 * 3 + rest * 3 / 4),
    }
}

/// Decodes `text` into `out`, which must be [`decoded_len`] long. `None` for a byte outside
/// the alphabet, or unused low bits of the last character that are not zero (a second
/// spelling of the same bytes).
pub(super) fn decode(text: &[u8], out: &mut [u8]) -> Option<()> {
    let mut chunks = text.chunks_exact(4);
    let mut outs = out.chunks_exact_mut(3);
    for (chunk, out) in (&mut chunks).zip(&mut outs) {
        let [a, b, c, d] = [0, 1, 2, 3].map(|i| SEXTETS[usize::from(chunk[i])]);
        // Every valid sextet is below 64; INVALID has the top bits set.
        if (a | b | c | d) & 0xC0 != 0 {
            return None;
        }
        let n = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d);
        out.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    let rest: [u8; 3] = match *chunks.remainder() {
        [] => return Some(()),
        [a, b] => [a, b, b'A'],
        [a, b, c] => [a, b, c],
        _ => return None,
    };
    let [a, b, c] = rest.map(|x| SEXTETS[usize::from(x)]);
    if (a | b | c) & 0xC0 != 0 {
        return None;
    }
    let n = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6;
    let bytes = n.to_be_bytes();
    let tail = outs.into_remainder();
    // Two characters carry one byte (the last 4 bits unused), three carry two (2 unused).
    let unused = if tail.len() == 1 { 0xFFFF } else { 0xFF };
    if n & unused != 0 {
        return None;
    }
    tail.copy_from_slice(&bytes[1..=tail.len()]);
    Some(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use alloc::vec;
    use alloc::vec::Vec;

    use base64ct::{Base64UrlUnpadded, Encoding};
    use proptest::prelude::*;

    use super::*;

    fn ours(text: &[u8]) -> Option<Vec<u8>> {
        let mut out = vec![0; decoded_len(text.len())?];
        decode(text, &mut out)?;
        Some(out)
    }

    #[test]
    fn second_spellings_and_foreign_bytes_are_refused() {
        assert_eq!(ours(b"AQ"), Some(vec![1]));
        assert_eq!(ours(b"AR"), None);
        assert_eq!(ours(b"AAE"), Some(vec![0, 1]));
        assert_eq!(ours(b"AAF"), None);
        assert_eq!(ours(b"AAAA"), Some(vec![0, 0, 0]));
        assert_eq!(ours(b"AAA="), None);
        assert_eq!(ours(b"A"), None);
        assert_eq!(ours(b"+/+/"), None);
        assert_eq!(ours(b"-_-_"), Some(vec![0xFB, 0xFF, 0xBF]));
    }

    proptest! {
        #[test]
        fn agrees_with_base64ct_on_any_text(text in "[A-Za-z0-9_=+/ \u{e9}-]{0,41}") {
            prop_assert_eq!(ours(text.as_bytes()), Base64UrlUnpadded::decode_vec(&text).ok());
        }

        #[test]
        fn decodes_what_base64ct_encodes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let text = Base64UrlUnpadded::encode_string(&bytes);
            prop_assert_eq!(ours(text.as_bytes()), Some(bytes));
        }
    }
}
