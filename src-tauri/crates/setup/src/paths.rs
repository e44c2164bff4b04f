//! Where the app keeps its files.
//!
//! `ZBSETUP_DATA_DIR` wins (the app and `zbsetup` honour it alike, so a setup
//! made in one shows in the other); otherwise the OS's per-user data folder.
//! [`prepare`] makes a missing folder readable only by the user, and uses an
//! existing one as it is: it never changes the mode of a folder it did not
//! make, and refuses a file, or a folder other people can write to.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::store::StoreError;

/// The environment variable that moves the data folder.
pub const DATA_DIR_ENV: &str = "ZBSETUP_DATA_DIR";

/// The folder name under the OS's per-user data folder.
pub const APP_FOLDER: &str = "zoho-books-setup";

/// The data folder in force.
pub fn data_dir() -> Result<PathBuf, StoreError> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    default_data_dir().ok_or_else(|| StoreError::Folder {
        path: PathBuf::from("~"),
        detail: format!(
            "no per-user data folder is known on this system; set {DATA_DIR_ENV} to a folder"
        ),
    })
}

/// The OS's per-user data folder of the app (where the window keeps a
/// person's setup unless `ZBSETUP_DATA_DIR` says otherwise).
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(APP_FOLDER))
}

/// The folder for log files inside a data folder.
pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// Makes the log folder of a data folder ready and private, and returns it.
///
/// The folder is the app's own, inside its data folder: it is made 0700,
/// and one an earlier version left readable by others (0755, with 0644
/// files) is made private again, files included, so the logs stay the
/// person's even in a data folder others may read. A link in its place is
/// refused. New log files are private through the folder.
pub fn prepare_log_dir(data_dir: &Path) -> Result<PathBuf, StoreError> {
    let logs = log_dir(data_dir);
    match fs::symlink_metadata(&logs) {
        Ok(m) if m.file_type().is_symlink() || !m.is_dir() => {
            return Err(StoreError::NotAFolder {
                folder: logs.clone(),
                blocker: logs,
                is_file: m.is_file(),
            })
        }
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => create_private(&logs)?,
        Err(e) => return Err(not_usable(&logs, e)),
    }
    #[cfg(unix)]
    make_private(&logs).map_err(|e| not_usable(&logs, e))?;
    Ok(logs)
}

/// Takes read and write access away from others on the folder `dir` and
/// its files, where this user owns them.
#[cfg(unix)]
fn make_private(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let me = rustix::process::geteuid().as_raw();
    let tighten = |path: &Path, meta: &fs::Metadata, mode: u32| -> std::io::Result<()> {
        if meta.uid() == me && meta.mode() & 0o077 != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
        }
        Ok(())
    };
    tighten(dir, &fs::symlink_metadata(dir)?, 0o700)?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?; // of the entry itself, links not followed
        if meta.is_file() {
            tighten(&entry.path(), &meta, 0o600)?;
        }
    }
    Ok(())
}

/// Makes sure `dir` can hold the app's files: a missing folder (and any
/// missing parent) is created readable only by the user; an existing folder
/// is used as it is, unless it is not a folder or other people can write to it.
pub fn prepare(dir: &Path) -> Result<(), StoreError> {
    match fs::metadata(dir) {
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => create_private(dir)?,
        Err(e) => return Err(not_usable(dir, e)),
    }
    let meta = fs::metadata(dir).map_err(|e| not_usable(dir, e))?;
    if !meta.is_dir() {
        return Err(StoreError::NotAFolder {
            folder: dir.to_owned(),
            blocker: dir.to_owned(),
            is_file: meta.is_file(),
        });
    }
    refuse_shared(dir, &meta)?;
    refuse_read_only(dir)
}

/// A folder the app cannot write to is named as read-only before SQLite
/// fails in it with "unable to open database file".
#[cfg(unix)]
fn refuse_read_only(dir: &Path) -> Result<(), StoreError> {
    use rustix::fs::{access, statvfs, Access, StatVfsMountFlags};
    let read_only_mount = statvfs(dir).is_ok_and(|s| s.f_flag.contains(StatVfsMountFlags::RDONLY));
    if read_only_mount || access(dir, Access::WRITE_OK).is_err() {
        return Err(StoreError::ReadOnly {
            folder: Some(dir.to_owned()),
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_read_only(_dir: &Path) -> Result<(), StoreError> {
    Ok(())
}

fn create_private(dir: &Path) -> Result<(), StoreError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        // Applies to every folder this call creates, parents included.
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| not_usable(dir, e))
}

/// The error for a folder that could not be read or made: a part of its
/// path that is a file is named as such.
fn not_usable(dir: &Path, e: std::io::Error) -> StoreError {
    if let Some(blocker) = dir
        .ancestors()
        .find(|a| fs::metadata(a).is_ok_and(|m| !m.is_dir()))
    {
        return StoreError::NotAFolder {
            folder: dir.to_owned(),
            blocker: blocker.to_owned(),
            is_file: fs::metadata(blocker).is_ok_and(|m| m.is_file()),
        };
    }
    match e.kind() {
        ErrorKind::ReadOnlyFilesystem => StoreError::ReadOnly {
            folder: Some(dir.to_owned()),
        },
        ErrorKind::StorageFull => StoreError::DiskFull {
            folder: Some(dir.to_owned()),
        },
        _ => StoreError::Folder {
            path: dir.to_owned(),
            detail: e.to_string(),
        },
    }
}

/// Who besides the user can change what is in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SharedWith {
    /// Every user of the computer (world-writable, sticky bit or not).
    Everyone,
    /// The members of a group the folder is writable by.
    Group(String),
}

/// Refuses a folder other people can write to.
///
/// Why refuse rather than warn, even for a sticky folder such as `/tmp`: the
/// folder holds the settings, the connections and the records pulled from
/// Zoho Books, in files with fixed names (the database, its `-wal` and
/// `-shm`, the lock file). In a folder others can write to, another user can
/// create those names before the app does (the sticky bit only stops them
/// removing the app's own files), and SQLite would then write into files they
/// can read or change. Changing the folder's mode instead is not the app's to
/// do: it belongs to whoever made it, maybe the system. The fix is one
/// command, which the message gives.
#[cfg(unix)]
fn refuse_shared(dir: &Path, meta: &fs::Metadata) -> Result<(), StoreError> {
    use std::os::unix::fs::MetadataExt;
    let uid = rustix::process::geteuid().as_raw();
    let gid = rustix::process::getegid().as_raw();
    let private_group = || group_is_the_users_own(meta.gid(), uid, gid);
    match shared_with(meta.mode(), meta.gid(), private_group) {
        None => Ok(()),
        Some(with) => Err(StoreError::SharedFolder {
            folder: dir.to_owned(),
            with,
        }),
    }
}

#[cfg(not(unix))]
fn refuse_shared(_dir: &Path, _meta: &fs::Metadata) -> Result<(), StoreError> {
    // Folder access on Windows is by access-control lists, which the
    // per-user data folder already limits to the user.
    Ok(())
}

/// Who else can write to a folder of `mode` owned by group `gid`;
/// `private_group` says whether that group is the user's own.
pub fn shared_with(
    mode: u32,
    gid: u32,
    private_group: impl FnOnce() -> bool,
) -> Option<SharedWith> {
    if mode & 0o002 != 0 {
        Some(SharedWith::Everyone)
    } else if mode & 0o020 != 0 && !private_group() {
        Some(SharedWith::Group(group_name(gid)))
    } else {
        None
    }
}

/// Whether group `gid` is the user's private group, as on systems with
/// "user private groups" (most Linux distributions), where a umask of 002
/// makes new folders group-writable: the user's primary group, named after
/// the user, with no other member and no other user's primary group.
#[cfg(unix)]
fn group_is_the_users_own(gid: u32, uid: u32, primary_gid: u32) -> bool {
    if gid != primary_gid {
        return false;
    }
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    let group = fs::read_to_string("/etc/group").unwrap_or_default();
    is_private_group(gid, uid, &passwd, &group)
}

/// [`group_is_the_users_own`] on the text of `/etc/passwd` and `/etc/group`.
pub fn is_private_group(gid: u32, uid: u32, passwd: &str, group: &str) -> bool {
    let fields = |line: &str| line.split(':').map(str::to_owned).collect::<Vec<_>>();
    let users: Vec<Vec<String>> = passwd.lines().map(fields).filter(|f| f.len() > 3).collect();
    let Some(user) = users.iter().find(|f| f[2] == uid.to_string()) else {
        return false;
    };
    let name = &user[0];
    let others_primary = users
        .iter()
        .any(|f| f[3] == gid.to_string() && f[2] != uid.to_string());
    let entry = group
        .lines()
        .map(fields)
        .find(|f| f.len() > 3 && f[2] == gid.to_string());
    match entry {
        Some(g) => {
            &g[0] == name && !others_primary && g[3].split(',').all(|m| m.is_empty() || m == name)
        }
        None => false,
    }
}

fn group_name(gid: u32) -> String {
    fs::read_to_string("/etc/group")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() > 2 && f[2] == gid.to_string()).then(|| f[0].to_owned())
        })
        .unwrap_or_else(|| gid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
                          ana:x:1000:1000:Ana:/home/ana:/bin/bash\n\
                          ben:x:1001:100:Ben:/home/ben:/bin/bash\n\
                          cy:x:1002:100:Cy:/home/cy:/bin/bash\n";
    const GROUP: &str = "root:x:0:\nusers:x:100:\nana:x:1000:\nstaff:x:50:ana,ben\n";

    #[cfg(unix)]
    #[test]
    fn the_log_folder_and_its_files_are_private_whatever_was_there() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let old = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o022));
        let tmp = tempfile::tempdir().unwrap();
        // A data folder others may read, with logs an earlier version left open.
        let data = tmp.path().join("data");
        fs::create_dir(&data).unwrap();
        fs::set_permissions(&data, fs::Permissions::from_mode(0o755)).unwrap();
        fs::create_dir(data.join("logs")).unwrap();
        fs::write(data.join("logs/app.2026-12-01.log"), "line").unwrap();
        assert_eq!(mode(&data.join("logs")), 0o755);
        assert_eq!(mode(&data.join("logs/app.2026-12-01.log")), 0o644);
        let logs = prepare_log_dir(&data).unwrap();
        assert_eq!(mode(&logs), 0o700);
        assert_eq!(mode(&logs.join("app.2026-12-01.log")), 0o600);
        assert_eq!(mode(&data), 0o755, "the data folder is the person's");
        // A new data folder's logs.
        let fresh = tmp.path().join("fresh");
        prepare(&fresh).unwrap();
        assert_eq!(mode(&prepare_log_dir(&fresh).unwrap()), 0o700);
        // A link in the logs' place is refused.
        let linked = tmp.path().join("linked");
        fs::create_dir(&linked).unwrap();
        std::os::unix::fs::symlink(tmp.path(), linked.join("logs")).unwrap();
        assert!(prepare_log_dir(&linked).is_err());
        rustix::process::umask(old);
    }

    #[test]
    fn world_writable_is_shared_with_everyone_sticky_or_not() {
        for mode in [0o40777, 0o41777, 0o40703, 0o40702] {
            assert_eq!(shared_with(mode, 0, || true), Some(SharedWith::Everyone));
        }
    }

    #[test]
    fn group_writable_is_shared_unless_the_group_is_the_users_own() {
        assert_eq!(shared_with(0o40775, 1000, || true), None);
        assert!(matches!(
            shared_with(0o40775, 1000, || false),
            Some(SharedWith::Group(_))
        ));
        for private in [0o40700, 0o40755, 0o40750, 0o40500] {
            assert_eq!(shared_with(private, 0, || false), None, "{private:o}");
        }
    }

    #[test]
    fn a_private_group_is_named_after_the_user_and_has_no_one_else() {
        assert!(is_private_group(1000, 1000, PASSWD, GROUP), "ana's own");
        assert!(is_private_group(0, 0, PASSWD, GROUP), "root's own");
        assert!(
            !is_private_group(100, 1001, PASSWD, GROUP),
            "users: shared by ben and cy"
        );
        assert!(
            !is_private_group(50, 1000, PASSWD, GROUP),
            "staff has members"
        );
        assert!(!is_private_group(1000, 1001, PASSWD, GROUP), "not ben's");
        assert!(!is_private_group(7, 1000, PASSWD, GROUP), "unknown group");
    }
}
