//! `state` and `nonce`: 256 random bits in base64url, compared in constant time.

use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use rand_core::TryCryptoRng;

use crate::ct::constant_time_eq;
use crate::error::{InvalidToken, RngError};

/// Characters in every generated state or nonce: 32 octets in unpadded base64url.
pub const TOKEN_LEN: usize = 43;
const TOKEN_OCTETS: usize = 32;

/// Whether every byte of `chars` is a base64url character, with comparisons only: no
/// branch and no table indexed by a (secret) character, and a loop the compiler turns into
/// vector instructions.
fn all_base64url(chars: &[u8]) -> bool {
    let mut all = true;
    for &c in chars {
        let letter = (c | 0x20).wrapping_sub(b'a') < 26;
        let digit = c.wrapping_sub(b'0') < 10;
        all &= letter | digit | (c == b'-') | (c == b'_');
    }
    all
}

/// The shared body of [`State`] and [`Nonce`].
#[derive(Clone, PartialEq, Eq)]
struct Random256 {
    chars: [u8; TOKEN_LEN],
}

impl Random256 {
    fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, RngError> {
        let mut raw = [0u8; TOKEN_OCTETS];
        let filled = rng.try_fill_bytes(&mut raw).map_err(|_| RngError);
        let mut chars = [0u8; TOKEN_LEN];
        let encoded = filled.and_then(|()| {
            Base64UrlUnpadded::encode(&raw, &mut chars)
                .map(|_| ())
                .map_err(|_| RngError)
        });
        #[cfg(feature = "zeroize")]
        zeroize::Zeroize::zeroize(&mut raw);
        encoded.map(|()| Self { chars })
    }

    fn restore(text: &str) -> Result<Self, InvalidToken> {
        let chars: [u8; TOKEN_LEN] = text.as_bytes().try_into().map_err(|_| InvalidToken)?;
        // Exactly the strings `generate` can produce: 43 base64url characters whose last
        // one carries only 4 significant bits (a canonical encoding of 32 octets). The first
        // 40 characters (30 whole octets) only have to be in the alphabet; base64ct decodes
        // the last 3, which also refuses unused bits that are not zero. Checking the 40
        // without decoding them makes a restore about three times as fast (it runs on every
        // opened sealed authorization), and, like base64ct, without a branch on a character.
        let (whole, last) = chars.split_at(TOKEN_LEN - 3);
        let in_alphabet = all_base64url(whole);
        let mut tail = [0u8; 2];
        let last_ok = Base64UrlUnpadded::decode(last, &mut tail).is_ok();
        #[cfg(feature = "zeroize")]
        zeroize::Zeroize::zeroize(&mut tail);
        if in_alphabet & last_ok {
            Ok(Self { chars })
        } else {
            Err(InvalidToken)
        }
    }

    fn as_str(&self) -> &str {
        core::str::from_utf8(&self.chars).unwrap_or("")
    }
}

#[cfg(feature = "zeroize")]
impl Drop for Random256 {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.chars);
    }
}

macro_rules! random_token {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(Random256);

        impl $name {
            /// Draws 32 octets from `rng` and encodes them as 43 base64url characters.
            ///
            /// # Errors
            /// [`RngError`] when the generator fails; there is no fallback.
            pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, RngError> {
                Random256::generate(rng).map(Self)
            }

            /// Restores a value this crate generated and the caller stored (for the second
            /// leg of the flow, possibly in another process). Anything else is refused: the
            /// API never adopts a value chosen elsewhere.
            ///
            /// # Errors
            /// [`InvalidToken`] unless `text` is 43 canonical base64url characters.
            pub fn restore(text: &str) -> Result<Self, InvalidToken> {
                Random256::restore(text).map(Self)
            }

            #[doc = concat!("Whether a received ", $what, " equals this one, compared in constant time.")]
            ///
            /// `received` must already be form-decoded exactly once.
            #[must_use]
            pub fn matches(&self, received: &str) -> bool {
                constant_time_eq(&self.0.chars, received.as_bytes())
            }

            #[doc = concat!("The ", $what, "'s text, to put in a request.")]
            #[must_use]
            pub fn expose_secret(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        #[cfg(feature = "zeroize")]
        impl zeroize::ZeroizeOnDrop for $name {}

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.expose_secret())
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str(crate::serde_str::Visitor::new(
                    concat!("a stored ", $what),
                    |s| Self::restore(s).map_err(|_| concat!("an invalid ", $what)),
                ))
            }
        }
    };
}

random_token!(
    /// The `state` parameter: 256 bits from the caller's CSPRNG (RFC 6749 §10.12, RFC 9700
    /// §2.1), bound to one authorization request and compared in constant time.
    ///
    /// It is treated as a secret: `Debug` is redacted and the text is read through
    /// [`State::expose_secret`]. It never carries application data.
    ///
    /// ```
    /// # use rand_chacha::rand_core::SeedableRng;
    /// let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
    /// let state = pkce_core::State::generate(&mut rng)?;
    /// assert_eq!(state.expose_secret().len(), 43);
    /// assert!(state.matches(state.expose_secret()));
    /// assert!(!state.matches("forged"));
    /// # Ok::<(), pkce_core::RngError>(())
    /// ```
    State,
    "state"
);

random_token!(
    /// The OpenID Connect `nonce`: 256 bits from the caller's CSPRNG, base64url, compared in
    /// constant time. Same rules as [`State`].
    Nonce,
    "nonce"
);
