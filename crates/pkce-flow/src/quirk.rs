//! Named provider deviations: off by default, turned on one by one, each use reported.

/// A provider deviation the client tolerates only when it is turned on by name. Each use
/// is reported in [`crate::TokenResponse::quirks_applied`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Quirk {
    /// `"expires_in":"3600"` (a string of digits; Azure AD v1).
    StringExpiresIn,
    /// `"expires":3600` in place of `expires_in` (some servers do).
    ExpiresField,
    /// No `token_type`: assume `Bearer`.
    MissingTokenType,
    /// An OAuth error JSON with status 200 is reported as a normal token error.
    ErrorWith200,
    /// A successful token response with status 201.
    Status201,
    /// `"scope":["a","b"]`.
    ScopeArray,
    /// `"scope":"a,b"` (GitHub).
    CommaScope,
    /// A `Bearer` token in answer to a request with a DPoP proof (RFC 9449 §5 says the
    /// client must then not use it as a DPoP token; under this quirk it is used as a bearer
    /// token).
    BearerForDpop,
}

impl Quirk {
    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A small set of [`Quirk`]s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct QuirkSet(u8);

impl QuirkSet {
    /// The empty set.
    #[must_use]
    pub const fn empty() -> Self {
        Self(0)
    }

    /// Whether the set holds `quirk`.
    #[must_use]
    pub const fn contains(self, quirk: Quirk) -> bool {
        self.0 & quirk.bit() != 0
    }

    /// Adds `quirk`.
    pub fn insert(&mut self, quirk: Quirk) {
        self.0 |= quirk.bit();
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}
