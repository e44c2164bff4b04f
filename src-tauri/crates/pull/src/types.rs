//! The values that cross to the UI and the CLI: options, forecast, progress,
//! report, history, record pages, the request chart and export summaries.
//! All are serde types; the ones the window shows also derive `ts_rs::TS`
//! (bindings land in `ui/src/bindings`). Field names of [`PullReport`] and
//! [`Forecast`] are the `zbsetup pull --json` interface (docs/cli.md).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zbs_zoho::{Detail, Entity, ListOrder};

use crate::columns::KeyColumns;
use crate::PullError;

/// Records per entity a sample pull reads unless told otherwise.
pub const DEFAULT_SAMPLE: u32 = 25;

/// What to pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PullOptions {
    /// Entity names (`invoices`, `creditnotes`, `customers`, ...).
    #[serde(default = "Entity::default_selection")]
    pub entities: Vec<Entity>,
    /// Newest records per entity; `null` reads them all.
    #[serde(default = "default_sample")]
    pub sample: Option<u32>,
    /// One detail call per record of a type with line items (invoices and
    /// the like: `Entity::has_line_items`), for its line items.
    #[serde(default)]
    pub line_items: bool,
    /// One detail call per customer, for addresses and contact persons.
    #[serde(default)]
    pub customer_details: bool,
}

fn default_sample() -> Option<u32> {
    Some(DEFAULT_SAMPLE)
}

impl Default for PullOptions {
    fn default() -> Self {
        PullOptions {
            entities: Entity::default_selection(),
            sample: Some(DEFAULT_SAMPLE),
            line_items: false,
            customer_details: false,
        }
    }
}

impl PullOptions {
    /// Entities deduplicated in display order; checks the sample size.
    pub fn normalized(&self) -> Result<PullOptions, PullError> {
        let mut entities = self.entities.clone();
        entities.sort();
        entities.dedup();
        if entities.is_empty() {
            return Err(PullError::InvalidOptions {
                reason: "choose at least one record type",
            });
        }
        if self.sample == Some(0) {
            return Err(PullError::InvalidOptions {
                reason: "the sample size must be at least 1 (or all records)",
            });
        }
        Ok(PullOptions {
            entities,
            ..self.clone()
        })
    }

    /// Whether records of `entity` are read one by one (detail calls).
    pub fn wants_detail(&self, entity: Entity) -> bool {
        match entity.detail() {
            Detail::LineItems => self.line_items,
            Detail::CustomerDetails => self.customer_details,
            Detail::None => false,
        }
    }

    /// The canonical JSON stored with a pull (resume matches on it).
    pub(crate) fn canonical_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Where a pull stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PullState {
    Running,
    Completed,
    Cancelled,
    Failed,
    /// Zoho's daily quota is used up; continues after the reset.
    PausedQuota,
    /// The refresh token is gone; continues after connecting again.
    NeedsReconnect,
    /// Left "running" by a window or `zbsetup` that is gone (closed,
    /// killed, the computer stopped): never stored, read so from a running
    /// row nobody works on. What it pulled is saved; the same pull continues it.
    Interrupted,
}

impl PullState {
    pub fn as_str(self) -> &'static str {
        match self {
            PullState::Running => "running",
            PullState::Completed => "completed",
            PullState::Cancelled => "cancelled",
            PullState::Failed => "failed",
            PullState::PausedQuota => "paused_quota",
            PullState::NeedsReconnect => "needs_reconnect",
            PullState::Interrupted => "interrupted",
        }
    }

    pub(crate) fn parse(s: &str) -> PullState {
        match s {
            "running" => PullState::Running,
            "completed" => PullState::Completed,
            "cancelled" => PullState::Cancelled,
            "paused_quota" => PullState::PausedQuota,
            "needs_reconnect" => PullState::NeedsReconnect,
            "interrupted" => PullState::Interrupted,
            _ => PullState::Failed,
        }
    }
}

impl fmt::Display for PullState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// API calls and time a pull needs (`zbsetup pull --dry-run`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Forecast {
    #[ts(type = "number")]
    pub calls: u64,
    /// At the request budget, from a rested limiter.
    pub seconds: f64,
    /// From the `X-Rate-Limit-*` headers last seen for the organization.
    pub daily_quota_left: Option<u32>,
    /// Before Zoho has reported the quota: what the organization's plan
    /// usually allows a day (Zoho's plan table). Only a first guess: real
    /// organizations differ, and the headers are the truth.
    #[serde(default)]
    pub daily_quota_guess: Option<u32>,
    /// True when totals are unknown ("all" records): the real pull needs more.
    pub lower_bound: bool,
    /// The most calls the pull can take: `calls` to `calls_max` is the
    /// range it falls in (equal when the record counts are known); `None`
    /// when Zoho gives no totals to bound it (a pull of every record).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub calls_max: Option<u64>,
    /// When the record totals it rests on were counted (RFC 3339;
    /// `Puller::count_records`); `null` when it used no count.
    #[serde(default)]
    pub counted_at: Option<String>,
}

/// Records and calls of one entity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EntityReport {
    #[ts(type = "number")]
    pub records: u64,
    #[ts(type = "number")]
    pub calls: u64,
    /// Records Zoho listed without an id (not stored), over the pull's runs.
    #[serde(default)]
    #[ts(type = "number")]
    pub without_id: u64,
    /// The order Zoho listed this type in, as it said
    /// (`"created_time A"`: oldest first by creation); `null` when unknown.
    #[serde(default)]
    pub listed_by: Option<String>,
    /// When Zoho would not list this type in the order the pull asked for,
    /// what that means for the records, in words; `null` otherwise.
    #[serde(default)]
    pub order_note: Option<String>,
}

impl EntityReport {
    /// A report whose order fields follow from the order Zoho listed the
    /// type in (`list_order`, a `ListOrder::code`) and the kind of pull.
    pub fn new(
        entity: Entity,
        records: u64,
        calls: u64,
        without_id: u64,
        list_order: Option<&str>,
        sample: bool,
    ) -> Self {
        let order = list_order.and_then(ListOrder::from_code);
        EntityReport {
            records,
            calls,
            without_id,
            listed_by: order.as_ref().map(ListOrder::code),
            order_note: order.and_then(|o| order_note(entity, &o, sample)),
        }
    }
}

/// What reading `entity` in `order` means for a pull, when it is not the
/// order asked for: a pull of everything asks for oldest first by creation
/// (where records never move while it reads), a sample for newest first.
pub fn order_note(entity: Entity, order: &ListOrder, sample: bool) -> Option<String> {
    let label = entity.label();
    let by = order.column.replace('_', " ");
    if sample {
        return (!order.is_newest_first()).then(|| {
            format!(
                "Zoho would not list {label} newest first, so the sample shows the first ones \
                 in Zoho's own order (by {by})."
            )
        });
    }
    if order.is_oldest_first() {
        None
    } else if order.is_newest_first() {
        Some(format!(
            "Zoho would not list {label} oldest first, so they were read newest first and \
             looked through again from the top for any added while the pull ran."
        ))
    } else {
        Some(format!(
            "Zoho lists {label} by {by} and would not list them by when they were created, so \
             {label} added or renamed while the pull ran may be missing. Pull again to be sure \
             you have them all."
        ))
    }
}

/// A pull's outcome; `zbsetup pull --json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PullReport {
    /// The connection id.
    pub connection: String,
    pub entities: BTreeMap<String, EntityReport>,
    #[ts(type = "number")]
    pub calls: u64,
    #[ts(type = "number")]
    pub http_429: u64,
    pub seconds: f64,
    pub complete: bool,
    #[ts(type = "number")]
    pub pull_id: i64,
    pub organization_id: String,
    pub state: PullState,
    /// Record types Zoho refused to the Zoho user who connected (code 57
    /// although the sign-in is valid); the others were pulled.
    #[serde(default)]
    pub not_permitted: Vec<Entity>,
    /// A warning to show with a finished pull (what was refused, and why).
    #[serde(default)]
    pub message: Option<String>,
}

/// One entity's progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EntityProgress {
    #[ts(type = "number")]
    pub records: u64,
    #[ts(type = "number")]
    pub calls: u64,
    pub done: bool,
    /// Records of the page being read whose details (line items, addresses)
    /// are already fetched, not yet in `records`: they are stored with the
    /// page once all of its details are in.
    #[serde(default)]
    #[ts(type = "number")]
    pub details_fetched: u64,
}

/// Sent while a pull runs: at each stored page and every ~200 ms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Progress {
    #[ts(type = "number")]
    pub pull_id: i64,
    pub connection: String,
    pub entities: BTreeMap<String, EntityProgress>,
    #[ts(type = "number")]
    pub calls: u64,
    #[ts(type = "number")]
    pub http_429: u64,
    /// Requests sent for the organization in the last minute.
    pub requests_last_minute: u32,
    /// The budget, per minute.
    pub limit_per_minute: f64,
    pub elapsed_seconds: f64,
    /// `None` while the total is unknown.
    pub eta_seconds: Option<f64>,
    /// Set while waiting because Zoho asked to slow down.
    pub waiting: Option<String>,
}

/// A row of the pull history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct HistoryRow {
    #[ts(type = "number")]
    pub id: i64,
    pub connection: String,
    pub organization_id: String,
    pub options: PullOptions,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub finished_at: Option<String>,
    pub state: PullState,
    pub entities: BTreeMap<String, EntityReport>,
    #[ts(type = "number")]
    pub calls: u64,
    #[ts(type = "number")]
    pub http_429: u64,
    pub seconds: f64,
    /// When a quota-paused pull can continue (RFC 3339, UTC).
    pub resume_after: Option<String>,
    pub error_code: Option<String>,
    pub message: Option<String>,
    /// Record types Zoho refused to the Zoho user who connected.
    #[serde(default)]
    pub not_permitted: Vec<Entity>,
}

/// Key columns of a stored record, for the preview table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecordRow {
    pub entity: String,
    // Flat in JSON, in this order: entity, zoho_id, label, date, total,
    // status, counterparty, last_modified, pulled_at, detail.
    #[serde(flatten)]
    pub columns: KeyColumns,
    pub pulled_at: String,
    /// The raw record came from a detail call (line items, addresses).
    pub detail: bool,
}

/// A page of the preview and the number of matching records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RecordPage {
    pub rows: Vec<RecordRow>,
    #[ts(type = "number")]
    pub total: u64,
}

/// A preview column to sort by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SortColumn {
    Label,
    #[default]
    Date,
    Total,
    Status,
    Counterparty,
    LastModified,
    PulledAt,
    ZohoId,
}

impl SortColumn {
    pub(crate) fn sql(self) -> &'static str {
        match self {
            SortColumn::Label => "label",
            SortColumn::Date => "date",
            SortColumn::Total => "total",
            SortColumn::Status => "status",
            SortColumn::Counterparty => "counterparty",
            SortColumn::LastModified => "last_modified",
            SortColumn::PulledAt => "pulled_at",
            SortColumn::ZohoId => "zoho_id",
        }
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SortDir {
    Asc,
    #[default]
    Desc,
}

/// Stored records of one entity for a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EntityCount {
    pub entity: String,
    #[ts(type = "number")]
    pub records: u64,
}

/// Requests sent in one minute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RatePoint {
    /// Start of the minute, Unix milliseconds.
    #[ts(type = "number")]
    pub minute_ms: i64,
    pub requests: u32,
}

/// The "requests per minute" chart of an organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RequestSeries {
    pub points: Vec<RatePoint>,
    pub limit_per_minute: f64,
}

/// Daily API calls as Zoho last reported them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QuotaUsage {
    pub daily_limit: Option<u32>,
    pub remaining: Option<u32>,
    pub used: Option<u32>,
    /// When the daily window resets (RFC 3339, UTC).
    pub resets_at: Option<String>,
    /// When Zoho reported these figures (RFC 3339, UTC).
    pub seen_at: String,
}

/// Export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    Csv,
    Json,
}

impl FromStr for ExportFormat {
    type Err = PullError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "json" => Ok(ExportFormat::Json),
            _ => Err(PullError::InvalidOptions {
                reason: "the export format must be csv or json",
            }),
        }
    }
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }
}

/// One file an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportedFile {
    pub entity: String,
    pub path: String,
    #[ts(type = "number")]
    pub records: u64,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportSummary {
    pub format: ExportFormat,
    pub files: Vec<ExportedFile>,
}
