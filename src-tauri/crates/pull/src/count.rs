//! Counting an organization's records, so that the cost of a pull of
//! everything is a figure rather than "at least": each chosen type's list is
//! read at 200 records a page (one call per 200 records, nothing stored but
//! the totals, no detail calls), through the organization's limiter, the
//! tokens of the connection and the quota Zoho reports. The totals are kept
//! per connection (`record_totals`) for [`Puller::forecast`], which every
//! front reads, so the window and `zbsetup pull --dry-run` give one range.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zbs_zoho::books::Entity;

use crate::engine::{Ctx, Puller};
use crate::error::{quota_resets, PullError, QUOTA_USED_UP};
use crate::store::{self, PullRow};
use crate::token::TokenSource;
use crate::types::{PullOptions, PullState};
use crate::CancellationToken;

/// Pages of one type a count reads at most: past 5,000 records the total
/// is kept as "at least" (a pull of that much is not a sample any more).
pub const MAX_COUNT_PAGES: u32 = 25;
/// Records per page when counting (Zoho's largest).
const COUNT_PAGE: u32 = 200;
/// How long counted totals guide forecasts: older ones are not used.
pub const TOTALS_FRESH_FOR: Duration = Duration::from_secs(24 * 3600);

/// One type's total as counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecordTotal {
    pub entity: Entity,
    #[ts(type = "number")]
    pub records: u64,
    /// False when the count stopped before the end of the list (past
    /// [`MAX_COUNT_PAGES`], or Zoho refused a page): at least `records`.
    pub complete: bool,
}

/// What a count found and what it cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecordCount {
    pub totals: Vec<RecordTotal>,
    /// API calls the count made.
    #[ts(type = "number")]
    pub calls: u64,
    /// Why it stopped early, in words; `null` when every list was read.
    pub stopped: Option<String>,
}

/// Totals kept for a connection: `(records, complete)` per type.
pub(crate) type KeptTotals = BTreeMap<Entity, (u64, bool)>;

impl Puller {
    /// Counts the records of `entities` in the organization and keeps the
    /// totals for the connection. Its calls are made as a pull's are (the
    /// organization's limiter, a new token on expiry, Zoho's per-minute
    /// limit waited out, fewer calls at once when it has too many in
    /// progress, each call in the request log). Stops at the first refusal
    /// (the totals counted so far are kept, the rest stay unknown), and at
    /// once when Zoho says the day's calls are used up.
    pub async fn count_records(
        &self,
        connection_id: &str,
        organization_id: &str,
        entities: &[Entity],
        tokens: Arc<dyn TokenSource>,
        cancel: CancellationToken,
    ) -> Result<RecordCount, PullError> {
        let mut count = RecordCount {
            totals: Vec::new(),
            calls: 0,
            stopped: None,
        };
        let row = counting_row(connection_id, organization_id, entities);
        let calls = match self.calls_outside_pull(&row, tokens, &cancel).await {
            Ok(calls) => calls,
            Err(e) => {
                count.stopped = Some(stopped_by(&e));
                return Ok(count);
            }
        };
        for &entity in entities {
            match self.count_type(&calls, entity).await? {
                Ok(total) => {
                    self.keep_total(connection_id, entity, total.records, total.complete)?;
                    count.totals.push(total);
                }
                Err(why) => {
                    count.stopped = Some(why);
                    break;
                }
            }
        }
        count.calls = calls.totals().calls;
        tracing::info!(
            calls = count.calls,
            types = count.totals.len(),
            stopped = count.stopped.is_some(),
            "records counted"
        );
        Ok(count)
    }

    /// Reads one type's list to its end (or [`MAX_COUNT_PAGES`]): its
    /// total, or why the count stopped, in words.
    async fn count_type(
        &self,
        calls: &Ctx<'_>,
        entity: Entity,
    ) -> Result<Result<RecordTotal, String>, PullError> {
        let mut records = 0u64;
        for page in 1..=MAX_COUNT_PAGES {
            let listed = calls.list_of(entity, page, COUNT_PAGE, &[]).await;
            calls.log_calls()?;
            let listed = match listed {
                Ok(listed) => listed,
                Err(e) => return Ok(Err(stopped_by(&e))),
            };
            records += listed.records.len() as u64;
            if !listed.has_more {
                return Ok(Ok(RecordTotal {
                    entity,
                    records,
                    complete: true,
                }));
            }
        }
        Ok(Ok(RecordTotal {
            entity,
            records,
            complete: false,
        }))
    }

    /// The totals counted for a connection, and when (RFC 3339) the latest
    /// was counted.
    pub(crate) fn kept_totals(
        &self,
        connection_id: &str,
    ) -> Result<(KeptTotals, Option<String>), PullError> {
        let conn = self.db.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT entity, records, complete, counted_at_ms FROM record_totals
             WHERE connection_id = ?1 AND counted_at_ms >= ?2",
        )?;
        let fresh_from = store::now_ms() - i64::try_from(TOTALS_FRESH_FOR.as_millis()).unwrap_or(0);
        let mut totals = KeptTotals::new();
        let mut latest: Option<i64> = None;
        for row in stmt.query_map(params![connection_id, fresh_from], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })? {
            let (entity, records, complete, at) = row?;
            if let Ok(entity) = entity.parse::<Entity>() {
                totals.insert(entity, (u64::try_from(records).unwrap_or(0), complete));
                latest = Some(latest.map_or(at, |l| l.max(at)));
            }
        }
        Ok((totals, latest.map(store::ms_to_rfc3339)))
    }

    fn keep_total(
        &self,
        connection_id: &str,
        entity: Entity,
        records: u64,
        complete: bool,
    ) -> Result<(), PullError> {
        self.db.lock().execute(
            "INSERT INTO record_totals (connection_id, entity, records, complete, counted_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (connection_id, entity) DO UPDATE SET records = excluded.records,
               complete = excluded.complete, counted_at_ms = excluded.counted_at_ms",
            params![
                connection_id,
                entity.name(),
                i64::try_from(records).unwrap_or(i64::MAX),
                complete,
                store::now_ms()
            ],
        )?;
        Ok(())
    }
}

/// The pull-like row a count's calls are made for: no pull of its own.
fn counting_row(connection_id: &str, organization_id: &str, entities: &[Entity]) -> PullRow {
    PullRow {
        id: 0,
        connection_id: connection_id.to_owned(),
        organization_id: organization_id.to_owned(),
        options: PullOptions {
            entities: entities.to_vec(),
            sample: None,
            line_items: false,
            customer_details: false,
        },
        state: PullState::Running,
        calls: 0,
        http_429: 0,
        seconds: 0.0,
        checkpoints: Vec::new(),
        message: None,
        not_permitted: Vec::new(),
    }
}

/// Why a count stopped, in words: the daily quota as a pull names it, with
/// when to count again.
fn stopped_by(e: &PullError) -> String {
    match e {
        PullError::QuotaExhausted { resume_after, .. } => format!(
            "{QUOTA_USED_UP}, so the count stopped there: count again {}.",
            quota_resets(*resume_after)
        ),
        PullError::Cancelled { .. } => "The count was stopped.".into(),
        PullError::RateLimited { .. } => "Zoho kept asking to slow down, so the count stopped; count again in a few minutes.".into(),
        PullError::NotPermitted { .. } => "Zoho refused to list one of the record types to the Zoho user who connected, so the count stopped there.".into(),
        PullError::ReconnectNeeded { .. } => "Zoho no longer accepts this connection's sign-in, so the count stopped: connect the organization again, then count again.".into(),
        PullError::Disconnected { .. } => "The connection was disconnected, so the count stopped.".into(),
        PullError::Zoho { source, .. } => format!("{source} The count stopped there."),
        PullError::Token { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}
