//! Secret newtypes: redacted `Debug`, no `Display`, an explicitly named accessor.

use alloc::string::String;
use core::fmt;

macro_rules! secret_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value. Values parsed from the network are validated before they get
            /// here (`1*VSCHAR`, RFC 6749 Appendix A).
            #[must_use]
            pub fn new(value: String) -> Self {
                Self(value)
            }

            /// The secret text. Every call site is a place where the secret leaves the type.
            #[must_use]
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        #[cfg(feature = "zeroize")]
        impl Drop for $name {
            fn drop(&mut self) {
                zeroize::Zeroize::zeroize(&mut self.0);
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(Self)
            }
        }
    };
}

secret_string!(
    /// An OAuth access token (RFC 6749 §1.4).
    AccessToken
);
secret_string!(
    /// An OAuth refresh token (RFC 6749 §1.5).
    RefreshToken
);
secret_string!(
    /// An authorization code from a validated callback; single-use (RFC 6749 §4.1.2).
    AuthorizationCode
);
secret_string!(
    /// A device code (RFC 8628 §3.2): it lets its holder poll for the user's tokens.
    DeviceCode
);
secret_string!(
    /// A client secret for `client_secret_basic` or `client_secret_post` (RFC 6749 §2.3.1).
    ClientSecret
);

/// `VSCHAR = %x20-7E` (RFC 6749 Appendix A).
#[must_use]
pub(crate) fn is_vschar(b: u8) -> bool {
    (0x20..=0x7e).contains(&b)
}

/// `1*VSCHAR`: non-empty printable ASCII. Codes and tokens must pass this before they can
/// reach a request body or an `Authorization` header (no CR/LF injection).
#[must_use]
pub(crate) fn is_vschar_string(s: &str) -> bool {
    // A fold without an early exit, which the compiler vectorizes: tokens are checked on
    // every token response.
    !s.is_empty() && s.bytes().fold(true, |ok, b| ok & is_vschar(b))
}
