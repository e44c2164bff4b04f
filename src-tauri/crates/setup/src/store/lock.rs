//! The lock that lets one process at a time open the settings file.
//!
//! Opening is where several processes could step on each other: creating
//! the file, switching it to WAL, applying the schema steps (rusqlite
//! migration reads the schema version outside its transaction) and setting
//! a damaged file aside. So every open holds an exclusive lock on
//! `zbsetup.lock` in the data folder for that time, and only that time:
//! processes that have the file open go on reading and writing it under
//! SQLite's own locking. The lock is the operating system's (`flock` on
//! Unix, a file opened without sharing on Windows), so a process that dies
//! lets go of it; the lock file itself stays, empty, and is never deleted
//! (deleting it would let two processes lock two different files).

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use super::StoreError;

/// The lock file's name inside the data folder.
pub const LOCK_FILE: &str = "zbsetup.lock";

/// How long an open waits for other processes to finish opening.
pub const OPEN_WAIT: Duration = Duration::from_secs(30);

/// Held while the settings file is opened; let go when dropped.
#[derive(Debug)]
pub struct OpenLock {
    _file: File,
}

impl OpenLock {
    /// Waits (at most [`OPEN_WAIT`]) until no other process is opening the
    /// settings file in `dir`.
    pub fn acquire(dir: &Path) -> Result<OpenLock, StoreError> {
        let path = dir.join(LOCK_FILE);
        let started = Instant::now();
        loop {
            let attempt = try_lock(&path).map_err(|e| StoreError::Folder {
                path: dir.to_owned(),
                detail: format!("could not use the lock file {LOCK_FILE} in it: {e}"),
            })?;
            if let Some(file) = attempt {
                return Ok(OpenLock { _file: file });
            }
            if started.elapsed() >= OPEN_WAIT {
                return Err(StoreError::Busy {
                    seconds: OPEN_WAIT.as_secs(),
                });
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// The locked file, or `None` when another process holds the lock.
#[cfg(unix)]
fn try_lock(path: &Path) -> std::io::Result<Option<File>> {
    use rustix::fs::{flock, FlockOperation};
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        // A link planted at the name is not followed (the open fails).
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)?;
    match flock(&file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(Some(file)),
        Err(rustix::io::Errno::WOULDBLOCK) | Err(rustix::io::Errno::INTR) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The locked file, or `None` when another process holds the lock.
#[cfg(windows)]
fn try_lock(path: &Path) -> std::io::Result<Option<File>> {
    use std::os::windows::fs::OpenOptionsExt;
    /// `ERROR_SHARING_VIOLATION`: another process has the file open.
    const SHARING_VIOLATION: i32 = 32;
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .share_mode(0)
        .open(path)
    {
        Ok(file) => Ok(Some(file)),
        Err(e) if e.raw_os_error() == Some(SHARING_VIOLATION) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(not(any(unix, windows)))]
fn try_lock(path: &Path) -> std::io::Result<Option<File>> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let first = OpenLock::acquire(dir.path()).unwrap();
        assert!(try_lock(&dir.path().join(LOCK_FILE)).unwrap().is_none());
        let waiting = {
            let dir = dir.path().to_owned();
            std::thread::spawn(move || {
                let started = Instant::now();
                let _second = OpenLock::acquire(&dir).unwrap();
                started.elapsed()
            })
        };
        std::thread::sleep(Duration::from_millis(200));
        drop(first);
        let waited = waiting.join().unwrap();
        assert!(waited >= Duration::from_millis(150), "{waited:?}");
    }
}
