//! What the window and `zbsetup` read back: counts per entity, a page of
//! key columns for the preview (sorted, searched), one raw record, the pull
//! history, the requests-per-minute series, the daily quota last reported,
//! the forecast of a pull, and records stored outside a pull
//! ([`Puller::ingest`], through the same upsert as pulls).

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use serde_json::Value;
use zbs_zoho::{Entity, Record};

use crate::columns::KeyColumns;
use crate::engine::Puller;
use crate::store::{self, NO_PULL};
use crate::types::{
    EntityCount, EntityReport, Forecast, HistoryRow, PullOptions, PullState, QuotaUsage, RatePoint,
    RecordPage, RecordRow, RequestSeries, SortColumn, SortDir,
};
use crate::PullError;

/// Largest page of the preview.
pub const MAX_PAGE_ROWS: u32 = 1_000;

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

impl Puller {
    /// Stored records per entity of a connection (entities with none left out).
    pub fn counts(&self, connection_id: &str) -> Result<Vec<EntityCount>, PullError> {
        let conn = self.db.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT entity, COUNT(*) FROM pull_records WHERE connection_id = ?1 GROUP BY entity",
        )?;
        let rows = stmt.query_map([connection_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut out: Vec<EntityCount> = Vec::new();
        for r in rows {
            let (entity, n) = r?;
            out.push(EntityCount {
                entity,
                records: to_u64(n),
            });
        }
        out.sort_by_key(|c| c.entity.parse::<Entity>().ok());
        Ok(out)
    }

    /// A page of the preview: key columns, sorted, optionally filtered by
    /// `search` (in number/name, counterparty, status or id).
    #[allow(clippy::too_many_arguments)]
    pub fn records(
        &self,
        connection_id: &str,
        entity: Entity,
        offset: u64,
        limit: u32,
        sort: SortColumn,
        dir: SortDir,
        search: Option<&str>,
    ) -> Result<RecordPage, PullError> {
        let conn = self.db.lock();
        let pattern = search.map(str::trim).filter(|s| !s.is_empty()).map(|s| {
            let escaped: String = s
                .chars()
                .take(100)
                .flat_map(|c| match c {
                    '%' | '_' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            format!("%{escaped}%")
        });
        let filter =
            "connection_id = ?1 AND entity = ?2 AND (?3 IS NULL OR label LIKE ?3 ESCAPE '\\'
             OR counterparty LIKE ?3 ESCAPE '\\' OR status LIKE ?3 ESCAPE '\\'
             OR zoho_id LIKE ?3 ESCAPE '\\')";
        let total: i64 = conn.query_row(
            &format!("SELECT COUNT(*) FROM pull_records WHERE {filter}"),
            params![connection_id, entity.name(), pattern],
            |r| r.get(0),
        )?;
        let dir_sql = match dir {
            SortDir::Asc => "ASC",
            SortDir::Desc => "DESC",
        };
        let sql = format!(
            "SELECT zoho_id, label, date, total, status, counterparty, last_modified, pulled_at, detail
             FROM pull_records WHERE {filter}
             ORDER BY {col} IS NULL, {col} {dir_sql}, zoho_id {dir_sql}, zoho_id_number {dir_sql}
             LIMIT ?4 OFFSET ?5",
            col = sort.sql()
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![
                connection_id,
                entity.name(),
                pattern,
                i64::from(limit.clamp(1, MAX_PAGE_ROWS)),
                i64::try_from(offset).unwrap_or(i64::MAX)
            ],
            |r| {
                Ok(RecordRow {
                    entity: entity.name().to_owned(),
                    columns: KeyColumns {
                        zoho_id: r.get(0)?,
                        label: r.get(1)?,
                        date: r.get(2)?,
                        total: r.get(3)?,
                        status: r.get(4)?,
                        counterparty: r.get(5)?,
                        last_modified: r.get(6)?,
                    },
                    pulled_at: r.get(7)?,
                    detail: r.get(8)?,
                })
            },
        )?;
        Ok(RecordPage {
            rows: rows.collect::<Result<_, _>>()?,
            total: to_u64(total),
        })
    }

    /// The raw JSON of one stored record.
    pub fn record(
        &self,
        connection_id: &str,
        entity: Entity,
        zoho_id: &str,
    ) -> Result<Option<Value>, PullError> {
        let raw: Option<String> = self
            .db
            .lock()
            .query_row(
                // Zoho's ids are strings: one written as a number comes second.
                "SELECT raw FROM pull_records WHERE connection_id = ?1 AND entity = ?2 AND zoho_id = ?3
                 ORDER BY zoho_id_number LIMIT 1",
                params![connection_id, entity.name(), zoho_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(raw.and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// Pulls, newest first (`connection_id` `None`: of every connection).
    pub fn history(
        &self,
        connection_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<HistoryRow>, PullError> {
        let conn = self.db.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT id, connection_id, organization_id, options, started_at, finished_at, state,
                    calls, http_429, seconds, resume_after, error_code, message, not_permitted
             FROM pulls WHERE ?1 IS NULL OR connection_id = ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![connection_id, i64::from(limit.max(1))], |r| {
            Ok(HistoryRow {
                id: r.get(0)?,
                connection: r.get(1)?,
                organization_id: r.get(2)?,
                options: serde_json::from_str(&r.get::<_, String>(3)?).unwrap_or_default(),
                started_at: r.get(4)?,
                finished_at: r.get(5)?,
                state: PullState::parse(&r.get::<_, String>(6)?),
                entities: BTreeMap::new(),
                calls: to_u64(r.get(7)?),
                http_429: to_u64(r.get(8)?),
                seconds: r.get(9)?,
                resume_after: r.get(10)?,
                error_code: r.get(11)?,
                message: r.get(12)?,
                not_permitted: store::parse_entity_list(r.get::<_, Option<String>>(13)?.as_deref()),
            })
        })?;
        let mut out: Vec<HistoryRow> = rows.collect::<Result<_, _>>()?;
        // A pull still marked running that no live process works on was
        // interrupted; say so, with what it did.
        let stale_after = self.stale_after();
        for h in &mut out {
            if h.state == PullState::Running
                && !store::lock_held(&conn, &h.organization_id, stale_after)?
            {
                h.state = PullState::Interrupted;
                h.message = Some(format!(
                    "Stopped before it finished, after {} API calls: the window or zbsetup was \
                     closed, or the computer stopped. What it pulled is saved: start the same \
                     pull again to continue it.",
                    h.calls
                ));
            }
        }
        let mut per = conn.prepare_cached(
            "SELECT entity, records, calls, without_id, list_order FROM pull_entities
             WHERE pull_id = ?1",
        )?;
        for h in &mut out {
            let rows = per.query_map([h.id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })?;
            for r in rows {
                let (name, records, calls, without_id, list_order) = r?;
                let Ok(entity) = name.parse::<Entity>() else {
                    continue;
                };
                h.entities.insert(
                    name,
                    EntityReport::new(
                        entity,
                        to_u64(records),
                        to_u64(calls),
                        to_u64(without_id),
                        list_order.as_deref(),
                        h.options.sample.is_some(),
                    ),
                );
            }
        }
        Ok(out)
    }

    /// Requests per minute of an organization over the last `minutes`
    /// (empty minutes included), with the budget per minute.
    pub fn request_series(
        &self,
        organization_id: &str,
        minutes: u32,
    ) -> Result<RequestSeries, PullError> {
        let minutes = i64::from(minutes.clamp(1, 24 * 60));
        let now_minute = store::now_ms() / 60_000;
        let first = now_minute - minutes + 1;
        let conn = self.db.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT at_ms / 60000 AS m, COUNT(*) FROM request_log
             WHERE organization_id = ?1 AND at_ms >= ?2 GROUP BY m",
        )?;
        let mut counts = BTreeMap::new();
        for r in stmt.query_map(params![organization_id, first * 60_000], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })? {
            let (m, n) = r?;
            counts.insert(m, n);
        }
        Ok(RequestSeries {
            points: (first..=now_minute)
                .map(|m| RatePoint {
                    minute_ms: m * 60_000,
                    requests: to_u32(counts.get(&m).copied().unwrap_or(0)),
                })
                .collect(),
            limit_per_minute: self.budget().per_minute(),
        })
    }

    /// The daily quota as Zoho last reported it for the organization.
    /// Forgets what Zoho's headers said of an organization's daily quota
    /// (the demo's simulator was given its quota back): the next answer's
    /// headers are the truth again, even a higher count left the same day.
    pub fn forget_quota(&self, organization_id: &str) -> Result<(), PullError> {
        self.db.lock().execute(
            "DELETE FROM org_quota WHERE organization_id = ?1",
            [organization_id],
        )?;
        Ok(())
    }

    pub fn quota(&self, organization_id: &str) -> Result<Option<QuotaUsage>, PullError> {
        let Some((limit, remaining, reset_at, seen)) =
            store::load_rate(&self.db.lock(), organization_id)?
        else {
            return Ok(None);
        };
        let reset_passed = reset_at.is_some_and(|r| store::now_ms() >= r);
        let remaining = if reset_passed { limit } else { remaining };
        Ok(Some(QuotaUsage {
            daily_limit: limit.map(to_u32),
            remaining: remaining.map(to_u32),
            used: match (limit, remaining) {
                (Some(l), Some(r)) => Some(to_u32(l - r)),
                _ => None,
            },
            resets_at: reset_at.filter(|_| !reset_passed).map(store::ms_to_rfc3339),
            seen_at: store::ms_to_rfc3339(seen),
        }))
    }

    /// Calls and time `options` needs. `counts_known` gives record totals
    /// per entity when known (else records stored from earlier pulls serve,
    /// and a forecast for "all" records is a lower bound).
    pub fn forecast(
        &self,
        connection_id: &str,
        organization_id: &str,
        options: &PullOptions,
        counts_known: Option<&BTreeMap<Entity, u64>>,
    ) -> Result<Forecast, PullError> {
        let options = options.normalized()?;
        let stored: BTreeMap<String, u64> = self
            .counts(connection_id)?
            .into_iter()
            .map(|c| (c.entity, c.records))
            .collect();
        let page_size = u64::from(self.page_size());
        let own_order = self.kept_in_own_order(connection_id)?;
        // Totals counted for the connection (`count_records`) stand in for
        // totals the caller does not know.
        let (counted, counted_at) = self.kept_totals(connection_id)?;
        let mut used_count = false;
        let mut calls = 0u64;
        let mut lower_bound = false;
        for e in &options.entities {
            let mut known = counts_known.and_then(|k| k.get(e)).copied();
            let count = counted.get(e).copied();
            if known.is_none() {
                if let Some((n, true)) = count {
                    known = Some(n);
                    used_count = true;
                }
            }
            let (records, per_page) = match (options.sample, known) {
                (Some(n), Some(total)) => (u64::from(n).min(total), u64::from(n).min(page_size)),
                (Some(n), None) => (u64::from(n), u64::from(n).min(page_size)),
                (None, Some(total)) => (total, page_size),
                (None, None) => {
                    lower_bound = true;
                    // At least what was stored, or counted before the count stopped.
                    let floor = count.map_or(0, |(n, _)| n);
                    let stored = stored.get(e.name()).copied().unwrap_or(0);
                    if floor > stored {
                        used_count = true;
                    }
                    (stored.max(floor), page_size)
                }
            };
            let pages = records.div_ceil(per_page.max(1)).max(1);
            // A full pull of several pages reads page 1 again at the end
            // where Zoho lists the type in an order records move in.
            let rescan =
                u64::from(options.sample.is_none() && pages > 1 && own_order.contains(e.name()));
            calls += pages + rescan;
            if options.wants_detail(*e) {
                calls += records;
            }
        }
        let daily_quota_left = self
            .quota(organization_id)?
            .and_then(|q| q.remaining.or(q.daily_limit));
        Ok(Forecast {
            calls,
            seconds: self.budget().seconds_for(calls),
            daily_quota_left,
            daily_quota_guess: None,
            lower_bound,
            calls_max: (!lower_bound).then_some(calls),
            counted_at: used_count.then_some(counted_at).flatten(),
        })
    }

    /// The entities of a connection that Zoho last listed in an order other
    /// than by creation (it would not sort them as asked): a pull of
    /// everything looks through those again from the top.
    fn kept_in_own_order(
        &self,
        connection_id: &str,
    ) -> Result<std::collections::BTreeSet<String>, PullError> {
        let conn = self.db.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT e.entity, e.list_order FROM pull_entities e JOIN pulls p ON p.id = e.pull_id
             WHERE p.connection_id = ?1 AND e.list_order IS NOT NULL AND e.list_order != ''
             ORDER BY e.pull_id DESC",
        )?;
        let rows = stmt.query_map([connection_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut seen = std::collections::BTreeSet::new();
        let mut own = std::collections::BTreeSet::new();
        for r in rows {
            let (entity, order) = r?;
            if seen.insert(entity.clone())
                && zbs_zoho::ListOrder::from_code(&order)
                    .is_some_and(|o| o.column != "created_time")
            {
                own.insert(entity);
            }
        }
        Ok(own)
    }

    /// Stores records of `entity` that did not come from a pull (fixtures,
    /// imports) through the same upsert as pulls; returns how many were new.
    pub fn ingest(
        &self,
        connection_id: &str,
        entity: Entity,
        records: &[Record],
        detail: bool,
    ) -> Result<u64, PullError> {
        let prepared: Vec<_> = records
            .iter()
            .filter_map(|r| store::prepare(entity, r, detail))
            .collect();
        let mut conn = self.db.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let new = store::upsert(&tx, connection_id, entity, NO_PULL, &prepared)?;
        tx.commit()?;
        Ok(new)
    }

    /// Forgets everything pulled for a connection (after a disconnect), in
    /// one transaction.
    pub fn forget(&self, connection_id: &str) -> Result<u64, PullError> {
        let mut conn = self.db.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let n = forget_connection(&tx, connection_id)?;
        tx.commit()?;
        Ok(n)
    }
}

/// Deletes everything pulled for a connection on `conn` (its records, its
/// pulls and their checkpoints), inside the caller's transaction (the setup
/// crate's disconnect deletes the connection row in the same one). A pull of
/// the connection still running, in any process, finds its pull row gone at
/// its next page and stops without writing. Returns how many records went.
pub fn forget_connection(
    conn: &rusqlite::Connection,
    connection_id: &str,
) -> rusqlite::Result<u64> {
    let n = conn.execute(
        "DELETE FROM pull_records WHERE connection_id = ?1",
        [connection_id],
    )?;
    conn.execute(
        "DELETE FROM pull_entities WHERE pull_id IN
           (SELECT id FROM pulls WHERE connection_id = ?1)",
        [connection_id],
    )?;
    conn.execute(
        "DELETE FROM pulls WHERE connection_id = ?1",
        [connection_id],
    )?;
    conn.execute(
        "DELETE FROM record_totals WHERE connection_id = ?1",
        [connection_id],
    )?;
    Ok(n as u64)
}
