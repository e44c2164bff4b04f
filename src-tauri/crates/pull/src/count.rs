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
use zbs_zoho::books::{BooksClient, BooksError, Entity, RateInfo, Throttle};

use crate::engine::Puller;
use crate::error::PullError;
use crate::store;
use crate::token::TokenSource;
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

/// One count's organization, limiter, tokens and calls so far.
struct CountRun<'a> {
    organization_id: &'a str,
    limiter: Arc<crate::limiter::OrgLimiter>,
    tokens: Arc<dyn TokenSource>,
    grant: crate::token::AccessGrant,
    cancel: CancellationToken,
    calls: u64,
}

/// Totals kept for a connection: `(records, complete)` per type.
pub(crate) type KeptTotals = BTreeMap<Entity, (u64, bool)>;

impl Puller {
    /// Counts the records of `entities` in the organization and keeps the
    /// totals for the connection. Stops at the first refusal (the totals
    /// counted so far are kept, the rest stay unknown), and at once when
    /// Zoho says the day's calls are used up.
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
        let grant = match tokens.access_token(false).await {
            Ok(g) => g,
            Err(e) => {
                count.stopped = Some(e.to_string());
                return Ok(count);
            }
        };
        let mut run = CountRun {
            organization_id,
            limiter: self.limiter_for(organization_id, self.budget().window()),
            tokens,
            grant,
            cancel,
            calls: 0,
        };
        for &entity in entities {
            match self.count_type(&mut run, entity).await? {
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
        count.calls = run.calls;
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
        run: &mut CountRun<'_>,
        entity: Entity,
    ) -> Result<Result<RecordTotal, String>, PullError> {
        let org = run.organization_id;
        let mut records = 0u64;
        let mut refreshed = false;
        let mut page = 1;
        while page <= MAX_COUNT_PAGES {
            let Ok(_slot) = run.limiter.acquire(&run.cancel).await else {
                return Ok(Err("The count was stopped.".into()));
            };
            run.calls += 1;
            self.log_send(org)?;
            let client = match BooksClient::new(&run.grant.api_domain) {
                Ok(c) => c,
                Err(e) => return Ok(Err(e.to_string())),
            };
            let answer = client
                .list(&run.grant.token, org, entity, page, COUNT_PAGE, &[])
                .await;
            match answer {
                Ok(listed) => {
                    self.note_quota(org, listed.rate)?;
                    run.limiter.succeeded();
                    records += listed.records.len() as u64;
                    if !listed.has_more {
                        return Ok(Ok(RecordTotal {
                            entity,
                            records,
                            complete: true,
                        }));
                    }
                    page += 1;
                }
                // Expired: one new token, and the same page again.
                Err(BooksError::Unauthorized) if !refreshed => {
                    refreshed = true;
                    match run.tokens.access_token(true).await {
                        Ok(g) => run.grant = g,
                        Err(e) => return Ok(Err(e.to_string())),
                    }
                }
                Err(e) => {
                    if let BooksError::RateLimited { rate, limit } = &e {
                        self.note_quota(org, *rate)?;
                        if *limit == Throttle::Minute {
                            run.limiter.throttled(self.budget().window());
                        }
                    }
                    return Ok(Err(stopped_by(&e)));
                }
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

    fn log_send(&self, organization_id: &str) -> Result<(), PullError> {
        store::log_sends(&self.db.lock(), organization_id, &[store::now_ms()])
    }

    fn note_quota(&self, organization_id: &str, rate: RateInfo) -> Result<(), PullError> {
        store::save_rate(&self.db.lock(), organization_id, rate, store::now_ms())
    }
}

/// Why a count stopped, in words.
fn stopped_by(e: &BooksError) -> String {
    match e {
        BooksError::RateLimited {
            limit: Throttle::Day,
            ..
        } => "Zoho says the organization's API calls for today are used up, so the count stopped; the totals not counted stay unknown.".into(),
        BooksError::RateLimited { .. } => "Zoho asked to slow down, so the count stopped; count again in a minute.".into(),
        BooksError::Unauthorized => "Zoho refused to list one of the record types to the Zoho user who connected, so the count stopped there.".into(),
        other => format!("{other} The count stopped there."),
    }
}
