//! The `seal_open` target: only a value that `seal` produced with the ring's key opens.

use std::sync::OnceLock;

use pkce_flow::StoredAuthorization;
use pkce_flow::seal::{MAX_CLOCK_SKEW, SealError, SealKey, SealKeys};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;

/// The issued-at of the sealed value, and the time it is opened at unless the input says.
const NOW: u64 = 1_700_000_000;
/// The maximum age the target opens with.
const MAX_AGE: u64 = 600;
/// The key id of the ring's only key.
const KEY_ID: u8 = 1;

fn keys() -> &'static SealKeys {
    static KEYS: OnceLock<SealKeys> = OnceLock::new();
    KEYS.get_or_init(|| SealKeys::new(SealKey::new(KEY_ID, [0x11; 32])))
}

/// The fixed client's pending authorization as JSON, and its sealed text (nonce from the
/// fixed-seed RNG, so the same on every run).
fn original() -> &'static (String, String) {
    static ORIGINAL: OnceLock<(String, String)> = OnceLock::new();
    ORIGINAL.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(crate::RNG_SEED);
        let stored = crate::client()
            .authorize(&mut rng)
            .expect("the fixed client authorizes")
            .1
            .into_stored();
        let json = serde_json::to_string(&stored).expect("stored authorizations serialize");
        let sealed = stored.seal(keys(), NOW, &mut rng).expect("it seals");
        (json, sealed)
    })
}

fn open(text: &[u8], now: u64) -> Result<StoredAuthorization, SealError> {
    StoredAuthorization::open(text, keys(), now, MAX_AGE)
}

fn assert_is_original(opened: &StoredAuthorization) {
    let json = serde_json::to_string(opened).expect("stored authorizations serialize");
    assert_eq!(json, original().0, "opened a value that was never sealed");
}

/// Modes by the first byte (mod 3):
/// 0. the rest is sealed text: it opens only if it is the target's own sealed value;
/// 1. the rest is a list of (2-byte big-endian position, xor byte) applied to the decoded
///    sealed value: it opens exactly when nothing changed, else the error is the one a
///    reference model predicts (version → malformed, key id → unknown key, else
///    authentication);
/// 2. the next 8 bytes are `now` (big-endian): the unaltered value opens exactly when
///    `NOW - MAX_CLOCK_SKEW <= now <= NOW + MAX_AGE`.
pub fn seal_open(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (json, sealed) = original();
    match mode % 3 {
        0 => match open(rest, NOW) {
            Ok(opened) => {
                assert_eq!(
                    rest,
                    sealed.as_bytes(),
                    "opened a value that was never sealed"
                );
                assert_is_original(&opened);
            }
            Err(e) => assert!(!e.to_string().chars().any(char::is_control)),
        },
        1 => {
            let mut bytes = decode(sealed);
            for step in rest.chunks_exact(3) {
                let at = usize::from(u16::from_be_bytes([step[0], step[1]]));
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= step[2];
                }
            }
            let original_bytes = decode(sealed);
            let text = encode(&bytes);
            match open(text.as_bytes(), NOW) {
                Ok(opened) => {
                    assert_eq!(bytes, original_bytes, "an altered value opened");
                    assert_is_original(&opened);
                }
                Err(e) => {
                    assert_ne!(bytes, original_bytes, "the genuine value did not open: {e}");
                    let want = match bytes[..] {
                        [v, ..] if v != 1 => SealError::Malformed,
                        [_, id, ..] if id != KEY_ID => SealError::UnknownKey { id },
                        _ => SealError::AuthenticationFailed,
                    };
                    assert_eq!(e, want);
                }
            }
        }
        _ => {
            let Some(now) = rest.get(..8) else {
                return;
            };
            let mut be = [0u8; 8];
            be.copy_from_slice(now);
            let now = u64::from_be_bytes(be);
            let want = if now < NOW - MAX_CLOCK_SKEW {
                Err(SealError::IssuedInFuture)
            } else if now > NOW + MAX_AGE {
                Err(SealError::Expired)
            } else {
                Ok(json.clone())
            };
            let got = open(sealed.as_bytes(), now)
                .map(|o| serde_json::to_string(&o).expect("stored authorizations serialize"));
            assert_eq!(got, want, "now {now}");
        }
    }
}

/// base64url without padding, written out here as the reference (RFC 4648 §5).
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

fn decode(text: &str) -> Vec<u8> {
    let sextets: Vec<u32> = text
        .bytes()
        .map(|c| ALPHABET.iter().position(|&a| a == c).expect("base64url") as u32)
        .collect();
    let mut out = Vec::new();
    for chunk in sextets.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &s)| n | s << (18 - 6 * i));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}
