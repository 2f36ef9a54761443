//! A real `redis-server` for the tests of Redis-backed stores: on 127.0.0.1 and a free port,
//! without persistence, killed on drop.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` child process. Install it with `cargo xtask deps` (Debian's
/// `redis-server`).
#[derive(Debug)]
pub struct RedisServer {
    child: Child,
    addr: String,
}

/// Whether a Redis server at `addr` answers `PING` with `+PONG`.
fn answers_ping(addr: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return false;
    };
    let mut reply = [0u8; 7];
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .is_ok()
        && stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

impl RedisServer {
    /// Starts `redis-server` and waits until it answers.
    ///
    /// # Errors
    /// [`io::ErrorKind::NotFound`] when `redis-server` is not installed; any other start
    /// failure, or no free port after five attempts.
    pub fn start() -> io::Result<Self> {
        for _ in 0..5 {
            // Redis has no "any free port" option: take one from the OS, release it, and
            // start on it; another process may grab it meanwhile, hence the retries.
            let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
            let mut child = Command::new("redis-server")
                .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| {
                    io::Error::new(
                        e.kind(),
                        format!(
                            "redis-server does not start ({e}); `cargo xtask deps` installs it"
                        ),
                    )
                })?;
            let addr = format!("127.0.0.1:{port}");
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if child.try_wait().ok().flatten().is_some() {
                    break; // exited: most likely the port was taken
                }
                if answers_ping(&addr) {
                    return Ok(Self { child, addr });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        Err(io::Error::other(
            "redis-server did not start on a free port in five attempts",
        ))
    }

    /// `127.0.0.1:PORT`.
    #[must_use]
    pub fn addr(&self) -> &str {
        &self.addr
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
