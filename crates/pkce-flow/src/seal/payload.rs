//! The sealed plaintext after the issued-at: a stored authorization as length-prefixed
//! fields. Compact (no names, no quoting) and sized exactly before it is written, so the
//! buffer holding the secrets is never reallocated and is wiped whole.
//!
//! ```text
//! str(client_id) ‖ str(redirect_uri) ‖ opt(str(issuer)) ‖ str(token_endpoint)
//!   ‖ str(verifier) ‖ str(state) ‖ opt(str(nonce))
//! str(s) = length (u16, big-endian) ‖ UTF-8 bytes      opt(x) = 0x00 | 0x01 ‖ x
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use pkce_core::{CodeVerifier, Nonce, State};

use crate::authorize::StoredAuthorization;

fn strings(s: &StoredAuthorization) -> [Option<&str>; 7] {
    [
        Some(&s.client_id),
        Some(&s.redirect_uri),
        s.issuer.as_deref(),
        Some(&s.token_endpoint),
        Some(s.verifier.expose_secret()),
        Some(s.state.expose_secret()),
        s.nonce.as_ref().map(Nonce::expose_secret),
    ]
}

/// Whether the field at this index of [`strings`] is optional (preceded by a flag byte).
const OPTIONAL: [bool; 7] = [false, false, true, false, false, false, true];

/// The encoded length, or `None` when a field is longer than its 16-bit length prefix.
pub(super) fn encoded_len(s: &StoredAuthorization) -> Option<usize> {
    let mut len = 0;
    for (field, optional) in strings(s).into_iter().zip(OPTIONAL) {
        let text = field.map_or(0, str::len);
        u16::try_from(text).ok()?;
        len += usize::from(optional) + if field.is_some() { 2 + text } else { 0 };
    }
    Some(len)
}

/// Appends the encoding; `encoded_len` must have been `Some`.
pub(super) fn encode(s: &StoredAuthorization, out: &mut Vec<u8>) {
    for (field, optional) in strings(s).into_iter().zip(OPTIONAL) {
        if optional {
            out.push(u8::from(field.is_some()));
        }
        if let Some(text) = field {
            let len = u16::try_from(text.len()).unwrap_or(u16::MAX);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        }
    }
}

/// Reads a whole encoding back; `None` unless every field is well formed and nothing
/// follows the last. The verifier, state and nonce pass pkce-core's validation again.
pub(super) fn decode(bytes: &[u8]) -> Option<StoredAuthorization> {
    let mut r = Reader(bytes);
    let client_id = String::from(r.text()?);
    let redirect_uri = String::from(r.text()?);
    let issuer = if r.flag()? {
        Some(String::from(r.text()?))
    } else {
        None
    };
    let token_endpoint = String::from(r.text()?);
    let verifier = CodeVerifier::new(r.text()?).ok()?;
    let state = State::restore(r.text()?).ok()?;
    let nonce = if r.flag()? {
        Some(Nonce::restore(r.text()?).ok()?)
    } else {
        None
    };
    r.0.is_empty().then_some(StoredAuthorization {
        client_id,
        redirect_uri,
        issuer,
        token_endpoint,
        verifier,
        state,
        nonce,
    })
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn text(&mut self) -> Option<&'a str> {
        let len = self.take(2)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        core::str::from_utf8(self.take(len)?).ok()
    }

    fn flag(&mut self) -> Option<bool> {
        match self.take(1)? {
            [0] => Some(false),
            [1] => Some(true),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use rand_core::SeedableRng;

    use super::*;

    fn stored(nonce: bool, issuer: bool) -> StoredAuthorization {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        StoredAuthorization {
            client_id: "c".into(),
            redirect_uri: "https://app.example/cb".into(),
            issuer: issuer.then(|| "https://as.example".into()),
            token_endpoint: "https://as.example/token".into(),
            verifier: CodeVerifier::generate(&mut rng).unwrap(),
            state: State::generate(&mut rng).unwrap(),
            nonce: nonce.then(|| Nonce::generate(&mut rng).unwrap()),
        }
    }

    fn encoded(s: &StoredAuthorization) -> Vec<u8> {
        let mut out = Vec::new();
        encode(s, &mut out);
        out
    }

    #[test]
    fn the_announced_length_is_the_written_length_and_decoding_gives_the_fields_back() {
        for (nonce, issuer) in [(false, false), (true, false), (false, true), (true, true)] {
            let s = stored(nonce, issuer);
            let bytes = encoded(&s);
            assert_eq!(encoded_len(&s), Some(bytes.len()));
            let back = decode(&bytes).unwrap();
            assert_eq!(encoded(&back), bytes);
            assert_eq!(back.issuer.is_some(), issuer);
            assert_eq!(back.nonce.is_some(), nonce);
        }
    }

    #[test]
    fn a_field_longer_than_its_length_prefix_has_no_encoding() {
        let mut s = stored(true, true);
        s.redirect_uri = "a".repeat(usize::from(u16::MAX) + 1);
        assert_eq!(encoded_len(&s), None);
    }

    #[test]
    fn trailing_bytes_bad_flags_bad_text_and_invalid_secrets_are_refused() {
        let s = stored(true, true);
        let bytes = encoded(&s);
        assert!(decode(&[&bytes[..], &[0]].concat()).is_none());
        // The issuer flag follows client_id ("c") and the redirect URI (22 bytes).
        let flag = 2 + 1 + 2 + 22;
        assert_eq!(bytes[flag], 1);
        for bad in [2, 0xFF] {
            let mut b = bytes.clone();
            b[flag] = bad;
            assert!(decode(&b).is_none());
        }
        let mut b = bytes.clone();
        b[2] = 0xFF; // client_id "c" becomes a lone byte that is not UTF-8
        assert!(decode(&b).is_none());
        let at = bytes.len() - 43; // the nonce's first character becomes one base64url lacks
        let mut b = bytes.clone();
        b[at] = b'!';
        assert!(decode(&b).is_none());
        for len in 0..bytes.len() {
            assert!(decode(&bytes[..len]).is_none(), "{len}");
        }
    }
}
