//! The `error` of a callback refused before its issuer was verified, kept for logs only.
//!
//! A callback whose `state` matched but whose `iss` is missing or names another issuer
//! (RFC 9207 §2.4) is refused whole: its `error` may be a mix-up attacker's words. Yet an
//! app wants to tell "the user cancelled" (`access_denied`) from "possible attack" in its
//! logs. [`UnverifiedError`] keeps that text, decoded leniently and never interpreted.

use pkce_core::form::Encoded;

use crate::text::UntrustedText;

/// The `error` and `error_description` of a callback refused for a missing or mismatched
/// `iss`: **unverified**, since nothing proves which server sent them. Log them as untrusted
/// text (their `Display` is escaped and truncated); never decide anything from them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnverifiedError {
    code: UntrustedText,
    description: Option<UntrustedText>,
}

impl UnverifiedError {
    /// The unverified `error` code, as sent (percent-decoded, invalid UTF-8 replaced).
    #[must_use]
    pub fn code(&self) -> &UntrustedText {
        &self.code
    }

    /// The unverified `error_description`, if one was sent.
    #[must_use]
    pub fn description(&self) -> Option<&UntrustedText> {
        self.description.as_ref()
    }

    /// Keeps `error` and `error_description` as found in the callback query.
    pub(crate) fn new(code: Option<Encoded<'_>>, description: Option<Encoded<'_>>) -> Option<Self> {
        let text = |v: Encoded<'_>| UntrustedText::new(v.decode_lossy());
        Some(Self {
            code: text(code?),
            description: description.map(text),
        })
    }
}
