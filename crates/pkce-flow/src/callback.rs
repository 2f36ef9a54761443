//! Validating the redirect back from the authorization server (RFC 6749 §4.1.2, RFC 9207).
//!
//! The order of the checks is the security argument:
//! 1. size limits and duplicate OAuth parameters;
//! 2. `state`, in constant time. Until it matches, nothing in the callback can be
//!    attributed to this authorization, so every rejection **gives the pending
//!    authorization back** (policy P-8: a forged request cannot cancel a real login);
//! 3. `iss` (RFC 9207), before `error`, so a mix-up is never reported as the honest
//!    server's error;
//! 4. `error`, or the `code`. From step 3 on, the pending authorization is consumed.

use alloc::string::String;
use core::fmt;

use pkce_core::form::{Encoded, Pairs};

use crate::authorize::PendingAuthorization;
use crate::endpoint::without_query;
use crate::error::{AuthorizationError, AuthorizationErrorCode, CallbackError, Error, Mismatch};
use crate::secret::{AuthorizationCode, is_vschar_string};
use crate::text::UntrustedText;
use crate::token::TokenExchange;
use crate::unverified::UnverifiedError;

/// The largest callback query accepted.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;
/// The largest encoded value of one OAuth parameter accepted.
pub const MAX_VALUE_BYTES: usize = 16 * 1024;

const PARAMS: [&str; 6] = [
    "code",
    "state",
    "iss",
    "error",
    "error_description",
    "error_uri",
];
const CODE: usize = 0;
const STATE: usize = 1;
const ISS: usize = 2;
const ERROR: usize = 3;
const DESCRIPTION: usize = 4;
const URI: usize = 5;

/// A rejected callback: the error, and the pending authorization when the callback could
/// not be attributed to it (then keep waiting for the real one).
pub struct Rejected {
    error: Error,
    // Boxed: the pending authorization holds its secrets inline, and the error path should
    // not make every `Result` of the success path that large.
    pending: Option<alloc::boxed::Box<PendingAuthorization>>,
    // Boxed for the same reason; present only after a refused `iss`.
    unverified: Option<alloc::boxed::Box<UnverifiedError>>,
}

impl Rejected {
    /// Why the callback was rejected.
    #[must_use]
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The pending authorization, if it is still usable (forged or malformed callbacks).
    #[must_use]
    pub fn into_pending(self) -> Option<PendingAuthorization> {
        self.pending.map(|p| *p)
    }

    /// Whether the pending authorization is still usable.
    #[must_use]
    pub fn is_recoverable(&self) -> bool {
        self.pending.is_some()
    }

    /// The error alone.
    #[must_use]
    pub fn into_error(self) -> Error {
        self.error
    }

    /// The error and, when the callback was not attributable to it, the pending
    /// authorization to keep waiting with, in one call.
    #[must_use]
    pub fn into_parts(self) -> (Error, Option<PendingAuthorization>) {
        (self.error, self.pending.map(|p| *p))
    }

    /// `Ok` with the pending authorization when the callback was not attributable to it
    /// (keep waiting for the real one), else `Err(self)`: this authorization is over.
    ///
    /// # Errors
    /// `self`, when the callback answered (and so consumed) the pending authorization.
    pub fn keep_waiting(self) -> Result<PendingAuthorization, Self> {
        match self.pending {
            Some(p) => Ok(*p),
            None => Err(self),
        }
    }

    /// When the callback was refused for a missing or mismatched `iss`: the `error` and
    /// `error_description` it carried, **unverified** (they may come from a mix-up
    /// attacker), for logs only. `None` for every other refusal, and when the callback held
    /// no `error`.
    #[must_use]
    pub fn unverified_error(&self) -> Option<&UnverifiedError> {
        self.unverified.as_deref()
    }
}

impl fmt::Debug for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejected")
            .field("error", &self.error)
            .field("recoverable", &self.is_recoverable())
            .finish()
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl core::error::Error for Rejected {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<Rejected> for Error {
    fn from(r: Rejected) -> Self {
        r.error
    }
}

impl PendingAuthorization {
    /// Validates a callback given as its query string (without `?`), as a loopback listener
    /// receives it. Success gives the code exchange; nothing else can.
    ///
    /// # Errors
    /// [`Rejected`], holding the pending authorization again when the callback was not
    /// attributable to it (see the module docs).
    pub fn callback(self, query: &str) -> Result<TokenExchange, Rejected> {
        match self.check(query) {
            Ok(code) => Ok(TokenExchange::new(
                self.config,
                code,
                self.verifier,
                self.nonce,
            )),
            Err((error, keep)) => {
                let unverified = match error {
                    Error::Mismatch(Mismatch::IssuerMismatch | Mismatch::IssuerMissing)
                    | Error::Callback(CallbackError::MalformedEncoding("iss")) => collect(query)
                        .ok()
                        .and_then(|found| UnverifiedError::new(found[ERROR], found[DESCRIPTION]))
                        .map(alloc::boxed::Box::new),
                    _ => None,
                };
                Err(Rejected {
                    error,
                    pending: keep.then(|| alloc::boxed::Box::new(self)),
                    unverified,
                })
            }
        }
    }

    /// Validates a callback given as the full redirect URL (a private-use scheme handed over
    /// by the OS, say). Only the query is read; OAuth parameters in the fragment make the
    /// response ambiguous. The URL before its query must be the redirect URI's.
    ///
    /// # Errors
    /// As [`Self::callback`].
    pub fn callback_url(self, url: &str) -> Result<TokenExchange, Rejected> {
        let (before_fragment, fragment) = url.split_once('#').unwrap_or((url, ""));
        let fragment_has_oauth =
            Pairs::new(fragment.as_bytes()).any(|(n, _)| PARAMS.iter().any(|p| n.decoded_eq(p)));
        let reject = |this, e: CallbackError| {
            Err(Rejected {
                error: e.into(),
                pending: Some(alloc::boxed::Box::new(this)),
                unverified: None,
            })
        };
        if fragment_has_oauth {
            return reject(self, CallbackError::AmbiguousResponse);
        }
        if without_query(before_fragment) != without_query(&self.redirect_uri) {
            return reject(self, CallbackError::RedirectUriMismatch);
        }
        let query = before_fragment.split_once('?').map_or("", |(_, q)| q);
        self.callback(query)
    }

    /// The checks; the flag says whether the pending authorization survives the error.
    fn check(&self, query: &str) -> Result<AuthorizationCode, (Error, bool)> {
        const KEEP: bool = true;
        const CONSUME: bool = false;
        let found = collect(query).map_err(|e| (e.into(), KEEP))?;

        // State: decoded once, compared in constant time. A generated state is 43
        // characters, so a stack buffer suffices; anything longer cannot match.
        let state = found[STATE].ok_or((Mismatch::StateMissing.into(), KEEP))?;
        let mut buf = [0u8; 64];
        let received = match state.decode_into(&mut buf) {
            Ok(s) => s,
            Err(pkce_core::FormError::BufferTooSmall(_)) => {
                return Err((Mismatch::StateMismatch.into(), KEEP));
            }
            Err(_) => return Err((CallbackError::MalformedEncoding("state").into(), KEEP)),
        };
        if !self.state.matches(received) {
            return Err((Mismatch::StateMismatch.into(), KEEP));
        }

        // The state matched: from here on this authorization is answered, and over.
        let c = &*self.config;
        match (found[ISS], c.issuer.as_deref()) {
            (Some(iss), Some(expected)) => match iss.strict_eq(expected) {
                Ok(true) => {}
                Ok(false) => return Err((Mismatch::IssuerMismatch.into(), CONSUME)),
                Err(_) => return Err((CallbackError::MalformedEncoding("iss").into(), CONSUME)),
            },
            (None, _) if c.iss_required => return Err((Mismatch::IssuerMissing.into(), CONSUME)),
            // No issuer to compare with (manual configuration without one): `iss` cannot be
            // checked and is ignored, as RFC 9207 §2.4 allows for clients without support.
            _ => {}
        }

        let code = found[CODE].filter(|c| !c.is_empty());
        if let Some(error) = found[ERROR] {
            if code.is_some() {
                return Err((CallbackError::AmbiguousResponse.into(), CONSUME));
            }
            return Err((
                authorization_error(error, found[DESCRIPTION], found[URI])
                    .map_err(|e| (e, CONSUME))?,
                CONSUME,
            ));
        }
        let code = code.ok_or((CallbackError::MissingCode.into(), CONSUME))?;
        let code = code
            .decode_string()
            .map_err(|_| (CallbackError::MalformedEncoding("code").into(), CONSUME))?;
        if !is_vschar_string(&code) {
            return Err((CallbackError::InvalidCode.into(), CONSUME));
        }
        Ok(AuthorizationCode::new(code))
    }
}

/// One pass over the query: the first occurrence of each OAuth parameter, a duplicate is an
/// error, sizes are capped. Linear in the query.
fn collect(query: &str) -> Result<[Option<Encoded<'_>>; 6], CallbackError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(CallbackError::TooLarge);
    }
    let mut found: [Option<Encoded<'_>>; 6] = [None; 6];
    for (name, value) in Pairs::new(query.as_bytes()) {
        // Parameter names are short; a long one cannot be an OAuth parameter.
        if name.raw().len() > 64 {
            continue;
        }
        // Most names need no decoding: compare their bytes directly.
        let position = if name.is_plain() {
            PARAMS.iter().position(|p| name.raw() == p.as_bytes())
        } else {
            PARAMS.iter().position(|p| name.decoded_eq(p))
        };
        let Some(i) = position else {
            continue;
        };
        if value.raw().len() > MAX_VALUE_BYTES {
            return Err(CallbackError::TooLarge);
        }
        let slot = found.get_mut(i).ok_or(CallbackError::TooLarge)?;
        if slot.is_some() {
            return Err(CallbackError::DuplicateParameter(
                PARAMS.get(i).copied().unwrap_or("?"),
            ));
        }
        *slot = Some(value);
    }
    Ok(found)
}

/// The authorization error, its texts decoded strictly (policy P-12).
fn authorization_error(
    error: Encoded<'_>,
    description: Option<Encoded<'_>>,
    uri: Option<Encoded<'_>>,
) -> Result<Error, Error> {
    let code = error
        .decode_string()
        .map_err(|_| CallbackError::MalformedEncoding("error"))?;
    let text =
        |v: Option<Encoded<'_>>, name: &'static str| -> Result<Option<UntrustedText>, Error> {
            v.map(|v| {
                v.decode_string()
                    .map(UntrustedText::new)
                    .map_err(|_| CallbackError::MalformedEncoding(name).into())
            })
            .transpose()
        };
    Ok(Error::Authorization(AuthorizationError {
        code: AuthorizationErrorCode::parse(&code),
        description: text(description, "error_description")?,
        uri: text(uri, "error_uri")?,
    }))
}

/// Reads the `state` of a callback query without validating anything else, to find the
/// pending authorization it claims to answer when several are in flight (RFC 8252 §8.9:
/// a state that matches none is an unsolicited response).
#[must_use]
pub fn callback_state(query: &str) -> Option<String> {
    let found = collect(query).ok()?;
    found[STATE]?.decode_string().ok()
}
