//! The machine-wide lock of an organization: Zoho's limit of requests a
//! minute is per organization, whatever data folder the requests come from,
//! so only one pull of an organization runs on this computer at a time.
//!
//! The lock is the operating system's lock on a file (`flock` on Unix), so a
//! process that dies lets go of it. The file lives in a folder every process
//! of the user finds whatever its environment: on Unix `.cache/zbsetup/locks`
//! (macOS: `Library/Caches/zbsetup/locks`) in the home folder the password
//! database gives for the real user id; on Windows `zbsetup\locks` in the
//! user's local app-data folder (a known folder of the account, not an
//! environment variable).
//!
//! Why there: a run from the desktop, cron, ssh or `sudo -u` as the same
//! user must lock in one place, and the environment is what differs between
//! them: `$XDG_RUNTIME_DIR` is set only in a login session, `$HOME` and
//! `$XDG_CACHE_HOME` may be changed or missing, and no setting such as a
//! lock-folder variable is honoured, since a process that did not have it
//! would lock elsewhere. `/tmp` is avoided too: it is shared with every user
//! (who could make the folder first) and may be per-session (systemd's
//! private tmp). The data folder cannot hold it either: the lock is per
//! organization across data folders.
//! The folder is made private (0700) when created, and refused when it is a
//! link, belongs to someone else, or others may write to it. The file's name
//! is the SHA-256 of the organization's API domain and id (never text from
//! outside), so two simulators or data centers with the same organization id
//! have two locks. While held, the file holds the data folder of the pull
//! that holds it (the only thing another process reads from it), to name it
//! in the refusal. Lock files are never deleted: deleting one would let two
//! processes lock two different files.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use url::Url;

use crate::PullError;

/// The most of a holder's note that is read back.
const NOTE_MAX: u64 = 4096;

/// The folder of the machine-wide locks (not yet checked); `None` when the
/// user has no home folder.
pub fn lock_dir() -> Option<PathBuf> {
    #[cfg(all(unix, target_os = "macos"))]
    let under_home = ["Library", "Caches", "zbsetup", "locks"];
    #[cfg(all(unix, not(target_os = "macos")))]
    let under_home = [".cache", "zbsetup", "locks"];
    #[cfg(unix)]
    return real_users_home().map(|home| under_home.iter().fold(home, |p, part| p.join(part)));
    #[cfg(not(unix))]
    return dirs::cache_dir().map(|base| base.join("zbsetup").join("locks"));
}

/// The home folder of the real user id, from the password database (never
/// from `$HOME`); `None` without one or when it is not an absolute path.
#[cfg(unix)]
fn real_users_home() -> Option<PathBuf> {
    use std::ffi::{CStr, OsStr};
    use std::os::unix::ffi::OsStrExt;
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    let mut buf: Vec<libc::c_char> = vec![0; 4096];
    loop {
        // SAFETY: an all-zero passwd is a valid value (null pointers, zeros).
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is to a live value of the right type and
        // `buf.len()` is the buffer's size; the strings `pwd` points to live
        // in `buf`, which outlives their use below.
        let rc =
            unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found) };
        if rc == libc::ERANGE && buf.len() < 1 << 20 {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || found.is_null() || pwd.pw_dir.is_null() {
            return None;
        }
        // SAFETY: getpwuid_r succeeded, so pw_dir is a NUL-terminated string in `buf`.
        let dir = unsafe { CStr::from_ptr(pwd.pw_dir) };
        let home = PathBuf::from(OsStr::from_bytes(dir.to_bytes()));
        return home.is_absolute().then_some(home);
    }
}

/// The lock file's name for an organization at an API domain: the SHA-256,
/// in hex, of the domain's origin and the organization id.
pub fn lock_name(api_domain: &Url, organization_id: &str) -> String {
    let origin = zbs_zoho::dc::origin_string(api_domain);
    let digest = Sha256::digest(format!("{origin}\n{organization_id}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.lock")
}

/// A held machine-wide lock; let go when dropped (or when the process ends).
#[derive(Debug)]
pub(crate) struct MachineLock {
    _file: File,
}

/// Takes the machine-wide lock of an organization for a pull from the data
/// folder `data_folder`, or says which data folder's pull holds it.
pub(crate) fn take(
    dir: &Path,
    api_domain: &Url,
    organization_id: &str,
    data_folder: &Path,
) -> Result<MachineLock, PullError> {
    let unusable = |detail: String| PullError::LockFolder {
        path: dir.display().to_string(),
        detail,
    };
    private_dir(dir).map_err(unusable)?;
    let path = dir.join(lock_name(api_domain, organization_id));
    let mut file = open_lock_file(&path).map_err(|e| unusable(e.to_string()))?;
    match file.try_lock() {
        Ok(()) => {
            // Only the holder writes; a note that cannot be written just
            // leaves the other pull's refusal without a folder name.
            let note = format!("{}\n", data_folder.display());
            let written = file
                .set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| file.write_all(note.as_bytes()));
            if let Err(e) = written {
                tracing::warn!("could not note the data folder in the pull lock: {e}");
            }
            Ok(MachineLock { _file: file })
        }
        Err(std::fs::TryLockError::WouldBlock) => Err(PullError::RunningElsewhere {
            data_folder: read_note(&mut file),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(unusable(e.to_string())),
    }
}

/// The data folder the holder noted, as plain text on one line.
fn read_note(file: &mut File) -> Option<String> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(NOTE_MAX).read_to_string(&mut text).ok()?;
    let line: String = text
        .lines()
        .next()?
        .chars()
        .filter(|c| !c.is_control())
        .take(500)
        .collect();
    let line = line.trim();
    (!line.is_empty()).then(|| line.to_owned())
}

/// Opens (or makes, 0600) the lock file, never through a link.
fn open_lock_file(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(std::io::Error::other("the lock file is a link"));
    }
    options.open(path)
}

/// Makes `dir` (0700 for what it creates) and checks that it is a real
/// folder of this user's that no one else may write to.
fn private_dir(dir: &Path) -> Result<(), String> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    if let Err(e) = builder.create(dir) {
        return Err(format!("it could not be created: {e}"));
    }
    let meta = std::fs::symlink_metadata(dir).map_err(|e| e.to_string())?;
    if meta.file_type().is_symlink() {
        return Err("it is a link to another place, which is not followed".into());
    }
    if !meta.is_dir() {
        return Err("it is not a folder".into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return Err("it belongs to another user".into());
        }
        if meta.mode() & 0o022 != 0 {
            return Err("other users may write to it".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(s: &str) -> Url {
        s.parse().expect("url")
    }

    #[cfg(unix)]
    #[test]
    fn the_lock_folder_ignores_the_environment() {
        let dir = lock_dir().expect("a home folder");
        assert!(dir.is_absolute(), "{}", dir.display());
        assert!(dir.ends_with("zbsetup/locks"), "{}", dir.display());
        assert_eq!(Some(dir.clone()), lock_dir(), "the same every time");
        // Whatever HOME says (the password database's home stays).
        let home = real_users_home().expect("home");
        assert!(
            dir.starts_with(&home),
            "{} in {}",
            dir.display(),
            home.display()
        );
    }

    #[test]
    fn the_name_is_a_hash_of_the_domain_and_the_organization() {
        let name = lock_name(&api("https://www.zohoapis.com"), "775501234");
        assert_eq!(name.len(), 64 + ".lock".len(), "{name}");
        assert!(name[..64].chars().all(|c| c.is_ascii_hexdigit()));
        // The same origin however written; another port or organization differs.
        assert_eq!(
            name,
            lock_name(&api("https://www.zohoapis.com/books/v3"), "775501234")
        );
        assert_ne!(
            lock_name(&api("http://127.0.0.1:9001"), "1"),
            lock_name(&api("http://127.0.0.1:9002"), "1")
        );
        assert_ne!(
            name,
            lock_name(&api("https://www.zohoapis.com"), "775501235")
        );
        // Text from outside never reaches the file name.
        let odd = lock_name(&api("http://127.0.0.1:9001"), "../../x\n/y");
        assert!(odd
            .trim_end_matches(".lock")
            .chars()
            .all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_folder_until_it_lets_go() {
        let tmp = tempfile::tempdir().expect("temp");
        let dir = tmp.path().join("locks");
        let domain = api("http://127.0.0.1:9001");
        let first = take(&dir, &domain, "1", Path::new("/data/A")).expect("first");
        let err = take(&dir, &domain, "1", Path::new("/data/B")).expect_err("refused");
        assert!(
            matches!(&err, PullError::RunningElsewhere { data_folder: Some(f) } if f == "/data/A"),
            "{err:?}"
        );
        assert!(err.to_string().contains("/data/A"), "{err}");
        assert_eq!(err.code(), zbs_codes::Code::AlreadyRunningElsewhere);
        // Another organization, or the same id at another API domain, is free.
        let _other = take(&dir, &domain, "2", Path::new("/data/B")).expect("other org");
        let _elsewhere = take(
            &dir,
            &api("http://127.0.0.1:9002"),
            "1",
            Path::new("/data/B"),
        )
        .expect("other");
        drop(first);
        let _now = take(&dir, &domain, "1", Path::new("/data/B")).expect("free again");
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_others_may_write_to_or_a_link_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().expect("temp");
        let domain = api("http://127.0.0.1:9001");
        let made = tmp.path().join("made/locks");
        drop(take(&made, &domain, "1", Path::new("/d")).expect("made"));
        let mode = std::fs::metadata(&made).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o700);

        let open = tmp.path().join("open");
        std::fs::create_dir(&open).expect("dir");
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        let err = take(&open, &domain, "1", Path::new("/d")).expect_err("refused");
        assert_eq!(err.code(), zbs_codes::Code::LockFolder);
        assert!(err.to_string().contains("other users may write"), "{err}");

        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&made, &link).expect("symlink");
        let err = take(&link, &domain, "1", Path::new("/d")).expect_err("refused");
        assert!(err.to_string().contains("link"), "{err}");

        // A lock file that is a link is not followed either.
        let target = tmp.path().join("target");
        std::fs::write(&target, "keep").expect("write");
        let private = tmp.path().join("private");
        std::fs::create_dir(&private).expect("dir");
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        std::os::unix::fs::symlink(&target, private.join(lock_name(&domain, "1"))).expect("link");
        let err = take(&private, &domain, "1", Path::new("/d")).expect_err("refused");
        assert_eq!(err.code(), zbs_codes::Code::LockFolder);
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep");
    }
}
