//! `RedisStore`: sessions shared by many machines through one Redis server, with a lease
//! lock and fenced writes.
//!
//! Keys, for a prefix `P` and a session key `K`:
//! - `PK`, a hash: `session` (the JSON session) and `fence` (the fence of its writer);
//! - `PK:lock`, the lease lock, holding its holder's fence;
//! - `PK:fence`, a counter, incremented by every attempt to take the lock.
//!
//! Locking is one Lua script: take the next fence from the counter and `SET lock fence NX PX
//! lease` (a failed attempt only skips a fence number). Writing is another: write only while
//! the lock still holds the caller's fence and the stored fence is not newer, so a holder
//! whose lease ran out (paused, partitioned) can never overwrite a newer session. Release is
//! compare-and-delete.
//!
//! The wire client is our own (`resp.rs`, RESP2, about 130 lines) rather than the `redis`
//! crate: the store sends three commands (`PING`, `HMGET`, `EVAL`) over one blocking
//! connection, while `redis` 1.8 with its default features off still compiles `combine` (a
//! parser-combinator library), `arcstr`, `xxhash-rust`, `ryu`, `itoa` and `percent-encoding`
//! (its manifest's non-optional dependencies), plus `sha1_smol` for its script helper.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::error::SessionError;
use crate::resp::{Connection, Reply};
use crate::session::{SessionKey, StoredSession};
use crate::store::{SessionLock, SessionStore, backoff, locking_disabled};

/// The default lease of a lock: far longer than one refresh request.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

const ACQUIRE: &str = "local fence = redis.call('INCR', KEYS[2]) \
    if redis.call('SET', KEYS[1], fence, 'NX', 'PX', ARGV[1]) then return fence end \
    return 0";

const FENCED_WRITE: &str = "if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end \
    local stored = redis.call('HGET', KEYS[1], 'fence') \
    if stored and tonumber(stored) > tonumber(ARGV[1]) then return 0 end \
    redis.call('HSET', KEYS[1], 'fence', ARGV[1], 'session', ARGV[2]) \
    return 1";

/// Only with the lock switched off by the test hook: the race the lock prevents, on purpose.
const UNFENCED_WRITE: &str = "redis.call('HSET', KEYS[1], 'fence', 0, 'session', ARGV[1]) \
    return 1";

/// Deletes the session and the caller's lease, only while the lease still holds the caller's
/// fence (`-1` otherwise). The fence counter stays, so no later holder is ever handed a
/// fence that an earlier, paused holder still carries.
const FENCED_DELETE: &str = "if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end \
    local deleted = redis.call('DEL', KEYS[1]) \
    redis.call('DEL', KEYS[2]) \
    return deleted";

/// Only with the lock switched off by the test hook.
const UNFENCED_DELETE: &str = "return redis.call('DEL', KEYS[1])";

const RELEASE: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
    return redis.call('DEL', KEYS[1]) end return 0";

/// Sessions in Redis, over one connection per store (share a store between threads, open
/// one per process).
#[derive(Clone)]
pub struct RedisStore {
    conn: Arc<Mutex<Connection>>,
    prefix: String,
    lease: Duration,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

/// Maps a reply that should be an integer.
fn integer(reply: Reply) -> Result<i64, SessionError> {
    match reply {
        Reply::Integer(n) => Ok(n),
        Reply::Error(e) => Err(SessionError::Redis(e)),
        _ => Err(SessionError::Redis("unexpected reply type".into())),
    }
}

impl RedisStore {
    /// Connects to the Redis server at `addr` (`host:port`, no authentication) and keeps
    /// every key under `prefix`.
    ///
    /// # Errors
    /// Connection errors; [`SessionError::Redis`] when the server does not answer `PING`.
    pub fn connect(addr: &str, prefix: &str) -> Result<Self, SessionError> {
        let mut conn = Connection::connect(addr, Duration::from_secs(5))?;
        match conn.call(&[b"PING"])? {
            Reply::Status(s) if s == "PONG" => {}
            _ => return Err(SessionError::Redis("the server did not answer PING".into())),
        }
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            prefix: prefix.to_owned(),
            lease: DEFAULT_LEASE,
        })
    }

    /// The lease of every lock this store takes: a holder that keeps the lock longer loses
    /// it, and its write is refused. Default [`DEFAULT_LEASE`].
    #[must_use]
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// The Redis key of session `key`'s hash.
    #[must_use]
    pub fn data_key(&self, key: &SessionKey) -> String {
        format!("{}{key}", self.prefix)
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding it leaves at worst an unread reply; the next call on a
        // desynchronized connection fails with a protocol error rather than wrong data.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn eval(&self, script: &str, keys: &[&str], args: &[&[u8]]) -> Result<Reply, SessionError> {
        let numkeys = keys.len().to_string();
        let mut call: Vec<&[u8]> = vec![b"EVAL", script.as_bytes(), numkeys.as_bytes()];
        call.extend(keys.iter().map(|k| k.as_bytes()));
        call.extend_from_slice(args);
        self.conn().call(&call)
    }

    fn read_key(&self, key: &SessionKey) -> Result<Option<StoredSession>, SessionError> {
        let data = self.data_key(key);
        let reply = self
            .conn()
            .call(&[b"HMGET", data.as_bytes(), b"fence", b"session"])?;
        match reply {
            Reply::Array(fields) => match fields.as_slice() {
                [Reply::Bulk(None), Reply::Bulk(None)] => Ok(None),
                [Reply::Bulk(Some(_)), Reply::Bulk(Some(json))] => {
                    StoredSession::from_slice(json).map(Some)
                }
                _ => Err(SessionError::Corrupt),
            },
            // `WRONGTYPE`: the key holds something other than a hash.
            Reply::Error(e) if e.starts_with("WRONGTYPE") => Err(SessionError::Corrupt),
            Reply::Error(e) => Err(SessionError::Redis(e)),
            _ => Err(SessionError::Corrupt),
        }
    }
}

/// A held lease on one key of a [`RedisStore`], released (if still ours) on drop.
#[derive(Debug)]
pub struct RedisLock {
    store: RedisStore,
    key: SessionKey,
    fence: String,
    /// `false` only when the test hook switched locking off.
    held: bool,
}

impl RedisLock {
    /// This holder's fence: larger than every earlier holder's.
    #[must_use]
    pub fn fence(&self) -> &str {
        &self.fence
    }
}

impl SessionStore for RedisStore {
    type Lock = RedisLock;

    fn read(&self, key: &SessionKey) -> Result<Option<StoredSession>, SessionError> {
        self.read_key(key)
    }

    fn lock(&self, key: &SessionKey, wait: Duration) -> Result<RedisLock, SessionError> {
        let data = self.data_key(key);
        let (lock, counter) = (format!("{data}:lock"), format!("{data}:fence"));
        let lease = self.lease.as_millis().max(1).to_string();
        if locking_disabled() {
            return Ok(RedisLock {
                store: self.clone(),
                key: key.clone(),
                fence: "0".into(),
                held: false,
            });
        }
        let deadline = Instant::now() + wait;
        let mut attempt = 0;
        loop {
            let reply = self.eval(ACQUIRE, &[&lock, &counter], &[lease.as_bytes()])?;
            match integer(reply)? {
                0 if Instant::now() < deadline => {
                    attempt += 1;
                    std::thread::sleep(backoff(attempt));
                }
                0 => return Err(SessionError::LockTimeout),
                fence => {
                    return Ok(RedisLock {
                        store: self.clone(),
                        key: key.clone(),
                        fence: fence.to_string(),
                        held: true,
                    });
                }
            }
        }
    }
}

impl SessionLock for RedisLock {
    fn read(&mut self) -> Result<Option<StoredSession>, SessionError> {
        self.store.read_key(&self.key)
    }

    fn write(&mut self, session: &StoredSession) -> Result<(), SessionError> {
        let data = self.store.data_key(&self.key);
        let lock = format!("{data}:lock");
        let json = session.to_vec()?;
        let reply = if self.held {
            let args: [&[u8]; 2] = [self.fence.as_bytes(), &json];
            self.store.eval(FENCED_WRITE, &[&data, &lock], &args)?
        } else {
            self.store.eval(UNFENCED_WRITE, &[&data], &[&json])?
        };
        match reply {
            Reply::Error(e) if e.contains("WRONGTYPE") => Err(SessionError::Corrupt),
            reply => match integer(reply)? {
                1 => Ok(()),
                _ => Err(SessionError::LockLost),
            },
        }
    }

    fn delete_on_logout(&mut self) -> Result<bool, SessionError> {
        let data = self.store.data_key(&self.key);
        let reply = if self.held {
            let lock = format!("{data}:lock");
            self.store
                .eval(FENCED_DELETE, &[&data, &lock], &[self.fence.as_bytes()])?
        } else {
            self.store.eval(UNFENCED_DELETE, &[&data], &[])?
        };
        match integer(reply)? {
            -1 => Err(SessionError::LockLost),
            // The lease went with the session: the release on drop finds nothing, and a
            // later write through this lock is refused.
            deleted => Ok(deleted > 0),
        }
    }
}

impl Drop for RedisLock {
    fn drop(&mut self) {
        if !self.held {
            return;
        }
        let lock = format!("{}:lock", self.store.data_key(&self.key));
        // Best effort: a lease that cannot be released here runs out on its own.
        let _ = self.store.eval(RELEASE, &[&lock], &[self.fence.as_bytes()]);
    }
}
