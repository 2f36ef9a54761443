//! One browser connection: its request head read a chunk at a time without blocking, then
//! its answer written the same way. The wait loop drives every connection in turn.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use crate::page::Page;

/// The most bytes read from one connection per turn, so that one fast sender cannot starve
/// the others.
const CHUNK: usize = 4 * 1024;
/// How long a final answer (the success or failure page) may take to write: a few hundred
/// bytes into a fresh socket's empty send buffer, so this is never reached in practice.
const FINAL_WRITE_TIME: Duration = Duration::from_secs(1);

/// What one turn of a connection came to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Turn {
    /// Nothing to do now.
    Idle,
    /// Bytes moved; turn again soon.
    Progress,
    /// The request head is complete: route it.
    Head,
    /// Done with: drop it. `Some` when it was answered as a stray (status, why).
    Close(Option<(u16, &'static str)>),
}

enum Phase {
    Reading,
    Writing { response: Vec<u8>, written: usize },
}

/// A connection between accept and close.
pub(crate) struct Connection {
    stream: TcpStream,
    opened: Instant,
    head: Vec<u8>,
    phase: Phase,
}

impl Connection {
    /// Takes an accepted stream; it is made nonblocking.
    pub(crate) fn new(stream: TcpStream, opened: Instant) -> io::Result<Self> {
        stream.set_nonblocking(true)?;
        Ok(Self {
            stream,
            opened,
            head: Vec::new(),
            phase: Phase::Reading,
        })
    }

    /// When it was accepted.
    pub(crate) fn opened(&self) -> Instant {
        self.opened
    }

    /// The complete request head (and whatever followed it in the last chunk read).
    pub(crate) fn head(&self) -> &[u8] {
        &self.head
    }

    /// One turn: read one chunk, or write what is left of the answer. `time` bounds the
    /// whole connection, from accept to the last byte of the answer; `max_head` the bytes
    /// of the request head.
    pub(crate) fn turn(&mut self, now: Instant, time: Duration, max_head: usize) -> Turn {
        let late = now.saturating_duration_since(self.opened) >= time;
        match &mut self.phase {
            Phase::Reading if late => self.refuse(Page::Timeout, "the request head took too long"),
            Phase::Reading => self.read(max_head),
            Phase::Writing { .. } if late => Turn::Close(None),
            Phase::Writing { response, written } => {
                match self
                    .stream
                    .write(response.get(*written..).unwrap_or_default())
                {
                    Ok(0) => Turn::Close(None),
                    Ok(n) => {
                        *written += n;
                        if *written < response.len() {
                            return Turn::Progress;
                        }
                        let _ = self.stream.shutdown(Shutdown::Write);
                        Turn::Close(None)
                    }
                    Err(e) if blocked(&e) => Turn::Idle,
                    Err(_) => Turn::Close(None),
                }
            }
        }
    }

    fn read(&mut self, max_head: usize) -> Turn {
        let mut chunk = [0u8; CHUNK];
        let room = max_head.saturating_add(1).saturating_sub(self.head.len());
        let want = chunk.len().min(room.max(1));
        match self.stream.read(chunk.get_mut(..want).unwrap_or_default()) {
            // The peer closed before finishing its head: nothing to answer.
            Ok(0) => Turn::Close(None),
            Ok(n) => {
                let searched = self.head.len().saturating_sub(2);
                self.head
                    .extend_from_slice(chunk.get(..n).unwrap_or_default());
                if ends_head(self.head.get(searched..).unwrap_or_default()) {
                    Turn::Head
                } else if self.head.len() > max_head {
                    self.refuse(Page::TooLarge, "request head over the size cap")
                } else {
                    Turn::Progress
                }
            }
            Err(e) if blocked(&e) => Turn::Idle,
            Err(_) => Turn::Close(None),
        }
    }

    /// Answers without blocking and closes: for strays whose head never completed.
    fn refuse(&mut self, page: Page, why: &'static str) -> Turn {
        let _ = self.stream.write(&page.response());
        Turn::Close(Some((page.status(), why)))
    }

    /// Starts writing `page`; later turns finish it, then the connection closes.
    pub(crate) fn answer(&mut self, page: Page) {
        self.phase = Phase::Writing {
            response: page.response(),
            written: 0,
        };
    }

    /// Writes `page` now, blocking for at most a second, and closes: the final answer, given
    /// as the wait ends.
    pub(crate) fn answer_last(self, page: Page) {
        let stream = self.stream;
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_write_timeout(Some(FINAL_WRITE_TIME));
        // The browser may already be gone; the login does not depend on this page arriving.
        let _ = (&stream).write_all(&page.response());
        let _ = stream.shutdown(Shutdown::Write);
    }

    /// Answers `page` without blocking, best effort, as the connection is dropped.
    pub(crate) fn answer_and_drop(self, page: Page) {
        let _ = (&self.stream).write(&page.response());
    }
}

/// Whether the bytes hold the empty line that ends a request head (CRLF or bare LF line
/// ends, as httparse accepts).
fn ends_head(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"\n\n") || bytes.windows(3).any(|w| w == b"\n\r\n")
}

fn blocked(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use super::ends_head;

    #[test]
    fn a_head_ends_at_the_first_empty_line_whatever_the_line_ends() {
        assert!(ends_head(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        assert!(ends_head(b"GET / HTTP/1.1\nHost: a\n\n"));
        assert!(!ends_head(b"GET / HTTP/1.1\r\nHost: a\r\n"));
        assert!(!ends_head(b"GET / HTTP/1.1\r\nHost: a\r\n\r"));
    }
}
