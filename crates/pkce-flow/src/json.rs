//! JSON framing of every response body the flow reads: one object, UTF-8 as a whole, one
//! leading BOM skipped, and no member the flow reads given twice.
//!
//! serde is the one parser. A response type lists its members once with [`json_members!`];
//! the map visitor here sees every key, so a repeated member is refused as
//! [`ResponseError::DuplicateField`] (RFC 8259 §4 leaves repeated names to the receiver;
//! "last one wins" would let a proxy and the flow read different tokens).

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;
use core::marker::PhantomData;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::error::ResponseError;

/// What reading one member did.
pub(crate) enum Member {
    /// A member of the type, read into its field.
    Read,
    /// A member of the type already read once.
    Repeated,
    /// A member the type does not keep; its value is skipped.
    Unknown,
}

/// A response type: every field an `Option`, filled from the member of the same name.
/// Written by [`json_members!`].
pub(crate) trait Members<'de>: Default {
    /// Reads the value of member `key` into its field, unless the type does not keep it or
    /// `seen` says it was read before (`seen` has one bit per field).
    fn member<A: MapAccess<'de>>(
        &mut self,
        key: &str,
        seen: &mut u64,
        map: &mut A,
    ) -> Result<Member, A::Error>;
}

/// Implements [`Members`] for a struct of `Option` fields named as the JSON members.
macro_rules! json_members {
    ($name:ident $(<$lt:lifetime>)? { $($field:ident),+ $(,)? }) => {
        impl<'de $(: $lt, $lt)?> $crate::json::Members<'de> for $name $(<$lt>)? {
            fn member<A: serde::de::MapAccess<'de>>(
                &mut self,
                key: &str,
                seen: &mut u64,
                map: &mut A,
            ) -> Result<$crate::json::Member, A::Error> {
                let mut bit = 1u64;
                $(
                    if key == stringify!($field) {
                        if *seen & bit != 0 {
                            return Ok($crate::json::Member::Repeated);
                        }
                        *seen |= bit;
                        self.$field = map.next_value()?;
                        return Ok($crate::json::Member::Read);
                    }
                    bit <<= 1;
                )+
                let _ = bit;
                Ok($crate::json::Member::Unknown)
            }
        }
    };
}
pub(crate) use json_members;

/// The body as a JSON object of `T`'s members.
///
/// # Errors
/// [`ResponseError::DuplicateField`] when a member of `T` appears twice;
/// [`ResponseError::Json`] for anything else that is not one JSON object in UTF-8.
pub(crate) fn json_object<'a, T: Members<'a>>(body: &'a [u8]) -> Result<T, ResponseError> {
    // A single leading UTF-8 BOM is skipped: RFC 8259 §8.1 lets a parser ignore it, and
    // servers behind some frameworks send one.
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    // JSON text must be UTF-8 as a whole (RFC 8259 §8.1); serde_json checks only the
    // strings it keeps, and skips ignored members unchecked (found by fuzzing).
    let text = core::str::from_utf8(body).map_err(|_| ResponseError::Json)?;
    let mut repeated = false;
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = ObjectSeed {
        repeated: &mut repeated,
        members: PhantomData,
    }
    .deserialize(&mut de)
    .and_then(|value| de.end().map(|()| value));
    match parsed {
        Ok(value) => Ok(value),
        Err(_) if repeated => Err(ResponseError::DuplicateField),
        Err(_) => Err(ResponseError::Json),
    }
}

/// Reads one object into `T`, and says through `repeated` why it stopped on a repeated
/// member (serde's error carries no typed payload).
struct ObjectSeed<'f, T> {
    repeated: &'f mut bool,
    members: PhantomData<T>,
}

impl<'de, T: Members<'de>> DeserializeSeed<'de> for ObjectSeed<'_, T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        // `deserialize_map`, not `deserialize_struct`: serde_json would accept an array for
        // a struct.
        d.deserialize_map(self)
    }
}

impl<'de, T: Members<'de>> Visitor<'de> for ObjectSeed<'_, T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        let mut seen = 0u64;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match out.member(&key.0, &mut seen, &mut map)? {
                Member::Read => {}
                Member::Unknown => {
                    map.next_value::<IgnoredAny>()?;
                }
                Member::Repeated => {
                    *self.repeated = true;
                    return Err(serde::de::Error::custom("repeated member"));
                }
            }
        }
        Ok(out)
    }
}

/// A member name, borrowed unless it holds an escape.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(String::from(v))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loose::Loose;

    #[derive(Debug, Default)]
    struct Two<'a> {
        a: Option<Loose<'a>>,
        b: Option<u64>,
    }
    json_members!(Two<'a> { a, b });

    fn parse(body: &str) -> Result<Two<'_>, ResponseError> {
        json_object(body.as_bytes())
    }

    #[test]
    fn members_are_read_by_name_and_others_skipped() {
        let two = parse(r#"{"x":[1,{"y":2}],"a":"s","b":7,"x":null}"#).unwrap();
        assert_eq!(two.a, Some(Loose::Str("s".into())));
        assert_eq!(two.b, Some(7));
    }

    #[test]
    fn a_repeated_member_is_a_typed_error_however_it_is_spelled() {
        for body in [
            r#"{"a":"1","a":"2"}"#,
            r#"{"a":null,"a":"2"}"#,
            r#"{"a":"1","\u0061":"2"}"#,
            r#"{"b":1,"a":"x","b":1}"#,
        ] {
            assert_eq!(
                parse(body).unwrap_err(),
                ResponseError::DuplicateField,
                "{body}"
            );
        }
    }

    #[test]
    fn anything_but_one_utf8_object_is_not_json() {
        for body in [
            "[\"a\"]",
            "\"a\"",
            "{\"a\":\"1\"} {}",
            "{\"a\":\"1\"",
            "{\"b\":\"not a number\"}",
        ] {
            assert_eq!(parse(body).unwrap_err(), ResponseError::Json, "{body}");
        }
        let not_utf8 = b"{\"x\":\"\xff\",\"a\":\"1\"}";
        assert_eq!(
            json_object::<Two<'_>>(not_utf8).unwrap_err(),
            ResponseError::Json
        );
    }

    #[test]
    fn one_leading_bom_is_skipped() {
        assert!(json_object::<Two<'_>>(b"\xEF\xBB\xBF {\"a\":\"1\"}").is_ok());
        assert!(json_object::<Two<'_>>(b"\xEF\xBB\xBF\xEF\xBB\xBF{}").is_err());
    }
}
