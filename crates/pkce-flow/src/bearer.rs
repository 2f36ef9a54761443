//! Using an access token (RFC 6750): the `Authorization` header, and the server's
//! `WWW-Authenticate` challenges.

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, ResponseError};
use crate::secret::AccessToken;
use crate::text::UntrustedText;

/// The largest `WWW-Authenticate` value parsed.
pub const MAX_CHALLENGE_BYTES: usize = 16 * 1024;

/// `Bearer <token>` for the `Authorization` header (RFC 6750 §2.1). The token never goes in
/// a URL (RFC 9700 §4.3.2).
///
/// # Errors
/// [`ResponseError::InvalidValue`] when the token holds a space, which would split the
/// header (tokens with control characters never get this far).
pub fn authorization_header(token: &AccessToken) -> Result<String, Error> {
    let t = token.expose_secret();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ResponseError::InvalidValue("access_token").into());
    }
    let mut value = String::with_capacity(7 + t.len());
    value.push_str("Bearer ");
    value.push_str(t);
    Ok(value)
}

/// The `error` of a Bearer challenge (RFC 6750 §3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BearerErrorCode {
    /// `invalid_request` (400).
    InvalidRequest,
    /// `invalid_token` (401): refresh once and retry once, then give up.
    InvalidToken,
    /// `insufficient_scope` (403): the challenge's `scope` says what is needed.
    InsufficientScope,
    /// Another code.
    Other(UntrustedText),
}

/// A parsed `Bearer` challenge.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BearerChallenge {
    /// `realm`.
    pub realm: Option<UntrustedText>,
    /// `scope`, split on spaces.
    pub scope: Vec<String>,
    /// `error`; absent when the request simply had no credentials (RFC 6750 §3.1).
    pub error: Option<BearerErrorCode>,
    /// `error_description`.
    pub error_description: Option<UntrustedText>,
    /// `error_uri`.
    pub error_uri: Option<UntrustedText>,
}

/// One challenge of a `WWW-Authenticate` field (RFC 9110 §11.6.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// The scheme, as sent (compare case-insensitively).
    pub scheme: String,
    /// A token68, if the challenge carries one instead of parameters.
    pub token68: Option<String>,
    /// The auth-params, names lower-cased, values unquoted.
    pub params: Vec<(String, String)>,
}

/// Parses every challenge in one or more `WWW-Authenticate` values, given as text or as the
/// bytes received: obs-text (bytes 0x80-0xFF) in a quoted string is kept, as U+FFFD in the
/// parsed text.
///
/// # Errors
/// [`ResponseError::MalformedChallenge`] on a syntax error (an unterminated quoted string, a
/// missing scheme); [`ResponseError::ChallengeTooLarge`] past [`MAX_CHALLENGE_BYTES`].
pub fn parse_challenges<'v, V: AsRef<[u8]> + ?Sized + 'v>(
    values: impl IntoIterator<Item = &'v V>,
) -> Result<Vec<Challenge>, Error> {
    let mut out = Vec::new();
    let mut total = 0usize;
    for value in values {
        let value = value.as_ref();
        total = total.saturating_add(value.len());
        if total > MAX_CHALLENGE_BYTES {
            return Err(ResponseError::ChallengeTooLarge.into());
        }
        Parser { s: value, i: 0 }.challenges(&mut out)?;
    }
    Ok(out)
}

/// Finds the `Bearer` challenge (scheme compared case-insensitively) and reads its
/// parameters. A repeated parameter is an error, never "last one wins" (RFC 6750 §3).
///
/// # Errors
/// As [`parse_challenges`].
pub fn bearer_challenge<'v, V: AsRef<[u8]> + ?Sized + 'v>(
    values: impl IntoIterator<Item = &'v V>,
) -> Result<Option<BearerChallenge>, Error> {
    let challenges = parse_challenges(values)?;
    let Some(ch) = challenges
        .into_iter()
        .find(|c| c.scheme.eq_ignore_ascii_case("bearer"))
    else {
        return Ok(None);
    };
    let mut out = BearerChallenge::default();
    let mut seen = [false; 5];
    for (name, value) in ch.params {
        let slot = match name.as_str() {
            "realm" => 0,
            "scope" => 1,
            "error" => 2,
            "error_description" => 3,
            "error_uri" => 4,
            _ => continue,
        };
        if core::mem::replace(&mut seen[slot], true) {
            return Err(ResponseError::MalformedChallenge.into());
        }
        match slot {
            0 => out.realm = Some(UntrustedText::new(value)),
            1 => {
                out.scope = value
                    .split(' ')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            }
            2 => {
                out.error = Some(match value.as_str() {
                    "invalid_request" => BearerErrorCode::InvalidRequest,
                    "invalid_token" => BearerErrorCode::InvalidToken,
                    "insufficient_scope" => BearerErrorCode::InsufficientScope,
                    _ => BearerErrorCode::Other(UntrustedText::new(value)),
                });
            }
            3 => out.error_description = Some(UntrustedText::new(value)),
            _ => out.error_uri = Some(UntrustedText::new(value)),
        }
    }
    Ok(Some(out))
}

/// A small recursive-descent parser over one field value; it never reads past the end.
struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn token(&mut self) -> String {
        let start = self.i;
        while self.peek().is_some_and(is_tchar) {
            self.i += 1;
        }
        String::from_utf8_lossy(self.s.get(start..self.i).unwrap_or(&[])).into_owned()
    }

    fn quoted(&mut self) -> Result<String, Error> {
        // At the opening quote.
        self.i += 1;
        let mut bytes = Vec::new();
        loop {
            match self.peek() {
                None => return Err(ResponseError::MalformedChallenge.into()),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(String::from_utf8_lossy(&bytes).into_owned());
                }
                Some(b'\\') => {
                    self.i += 1;
                    let escaped = self.peek().ok_or(ResponseError::MalformedChallenge)?;
                    bytes.push(escaped);
                    self.i += 1;
                }
                Some(b) => {
                    bytes.push(b);
                    self.i += 1;
                }
            }
        }
    }

    /// Skips commas and whitespace between list elements.
    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.i += 1;
        }
    }

    fn challenges(&mut self, out: &mut Vec<Challenge>) -> Result<(), Error> {
        self.skip_separators();
        while self.peek().is_some() {
            let scheme = self.token();
            if scheme.is_empty() {
                return Err(ResponseError::MalformedChallenge.into());
            }
            let mut ch = Challenge {
                scheme,
                token68: None,
                params: Vec::new(),
            };
            self.skip_ws();
            self.params(&mut ch)?;
            out.push(ch);
            self.skip_separators();
        }
        Ok(())
    }

    /// Reads auth-params (or one token68) until the next challenge begins.
    fn params(&mut self, ch: &mut Challenge) -> Result<(), Error> {
        let malformed = || Error::from(ResponseError::MalformedChallenge);
        let mut first = true;
        loop {
            if first {
                if matches!(self.peek(), None | Some(b',')) {
                    return Ok(());
                }
            } else {
                self.skip_separators();
                if self.peek().is_none() {
                    return Ok(());
                }
            }
            let start = self.i;
            while self.peek().is_some_and(|b| is_tchar(b) || b == b'/') {
                self.i += 1;
            }
            let word = self.s.get(start..self.i).unwrap_or(&[]);
            if word.is_empty() {
                return Err(malformed());
            }
            let word_end = self.i;
            self.skip_ws();
            if self.peek() != Some(b'=') {
                // A token68 without padding (alone after the scheme), or the next scheme.
                if first
                    && matches!(self.peek(), None | Some(b','))
                    && !self.next_is_param_after_comma()
                {
                    ch.token68 = Some(String::from_utf8_lossy(word).into_owned());
                    return Ok(());
                }
                self.i = start;
                return Ok(());
            }
            // `=`: a parameter, or the padding of a token68 such as `abc==`.
            let mut j = self.i;
            while self.s.get(j) == Some(&b'=') {
                j += 1;
            }
            let mut k = j;
            while matches!(self.s.get(k), Some(b' ' | b'\t')) {
                k += 1;
            }
            let padding = j - self.i > 1 || matches!(self.s.get(k), None | Some(b','));
            if padding {
                if !first || word_end != self.i {
                    return Err(malformed());
                }
                ch.token68 =
                    Some(String::from_utf8_lossy(self.s.get(start..j).unwrap_or(&[])).into_owned());
                self.i = k;
                return Ok(());
            }
            if word.contains(&b'/') {
                return Err(malformed());
            }
            self.i = k;
            let value = if self.peek() == Some(b'"') {
                self.quoted()?
            } else {
                self.token()
            };
            ch.params
                .push((String::from_utf8_lossy(word).to_ascii_lowercase(), value));
            self.skip_ws();
            if !matches!(self.peek(), None | Some(b',')) {
                return Err(malformed());
            }
            first = false;
        }
    }

    /// After `token ,`: whether what follows the comma is `token =` (a parameter of the
    /// current challenge) rather than a new scheme.
    fn next_is_param_after_comma(&self) -> bool {
        let mut p = Parser {
            s: self.s,
            i: self.i,
        };
        p.skip_separators();
        let _ = p.token();
        p.skip_ws();
        p.peek() == Some(b'=')
    }
}
