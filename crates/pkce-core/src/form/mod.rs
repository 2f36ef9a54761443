//! `application/x-www-form-urlencoded`, as the WHATWG URL standard and RFC 6749 Appendix B
//! define it, without allocating.
//!
//! * Encoding keeps `A-Z a-z 0-9 * - . _`, turns a space into `+` and every other octet of
//!   the UTF-8 text into `%XX` with uppercase hex. Names and values are both encoded. Output
//!   goes to any [`core::fmt::Write`] ([`FormEncoder`]) or into a caller's buffer
//!   ([`encode_pairs_into`]), where a short buffer reports the size it needed.
//! * Decoding splits on `&` first and on the first `=` next, then decodes each component:
//!   [`Pairs`] yields the raw components as [`Encoded`] slices, which compare, measure or
//!   decode themselves into the caller's buffer. The lenient WHATWG reading (a stray `%`
//!   stays literal) serves names and unknown parameters; [`Encoded::decode_into`] is strict
//!   (a malformed escape or invalid UTF-8 is an error) for values that matter.

mod decode;
mod encode;

pub use decode::{DecodedBytes, Encoded, Pairs, first_duplicate};
#[cfg(feature = "alloc")]
pub use encode::encode_pairs_string;
pub use encode::{
    FormEncoder, encode_component, encode_pairs_into, encoded_len, encoded_pairs_len,
};
