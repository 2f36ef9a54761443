//! Server-issued DPoP nonces (RFC 9449 §8, §9): the `DPoP-Nonce` header's grammar, and the
//! latest nonce remembered per server origin.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::DpopError;
use crate::http::HttpResponse;

/// The longest `DPoP-Nonce` accepted, in bytes. RFC 9449 sets no limit; real servers send
/// 16 to 100 characters. A nonce is copied into every later proof, so a server (or whoever
/// sits in front of it) cannot make the client carry more than this.
pub const MAX_NONCE_BYTES: usize = 512;

/// The most origins a [`NonceMemory`] keeps; past it the one remembered longest ago goes.
const MAX_ORIGINS: usize = 32;

/// A nonce from a `DPoP-Nonce` header: `1*NQCHAR` (RFC 9449 §8), at most
/// [`MAX_NONCE_BYTES`]. Nonces are opaque, public values; `Debug` shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct DpopNonce(String);

impl DpopNonce {
    /// Parses a `DPoP-Nonce` header value. Optional whitespace around a field value is not
    /// part of it (RFC 9110 §5.5) and is dropped; inside, only `NQCHAR` (`%x21 / %x23-5B /
    /// %x5D-7E`: printable ASCII but `"` and `\`) is allowed.
    ///
    /// # Errors
    /// [`NonceError`] saying which rule the value breaks.
    pub fn parse(value: &str) -> Result<Self, NonceError> {
        let value = value.trim_matches([' ', '\t']);
        if value.len() > MAX_NONCE_BYTES {
            return Err(NonceError::TooLarge);
        }
        if value.is_empty() {
            return Err(NonceError::Empty);
        }
        if !value.bytes().all(is_nqchar) {
            return Err(NonceError::InvalidCharacter);
        }
        Ok(Self(String::from(value)))
    }

    /// The `DPoP-Nonce` of a response, if it has one.
    ///
    /// # Errors
    /// As [`Self::parse`]; a response with several `DPoP-Nonce` values is refused
    /// ([`NonceError::Repeated`]), as the field is a single value.
    pub fn from_response(response: &HttpResponse<'_>) -> Result<Option<Self>, NonceError> {
        // Bytes, not text: a value that is not UTF-8 must be refused, not skipped as absent.
        let mut values = response.header_bytes_named("dpop-nonce");
        let Some(first) = values.next() else {
            return Ok(None);
        };
        if values.next().is_some() {
            return Err(NonceError::Repeated);
        }
        let first = core::str::from_utf8(first).map_err(|_| NonceError::InvalidCharacter)?;
        Self::parse(first).map(Some)
    }

    /// The nonce text, for a proof's `nonce` claim.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DpopNonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only NQCHARs are stored: printable ASCII, nothing to escape for a terminal.
        write!(f, "DpopNonce({})", self.0)
    }
}

/// `NQCHAR = %x21 / %x23-5B / %x5D-7E` (RFC 9449 §8).
fn is_nqchar(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e)
}

/// Why a `DPoP-Nonce` value is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NonceError {
    /// Empty (or only whitespace).
    Empty,
    /// Longer than [`MAX_NONCE_BYTES`].
    TooLarge,
    /// A character outside `NQCHAR`: a space, a quote, a backslash, a control character,
    /// non-ASCII.
    InvalidCharacter,
    /// More than one `DPoP-Nonce` field in one response.
    Repeated,
}

impl fmt::Display for NonceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "the nonce is empty",
            Self::TooLarge => "the nonce is longer than allowed",
            Self::InvalidCharacter => "the nonce has a character outside NQCHAR",
            Self::Repeated => "the response has more than one DPoP-Nonce",
        })
    }
}

impl core::error::Error for NonceError {}

/// The origin (`scheme://host:port`, RFC 6454) of an absolute URL, scheme and host lower
/// case, the port always written (the scheme's default when absent), so that
/// `https://AS.example/token` and `https://as.example:443/par` share one origin.
///
/// # Errors
/// [`DpopError::InvalidUrl`] when the URL cannot be parsed or has no host.
pub fn origin_of(url: &str) -> Result<String, DpopError> {
    let parsed = url::Url::parse(url).map_err(|_| DpopError::InvalidUrl)?;
    let host = parsed.host_str().ok_or(DpopError::InvalidUrl)?;
    let port = parsed
        .port_or_known_default()
        .ok_or(DpopError::InvalidUrl)?;
    Ok(alloc::format!("{}://{host}:{port}", parsed.scheme()))
}

/// The latest nonce of each server origin (RFC 9449 §8.2: a `DPoP-Nonce` on any response
/// replaces the one before). A proof to a URL takes [`Self::get`] of that URL.
#[derive(Clone, Debug, Default)]
pub struct NonceMemory {
    // Most recently used last; a handful of origins, so a list beats a map.
    entries: Vec<(String, DpopNonce)>,
}

impl NonceMemory {
    /// An empty memory.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The nonce remembered for the origin of `url`.
    #[must_use]
    pub fn get(&self, url: &str) -> Option<&DpopNonce> {
        let origin = origin_of(url).ok()?;
        self.entries
            .iter()
            .find(|(o, _)| *o == origin)
            .map(|(_, n)| n)
    }

    /// Remembers `nonce` for the origin of `url`, replacing the one before.
    ///
    /// # Errors
    /// [`DpopError::InvalidUrl`] when the URL has no origin.
    pub fn remember(&mut self, url: &str, nonce: DpopNonce) -> Result<(), DpopError> {
        let origin = origin_of(url)?;
        self.entries.retain(|(o, _)| *o != origin);
        if self.entries.len() == MAX_ORIGINS {
            self.entries.remove(0);
        }
        self.entries.push((origin, nonce));
        Ok(())
    }

    /// The remembered nonces, oldest first, each with its origin (`scheme://host:port`), to
    /// store them; [`Self::remember`] with the origin as the URL puts one back.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &DpopNonce)> {
        self.entries.iter().map(|(o, n)| (o.as_str(), n))
    }

    /// Takes the `DPoP-Nonce` of any response from `url` (success or error) into memory.
    /// Returns whether there was one. An invalid value is refused and the nonce remembered
    /// before is kept: a malformed value never reaches a proof.
    ///
    /// # Errors
    /// [`DpopError::InvalidNonce`] for a malformed `DPoP-Nonce`, [`DpopError::InvalidUrl`]
    /// when the URL has no origin.
    pub fn update(&mut self, url: &str, response: &HttpResponse<'_>) -> Result<bool, DpopError> {
        match DpopNonce::from_response(response)? {
            Some(nonce) => self.remember(url, nonce).map(|()| true),
            None => Ok(false),
        }
    }
}
