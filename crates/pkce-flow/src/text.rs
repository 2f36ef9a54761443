//! Text chosen by a server or an attacker, kept for diagnosis but inert on display.

use alloc::string::String;
use core::fmt;

/// The most characters of untrusted text that `Display` shows.
pub const DISPLAY_LIMIT: usize = 256;

/// Text that came from the other side (`error_description`, `error_uri`, an unknown error
/// code). `Display` escapes everything outside printable ASCII (so no terminal escape, CR,
/// LF or NUL gets through) and stops after [`DISPLAY_LIMIT`] characters; HTML output must
/// still escape `<`, `>` and `&` itself. The raw text is available through [`Self::raw`].
#[derive(Clone, PartialEq, Eq)]
pub struct UntrustedText(String);

impl UntrustedText {
    /// Keeps `text` as received.
    #[must_use]
    pub fn new(text: String) -> Self {
        Self(text)
    }

    /// The text exactly as received. Escape it before showing it anywhere.
    #[must_use]
    pub fn raw(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UntrustedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.0.chars().enumerate() {
            if i == DISPLAY_LIMIT {
                return f.write_str("…");
            }
            match c {
                ' '..='~' => fmt::Write::write_char(f, c)?,
                _ => write!(f, "{}", c.escape_default())?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for UntrustedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}
