//! Binding the loopback redirect listener and naming it (RFC 8252 §7.3, §8.3).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};
use std::time::Duration;

/// Which loopback address to listen on. RFC 8252 §8.3: an IP literal, never `localhost`
/// (which a hosts file or resolver may point elsewhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoopbackHost {
    /// 127.0.0.1
    V4,
    /// ::1, the IPv6 loopback address
    V6,
}

/// The caps that keep the listener answering whatever its connections do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Connections served at once. One more arriving closes the oldest (answered 503): a
    /// browser sends its request at once, so it is the newest connection that matters.
    pub max_connections: usize,
    /// The largest request head read; a bigger one is answered 431. No body is ever read.
    pub max_head_bytes: usize,
    /// How long one connection may take, from accept to the end of its answer; a head not
    /// complete by then is answered 408.
    pub connection_time: Duration,
}

impl Default for Limits {
    /// 32 connections, 32 KiB of head, 10 s per connection.
    fn default() -> Self {
        Self {
            max_connections: 32,
            max_head_bytes: 32 * 1024,
            connection_time: Duration::from_secs(10),
        }
    }
}

impl Limits {
    /// At most `n` connections at once (at least 1).
    #[must_use]
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// At most `bytes` of request head.
    #[must_use]
    pub fn max_head_bytes(mut self, bytes: usize) -> Self {
        self.max_head_bytes = bytes;
        self
    }

    /// At most `time` per connection.
    #[must_use]
    pub fn connection_time(mut self, time: Duration) -> Self {
        self.connection_time = time;
        self
    }
}

/// A bound loopback listener and the redirect URI that names it. Bind it before building
/// the authorization URL: the redirect URI holds the port actually bound.
#[derive(Debug)]
pub struct Listener {
    pub(crate) socket: TcpListener,
    redirect_uri: String,
    pub(crate) authority: String,
    pub(crate) path: String,
    pub(crate) limits: Limits,
}

impl Listener {
    /// Binds the loopback address on `port` (0: a free port chosen by the OS, as RFC 8252
    /// §7.3 recommends). `path` is the redirect URI's path (a `/` is put in front when
    /// missing).
    ///
    /// # Errors
    /// The OS refused the address, or `path` is not printable ASCII without `?`, `#`,
    /// space or `\` ([`io::ErrorKind::InvalidInput`]).
    pub fn bind(host: LoopbackHost, port: u16, path: &str) -> io::Result<Self> {
        let printable = |c: char| c.is_ascii_graphic() && !matches!(c, '?' | '#' | '\\');
        if !path.chars().all(printable) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the redirect path must be printable ASCII without '?', '#', space or '\\'",
            ));
        }
        let ip = match host {
            LoopbackHost::V4 => IpAddr::V4(Ipv4Addr::LOCALHOST),
            LoopbackHost::V6 => IpAddr::V6(Ipv6Addr::LOCALHOST),
        };
        // std's TcpListener sets SO_REUSEADDR on Unix only so that a TIME_WAIT port can be
        // rebound; it never sets SO_REUSEPORT, so no other process can share the port.
        let socket = TcpListener::bind(SocketAddr::new(ip, port))?;
        socket.set_nonblocking(true)?;
        let addr = socket.local_addr()?;
        let authority = match addr.ip() {
            IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
            IpAddr::V6(ip) => format!("[{ip}]:{}", addr.port()),
        };
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        Ok(Self {
            socket,
            redirect_uri: format!("http://{authority}{path}"),
            authority,
            path,
            limits: Limits::default(),
        })
    }

    /// Replaces the [`Limits`].
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The redirect URI: `http://`, the IP literal and the port actually bound, the path.
    #[must_use]
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The address bound.
    ///
    /// # Errors
    /// As [`TcpListener::local_addr`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }
}
