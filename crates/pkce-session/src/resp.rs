//! A minimal blocking RESP2 client: one TCP connection, commands as arrays of bulk strings,
//! replies parsed with bounded sizes.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::error::SessionError;
use crate::session::MAX_SESSION_BYTES;

/// The longest bulk string accepted: a session plus room for the largest reply we expect.
const MAX_BULK: usize = 2 * MAX_SESSION_BYTES;
/// The most elements in an array reply (we send `HMGET` of two fields).
const MAX_ARRAY: usize = 16;
/// The longest status or error line.
const MAX_LINE: usize = 4096;

/// One reply.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reply {
    Status(String),
    Error(String),
    Integer(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
}

/// One connection to a Redis server.
#[derive(Debug)]
pub(crate) struct Connection {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

fn protocol(what: &str) -> SessionError {
    SessionError::Redis(format!("protocol violation: {what}"))
}

impl Connection {
    /// Connects to `addr` (`host:port`), with `timeout` on connecting, each read and each
    /// write.
    pub(crate) fn connect(addr: &str, timeout: Duration) -> Result<Self, SessionError> {
        let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
        for a in addr.to_socket_addrs()? {
            match TcpStream::connect_timeout(&a, timeout) {
                Ok(stream) => {
                    stream.set_read_timeout(Some(timeout))?;
                    stream.set_write_timeout(Some(timeout))?;
                    stream.set_nodelay(true)?;
                    let writer = stream.try_clone()?;
                    return Ok(Self {
                        reader: BufReader::new(stream),
                        writer,
                    });
                }
                Err(e) => last = e,
            }
        }
        Err(last.into())
    }

    /// Sends one command and reads its reply. A Redis error reply is returned as
    /// [`Reply::Error`], not as `Err`.
    pub(crate) fn call(&mut self, args: &[&[u8]]) -> Result<Reply, SessionError> {
        let mut out = Vec::with_capacity(64 + args.iter().map(|a| a.len() + 16).sum::<usize>());
        out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        for arg in args {
            out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            out.extend_from_slice(arg);
            out.extend_from_slice(b"\r\n");
        }
        self.writer.write_all(&out)?;
        self.read_reply(0)
    }

    fn read_line(&mut self) -> Result<String, SessionError> {
        let mut line = Vec::new();
        (&mut self.reader)
            .take(MAX_LINE as u64 + 2)
            .read_until(b'\n', &mut line)?;
        if !line.ends_with(b"\r\n") {
            return Err(protocol("a reply line is unterminated or too long"));
        }
        line.truncate(line.len() - 2);
        String::from_utf8(line).map_err(|_| protocol("a reply line is not UTF-8"))
    }

    fn read_reply(&mut self, depth: u8) -> Result<Reply, SessionError> {
        let line = self.read_line()?;
        let (kind, rest) = line
            .split_at_checked(1)
            .ok_or(protocol("an empty reply line"))?;
        let number = || {
            rest.parse::<i64>()
                .map_err(|_| protocol("a bad length or integer"))
        };
        match kind {
            "+" => Ok(Reply::Status(rest.to_owned())),
            "-" => Ok(Reply::Error(rest.to_owned())),
            ":" => Ok(Reply::Integer(number()?)),
            "$" => {
                let len = number()?;
                if len < 0 {
                    return Ok(Reply::Bulk(None));
                }
                let len = usize::try_from(len)
                    .ok()
                    .filter(|l| *l <= MAX_BULK)
                    .ok_or(SessionError::TooLarge { limit: MAX_BULK })?;
                let mut data = vec![0; len + 2];
                self.reader.read_exact(&mut data)?;
                if !data.ends_with(b"\r\n") {
                    return Err(protocol("a bulk string is unterminated"));
                }
                data.truncate(len);
                Ok(Reply::Bulk(Some(data)))
            }
            "*" if depth < 2 => {
                let len = number()?;
                if len < 0 {
                    return Ok(Reply::Array(Vec::new()));
                }
                let len = usize::try_from(len)
                    .ok()
                    .filter(|l| *l <= MAX_ARRAY)
                    .ok_or(protocol("an array reply is too long"))?;
                (0..len)
                    .map(|_| self.read_reply(depth + 1))
                    .collect::<Result<_, _>>()
                    .map(Reply::Array)
            }
            _ => Err(protocol("an unexpected reply type")),
        }
    }
}
