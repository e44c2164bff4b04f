//! Lock files in the data folder's `locks/`: the operating system's lock on
//! a file (`File::lock`, `flock` on Unix), so a process that dies lets go.
//! The folder is made readable only by the person (0700) and each file is
//! 0600; a link planted at a lock file's name is not followed. Lock files
//! stay, empty, and are never deleted (deleting one would let two
//! processes lock two different files).

use std::fs::File;
use std::path::{Path, PathBuf};

/// The folder of the lock files inside a data folder.
pub(crate) fn lock_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("locks")
}

/// Opens (creating if need be) the lock file `name` of `data_dir`, private
/// to the person, without following a link at its name. Not locked yet.
pub(crate) fn open(data_dir: &Path, name: &str) -> std::io::Result<File> {
    let dir = lock_dir(data_dir);
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    options.open(dir.join(name))
}

/// Waits for, then holds, the exclusive lock `name` of `data_dir` until
/// the file is dropped.
pub(crate) fn hold(data_dir: &Path, name: &str) -> std::io::Result<File> {
    let file = open(data_dir, name)?;
    file.lock()?;
    Ok(file)
}
