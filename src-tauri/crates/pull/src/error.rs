//! The one error type of this crate, [`PullError`]: a stable [`PullError::code`]
//! for the UI and scripts, and a plain-language message for a person who is
//! not a developer. Messages never contain a token, a secret or a record body.
//! Failures of the Books API keep their [`zbs_zoho::BooksError`] (itself
//! token-free) as the source.

use time::OffsetDateTime;
use zbs_codes::Code;
use zbs_zoho::{BooksError, Entity};

use crate::token::TokenError;

/// Why a pull (or a query of its results) did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum PullError {
    #[error("The request budget \"{value}\" is not valid: write it as <requests>/<seconds>s, for example 100/60s.")]
    InvalidRateLimit { value: String },
    #[error("The pull settings are not valid: {reason}.")]
    InvalidOptions { reason: &'static str },
    #[error("A pull of this organization is already running (in this window or in zbsetup). Wait for it to finish or stop it, then try again.")]
    AlreadyRunning,
    #[error("{}", elsewhere_message(.data_folder.as_deref()))]
    RunningElsewhere { data_folder: Option<String> },
    #[error("Zoho Books Setup could not use its lock folder {path} ({detail}). It keeps two pulls of one organization from running at once on this computer. Make it a folder of yours that only you can change (for example: mkdir -p that folder, then chmod 700 it), then try again.")]
    LockFolder { path: String, detail: String },
    #[error("{}", quota_message(*.resume_after))]
    QuotaExhausted {
        pull_id: i64,
        resume_after: Option<OffsetDateTime>,
    },
    #[error("Zoho no longer accepts this connection's sign-in. The pull is saved: connect the organization again, then continue the pull.")]
    ReconnectNeeded { pull_id: i64 },
    #[error(
        "The pull was stopped. What was pulled so far is saved and the pull can continue later."
    )]
    Cancelled { pull_id: i64 },
    #[error("The connection was disconnected, so the pull stopped and everything it had pulled was deleted. Connect the organization again to pull from it.")]
    Disconnected { pull_id: i64 },
    #[error("Zoho kept saying more records follow but sent only records it had already sent, so the pull stopped to spare the organization's daily API calls. What was pulled is saved: try again later, or pull a sample instead of every record.")]
    EndlessPages { pull_id: i64 },
    /// A list went on past what a run reads of one record type.
    #[error("{}", too_many_pages_message(*.entity, *.records, *.cap))]
    TooManyPages {
        pull_id: i64,
        entity: Entity,
        records: u64,
        cap: PageCap,
    },
    /// Zoho refused every chosen record type to the Zoho user who connected.
    #[error("{}", not_permitted_message(entities))]
    NotPermitted { pull_id: i64, entities: Vec<Entity> },
    #[error("Zoho kept refusing requests because too many were made. The pull is saved: wait a few minutes and continue it.")]
    RateLimited { pull_id: i64 },
    #[error("{source} The pull is saved and can continue later.")]
    Zoho {
        pull_id: i64,
        #[source]
        source: BooksError,
    },
    /// No access token could be had; the cause keeps its own code.
    #[error("{source} The pull is saved and can continue later.")]
    Token {
        pull_id: i64,
        #[source]
        source: TokenError,
    },
    #[error("The settings file is not ready for pulls yet. Start Zoho Books Setup (or any zbsetup command) once, then try again.")]
    NotPrepared,
    #[error("No pull with number {pull_id} was found.")]
    UnknownPull { pull_id: i64 },
    #[error("Zoho Books Setup could not use its settings file ({detail}). Check that the disk is not full and the data folder is writable.")]
    Database { detail: String },
    #[error("The disk that holds Zoho Books Setup's data is full. What was pulled so far is saved: free some space (or pull fewer records), then continue the pull.")]
    DiskFull,
    #[error("Zoho Books Setup's data folder has become read-only. What was pulled so far is saved: make the folder writable again, then continue the pull.")]
    ReadOnly,
    #[error("The export could not be written to {path} ({detail}). Check that the folder exists and is writable.")]
    Export { path: String, detail: String },
    #[error("Nothing was exported: {path} is already there, and an export never replaces a file. Export into a new or empty folder, or move that file away, then export again.")]
    ExportFileExists { path: String },
}

impl PullError {
    /// Stable code for the UI and scripts.
    pub fn code(&self) -> Code {
        match self {
            PullError::InvalidRateLimit { .. } => Code::InvalidRateLimit,
            PullError::InvalidOptions { .. } => Code::InvalidOptions,
            PullError::AlreadyRunning => Code::AlreadyRunning,
            PullError::RunningElsewhere { .. } => Code::AlreadyRunningElsewhere,
            PullError::LockFolder { .. } => Code::LockFolder,
            PullError::QuotaExhausted { .. } => Code::QuotaExhausted,
            PullError::ReconnectNeeded { .. } => Code::ReconnectNeeded,
            PullError::Cancelled { .. } => Code::Cancelled,
            PullError::Disconnected { .. } => Code::ConnectionRemoved,
            PullError::EndlessPages { .. } | PullError::TooManyPages { .. } => Code::EndlessPages,
            PullError::RateLimited { .. } => Code::RateLimited,
            PullError::NotPermitted { .. } => Code::NotPermitted,
            PullError::Zoho {
                source: BooksError::TooSlow,
                ..
            } => Code::TooSlow,
            PullError::Zoho { .. } => Code::ZohoError,
            PullError::Token { source, .. } => source.code(),
            PullError::NotPrepared => Code::DatabaseNotPrepared,
            PullError::UnknownPull { .. } => Code::UnknownPull,
            PullError::Database { .. } => Code::Database,
            PullError::DiskFull => Code::DiskFull,
            PullError::ReadOnly => Code::DataFolderReadOnly,
            PullError::Export { .. } | PullError::ExportFileExists { .. } => Code::ExportFailed,
        }
    }

    /// The pull this error stopped, when one was started.
    pub fn pull_id(&self) -> Option<i64> {
        match self {
            PullError::QuotaExhausted { pull_id, .. }
            | PullError::ReconnectNeeded { pull_id }
            | PullError::Cancelled { pull_id }
            | PullError::Disconnected { pull_id }
            | PullError::EndlessPages { pull_id }
            | PullError::TooManyPages { pull_id, .. }
            | PullError::RateLimited { pull_id }
            | PullError::NotPermitted { pull_id, .. }
            | PullError::Zoho { pull_id, .. }
            | PullError::Token { pull_id, .. } => Some(*pull_id),
            _ => None,
        }
    }

    /// The history state a pull stopped by this error is left in.
    pub(crate) fn state(&self) -> crate::types::PullState {
        use crate::types::PullState;
        match self {
            PullError::QuotaExhausted { .. } => PullState::PausedQuota,
            PullError::ReconnectNeeded { .. } => PullState::NeedsReconnect,
            PullError::Cancelled { .. } => PullState::Cancelled,
            _ => PullState::Failed,
        }
    }

    pub(crate) fn with_pull_id(self, id: i64) -> Self {
        match self {
            PullError::QuotaExhausted { resume_after, .. } => PullError::QuotaExhausted {
                pull_id: id,
                resume_after,
            },
            PullError::ReconnectNeeded { .. } => PullError::ReconnectNeeded { pull_id: id },
            PullError::Cancelled { .. } => PullError::Cancelled { pull_id: id },
            PullError::Disconnected { .. } => PullError::Disconnected { pull_id: id },
            PullError::EndlessPages { .. } => PullError::EndlessPages { pull_id: id },
            PullError::TooManyPages {
                entity,
                records,
                cap,
                ..
            } => PullError::TooManyPages {
                pull_id: id,
                entity,
                records,
                cap,
            },
            PullError::RateLimited { .. } => PullError::RateLimited { pull_id: id },
            PullError::NotPermitted { entities, .. } => PullError::NotPermitted {
                pull_id: id,
                entities,
            },
            PullError::Zoho { source, .. } => PullError::Zoho {
                pull_id: id,
                source,
            },
            PullError::Token { source, .. } => PullError::Token {
                pull_id: id,
                source,
            },
            other => other,
        }
    }
}

impl From<rusqlite::Error> for PullError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => PullError::DiskFull,
            Some(rusqlite::ErrorCode::ReadOnly) => PullError::ReadOnly,
            _ => PullError::Database {
                detail: e.to_string(),
            },
        }
    }
}

/// "Another pull of this organization is already running on this computer ..."
fn elsewhere_message(data_folder: Option<&str>) -> String {
    let from = match data_folder {
        Some(folder) => format!(", from the data folder {folder}"),
        None => ", from another data folder".to_owned(),
    };
    format!(
        "Another pull of this organization is already running on this computer{from}. Zoho \
         allows each organization only so many requests a minute, so one pull of it runs at a \
         time: wait for that pull to finish (or stop it), then pull again."
    )
}

/// The start of every message about the day's quota, a pull's or a count's.
pub const QUOTA_USED_UP: &str = "Zoho's daily limit of API calls for this organization is used up";

/// "Zoho's daily limit ... can continue after 14:30 UTC (in about 3 hours)."
fn quota_message(resume_after: Option<OffsetDateTime>) -> String {
    format!(
        "{QUOTA_USED_UP}. The pull is saved and can continue {}.",
        quota_resets(resume_after)
    )
}

/// When the day's quota comes back: "after 14:30 UTC, when the limit resets
/// at midnight in the organization's time zone (in about 3 hours)", or
/// "tomorrow" when Zoho did not say.
pub fn quota_resets(resume_after: Option<OffsetDateTime>) -> String {
    let Some(at) = resume_after else {
        return "tomorrow".into();
    };
    let wait = at - OffsetDateTime::now_utc();
    let minutes = wait.whole_minutes().max(1);
    let within = if minutes < 90 {
        format!(
            "in about {minutes} minute{}",
            if minutes == 1 { "" } else { "s" }
        )
    } else {
        let hours = (minutes + 30) / 60;
        format!("in about {hours} hours")
    };
    format!(
        "after {:02}:{:02} UTC, when the limit resets at midnight in the organization's time \
         zone ({within})",
        at.hour(),
        at.minute()
    )
}

/// Why a run stopped reading one record type's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageCap {
    /// More pages than an organization plausibly holds.
    Plausible { pages: u32 },
    /// More list calls than a share of the organization's daily quota.
    Quota { calls: u64, limit: u64 },
}

fn too_many_pages_message(entity: Entity, records: u64, cap: PageCap) -> String {
    let label = entity.label();
    let why = match cap {
        PageCap::Plausible { pages } => {
            format!("more than {pages} pages, past what an organization plausibly holds")
        }
        PageCap::Quota { calls, limit } => format!(
            "{calls} pages, as many API calls as half of the organization's {limit} a day, which \
             its other integrations share"
        ),
    };
    format!(
        "Zoho kept sending new {label} page after page ({records} records so far): the list went \
         on for {why}, so the pull stopped there to spare the organization's daily API calls. \
         What was pulled is saved. Zoho's paging of {label} is probably not ending: pull a \
         sample instead, or try again later."
    )
}

/// What to tell a person when Zoho refused `entities` to the Zoho user who
/// connected although the sign-in is valid (code 57): a role problem.
pub fn not_permitted_message(entities: &[Entity]) -> String {
    let names: Vec<&str> = entities.iter().map(|e| e.label()).collect();
    let list = match names.as_slice() {
        [] => "these records".to_owned(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    format!(
        "Zoho did not let the Zoho user who connected read {list}, although the sign-in is \
         valid: that user's role in Zoho Books does not allow it. Ask an admin of the \
         organization to give that user a role that can view {list} (in Zoho Books: Settings, \
         Users & Roles), or connect again with a user who can, then pull again."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_message_names_time_and_wait() {
        let at = OffsetDateTime::now_utc() + time::Duration::hours(3);
        let e = PullError::QuotaExhausted {
            pull_id: 1,
            resume_after: Some(at),
        };
        let text = e.to_string();
        assert!(text.contains("daily limit"), "{text}");
        assert!(text.contains(&format!("{:02}:{:02} UTC", at.hour(), at.minute())));
        assert!(text.contains("in about 3 hours"), "{text}");
        assert_eq!(e.code(), Code::QuotaExhausted);
        let none = PullError::QuotaExhausted {
            pull_id: 1,
            resume_after: None,
        };
        assert!(none.to_string().contains("tomorrow"));
    }
}
