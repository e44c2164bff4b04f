//! This crate's side of the SQLite file: the pull tables' schema
//! ([`MIGRATIONS`], which the setup crate applies in its ordered list when it
//! creates or opens the file), its own connection (WAL, busy timeout 5 s) to
//! that database, and every statement of the pull tables: the organization lock, pull rows and checkpoints, the record
//! upsert (one transaction per page with its checkpoint), the request log
//! and the last quota headers. Queries for the preview live in `results`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use zbs_zoho::{Entity, RateInfo, Record};

use crate::columns::KeyColumns;
use crate::types::{PullOptions, PullState};
use crate::PullError;

/// How long a write waits for another process holding the database.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Request-log rows kept per organization.
pub const REQUEST_LOG_MAX: i64 = 20_000;
/// Request-log rows older than this are dropped.
const REQUEST_LOG_AGE_MS: i64 = 24 * 3600 * 1000;
/// The pull id of records stored outside a pull ([`crate::Puller::ingest`]).
pub const NO_PULL: i64 = 0;

/// The SQL steps that create and change the pull tables, oldest first
/// (`migrations/*.sql`). The setup crate applies them, in this order, within
/// its own list of steps (`zbs_setup::store`). Never edit a released step:
/// add one, and add it to that list.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_pulls.sql"),
    include_str!("../migrations/0002_numeric_ids.sql"),
    include_str!("../migrations/0003_without_id.sql"),
    include_str!("../migrations/0004_not_permitted.sql"),
    include_str!("../migrations/0005_list_order.sql"),
    include_str!("../migrations/0006_record_totals.sql"),
];

const TABLES: [&str; 7] = [
    "record_totals",
    "pulls",
    "pull_entities",
    "pull_records",
    "pull_locks",
    "request_log",
    "org_quota",
];

/// Whether a connection still exists, asked inside the transaction of every
/// write of a pull (the setup crate, which owns the connections, gives it).
pub type ConnectionCheck = fn(&Connection, &str) -> rusqlite::Result<bool>;

/// Whether pull `pull_id` may still write: its row is there (a disconnect
/// deletes it) and, with a check, so is its connection. Run inside the
/// write's transaction.
fn may_write(
    conn: &Connection,
    pull_id: Option<i64>,
    connection_id: &str,
    check: Option<ConnectionCheck>,
) -> Result<bool, PullError> {
    if let Some(id) = pull_id {
        let there: Option<i64> = conn
            .query_row("SELECT 1 FROM pulls WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        if there.is_none() {
            return Ok(false);
        }
    }
    Ok(match check {
        Some(check) => check(conn, connection_id)?,
        None => true,
    })
}

/// The shared connection of one [`crate::Puller`].
#[derive(Debug, Clone)]
pub(crate) struct Db {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl Db {
    /// Opens the existing database file; the pull tables must be there.
    pub(crate) fn open(path: &Path) -> Result<Db, PullError> {
        if !path.is_file() {
            return Err(PullError::NotPrepared);
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let found: i64 = conn.query_row(
            &format!(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ({})",
                TABLES.map(|t| format!("'{t}'")).join(",")
            ),
            [],
            |r| r.get(0),
        )?;
        if found != TABLES.len() as i64 {
            return Err(PullError::NotPrepared);
        }
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
            path: path.to_owned(),
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the connection on a blocking thread.
    pub(crate) async fn call<R, F>(&self, f: F) -> Result<R, PullError>
    where
        F: FnOnce(&mut Connection) -> Result<R, PullError> + Send + 'static,
        R: Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = conn.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut c)
        })
        .await
        .map_err(|e| PullError::Database {
            detail: format!("a database task failed: {e}"),
        })?
    }
}

pub(crate) fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0),
    )
    .unwrap_or(i64::MAX)
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

pub(crate) fn now_rfc3339() -> String {
    rfc3339(OffsetDateTime::now_utc())
}

pub(crate) fn ms_to_rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(rfc3339)
        .unwrap_or_default()
}

// ---------------------------------------------------------------- locks

/// Whether process `pid` still exists.
pub(crate) fn process_alive(pid: i64) -> bool {
    if pid == i64::from(std::process::id()) {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        if pid <= 0 {
            return false;
        }
        // SAFETY: kill with signal 0 only checks that the process exists.
        let rc = unsafe { libc::kill(pid, 0) };
        rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        // Rely on the heartbeat alone.
        true
    }
}

/// Takes the organization's lock for `owner`, or says who holds it.
pub(crate) fn try_lock(
    conn: &mut Connection,
    organization_id: &str,
    owner: &str,
    stale_after: Duration,
) -> Result<bool, PullError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let now = now_ms();
    let held: Option<(String, i64, i64)> = tx
        .query_row(
            "SELECT owner, pid, heartbeat_ms FROM pull_locks WHERE organization_id = ?1",
            [organization_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((holder, pid, beat)) = held {
        if holder != owner && holder_alive(pid, beat, now, stale_after) {
            return Ok(false);
        }
        if holder != owner {
            tracing::info!(organization_id, pid, "taking over a stale pull lock");
        }
    }
    tx.execute(
        "INSERT INTO pull_locks (organization_id, owner, pid, heartbeat_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (organization_id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid,
         heartbeat_ms = excluded.heartbeat_ms",
        params![organization_id, owner, i64::from(std::process::id()), now],
    )?;
    tx.commit()?;
    Ok(true)
}

/// Whether a live process holds the organization's pull lock now.
pub(crate) fn lock_held(
    conn: &Connection,
    organization_id: &str,
    stale_after: Duration,
) -> Result<bool, PullError> {
    let held: Option<(i64, i64)> = conn
        .query_row(
            "SELECT pid, heartbeat_ms FROM pull_locks WHERE organization_id = ?1",
            [organization_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let now = now_ms();
    Ok(held.is_some_and(|(pid, beat)| holder_alive(pid, beat, now, stale_after)))
}

/// Whether a lock's holder still works: a recent heartbeat from a process
/// that exists.
fn holder_alive(pid: i64, beat_ms: i64, now_ms: i64, stale_after: Duration) -> bool {
    now_ms.saturating_sub(beat_ms) < i64::try_from(stale_after.as_millis()).unwrap_or(i64::MAX)
        && process_alive(pid)
}

pub(crate) fn heartbeat(
    conn: &Connection,
    organization_id: &str,
    owner: &str,
) -> Result<(), PullError> {
    conn.execute(
        "UPDATE pull_locks SET heartbeat_ms = ?3 WHERE organization_id = ?1 AND owner = ?2",
        params![organization_id, owner, now_ms()],
    )?;
    Ok(())
}

pub(crate) fn unlock(
    conn: &Connection,
    organization_id: &str,
    owner: &str,
) -> Result<(), PullError> {
    conn.execute(
        "DELETE FROM pull_locks WHERE organization_id = ?1 AND owner = ?2",
        params![organization_id, owner],
    )?;
    Ok(())
}

// ---------------------------------------------------------------- pulls

/// An entity's checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checkpoint {
    pub entity: Entity,
    pub next_page: u32,
    pub phase: Phase,
    pub records: u64,
    pub calls: u64,
    pub done: bool,
    /// Records listed without an id (not stored).
    pub without_id: u64,
    /// The order Zoho listed the entity in, as `page_context` said it
    /// (`ListOrder::code`); `None`: not listed yet; `Some("")`: a pull begun
    /// before orders were asked for (it resumes asking for none).
    pub list_order: Option<String>,
}

/// Where an entity's pull is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Reading list pages from `next_page`.
    List,
    /// Reading from page 1 again for records added during the pull.
    Rescan,
}

impl Phase {
    fn as_str(self) -> &'static str {
        match self {
            Phase::List => "list",
            Phase::Rescan => "rescan",
        }
    }
}

/// A stored pull.
#[derive(Debug, Clone)]
pub(crate) struct PullRow {
    pub id: i64,
    pub connection_id: String,
    pub organization_id: String,
    pub options: PullOptions,
    pub state: PullState,
    pub calls: u64,
    pub http_429: u64,
    pub seconds: f64,
    pub checkpoints: Vec<Checkpoint>,
    pub message: Option<String>,
    pub not_permitted: Vec<Entity>,
}

/// The latest pull of this connection with these options, unless it completed.
pub(crate) fn find_resumable(
    conn: &Connection,
    connection_id: &str,
    options: &PullOptions,
) -> Result<Option<i64>, PullError> {
    let row: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, state FROM pulls WHERE connection_id = ?1 AND options = ?2
             ORDER BY id DESC LIMIT 1",
            params![connection_id, options.canonical_json()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.and_then(|(id, state)| (state != PullState::Completed.as_str()).then_some(id)))
}

pub(crate) fn create_pull(
    conn: &mut Connection,
    connection_id: &str,
    organization_id: &str,
    options: &PullOptions,
    check: Option<ConnectionCheck>,
) -> Result<i64, PullError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if !may_write(&tx, None, connection_id, check)? {
        return Err(PullError::Disconnected { pull_id: 0 });
    }
    tx.execute(
        "INSERT INTO pulls (connection_id, organization_id, options, started_at, state)
         VALUES (?1, ?2, ?3, ?4, 'running')",
        params![
            connection_id,
            organization_id,
            options.canonical_json(),
            now_rfc3339()
        ],
    )?;
    let id = tx.last_insert_rowid();
    for e in &options.entities {
        tx.execute(
            "INSERT INTO pull_entities (pull_id, entity) VALUES (?1, ?2)",
            params![id, e.name()],
        )?;
    }
    tx.commit()?;
    Ok(id)
}

pub(crate) fn load_pull(conn: &Connection, id: i64) -> Result<PullRow, PullError> {
    let row = conn
        .query_row(
            "SELECT connection_id, organization_id, options, state, calls, http_429, seconds,
                    message, not_permitted
             FROM pulls WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, f64>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                ))
            },
        )
        .optional()?
        .ok_or(PullError::UnknownPull { pull_id: id })?;
    let options: PullOptions = serde_json::from_str(&row.2).map_err(|_| PullError::Database {
        detail: format!("the options of pull {id} could not be read"),
    })?;
    let mut stmt = conn.prepare_cached(
        "SELECT entity, next_page, phase, records, calls, done, without_id, list_order
         FROM pull_entities WHERE pull_id = ?1",
    )?;
    let mut checkpoints = Vec::new();
    let rows = stmt.query_map([id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, bool>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, Option<String>>(7)?,
        ))
    })?;
    for r in rows {
        let (name, next_page, phase, records, calls, done, without_id, list_order) = r?;
        let Ok(entity) = name.parse::<Entity>() else {
            continue;
        };
        checkpoints.push(Checkpoint {
            entity,
            next_page: u32::try_from(next_page.max(1)).unwrap_or(1),
            phase: if phase == "rescan" {
                Phase::Rescan
            } else {
                Phase::List
            },
            records: u64::try_from(records).unwrap_or(0),
            calls: u64::try_from(calls).unwrap_or(0),
            done,
            without_id: u64::try_from(without_id).unwrap_or(0),
            list_order,
        });
    }
    checkpoints.sort_by_key(|c| c.entity);
    Ok(PullRow {
        id,
        connection_id: row.0,
        organization_id: row.1,
        options,
        state: PullState::parse(&row.3),
        calls: u64::try_from(row.4).unwrap_or(0),
        http_429: u64::try_from(row.5).unwrap_or(0),
        seconds: row.6,
        checkpoints,
        message: row.7,
        not_permitted: parse_entity_list(row.8.as_deref()),
    })
}

/// Marks a pull running again, unless its connection is gone.
pub(crate) fn set_running(
    conn: &mut Connection,
    id: i64,
    check: Option<ConnectionCheck>,
) -> Result<(), PullError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let connection_id: Option<String> = tx
        .query_row("SELECT connection_id FROM pulls WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(connection_id) = connection_id else {
        return Err(PullError::UnknownPull { pull_id: id });
    };
    if !may_write(&tx, Some(id), &connection_id, check)? {
        return Err(PullError::Disconnected { pull_id: id });
    }
    tx.execute(
        "UPDATE pulls SET state = 'running', finished_at = NULL, resume_after = NULL,
         error_code = NULL, message = NULL WHERE id = ?1",
        [id],
    )?;
    tx.commit()?;
    Ok(())
}

/// Totals written with every page and at the end.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Totals {
    pub calls: u64,
    pub http_429: u64,
    pub seconds: f64,
}

pub(crate) struct Finish {
    pub state: PullState,
    pub totals: Totals,
    pub resume_after: Option<String>,
    pub error_code: Option<String>,
    pub message: Option<String>,
    /// Record types Zoho refused to the user (code 57 with a valid sign-in).
    pub not_permitted: Vec<Entity>,
    pub organization_id: String,
    /// Sends and quota headers not yet written with a page.
    pub sends_ms: Vec<i64>,
    pub rate: Option<(RateInfo, i64)>,
}

pub(crate) fn finish_pull(conn: &mut Connection, id: i64, f: &Finish) -> Result<(), PullError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    log_sends(&tx, &f.organization_id, &f.sends_ms)?;
    if let Some((rate, seen)) = f.rate {
        save_rate(&tx, &f.organization_id, rate, seen)?;
    }
    tx.execute(
        "UPDATE pulls SET state = ?2, finished_at = ?3, calls = ?4, http_429 = ?5, seconds = ?6,
         resume_after = ?7, error_code = ?8, message = ?9, not_permitted = ?10 WHERE id = ?1",
        params![
            id,
            f.state.as_str(),
            now_rfc3339(),
            i64::try_from(f.totals.calls).unwrap_or(i64::MAX),
            i64::try_from(f.totals.http_429).unwrap_or(i64::MAX),
            f.totals.seconds,
            f.resume_after,
            f.error_code,
            f.message,
            entity_list(&f.not_permitted),
        ],
    )?;
    tx.commit()?;
    Ok(())
}

/// A JSON list of entity names; `None` when empty.
fn entity_list(entities: &[Entity]) -> Option<String> {
    (!entities.is_empty())
        .then(|| serde_json::to_string(&entities.iter().map(|e| e.name()).collect::<Vec<_>>()))
        .and_then(Result::ok)
}

/// The entities of a JSON list of entity names (unknown names skipped).
pub(crate) fn parse_entity_list(text: Option<&str>) -> Vec<Entity> {
    text.and_then(|t| serde_json::from_str::<Vec<String>>(t).ok())
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect()
}

// ---------------------------------------------------------------- records

/// A record's key within its entity: its id as Zoho wrote it, and whether
/// Zoho wrote it as a JSON number (`1` and `"1"` are two records).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct RecordKey {
    pub id: String,
    pub number: bool,
}

/// The key of a listed or detail record; `None` when it has no id.
pub(crate) fn record_key(entity: Entity, record: &Record) -> Option<RecordKey> {
    let id = record.id(entity)?;
    let number = matches!(
        record.value().get(entity.id_field()),
        Some(serde_json::Value::Number(_))
    );
    Some(RecordKey { id, number })
}

/// A record ready to store.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub columns: KeyColumns,
    /// Zoho wrote the id (`columns.zoho_id`) as a JSON number.
    pub id_is_number: bool,
    pub detail: bool,
    pub raw: String,
}

impl Prepared {
    fn key(&self) -> (&str, bool) {
        (self.columns.zoho_id.as_str(), self.id_is_number)
    }
}

/// Key columns and the text of a record as Zoho sent it, with its id as
/// Zoho wrote it; `None` (logged) when it has no id or is not a record.
pub(crate) fn prepare(entity: Entity, record: &Record, detail: bool) -> Option<Prepared> {
    let read = record_key(entity, record).ok_or(zbs_zoho::BooksError::Decode {
        reason: "a record has no id",
    });
    match read.and_then(|key| Ok((key, KeyColumns::read(entity, record.value())?))) {
        Ok((key, columns)) => Some(Prepared {
            columns: KeyColumns {
                zoho_id: key.id,
                ..columns
            },
            id_is_number: key.number,
            detail,
            raw: record.raw().to_owned(),
        }),
        Err(e) => {
            tracing::warn!(
                entity = entity.name(),
                code = %e.code(),
                "a record was skipped"
            );
            None
        }
    }
}

/// Upserts records; returns how many were not yet stored by `pull_id`.
pub(crate) fn upsert(
    tx: &rusqlite::Transaction<'_>,
    connection_id: &str,
    entity: Entity,
    pull_id: i64,
    records: &[Prepared],
) -> Result<u64, PullError> {
    let pulled_at = now_rfc3339();
    let keys: Vec<(&str, bool)> = records.iter().map(Prepared::key).collect();
    let stored = stored_by(tx, connection_id, entity, &keys)?;
    let mut put = tx.prepare_cached(
        "INSERT INTO pull_records (connection_id, entity, zoho_id, label, date, total, status,
             counterparty, last_modified, pulled_at, pull_id, detail, raw, zoho_id_number)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT (connection_id, entity, zoho_id, zoho_id_number) DO UPDATE SET
             label = excluded.label, date = excluded.date, total = excluded.total,
             status = excluded.status, counterparty = excluded.counterparty,
             pulled_at = excluded.pulled_at, pull_id = excluded.pull_id,
             raw = CASE WHEN excluded.detail = 0 AND pull_records.detail = 1
                         AND pull_records.last_modified IS excluded.last_modified
                        THEN pull_records.raw ELSE excluded.raw END,
             detail = CASE WHEN excluded.detail = 0 AND pull_records.detail = 1
                         AND pull_records.last_modified IS excluded.last_modified
                        THEN 1 ELSE excluded.detail END,
             last_modified = excluded.last_modified",
    )?;
    // A page can list a record twice (records added while paging): it is
    // counted once.
    let mut counted = HashSet::new();
    let mut new = 0;
    for r in records {
        let k = &r.columns;
        if stored.get(&r.key()) != Some(&pull_id) && counted.insert(r.key()) {
            new += 1;
        }
        put.execute(params![
            connection_id,
            entity.name(),
            k.zoho_id,
            k.label,
            k.date,
            k.total,
            k.status,
            k.counterparty,
            k.last_modified,
            pulled_at,
            pull_id,
            r.detail,
            r.raw,
            r.id_is_number,
        ])?;
    }
    Ok(new)
}

/// Which of `keys` are already stored by `pull_id`.
pub(crate) fn known_ids(
    conn: &Connection,
    connection_id: &str,
    entity: Entity,
    pull_id: i64,
    keys: &[RecordKey],
) -> Result<Vec<bool>, PullError> {
    let refs: Vec<(&str, bool)> = keys.iter().map(|k| (k.id.as_str(), k.number)).collect();
    let stored = stored_by(conn, connection_id, entity, &refs)?;
    Ok(refs
        .iter()
        .map(|key| stored.get(key) == Some(&pull_id))
        .collect())
}

/// Ids per lookup: well under SQLite's limit of bound parameters.
const LOOKUP_CHUNK: usize = 250;

/// The pull that last stored each of `keys` (id, id written as a number;
/// absent: never stored), looked up through the unique key a chunk of ids at
/// a time.
fn stored_by<'a>(
    conn: &Connection,
    connection_id: &str,
    entity: Entity,
    keys: &[(&'a str, bool)],
) -> Result<HashMap<(&'a str, bool), i64>, PullError> {
    let wanted: HashSet<(&'a str, bool)> = keys.iter().copied().collect();
    let ids: HashSet<&'a str> = keys.iter().map(|(id, _)| *id).collect();
    let mut out = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(LOOKUP_CHUNK) {
        // Named index: without statistics the planner would rather walk the
        // (connection, entity, pull) index for an IN list.
        let sql = format!(
            "SELECT zoho_id, zoho_id_number, pull_id FROM pull_records
             INDEXED BY pull_records_key
             WHERE connection_id = ?1 AND entity = ?2 AND zoho_id IN ({})",
            vec!["?"; chunk.len()].join(",")
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let params = [connection_id, entity.name()]
            .into_iter()
            .chain(chunk.iter().map(|(id, _)| *id));
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(0)?;
            let number: bool = row.get(1)?;
            if let Some(&id) = ids.get(id.as_str()) {
                if wanted.contains(&(id, number)) {
                    out.insert((id, number), row.get(2)?);
                }
            }
        }
    }
    Ok(out)
}

/// One page and its checkpoint, committed together.
pub(crate) struct PageCommit {
    pub pull_id: i64,
    pub connection_id: String,
    pub organization_id: String,
    pub entity: Entity,
    pub records: Vec<Prepared>,
    pub next_page: u32,
    pub phase: Phase,
    pub done: bool,
    /// Records of the page listed without an id (not stored).
    pub without_id: u64,
    /// The order the page was listed in (`ListOrder::code`), when known.
    pub list_order: Option<String>,
    /// Delete this connection's records of the entity not stored by this
    /// pull (a completed pull of all records).
    pub prune_others: bool,
    pub entity_calls: u64,
    pub totals: Totals,
    pub sends_ms: Vec<i64>,
    pub rate: Option<(RateInfo, i64)>,
    pub check: Option<ConnectionCheck>,
}

/// Commits a page; returns the entity's record count in this pull. Writes
/// nothing, and says so, when the connection was disconnected meanwhile.
pub(crate) fn commit_page(conn: &mut Connection, c: &PageCommit) -> Result<u64, PullError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if !may_write(&tx, Some(c.pull_id), &c.connection_id, c.check)? {
        return Err(PullError::Disconnected { pull_id: c.pull_id });
    }
    let new = upsert(&tx, &c.connection_id, c.entity, c.pull_id, &c.records)?;
    if c.prune_others {
        tx.execute(
            "DELETE FROM pull_records WHERE connection_id = ?1 AND entity = ?2 AND pull_id != ?3",
            params![c.connection_id, c.entity.name(), c.pull_id],
        )?;
    }
    tx.execute(
        "UPDATE pull_entities SET next_page = ?3, phase = ?4, records = records + ?5, calls = ?6,
         done = ?7, without_id = without_id + ?8, list_order = coalesce(?9, list_order)
         WHERE pull_id = ?1 AND entity = ?2",
        params![
            c.pull_id,
            c.entity.name(),
            i64::from(c.next_page),
            c.phase.as_str(),
            i64::try_from(new).unwrap_or(0),
            i64::try_from(c.entity_calls).unwrap_or(i64::MAX),
            c.done,
            i64::try_from(c.without_id).unwrap_or(i64::MAX),
            c.list_order,
        ],
    )?;
    write_totals(&tx, c.pull_id, c.totals)?;
    log_sends(&tx, &c.organization_id, &c.sends_ms)?;
    if let Some((rate, seen)) = c.rate {
        save_rate(&tx, &c.organization_id, rate, seen)?;
    }
    let records: i64 = tx.query_row(
        "SELECT records FROM pull_entities WHERE pull_id = ?1 AND entity = ?2",
        params![c.pull_id, c.entity.name()],
        |r| r.get(0),
    )?;
    tx.commit()?;
    Ok(u64::try_from(records).unwrap_or(0))
}

pub(crate) fn write_totals(conn: &Connection, id: i64, t: Totals) -> Result<(), PullError> {
    conn.execute(
        "UPDATE pulls SET calls = ?2, http_429 = ?3, seconds = ?4 WHERE id = ?1",
        params![
            id,
            i64::try_from(t.calls).unwrap_or(i64::MAX),
            i64::try_from(t.http_429).unwrap_or(i64::MAX),
            t.seconds
        ],
    )?;
    Ok(())
}

/// True while the pull's row is there (a disconnect deletes it).
pub(crate) fn pull_exists(conn: &Connection, pull_id: i64) -> Result<bool, PullError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM pulls WHERE id = ?1")?
        .exists([pull_id])?)
}

/// Appends send times to the request log and keeps it bounded.
pub(crate) fn log_sends(
    conn: &Connection,
    organization_id: &str,
    sends_ms: &[i64],
) -> Result<(), PullError> {
    if sends_ms.is_empty() {
        return Ok(());
    }
    let mut put =
        conn.prepare_cached("INSERT INTO request_log (organization_id, at_ms) VALUES (?1, ?2)")?;
    for at in sends_ms {
        put.execute(params![organization_id, at])?;
    }
    conn.execute(
        "DELETE FROM request_log WHERE organization_id = ?1 AND (at_ms < ?2 OR at_ms <
           (SELECT at_ms FROM request_log WHERE organization_id = ?1
            ORDER BY at_ms DESC LIMIT 1 OFFSET ?3))",
        params![
            organization_id,
            now_ms() - REQUEST_LOG_AGE_MS,
            REQUEST_LOG_MAX
        ],
    )?;
    Ok(())
}

/// Ages of the requests logged for the organization within `window`.
pub(crate) fn recent_sends(
    conn: &Connection,
    organization_id: &str,
    window: Duration,
) -> Result<Vec<Duration>, PullError> {
    let now = now_ms();
    let since = now - i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(
        "SELECT at_ms FROM request_log WHERE organization_id = ?1 AND at_ms > ?2",
    )?;
    let rows = stmt.query_map(params![organization_id, since], |r| r.get::<_, i64>(0))?;
    let mut ages = Vec::new();
    for at in rows {
        let age = now.saturating_sub(at?).max(0);
        ages.push(Duration::from_millis(u64::try_from(age).unwrap_or(0)));
    }
    Ok(ages)
}

/// Stores the quota headers of an answer seen at `seen_ms`.
pub(crate) fn save_rate(
    conn: &Connection,
    organization_id: &str,
    rate: RateInfo,
    seen_ms: i64,
) -> Result<(), PullError> {
    if rate.limit.is_none() && rate.remaining.is_none() {
        return Ok(());
    }
    let reset_at = rate
        .reset_secs
        .and_then(|s| i64::try_from(s).ok())
        .map(|s| seen_ms.saturating_add(s.saturating_mul(1000)));
    conn.execute(
        "INSERT INTO org_quota (organization_id, quota_limit, remaining, reset_at_ms, seen_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (organization_id) DO UPDATE SET quota_limit = excluded.quota_limit,
           remaining = excluded.remaining, reset_at_ms = excluded.reset_at_ms,
           seen_at_ms = excluded.seen_at_ms
         WHERE org_quota.reset_at_ms IS NULL OR excluded.reset_at_ms IS NULL
            OR excluded.reset_at_ms > org_quota.reset_at_ms + 60000
            OR org_quota.remaining IS NULL OR excluded.remaining IS NULL
            OR excluded.remaining <= org_quota.remaining",
        params![
            organization_id,
            rate.limit.and_then(|v| i64::try_from(v).ok()),
            rate.remaining.and_then(|v| i64::try_from(v).ok()),
            reset_at,
            seen_ms
        ],
    )?;
    Ok(())
}

/// The last quota headers: (limit, remaining, reset_at_ms, seen_at_ms).
pub(crate) type StoredRate = (Option<i64>, Option<i64>, Option<i64>, i64);

/// The last quota headers of an organization.
pub(crate) fn load_rate(
    conn: &Connection,
    organization_id: &str,
) -> Result<Option<StoredRate>, PullError> {
    Ok(conn
        .query_row(
            "SELECT quota_limit, remaining, reset_at_ms, seen_at_ms FROM org_quota
             WHERE organization_id = ?1",
            [organization_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_make_every_pull_table() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("pulls.sqlite3");
        let conn = Connection::open(&path).expect("open");
        for step in MIGRATIONS {
            conn.execute_batch(step).expect("the step applies");
        }
        drop(conn);
        Db::open(&path).expect("every pull table is there");
    }
}
