//! A serde visitor that validates a string while it is borrowed, so deserializing needs no
//! allocation and never keeps an unvalidated value.

use core::fmt;
use core::marker::PhantomData;

/// Accepts a string and turns it into `T` through a validating function.
pub(crate) struct Visitor<T> {
    expecting: &'static str,
    parse: fn(&str) -> Result<T, &'static str>,
    marker: PhantomData<T>,
}

impl<T> Visitor<T> {
    pub(crate) fn new(expecting: &'static str, parse: fn(&str) -> Result<T, &'static str>) -> Self {
        Self {
            expecting,
            parse,
            marker: PhantomData,
        }
    }
}

impl<T> serde::de::Visitor<'_> for Visitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        // The message never quotes the value: it may be a secret.
        (self.parse)(v).map_err(|msg| E::invalid_value(serde::de::Unexpected::Other(msg), &self))
    }
}
