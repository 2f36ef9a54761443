//! `FileStore`: one 0600 file per session in a directory only its owner can write, replaced
//! by rename, and a per-key OS file lock on a separate lock file.
//!
//! Layout: `DIR/KEY.json` (the session) and `DIR/KEY.lock` (empty, only ever locked). The
//! lock lives in its own file because the data file is replaced by `rename`: a lock on the
//! data file would be a lock on an inode that a writer unlinks. The OS releases the lock when
//! its holder exits, however it exits, so a killed holder never blocks the others.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::error::SessionError;
use crate::session::{MAX_SESSION_BYTES, SessionKey, StoredSession};
use crate::store::{SessionLock, SessionStore, backoff, locking_disabled};

/// Sessions as files in one directory, shared by every process of the user on this machine.
#[derive(Clone, Debug)]
pub struct FileStore {
    dir: PathBuf,
}

/// Whether `meta` can be written by group or others (unix mode bits); never on other systems.
fn others_can_write(meta: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o022 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Options that create files readable and writable by their owner only (0600 on unix).
fn private_file() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

impl FileStore {
    /// Opens the store in `dir`, creating it (mode 0700) if it does not exist.
    ///
    /// # Errors
    /// [`SessionError::InsecurePermissions`] when `dir` is not a directory or group or others
    /// can write it; I/O errors.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, SessionError> {
        let dir = dir.into();
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(&dir)?;
        let meta = fs::symlink_metadata(&dir)?;
        if !meta.is_dir() || others_can_write(&meta) {
            return Err(SessionError::InsecurePermissions);
        }
        Ok(Self { dir })
    }

    /// The directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds the session `key`.
    #[must_use]
    pub fn path(&self, key: &SessionKey) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    fn lock_path(&self, key: &SessionKey) -> PathBuf {
        self.dir.join(format!("{key}.lock"))
    }

    /// Reads `DIR/KEY.json`: at most [`MAX_SESSION_BYTES`], refused if others can write it.
    fn read_file(&self, key: &SessionKey) -> Result<Option<StoredSession>, SessionError> {
        read_private(&self.path(key))?
            .map(|bytes| StoredSession::from_slice(&bytes))
            .transpose()
    }

    /// Writes `DIR/KEY.json` as [`write_private`] does.
    fn write_file(&self, key: &SessionKey, session: &StoredSession) -> Result<(), SessionError> {
        write_private(&self.dir, &format!("{key}.json"), &session.to_vec()?)
    }
}

/// Reads a file of the store: at most [`MAX_SESSION_BYTES`], refused if others can write it;
/// `None` when it does not exist.
pub(crate) fn read_private(path: &Path) -> Result<Option<Vec<u8>>, SessionError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let meta = file.metadata()?;
    if !meta.is_file() || others_can_write(&meta) {
        return Err(SessionError::InsecurePermissions);
    }
    if meta.len() > MAX_SESSION_BYTES as u64 {
        return Err(SessionError::TooLarge {
            limit: MAX_SESSION_BYTES,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0) + 1);
    file.take(MAX_SESSION_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// Writes a temporary file (0600), flushes it to disk, renames it over `DIR/NAME` and
/// flushes the directory, so the file is the old content or the new one after a crash.
pub(crate) fn write_private(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), SessionError> {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    let temp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = private_file().write(true).create_new(true).open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, dir.join(name))?;
        File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        // Best effort: the temporary file is ours and useless after a failure.
        let _ = fs::remove_file(&temp);
    }
    written.map_err(SessionError::from)
}

/// The lock on one key of a [`FileStore`]: an OS lock on `DIR/KEY.lock`, released when the
/// file is closed (on drop, or by the OS when the process dies).
#[derive(Debug)]
pub struct FileLock {
    store: FileStore,
    key: SessionKey,
    _file: File,
}

impl SessionStore for FileStore {
    type Lock = FileLock;

    fn read(&self, key: &SessionKey) -> Result<Option<StoredSession>, SessionError> {
        self.read_file(key)
    }

    /// Polls `try_lock` with a short backoff until `wait` runs out: `File::lock` has no
    /// timeout, and a bounded wait is part of the contract.
    fn lock(&self, key: &SessionKey, wait: Duration) -> Result<FileLock, SessionError> {
        let file = private_file()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(self.lock_path(key))?;
        let meta = file.metadata()?;
        if !meta.is_file() || others_can_write(&meta) {
            return Err(SessionError::InsecurePermissions);
        }
        let deadline = Instant::now() + wait;
        let mut attempt = 0;
        while !locking_disabled() {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    attempt += 1;
                    std::thread::sleep(backoff(attempt));
                }
                Err(TryLockError::WouldBlock) => return Err(SessionError::LockTimeout),
                Err(TryLockError::Error(e)) => return Err(e.into()),
            }
        }
        Ok(FileLock {
            store: self.clone(),
            key: key.clone(),
            _file: file,
        })
    }
}

impl SessionLock for FileLock {
    fn read(&mut self) -> Result<Option<StoredSession>, SessionError> {
        self.store.read_file(&self.key)
    }

    fn write(&mut self, session: &StoredSession) -> Result<(), SessionError> {
        self.store.write_file(&self.key, session)
    }

    /// Removes `DIR/KEY.json` and flushes the directory. The lock file stays: another
    /// process may be waiting on its inode, and a new lock file beside it would let two
    /// holders in at once.
    fn delete_on_logout(&mut self) -> Result<bool, SessionError> {
        match fs::remove_file(self.store.path(&self.key)) {
            Ok(()) => {
                File::open(&self.store.dir)?.sync_all()?;
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}
