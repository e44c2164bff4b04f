//! The SQLite file: settings, checklist progress, connections, pulls.
//!
//! One file per profile in the data folder, opened in WAL mode with a busy
//! timeout, readable only by the user. The schema is an ordered list of
//! embedded migrations (`migrations/*.sql`) applied at start in one
//! transaction. A file that is not a database or fails its integrity check is
//! moved aside (never deleted, never onto another copy) and a fresh one
//! created; a file written by a newer version of the app is refused rather
//! than touched. One process at a time opens the file (`lock`), so first
//! starts, schema steps and recoveries never race. Secrets never reach this
//! file: the keyring holds them (see `secrets`).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use zbs_codes::Code;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use rusqlite_migration::{Migrations, M};
use serde::de::DeserializeOwned;
use serde::Serialize;

mod connections;
mod lock;
pub(crate) use connections::NewConnection;
pub use lock::{LOCK_FILE, OPEN_WAIT};

/// The database file's name inside the data folder.
pub const DB_FILE: &str = "zbsetup.sqlite3";

/// How long a write waits for another process holding the database.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema, oldest step first: this crate's tables (`migrations/`) and the
/// pull tables (`zbs_pull::MIGRATIONS`, owned by that crate), in the order
/// they were released; `user_version` counts the steps applied. Never edit or
/// reorder a released step: add one at the end.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_initial.sql")),
        // Released as this crate's `migrations/0002_pulls.sql`.
        M::up(zbs_pull::MIGRATIONS[0]),
        // zbs-pull's `0002_numeric_ids.sql`.
        M::up(zbs_pull::MIGRATIONS[1]),
        // zbs-pull's `0003_without_id.sql`.
        M::up(zbs_pull::MIGRATIONS[2]),
        // zbs-pull's `0004_not_permitted.sql`.
        M::up(zbs_pull::MIGRATIONS[3]),
        // zbs-pull's `0005_list_order.sql`.
        M::up(zbs_pull::MIGRATIONS[4]),
        M::up(include_str!("../migrations/0002_zoho_user.sql")),
        M::up(include_str!("../migrations/0003_key_probes.sql")),
        M::up(include_str!("../migrations/0004_granted_scopes.sql")),
        M::up(include_str!(
            "../migrations/0005_time_zone_and_sign_ins.sql"
        )),
        // zbs-pull's `0006_record_totals.sql`.
        M::up(zbs_pull::MIGRATIONS[5]),
    ])
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "The settings file {path} was made by a newer version of Zoho Books Setup. Update the \
         app, or point it at another data folder (ZBSETUP_DATA_DIR)."
    )]
    TooNew { path: PathBuf },
    #[error(
        "The settings file is in use by another program and stayed locked for {seconds} seconds. \
         Close other copies of Zoho Books Setup or zbsetup, then try again."
    )]
    Busy { seconds: u64 },
    #[error("Zoho Books Setup could not use its data folder {path}: {detail}")]
    Folder { path: PathBuf, detail: String },
    #[error("{}", not_a_folder_message(folder, blocker, *is_file))]
    NotAFolder {
        folder: PathBuf,
        /// The part of the path that is not a folder (`folder` itself, or a parent).
        blocker: PathBuf,
        is_file: bool,
    },
    #[error(
        "Zoho Books Setup will not keep its settings and the records it pulls from Zoho Books in \
         {folder}, because {} can change what is in it. Choose a folder only you can change, \
         for example a new folder inside it (Zoho Books Setup makes the folders it creates \
         private), or take the others' write permission away (chmod go-w {folder}).",
        shared_with_words(with)
    )]
    SharedFolder {
        folder: PathBuf,
        with: crate::paths::SharedWith,
    },
    #[error(
        "Zoho Books Setup could not write to its settings file ({detail}). Check that the disk \
         is not full and that the data folder is writable."
    )]
    Sqlite { detail: String },
    #[error(
        "Zoho Books Setup could not prepare its settings file {path} for this version: the \
         tables in it are not the ones the app expects, so nothing in it was changed. Move the \
         file elsewhere or rename it (the app then starts a fresh one), or point \
         ZBSETUP_DATA_DIR at another folder. The log has the details for support."
    )]
    Schema { path: PathBuf },
    #[error(
        "The disk that holds Zoho Books Setup's data folder{} is full, so the change was not \
         saved. Free some space, then try again; nothing saved before was lost.",
        in_folder(folder)
    )]
    DiskFull { folder: Option<PathBuf> },
    #[error(
        "Zoho Books Setup's data folder{} is read-only, so the change was not saved. Make the \
         folder writable again (or point ZBSETUP_DATA_DIR at another folder), then try again; \
         nothing saved before was lost.",
        in_folder(folder)
    )]
    ReadOnly { folder: Option<PathBuf> },
}

fn not_a_folder_message(folder: &Path, blocker: &Path, is_file: bool) -> String {
    let what = if is_file {
        "is a file, not a folder"
    } else {
        "is not a folder"
    };
    let start = if blocker == folder {
        format!("Zoho Books Setup's data folder {} {what}", folder.display())
    } else {
        format!(
            "Zoho Books Setup cannot use {} as its data folder: {} {what}",
            folder.display(),
            blocker.display()
        )
    };
    let parent = blocker.parent().filter(|p| !p.as_os_str().is_empty());
    match parent {
        Some(parent) if is_file && blocker.file_name() == Some(DB_FILE.as_ref()) => format!(
            "{start}; by its name it is the settings file. Give the folder that holds it, {}.",
            parent.display()
        ),
        _ => format!(
            "{start}. Give a folder instead (ZBSETUP_DATA_DIR, or --data-dir for zbsetup), or \
             a new folder's name and Zoho Books Setup makes it."
        ),
    }
}

fn shared_with_words(with: &crate::paths::SharedWith) -> String {
    match with {
        crate::paths::SharedWith::Everyone => "every user of this computer".to_owned(),
        crate::paths::SharedWith::Group(name) => {
            format!("the other members of the group \"{name}\"")
        }
    }
}

fn in_folder(folder: &Option<PathBuf>) -> String {
    folder
        .as_ref()
        .map(|f| format!(" ({})", f.display()))
        .unwrap_or_default()
}

impl StoreError {
    pub fn code(&self) -> Code {
        match self {
            StoreError::TooNew { .. } => Code::DatabaseTooNew,
            StoreError::Busy { .. } => Code::DatabaseBusy,
            StoreError::Folder { .. } | StoreError::NotAFolder { .. } => Code::DataFolder,
            StoreError::SharedFolder { .. } => Code::DataFolderShared,
            StoreError::Sqlite { .. } => Code::Database,
            StoreError::Schema { .. } => Code::DatabaseSchema,
            StoreError::DiskFull { .. } => Code::DiskFull,
            StoreError::ReadOnly { .. } => Code::DataFolderReadOnly,
        }
    }

    /// The same error, naming the data folder when it is about the disk.
    fn in_folder(self, dir: &Path) -> StoreError {
        match self {
            StoreError::DiskFull { folder: None } => StoreError::DiskFull {
                folder: Some(dir.to_owned()),
            },
            StoreError::ReadOnly { folder: None } => StoreError::ReadOnly {
                folder: Some(dir.to_owned()),
            },
            other => other,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => StoreError::Busy {
                seconds: BUSY_TIMEOUT.as_secs(),
            },
            Some(ErrorCode::DiskFull) => StoreError::DiskFull { folder: None },
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { folder: None },
            _ => StoreError::Sqlite {
                detail: e.to_string(),
            },
        }
    }
}

/// What happened when a damaged database was set aside at start.
#[derive(Debug, Clone)]
pub struct Recovery {
    pub moved_to: PathBuf,
    pub reason: String,
}

/// The open database. Cheap to share behind an `Arc`; calls are serialised.
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the database in `dir`, recovering from a damaged file.
    pub fn open(dir: &Path) -> Result<(Store, Option<Recovery>), StoreError> {
        Store::open_in(dir).map_err(|e| e.in_folder(dir))
    }

    fn open_in(dir: &Path) -> Result<(Store, Option<Recovery>), StoreError> {
        crate::paths::prepare(dir)?;
        let path = dir.join(DB_FILE);
        if path.is_dir() {
            return Err(StoreError::Folder {
                path: dir.to_owned(),
                detail: format!(
                    "{DB_FILE} in it is a folder, where the settings file should be. Move that \
                     folder away, then try again."
                ),
            });
        }
        // A link planted at one of the app's names would make SQLite (or the
        // lock) write wherever it points: refused, nothing followed.
        for name in [
            lock::LOCK_FILE.to_owned(),
            DB_FILE.to_owned(),
            format!("{DB_FILE}-wal"),
            format!("{DB_FILE}-shm"),
            format!("{DB_FILE}-journal"),
        ] {
            if fs::symlink_metadata(dir.join(&name)).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(StoreError::Folder {
                    path: dir.to_owned(),
                    detail: format!(
                        "{name} in it is a link to another place, and the app never writes                          through a link there. Remove that link (or move it away), then try                          again."
                    ),
                });
            }
        }
        // Held until this function returns: the file is then made, migrated
        // and, if it was damaged, replaced, and other processes can open it.
        let _lock = lock::OpenLock::acquire(dir)?;
        match open_waiting(&path) {
            Ok(conn) => Ok((
                Store {
                    conn: Mutex::new(conn),
                    path,
                },
                None,
            )),
            Err(Failure::Damaged(reason)) => {
                let moved_to = quarantine(&path)?;
                tracing::warn!(?moved_to, %reason, "damaged database set aside");
                let conn = open_waiting(&path).map_err(Failure::into_error)?;
                let store = Store {
                    conn: Mutex::new(conn),
                    path,
                };
                Ok((store, Some(Recovery { moved_to, reason })))
            }
            Err(other) => Err(other.into_error()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A database error, naming this store's folder when it is about the disk.
    pub fn fail(&self, e: rusqlite::Error) -> StoreError {
        let folder = self.path.parent().unwrap_or(&self.path);
        StoreError::from(e).in_folder(folder)
    }

    /// The connection, for modules that own their own tables.
    pub fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let raw: Option<String> = self
            .conn()
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.fail(e))?;
        Ok(raw.and_then(|s| serde_json::from_str(&s).ok()))
    }

    pub fn set<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let json = serde_json::to_string(value).map_err(|e| StoreError::Sqlite {
            detail: format!("could not encode setting {key}: {e}"),
        })?;
        self.conn()
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, json],
            )
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// The keys of the settings whose key starts with `prefix`.
    pub(crate) fn keys_starting_with(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT key FROM settings WHERE substr(key, 1, length(?1)) = ?1")
            .map_err(|e| self.fail(e))?;
        let keys = stmt
            .query_map([prefix], |r| r.get(0))
            .and_then(|rows| rows.collect::<Result<Vec<String>, _>>())
            .map_err(|e| self.fail(e))?;
        Ok(keys)
    }

    pub fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.conn()
            .execute("DELETE FROM settings WHERE key = ?1", [key])
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// Every ticked checklist item, as `step` or `step.substep` ids.
    pub fn ticked(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let read = || {
            let mut stmt =
                conn.prepare("SELECT item FROM checklist WHERE done = 1 ORDER BY item")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()
        };
        read().map_err(|e| self.fail(e))
    }

    pub fn tick(&self, item: &str, done: bool) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO checklist (item, done, updated_at) VALUES (?1, ?2, datetime('now'))
             ON CONFLICT (item) DO UPDATE SET done = excluded.done, updated_at = excluded.updated_at",
            params![item, done],
            )
            .map_err(|e| self.fail(e))?;
        Ok(())
    }

    /// The last failures recorded, oldest first: (when, code, message).
    pub fn recent_events(&self, limit: u32) -> Result<Vec<(String, String, String)>, StoreError> {
        let conn = self.conn();
        let read = || {
            let mut stmt = conn.prepare(
                "SELECT at, kind, message FROM (SELECT * FROM events ORDER BY id DESC LIMIT ?1) ORDER BY id",
            )?;
            let rows = stmt.query_map([limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<Result<_, _>>()
        };
        read().map_err(|e| self.fail(e))
    }

    /// Records a failure a person saw, for diagnostics (never secrets).
    /// Counts a key probe of `region` at `at_ms`, unless `limit` probes of
    /// it fell in the `window_ms` before: then nothing is counted and the
    /// time the oldest of them leaves the window is returned. One
    /// transaction, so processes probing at once share the limit.
    pub fn take_key_probe(
        &self,
        region: &str,
        at_ms: i64,
        window_ms: i64,
        limit: u32,
    ) -> Result<Option<i64>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM key_probes WHERE at_ms < ?1",
            [at_ms - 24 * 3600 * 1000],
        )?;
        let (count, oldest): (u32, Option<i64>) = tx.query_row(
            "SELECT COUNT(*), MIN(at_ms) FROM key_probes WHERE region = ?1 AND at_ms > ?2",
            rusqlite::params![region, at_ms - window_ms],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if count >= limit {
            return Ok(Some(oldest.unwrap_or(at_ms) + window_ms));
        }
        tx.execute(
            "INSERT INTO key_probes (region, at_ms) VALUES (?1, ?2)",
            rusqlite::params![region, at_ms],
        )?;
        tx.commit()?;
        Ok(None)
    }

    pub fn record_event(&self, kind: &str, message: &str) -> Result<(), StoreError> {
        let conn = self.conn();
        let write = || {
            conn.execute(
                "INSERT INTO events (at, kind, message) VALUES (datetime('now'), ?1, ?2)",
                params![kind, message],
            )?;
            conn.execute(
                "DELETE FROM events WHERE id NOT IN (SELECT id FROM events ORDER BY id DESC LIMIT 50)",
                [],
            )
        };
        write().map(|_| ()).map_err(|e| self.fail(e))
    }
}

enum Failure {
    Damaged(String),
    TooNew(PathBuf),
    Other(StoreError),
}

impl Failure {
    fn into_error(self) -> StoreError {
        match self {
            Failure::Damaged(reason) => StoreError::Sqlite { detail: reason },
            Failure::TooNew(path) => StoreError::TooNew { path },
            Failure::Other(e) => e,
        }
    }
}

fn classify(e: rusqlite::Error) -> Failure {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => {
            Failure::Damaged(e.to_string())
        }
        _ => Failure::Other(e.into()),
    }
}

/// [`open_checked`], tried again while the file is busy. SQLite's busy
/// handler does not cover every step of an open (switching to WAL, or a
/// reader meeting a writer's recovery can be refused at once), so a busy
/// answer waits here too, up to [`BUSY_TIMEOUT`] in all.
fn open_waiting(path: &Path) -> Result<Connection, Failure> {
    let started = std::time::Instant::now();
    loop {
        match open_checked(path) {
            Err(Failure::Other(StoreError::Busy { .. })) if started.elapsed() < BUSY_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

fn open_checked(path: &Path) -> Result<Connection, Failure> {
    let existed = path.exists();
    let mut conn = Connection::open(path).map_err(classify)?;
    if !existed {
        set_private(path).map_err(Failure::Other)?;
    }
    conn.busy_timeout(BUSY_TIMEOUT).map_err(classify)?;
    if existed {
        refuse_if_not_ours(&conn, path)?;
    }
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(classify)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(classify)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(classify)?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(classify)?;
    if check != "ok" {
        return Err(Failure::Damaged(format!("integrity check failed: {check}")));
    }
    // Each step's transaction takes the write lock when it begins (and waits
    // for it under the busy timeout), instead of failing when it first writes.
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    let migrated = migrations().to_latest(&mut conn);
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Deferred);
    match migrated {
        Ok(()) => Ok(conn),
        Err(rusqlite_migration::Error::MigrationDefinition(
            rusqlite_migration::MigrationDefinitionError::DatabaseTooFarAhead,
        )) => Err(Failure::TooNew(path.to_owned())),
        Err(rusqlite_migration::Error::RusqliteError { err, .. }) => match classify(err) {
            // The disk, a lock or a damaged file: said as such.
            Failure::Other(StoreError::Sqlite { detail }) => Err(schema_failure(path, &detail)),
            other => Err(other),
        },
        Err(e) => Err(schema_failure(path, &e.to_string())),
    }
}

/// Looks at an existing file before anything is written to it (not even
/// the switch to WAL): one a newer version made is refused as such, and one
/// that is not the app's is refused as a file of other tables: a SQLite
/// file with tables but no schema version (another program's), or with a
/// version but without the app's first table. An empty file, or one with
/// no tables yet, is the app's to fill.
fn refuse_if_not_ours(conn: &Connection, path: &Path) -> Result<(), Failure> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(classify)?;
    let pending = migrations().pending_migrations(conn).map_err(|e| match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => classify(err),
        other => schema_failure(path, &other.to_string()),
    })?;
    if pending < 0 {
        return Err(Failure::TooNew(path.to_owned()));
    }
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .and_then(|mut stmt| {
            stmt.query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()
        })
        .map_err(classify)?;
    let ours = if version == 0 {
        tables.is_empty()
    } else {
        tables.iter().any(|t| t == "settings")
    };
    if !ours {
        return Err(schema_failure(
            path,
            &format!("not the app's file: schema version {version}, tables {tables:?}"),
        ));
    }
    Ok(())
}

/// A schema step that failed: one plain line for the person; what SQLite
/// said (with the step's SQL) only in the log.
fn schema_failure(path: &Path, detail: &str) -> Failure {
    tracing::info!(path = %path.display(), %detail, "the settings file could not be prepared");
    Failure::Other(StoreError::Schema {
        path: path.to_owned(),
    })
}

/// Moves the database and its WAL/SHM aside; returns the new name.
///
/// The name is new: `.damaged-<second>`, then `-2`, `-3`, ... when taken, and
/// a copy already set aside is never replaced, so the bytes of every damaged
/// file survive exactly once.
fn quarantine(path: &Path) -> Result<PathBuf, StoreError> {
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let folder_error = |e: std::io::Error| StoreError::Folder {
        path: path.to_owned(),
        detail: format!("could not set the damaged settings file aside: {e}"),
    };
    let side = |p: &Path, suffix: &str| PathBuf::from(format!("{}{suffix}", p.display()));
    let mut n = 1;
    let moved = loop {
        let name = match n {
            1 => format!("{DB_FILE}.damaged-{stamp}"),
            n => format!("{DB_FILE}.damaged-{stamp}-{n}"),
        };
        let moved = path.with_file_name(name);
        let taken = ["", "-wal", "-shm"]
            .iter()
            .any(|s| fs::symlink_metadata(side(&moved, s)).is_ok());
        if !taken {
            match move_without_replacing(path, &moved) {
                Ok(()) => break moved,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(folder_error(e)),
            }
        }
        n += 1;
    };
    for suffix in ["-wal", "-shm"] {
        let from = side(path, suffix);
        if from.exists() {
            move_without_replacing(&from, &side(&moved, suffix)).map_err(folder_error)?;
        }
    }
    Ok(moved)
}

/// Renames `from` to `to`, failing with `AlreadyExists` rather than replacing
/// `to`: a hard link (which never replaces) and then the old name removed.
/// Where the file system has no hard links, a plain rename of a name found
/// free, which is safe because only the process holding the open lock moves
/// files aside.
fn move_without_replacing(from: &Path, to: &Path) -> std::io::Result<()> {
    match fs::hard_link(from, to) {
        Ok(()) => fs::remove_file(from),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(e),
        Err(_) if fs::symlink_metadata(to).is_ok() => {
            Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists))
        }
        Err(_) => fs::rename(from, to),
    }
}

fn set_private(file: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(file, fs::Permissions::from_mode(0o600)).map_err(|e| {
            StoreError::Folder {
                path: file.to_owned(),
                detail: e.to_string(),
            }
        })?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_validate() {
        migrations().validate().expect("migrations are valid");
    }

    /// Bytes and FNV-1a hash of each step as released, oldest first. A file
    /// made by an earlier version migrates the same only while these hold.
    const RELEASED: [(usize, u64); 11] = [
        (1460, 0x9d8c_c72f_303c_ba07), // 0001_initial.sql
        (3070, 0x56f2_29a0_740a_ba97), // 0002_pulls.sql (now zbs-pull's 0001_pulls.sql)
        (566, 0xf790_13d4_310b_454e),  // zbs-pull's 0002_numeric_ids.sql
        (221, 0x5aa7_675f_f2e8_e41d),  // zbs-pull's 0003_without_id.sql
        (245, 0x5fd6_1c1b_98c1_ec4f),  // zbs-pull's 0004_not_permitted.sql
        (352, 0x674d_3502_6405_72d5),  // zbs-pull's 0005_list_order.sql
        (459, 0x0865_d1c8_62c2_8e18),  // 0002_zoho_user.sql
        (429, 0x9f69_c1c9_6dee_6b90),  // 0003_key_probes.sql
        (378, 0xb789_629c_9ef0_b844),  // 0004_granted_scopes.sql
        (669, 0x6fc6_661f_163c_1651),  // 0005_time_zone_and_sign_ins.sql
        (510, 0xaafb_adbb_8c8c_3ae6),  // zbs-pull's 0006_record_totals.sql
    ];

    /// The steps as the files hold them today, in the released order.
    fn released_steps() -> Vec<&'static str> {
        [include_str!("../migrations/0001_initial.sql")]
            .into_iter()
            .chain(zbs_pull::MIGRATIONS[..5].iter().copied())
            .chain([
                include_str!("../migrations/0002_zoho_user.sql"),
                include_str!("../migrations/0003_key_probes.sql"),
                include_str!("../migrations/0004_granted_scopes.sql"),
                include_str!("../migrations/0005_time_zone_and_sign_ins.sql"),
                zbs_pull::MIGRATIONS[5],
            ])
            .collect()
    }

    fn fnv1a(text: &str) -> u64 {
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    #[test]
    fn migrations_are_the_released_steps_in_order() {
        let steps = released_steps();
        let fingerprints: Vec<(usize, u64)> = steps.iter().map(|s| (s.len(), fnv1a(s))).collect();
        assert_eq!(fingerprints, RELEASED);
        assert_eq!(
            migrations(),
            Migrations::new(steps.into_iter().map(M::up).collect())
        );
    }

    #[test]
    fn a_file_made_by_the_released_steps_opens_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        {
            // The file as the released app made it: its steps, then some data.
            let mut conn = Connection::open(&path).unwrap();
            Migrations::new(released_steps().into_iter().map(M::up).collect())
                .to_latest(&mut conn)
                .unwrap();
            conn.execute_batch(
                "INSERT INTO settings (key, value) VALUES ('client_id', '\"1000.X\"');
                 INSERT INTO pulls (connection_id, organization_id, options, started_at, state)
                     VALUES ('c', 'o', '{}', '2025-01-01T00:00:00Z', 'completed');",
            )
            .unwrap();
        }
        let store = opened_at_the_latest_step(dir.path());
        let conn = store.conn();
        let pulls: i64 = conn
            .query_row("SELECT COUNT(*) FROM pulls", [], |r| r.get(0))
            .unwrap();
        assert_eq!(pulls, 1);
        drop(conn);
        assert_eq!(
            store.get::<String>("client_id").unwrap().as_deref(),
            Some("1000.X")
        );
    }

    /// The store in `dir`, opened without a recovery and at the latest step.
    fn opened_at_the_latest_step(dir: &Path) -> Store {
        let (store, recovery) = Store::open(dir).unwrap();
        assert!(recovery.is_none());
        let version: i64 = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, RELEASED.len());
        store
    }

    /// A file made by the steps up to `steps`, with a pull and a record.
    fn file_of_the_first_steps(dir: &Path, steps: usize) {
        let mut conn = Connection::open(dir.join(DB_FILE)).unwrap();
        Migrations::new(
            released_steps()
                .into_iter()
                .take(steps)
                .map(M::up)
                .collect(),
        )
        .to_latest(&mut conn)
        .unwrap();
        conn.execute_batch(
            "INSERT INTO pulls (connection_id, organization_id, options, started_at, state)
                 VALUES ('c', 'o', '{}', '2025-01-01T00:00:00Z', 'completed');
             INSERT INTO pull_entities (pull_id, entity, records, calls, done)
                 VALUES (1, 'invoices', 1, 1, 1);
             INSERT INTO pull_records (connection_id, entity, zoho_id, pulled_at, pull_id, raw)
                 VALUES ('c', 'invoices', '1', '2025-01-01T00:00:00Z', 1, '{\"invoice_id\":\"1\"}');",
        )
        .unwrap();
    }

    #[test]
    fn a_file_from_before_this_version_keeps_its_records_and_pulls() {
        let dir = tempfile::tempdir().unwrap();
        file_of_the_first_steps(dir.path(), 2);
        let store = opened_at_the_latest_step(dir.path());
        let conn = store.conn();
        let kept: (String, i64, String) = conn
            .query_row(
                "SELECT zoho_id, zoho_id_number, raw FROM pull_records",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(kept, ("1".into(), 0, r#"{"invoice_id":"1"}"#.into()));
        let without_id: i64 = conn
            .query_row("SELECT without_id FROM pull_entities", [], |r| r.get(0))
            .unwrap();
        assert_eq!(without_id, 0, "no count was kept before");
        // The same text written as a number is another record.
        conn.execute(
            "INSERT INTO pull_records (connection_id, entity, zoho_id, pulled_at, pull_id, raw,
                 zoho_id_number) VALUES ('c', 'invoices', '1', 't', 1, '{}', 1)",
            [],
        )
        .unwrap();
    }

    #[test]
    fn settings_round_trip_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, recovery) = Store::open(dir.path()).unwrap();
            assert!(recovery.is_none());
            store.set("client_id", &"1000.X").unwrap();
            store.set("regions", &vec!["us", "uk"]).unwrap();
            store.set("enabled", &true).unwrap();
            store.tick("register_client.add_client", true).unwrap();
        }
        let (store, _) = Store::open(dir.path()).unwrap();
        assert_eq!(
            store.get::<String>("client_id").unwrap().as_deref(),
            Some("1000.X")
        );
        assert_eq!(
            store.get::<Vec<String>>("regions").unwrap().unwrap(),
            vec!["us", "uk"]
        );
        assert_eq!(store.get::<bool>("enabled").unwrap(), Some(true));
        assert_eq!(store.ticked().unwrap(), vec!["register_client.add_client"]);
        store.remove("client_id").unwrap();
        assert_eq!(store.get::<String>("client_id").unwrap(), None);
    }

    #[test]
    fn garbage_file_is_set_aside_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join(DB_FILE),
            b"this is not a database, just some text ".repeat(200),
        )
        .unwrap();
        let (store, recovery) = Store::open(dir.path()).unwrap();
        let recovery = recovery.expect("recovered");
        assert!(recovery.moved_to.exists());
        assert!(fs::read(&recovery.moved_to)
            .unwrap()
            .starts_with(b"this is not"));
        store.set("k", &1).unwrap();
        assert_eq!(store.get::<i32>("k").unwrap(), Some(1));
    }

    #[test]
    fn a_damaged_file_is_never_set_aside_onto_another_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let mut copies = Vec::new();
        for round in 0..3 {
            fs::write(&path, format!("damaged {round}")).unwrap();
            copies.push(quarantine(&path).unwrap());
        }
        for (round, copy) in copies.iter().enumerate() {
            assert_eq!(
                fs::read_to_string(copy).unwrap(),
                format!("damaged {round}")
            );
        }
        fs::write(&path, "new").unwrap();
        let err = move_without_replacing(&path, &copies[0]).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read_to_string(&copies[0]).unwrap(), "damaged 0");
    }

    #[test]
    fn truncated_file_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (store, _) = Store::open(dir.path()).unwrap();
            for i in 0..2000 {
                store.set(&format!("key{i}"), &"x".repeat(100)).unwrap();
            }
            store
                .conn()
                .pragma_update(None, "wal_checkpoint", "TRUNCATE")
                .ok();
        }
        let path = dir.path().join(DB_FILE);
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
        let _ = fs::remove_file(dir.path().join(format!("{DB_FILE}-wal")));
        let (store, recovery) = Store::open(dir.path()).unwrap();
        assert!(recovery.is_some(), "a truncated file must be recovered");
        assert_eq!(store.get::<String>("key1").unwrap(), None);
    }

    #[test]
    fn newer_schema_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let path = dir.path().join(DB_FILE);
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 999)
            .unwrap();
        let err = Store::open(dir.path()).unwrap_err();
        assert_eq!(err.code(), Code::DatabaseTooNew);
        assert!(path.exists());
        let version: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 999);
    }

    #[test]
    fn a_database_held_by_another_process_waits_then_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        store.set("before", &1).unwrap();
        let other = Connection::open(dir.path().join(DB_FILE)).unwrap();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let started = std::time::Instant::now();
        let err = store.set("during", &2).unwrap_err();
        assert!(
            started.elapsed() >= BUSY_TIMEOUT - Duration::from_millis(200),
            "it waited"
        );
        assert_eq!(err.code(), Code::DatabaseBusy);
        assert!(err.to_string().contains("Close other copies"), "{err}");
        other.execute_batch("ROLLBACK").unwrap();
        // Nothing half-written; the next write goes through.
        assert_eq!(store.get::<i32>("during").unwrap(), None);
        store.set("after", &3).unwrap();
        assert_eq!(store.get::<i32>("before").unwrap(), Some(1));
    }

    #[test]
    fn an_empty_file_becomes_a_fresh_database() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(DB_FILE), b"").unwrap();
        let (store, recovery) = Store::open(dir.path()).unwrap();
        assert!(recovery.is_none());
        store.set("k", &1).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn folder_and_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let (store, _) = Store::open(&data).unwrap();
        store.set("k", &1).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join(DB_FILE)), 0o600);
        let wal = data.join(format!("{DB_FILE}-wal"));
        assert!(wal.exists());
        assert_eq!(mode(&wal), 0o600);
    }
}
