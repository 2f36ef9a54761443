//! Waiting for the callback: every connection served at once, within caps, until the one
//! valid callback or the deadline.
//!
//! # Design: one thread, nonblocking sockets, a short tick
//!
//! The listener and every accepted connection are nonblocking, and one loop on the caller's
//! thread takes turns: accept what is waiting, then give each connection one turn (read one
//! chunk of its head, or write some of its answer), then sleep one tick (a few
//! milliseconds) if nothing moved. Why this and not a thread per connection or a runtime:
//!
//! - **The deadline is exact.** The loop checks the clock every turn, and no call in it
//!   blocks, so nothing a connection does (idle, one byte at a time, never reading its
//!   answer) can push the return past the deadline. Threads blocked in `read` would have to
//!   be abandoned at the deadline, still holding their sockets.
//! - **No connection holds up another.** A slow sender costs one `read` per tick; the real
//!   callback is read in the turn after it arrives and answered at once.
//! - **The pending authorization never leaves the caller's thread**, and is handed to
//!   pkce-flow, which alone decides whether a callback is valid.
//! - **Every socket is closed when `wait` returns**, and the caps are plain counts:
//!   [`Limits`](crate::Limits) bounds connections, head bytes and time per connection.
//! - std has no readiness API (epoll, kqueue) without a new dependency; the tick costs a
//!   few hundred wake-ups a second while a login is pending, which is nothing next to a
//!   browser.

use std::io;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use pkce_flow::{PendingAuthorization, TokenExchange};

use crate::connection::{Connection, Turn};
use crate::error::WaitError;
use crate::listener::Listener;
use crate::page::Page;
use crate::route::{Route, route};

/// The sleep between turns when nothing moved.
const TICK: Duration = Duration::from_millis(4);
/// The most connections accepted per turn, so that a flood of connections cannot keep the
/// loop from serving the ones it has.
const ACCEPTS_PER_TURN: usize = 64;
/// The longest wait accepted; a longer timeout is cut to it (no `Instant` overflow).
const MAX_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// What the route and the flow made of a complete head.
enum Outcome {
    /// Answer this page and keep waiting with the pending authorization given back; the
    /// text (why) goes to `on_stray`.
    Keep(Page, String, PendingAuthorization),
    /// Answer this page; the wait is over.
    Done(Page, Result<TokenExchange, WaitError>),
}

impl Listener {
    /// Serves the browser until a callback that pkce-flow accepts arrives (the code
    /// exchange is returned, the browser shown a success page), a callback answers this
    /// login with a refusal, or `timeout` passes. Every other request (another path, a
    /// wrong `Host`, a forged `state`) is answered 400/404/405 and the wait goes on with
    /// the same pending authorization.
    ///
    /// # Errors
    /// [`WaitError`].
    pub fn wait(
        &self,
        pending: PendingAuthorization,
        timeout: Duration,
    ) -> Result<TokenExchange, WaitError> {
        self.wait_with(pending, timeout, |_, _| {})
    }

    /// [`Self::wait`], and `on_stray(status, why)` hears of every request answered with an
    /// error while the wait went on (`why` holds no secret).
    ///
    /// # Errors
    /// [`WaitError`].
    pub fn wait_with(
        &self,
        mut pending: PendingAuthorization,
        timeout: Duration,
        mut on_stray: impl FnMut(u16, &str),
    ) -> Result<TokenExchange, WaitError> {
        let deadline = Instant::now() + timeout.min(MAX_TIMEOUT);
        let limits = self.limits;
        let mut connections: Vec<Connection> = Vec::new();
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(WaitError::Timeout);
            }
            let mut moved = self.accept(&mut connections, now, &mut on_stray)?;
            let mut i = 0;
            while let Some(connection) = connections.get_mut(i) {
                match connection.turn(now, limits.connection_time, limits.max_head_bytes) {
                    Turn::Idle => i += 1,
                    Turn::Progress => {
                        moved = true;
                        i += 1;
                    }
                    Turn::Close(answered) => {
                        moved = true;
                        connections.swap_remove(i);
                        if let Some((status, why)) = answered {
                            on_stray(status, why);
                        }
                    }
                    Turn::Head => {
                        moved = true;
                        // A callback completed after the deadline is never looked at.
                        if Instant::now() >= deadline {
                            return Err(WaitError::Timeout);
                        }
                        match self.decide(connection.head(), pending) {
                            Outcome::Keep(page, why, kept) => {
                                pending = kept;
                                connection.answer(page);
                                on_stray(page.status(), &why);
                                i += 1;
                            }
                            Outcome::Done(page, result) => {
                                connections.swap_remove(i).answer_last(page);
                                return result;
                            }
                        }
                    }
                }
            }
            if !moved {
                std::thread::sleep(TICK.min(deadline.saturating_duration_since(now)));
            }
        }
    }

    /// Accepts what is waiting; at the cap the oldest connection makes room.
    fn accept(
        &self,
        connections: &mut Vec<Connection>,
        now: Instant,
        on_stray: &mut impl FnMut(u16, &str),
    ) -> Result<bool, WaitError> {
        for accepted in 0..ACCEPTS_PER_TURN {
            let stream: TcpStream = match self.socket.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(accepted > 0),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted
                            | io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                    ) =>
                {
                    continue;
                }
                Err(e) => return Err(WaitError::Io(e)),
            };
            let Ok(connection) = Connection::new(stream, now) else {
                continue;
            };
            if connections.len() >= self.limits.max_connections {
                let oldest = (0..connections.len()).min_by_key(|&i| connections[i].opened());
                if let Some(oldest) = oldest {
                    connections.swap_remove(oldest).answer_and_drop(Page::Busy);
                    on_stray(
                        Page::Busy.status(),
                        "too many connections: closed the oldest",
                    );
                }
            }
            connections.push(connection);
        }
        Ok(true)
    }

    /// Routes a complete head and, for a callback, lets pkce-flow decide.
    fn decide(&self, head: &[u8], pending: PendingAuthorization) -> Outcome {
        let query = match route(head, &self.authority, &self.path) {
            Route::Stray { status, why } => {
                return Outcome::Keep(Page::for_status(status), why.to_owned(), pending);
            }
            Route::Callback { query } => query,
        };
        match pending.callback(query) {
            Ok(exchange) => Outcome::Done(Page::Success, Ok(exchange)),
            Err(rejected) => {
                let why = format!("callback not for this login: {}", rejected.error());
                match rejected.keep_waiting() {
                    Ok(kept) => Outcome::Keep(Page::BadRequest, why, kept),
                    Err(over) => Outcome::Done(Page::Failure, Err(WaitError::Rejected(over))),
                }
            }
        }
    }
}
