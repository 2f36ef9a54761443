//! The flash-size probe for `cargo xtask size`: the client half of PKCE on a Cortex-M4F.
//!
//! `pkce_size_probe` seeds a tiny deterministic generator from a volatile static, makes a
//! verifier, its S256 challenge and a state, form-encodes the authorization query into a stack
//! buffer, and writes the result through a volatile pointer, so nothing is optimised away.
//! The xtask links it with the entry as the only root and sums the `.text` that remains.

#![no_std]
#![no_main]

use core::convert::Infallible;

use pkce_core::rand_core::{TryCryptoRng, TryRng};
use pkce_core::{CodeVerifier, State, form};

/// Seed read at run time (volatile), so the generator output cannot be constant-folded.
static SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// Where the encoded query (and its length) ends up.
static mut OUT: [u8; 512] = [0; 512];
static mut OUT_LEN: usize = 0;

/// SplitMix64: tiny and deterministic. It is NOT a CSPRNG; it only stands in for the
/// device's hardware RNG so the probe measures pkce-core and not a cipher.
struct SplitMix(u64);

impl TryRng for SplitMix {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.try_next_u64().map(|x| (x >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Ok(z ^ (z >> 31))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let word = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for SplitMix {}

/// The entry the linker keeps; everything it does not reach is garbage-collected.
#[unsafe(no_mangle)]
pub extern "C" fn pkce_size_probe() -> usize {
    // SAFETY: reading a plain static through a valid, aligned pointer.
    let seed = unsafe { core::ptr::read_volatile(&raw const SEED) };
    let mut rng = SplitMix(seed);
    let mut buf = [0u8; 512];
    let len = match (CodeVerifier::generate(&mut rng), State::generate(&mut rng)) {
        (Ok(verifier), Ok(state)) => {
            let challenge = verifier.challenge();
            let pairs = [
                ("response_type", "code"),
                ("client_id", "s6BhdRkqt3"),
                ("redirect_uri", "http://127.0.0.1:53117/callback"),
                ("scope", "openid profile"),
                ("state", state.expose_secret()),
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", challenge.method().as_str()),
            ];
            form::encode_pairs_into(pairs, &mut buf).map_or(0, str::len)
        }
        _ => 0,
    };
    let out = &raw mut OUT;
    for (i, b) in buf.iter().take(len).enumerate() {
        // SAFETY: `i < len <= 512`, inside `OUT`; single-threaded probe.
        unsafe { core::ptr::write_volatile(out.cast::<u8>().add(i), *b) };
    }
    // SAFETY: a valid, aligned static; single-threaded probe.
    unsafe { core::ptr::write_volatile(&raw mut OUT_LEN, len) };
    len
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
