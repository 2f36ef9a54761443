//! A `core::fmt::Write` sink over a caller's byte buffer that keeps counting past its end,
//! so a too-small buffer reports the size the whole output needs in one pass.

use core::fmt;

use crate::error::BufferTooSmall;

/// Writes into a caller-provided buffer; remembers how many bytes the output needed even
/// when they did not fit.
pub struct SliceWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceWriter<'a> {
    /// A writer that starts at the beginning of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// Appends bytes; past the end of the buffer only the count grows.
    pub fn push_bytes(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
    }

    /// The number of bytes written or, if the buffer overflowed, needed so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The written bytes, or the size the whole output needed.
    pub fn finish(self) -> Result<&'a mut [u8], BufferTooSmall> {
        let len = self.len;
        match self.buf.get_mut(..len) {
            Some(out) => Ok(out),
            None => Err(BufferTooSmall { needed: len }),
        }
    }

    /// The written text, or the size the whole output needed. Only `fmt::Write` and ASCII
    /// pushes reach the buffer, so the bytes are UTF-8; a defensive check keeps this safe
    /// code free of any assumption.
    pub fn finish_str(self) -> Result<&'a str, BufferTooSmall> {
        let needed = self.len;
        let out = self.finish()?;
        core::str::from_utf8(out).map_err(|_| BufferTooSmall { needed })
    }
}

impl fmt::Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_bytes(s.as_bytes());
        Ok(())
    }
}

// The buffer may hold secrets: `Debug` shows sizes only.
impl fmt::Debug for SliceWriter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SliceWriter")
            .field("len", &self.len)
            .field("capacity", &self.buf.len())
            .finish()
    }
}
