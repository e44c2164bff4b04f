//! # zbs-pull: throttled, resumable sample pulls from Zoho Books
//!
//! The window, `zbsetup pull` / `export` and the tests all drive this crate
//! the same way; it knows nothing of Tauri. Layout:
//!
//! - [`budget`]: the request budget (`ZBSETUP_RATE_LIMIT`, default `100/60s`)
//!   and the pacing derived from it;
//! - [`limiter`]: per-organization GCRA + sliding guard + concurrency cap in a
//!   process-wide [`LimiterRegistry`] (the proof that no window overruns the
//!   budget is in its docs);
//! - [`token`]: [`TokenSource`], how a pull gets access tokens (the setup
//!   crate implements it for stored connections);
//! - [`engine`]: [`Puller`]: `run` / `resume` a pull, with retries, the
//!   cross-process lock, checkpoints and progress;
//! - [`request`]: what one run is asked: [`PullRequest`] and its
//!   [`PullControls`] (progress, cancel, a cap on calls);
//! - [`machine`]: the machine-wide lock of an organization (one pull of it
//!   at a time on this computer, whatever the data folder or environment);
//! - [`KeyColumns`]: what is kept of each record beside its JSON (number or
//!   name, date, total, status, counterparty), read per entity;
//! - `store`: the pull tables: their schema ([`MIGRATIONS`], applied by the
//!   setup crate with its own) and their SQL; `results`: counts, preview pages, raw
//!   records, history, request chart, quota, forecast; [`export`]: CSV/JSON;
//! - [`types`]: what crosses to the UI (ts-rs bindings in `ui/src/bindings`).
//!
//! ```no_run
//! # async fn demo(db: &std::path::Path, tokens: std::sync::Arc<dyn zbs_pull::TokenSource>) -> Result<(), zbs_pull::PullError> {
//! use zbs_pull::{LimiterRegistry, PullOptions, PullRequest, Puller, RateBudget};
//! let puller = Puller::new(db, LimiterRegistry::new(), RateBudget::from_env()?)?;
//! let options = PullOptions::default(); // invoices, credit notes, customers; 25 each
//! let forecast = puller.forecast("conn-1", "775501234", &options, None)?;
//! let request = PullRequest::new("conn-1", "775501234", &options, tokens)
//!     .progress(|p| println!("{} calls", p.calls));
//! let report = puller.run(request).await?;
//! println!("{}", serde_json::to_string(&report).unwrap_or_default());
//! # let _ = forecast; Ok(()) }
//! ```
//!
//! Errors are one enum, [`PullError`], with stable codes and messages for
//! people; nothing here logs or stores a token or a record body in logs.

pub mod budget;
mod columns;
pub mod count;
pub mod engine;
mod error;
pub mod export;
pub mod limiter;
pub mod machine;
pub mod request;
mod results;
mod store;
pub mod token;
pub mod types;

pub use budget::{RateBudget, RATE_LIMIT_ENV};
pub use columns::KeyColumns;
pub use count::{RecordCount, RecordTotal, MAX_COUNT_PAGES};
pub use engine::{
    next_midnight, Puller, PullerConfig, RetryConfig, FRESH_TOKEN, MAX_PAGES, STALE_PAGES,
};
pub use error::{not_permitted_message, PageCap, PullError};
pub use limiter::{LimiterRegistry, OrgLimiter, DEFAULT_CONCURRENCY};
pub use request::{PullControls, PullRequest};
pub use results::{forget_connection, MAX_PAGE_ROWS};
pub use store::{ConnectionCheck, BUSY_TIMEOUT, MIGRATIONS, NO_PULL, REQUEST_LOG_MAX};
pub use token::{AccessGrant, StaticToken, TokenError, TokenSource};
pub use tokio_util::sync::CancellationToken;
pub use types::*;
pub use zbs_zoho::Entity;
