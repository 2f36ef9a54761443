//! Reading the sealed text: base64url without padding (RFC 4648 §5), canonical only.
//!
//! The text is not secret (a clear header and ciphertext), so it is decoded with lookup
//! tables in variable time: base64ct's constant-time decoder cost a quarter of `open`, and
//! tables holding each sextet already shifted into place (4 KiB) took a further 90 ns off
//! `open` (about 4 % of it) against one table of sextets. It must agree with base64ct on
//! every input (tested on every bit flip and truncation of sealed values and on arbitrary
//! strings).

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Set in every entry of [`SHIFTED`] for a byte outside the alphabet.
const INVALID_BIT: u32 = 1 << 31;

/// For each position of a 4-character group, the sextet of each byte already shifted into
/// its place in the group's 24 bits, or [`INVALID_BIT`]: a group is 4 lookups and 3 ORs.
static SHIFTED: [[u32; 256]; 4] = {
    let mut tables = [[INVALID_BIT; 256]; 4];
    let mut i = 0;
    while i < 64 {
        let c = ALPHABET[i] as usize;
        let v = i as u32;
        tables[0][c] = v << 18;
        tables[1][c] = v << 12;
        tables[2][c] = v << 6;
        tables[3][c] = v;
        i += 1;
    }
    tables
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
    // Validity is gathered over every group and checked once, after the loop.
    let mut seen = 0;
    for (chunk, out) in (&mut chunks).zip(&mut outs) {
        let [t0, t1, t2, t3] = &SHIFTED;
        let n = t0[usize::from(chunk[0])]
            | t1[usize::from(chunk[1])]
            | t2[usize::from(chunk[2])]
            | t3[usize::from(chunk[3])];
        seen |= n;
        out.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    if seen & INVALID_BIT != 0 {
        return None;
    }
    let rest: [u8; 3] = match *chunks.remainder() {
        [] => return Some(()),
        [a, b] => [a, b, b'A'],
        [a, b, c] => [a, b, c],
        _ => return None,
    };
    let [t0, t1, t2, _] = &SHIFTED;
    let n = t0[usize::from(rest[0])] | t1[usize::from(rest[1])] | t2[usize::from(rest[2])];
    if n & INVALID_BIT != 0 {
        return None;
    }
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
