//! The pull engine: [`Puller`] runs (or resumes) a pull of one connection.
//!
//! Every entity is read concurrently (all within the organization's
//! [`OrgLimiter`]: budget and concurrency cap), page by page from its
//! checkpoint. Each page (with its detail calls, when asked for) is upserted
//! together with the new checkpoint in one SQLite transaction, so a pull
//! killed at any moment resumes with nothing missed and nothing duplicated.
//! Zoho pages by offset, and each module has its own default order (by
//! name, by date, newest first), in which records added or edited during a
//! pull move and so are skipped or repeated. A pull of everything therefore
//! asks for oldest first by creation (`ListOrder::OLDEST_FIRST`), where new
//! records come last and edits keep their place, and checks `page_context`
//! for the order Zoho used. Where Zoho will not list a type that way (the
//! chart of accounts keeps its own order; purchase orders were recorded
//! answering newest first), pages may repeat rows (the upsert absorbs
//! them), the list is looked through again from page 1 until a page holds
//! nothing new, and the pull's report says what that order means
//! (`EntityReport::order_note`). A sample asks for the newest records.
//! Memory stays flat: one page per entity at a time.
//!
//! Failures, by Zoho's documented throttling codes (all HTTP 429, no
//! Retry-After): code 44 (the minute) pauses the organization for a random
//! part of the window and shrinks concurrency; code 1070 (too many in
//! flight) lowers the concurrency for the rest of the run and sends again;
//! both a bounded number of times. Code 45 (the day's quota, also known by
//! `X-Rate-Limit-Remaining: 0`) stops the pull as `paused_quota` until the
//! reset: from the headers when they came, else the organization's
//! midnight. 5xx, timeouts, dropped connections and cut-off JSON are
//! retried with full jitter, bounded. A 401 on a token older than
//! [`FRESH_TOKEN`] is an expiry: a new token is asked for and the call sent
//! again, as often as the run needs (one refresh at a time); a 401 on a
//! token minted moments ago means Zoho refuses the module to the user.
//! "Reconnect needed" stops the pull as `needs_reconnect` without a retry
//! loop.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, StreamExt};
use rand::Rng;
use secrecy::SecretString;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;
use url::Url;
use zbs_zoho::books::{
    BooksClient, BooksError, Entity, ListOrder, RateInfo, Record, Throttle, MAX_PER_PAGE,
};
use zbs_zoho::retry::{backoff, full_jitter};

use crate::budget::RateBudget;
use crate::error::not_permitted_message;
use crate::limiter::{LimiterRegistry, OrgLimiter};
use crate::machine::{self, MachineLock};
use crate::request::{PullControls, PullRequest};
use crate::store::{
    self, Checkpoint, ConnectionCheck, Db, PageCommit, Phase, Prepared, PullRow, Totals,
};
use crate::token::{AccessGrant, TokenError, TokenSource};
use crate::types::{EntityProgress, EntityReport, Progress, PullOptions, PullReport, PullState};
use crate::PullError;

/// 401s one call may meet before the module is taken as refused (each
/// one after a refresh that did not help).
const MAX_401_PER_CALL: u32 = 3;

/// Pages in a row that bring nothing new (while Zoho says more follow)
/// before a pull stops: Zoho is repeating itself.
pub const STALE_PAGES: u32 = 3;

/// No record type of an organization plausibly has more pages than this
/// (200,000 records at 200 a page; Zoho Books serves small and mid-sized
/// businesses): a list still going past it is Zoho's paging not ending, and
/// following it would spend the organization's daily quota, which its
/// other integrations share.
pub const MAX_PAGES: u32 = 1_000;

/// The share of the organization's daily quota (as Zoho's headers give it)
/// one record type's list may take in a run: past it the list is taken
/// for endless, leaving the rest of the day to the other integrations.
pub const MAX_QUOTA_SHARE_PER_LIST: f64 = 0.5;

/// A list is never cut short for the quota before this many pages (10,000
/// records): below it, the quota's own answer (code 45) is the limit.
pub const MIN_PAGES_BEFORE_SHARE: u64 = 50;

/// Bounded retries with full jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    /// Attempts of one call on 5xx, timeouts, dropped connections, bad JSON.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Attempts of one call on HTTP 429 (each waits a random part of the window).
    pub max_429_attempts: u32,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_429_attempts: 8,
        }
    }
}

impl RetryConfig {
    fn delay(&self, attempt: u32) -> Duration {
        backoff(self.base_delay, self.max_delay, attempt)
    }
}

/// Knobs of a [`Puller`]; the defaults suit Zoho.
#[derive(Debug, Clone)]
pub struct PullerConfig {
    /// Records per list page (Zoho serves at most 200).
    pub page_size: u32,
    pub retry: RetryConfig,
    /// Progress is sent at most this often (and at each page).
    pub progress_every: Duration,
    /// How often a running pull refreshes its lock.
    pub heartbeat_every: Duration,
    /// A lock whose heartbeat is older than this is stale.
    pub stale_after: Duration,
    /// Timeout of one API call.
    pub request_timeout: Duration,
    /// After this long without an answer, progress says Zoho is slow.
    pub slow_after: Duration,
    /// Pages of one record type a run reads at most ([`MAX_PAGES`]; lower
    /// only in tests).
    pub max_pages: u32,
    /// A token Zoho refuses within this long of its minting is not taken
    /// for expired ([`FRESH_TOKEN`]; shorter only where tests give tokens
    /// lifetimes of seconds).
    pub fresh_token: Duration,
    /// The folder of the machine-wide organization locks
    /// ([`machine::lock_dir`]); `None` when none could be found (pulls are
    /// then refused, saying so).
    pub lock_dir: Option<PathBuf>,
}

impl Default for PullerConfig {
    fn default() -> Self {
        PullerConfig {
            page_size: MAX_PER_PAGE,
            retry: RetryConfig::default(),
            progress_every: Duration::from_millis(200),
            heartbeat_every: Duration::from_secs(5),
            stale_after: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            slow_after: Duration::from_secs(5),
            fresh_token: FRESH_TOKEN,
            max_pages: MAX_PAGES,
            lock_dir: machine::lock_dir(),
        }
    }
}

/// Runs pulls against one SQLite file. Cheap to share behind an `Arc`.
pub struct Puller {
    pub(crate) db: Db,
    registry: LimiterRegistry,
    budget: RateBudget,
    config: PullerConfig,
    owner: String,
    held: HeldLocks,
    running: Arc<Mutex<HashSet<String>>>,
    connection_check: Option<ConnectionCheck>,
}

impl std::fmt::Debug for Puller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Puller")
            .field("db", &self.db.path())
            .field("budget", &self.budget)
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Organization locks this puller holds: how many runs use each, its
/// heartbeat task and the machine-wide lock that goes with it.
type HeldLocks = Arc<Mutex<HashMap<String, HeldLock>>>;
type HeldLock = (usize, tokio::task::JoinHandle<()>, Option<MachineLock>);

struct ConnectionClaim {
    running: Arc<Mutex<HashSet<String>>>,
    connection_id: String,
}

impl Drop for ConnectionClaim {
    fn drop(&mut self) {
        lock(&self.running).remove(&self.connection_id);
    }
}

struct OrgLock {
    db: Db,
    held: HeldLocks,
    organization_id: String,
    owner: String,
}

impl Drop for OrgLock {
    fn drop(&mut self) {
        let mut held = lock(&self.held);
        let last = match held.get_mut(&self.organization_id) {
            Some((n, _, _)) => {
                *n -= 1;
                *n == 0
            }
            None => false,
        };
        if last {
            // The machine-wide lock goes with the entry.
            if let Some((_, beat, _)) = held.remove(&self.organization_id) {
                beat.abort();
            }
            if let Err(e) = store::unlock(&self.db.lock(), &self.organization_id, &self.owner) {
                tracing::warn!(code = %e.code(), "could not release the pull lock");
            }
        }
    }
}

impl Puller {
    /// Opens its own connection to the database at `db_path` (made and
    /// migrated by the setup crate). `registry` should be the process's one.
    pub fn new(
        db_path: &Path,
        registry: LimiterRegistry,
        budget: RateBudget,
    ) -> Result<Puller, PullError> {
        Ok(Puller {
            db: Db::open(db_path)?,
            registry,
            budget,
            config: PullerConfig::default(),
            owner: format!(
                "{}-{:016x}",
                std::process::id(),
                rand::thread_rng().gen::<u64>()
            ),
            held: Arc::default(),
            running: Arc::default(),
            connection_check: None,
        })
    }

    /// Replaces the defaults of [`PullerConfig`].
    pub fn with_config(mut self, config: PullerConfig) -> Self {
        self.config = PullerConfig {
            page_size: config.page_size.clamp(1, MAX_PER_PAGE),
            ..config
        };
        self
    }

    /// Asks `check` inside the transaction of every write of a pull whether
    /// its connection still exists; a pull whose connection is gone stops
    /// with [`PullError::Disconnected`] and writes nothing more.
    pub fn with_connection_check(mut self, check: ConnectionCheck) -> Self {
        self.connection_check = Some(check);
        self
    }

    pub fn budget(&self) -> RateBudget {
        self.budget
    }

    pub fn registry(&self) -> &LimiterRegistry {
        &self.registry
    }

    /// The organization's limiter in this process, seeded with the sends
    /// of the last `window` from the request log when it is made.
    pub(crate) fn limiter_for(&self, organization_id: &str, window: Duration) -> Arc<OrgLimiter> {
        self.registry.limiter(organization_id, self.budget, || {
            store::recent_sends(&self.db.lock(), organization_id, window).unwrap_or_default()
        })
    }

    /// How old a pull lock's heartbeat may be before nobody holds it.
    pub(crate) fn stale_after(&self) -> Duration {
        self.config.stale_after
    }

    pub(crate) fn page_size(&self) -> u32 {
        self.config.page_size
    }

    fn claim(&self, connection_id: &str) -> Result<ConnectionClaim, PullError> {
        if !lock(&self.running).insert(connection_id.to_owned()) {
            return Err(PullError::AlreadyRunning);
        }
        Ok(ConnectionClaim {
            running: self.running.clone(),
            connection_id: connection_id.to_owned(),
        })
    }

    /// Locks the organization for a run: in this data folder (the
    /// `pull_locks` row), then on this computer (the machine-wide lock of
    /// the organization at `api_domain`).
    fn lock_org(
        &self,
        organization_id: &str,
        api_domain: Option<Url>,
    ) -> Result<OrgLock, PullError> {
        let mut held = lock(&self.held);
        let guard = || OrgLock {
            db: self.db.clone(),
            held: self.held.clone(),
            organization_id: organization_id.to_owned(),
            owner: self.owner.clone(),
        };
        if let Some((n, _, _)) = held.get_mut(organization_id) {
            *n += 1;
            return Ok(guard());
        }
        let got = store::try_lock(
            &mut self.db.lock(),
            organization_id,
            &self.owner,
            self.config.stale_after,
        )?;
        if !got {
            return Err(PullError::AlreadyRunning);
        }
        let machine = match self.lock_machine(organization_id, api_domain) {
            Ok(m) => m,
            Err(e) => {
                if let Err(u) = store::unlock(&self.db.lock(), organization_id, &self.owner) {
                    tracing::warn!(code = %u.code(), "could not release the pull lock");
                }
                return Err(e);
            }
        };
        let db = self.db.clone();
        let org = organization_id.to_owned();
        let owner = self.owner.clone();
        let every = self.config.heartbeat_every;
        let beat = tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let (org, owner) = (org.clone(), owner.clone());
                if let Err(e) = db.call(move |c| store::heartbeat(c, &org, &owner)).await {
                    tracing::warn!(code = %e.code(), "pull lock heartbeat failed");
                }
            }
        });
        held.insert(organization_id.to_owned(), (1, beat, machine));
        Ok(guard())
    }

    /// The machine-wide lock of the organization (none when the API domain
    /// is not known).
    fn lock_machine(
        &self,
        organization_id: &str,
        api_domain: Option<Url>,
    ) -> Result<Option<MachineLock>, PullError> {
        let Some(api_domain) = api_domain else {
            tracing::warn!("the API domain is not known: no machine-wide pull lock");
            return Ok(None);
        };
        let Some(dir) = &self.config.lock_dir else {
            return Err(PullError::LockFolder {
                path: "(none)".into(),
                detail: "this computer has no folder for it".into(),
            });
        };
        let folder = self.db.path().parent().unwrap_or(Path::new("."));
        let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_owned());
        machine::take(dir, &api_domain, organization_id, &folder).map(Some)
    }

    /// Pulls the request's options for its connection, continuing its
    /// latest unfinished pull with the same options if there is one.
    pub async fn run(&self, request: PullRequest<'_>) -> Result<PullReport, PullError> {
        let PullRequest {
            connection_id,
            organization_id,
            options,
            tokens,
            controls,
        } = request;
        let options = options.normalized()?;
        let _claim = self.claim(connection_id)?;
        let _lock = self.lock_org(organization_id, tokens.api_domain())?;
        let (c, o, opts, check) = (
            connection_id.to_owned(),
            organization_id.to_owned(),
            options.clone(),
            self.connection_check,
        );
        let id = self
            .db
            .call(move |conn| match store::find_resumable(conn, &c, &opts)? {
                Some(id) => {
                    tracing::info!(pull_id = id, "continuing an unfinished pull");
                    Ok(id)
                }
                None => store::create_pull(conn, &c, &o, &opts, check),
            })
            .await?;
        self.drive(id, tokens, controls).await
    }

    /// Continues pull `pull_id` from its checkpoint (a completed pull just
    /// reports again).
    pub async fn resume(
        &self,
        pull_id: i64,
        tokens: Arc<dyn TokenSource>,
        controls: PullControls<'_>,
    ) -> Result<PullReport, PullError> {
        let row = self.db.call(move |c| store::load_pull(c, pull_id)).await?;
        if row.state == PullState::Completed {
            return Ok(report(&row, row.state));
        }
        let _claim = self.claim(&row.connection_id)?;
        let _lock = self.lock_org(&row.organization_id, tokens.api_domain())?;
        self.drive(pull_id, tokens, controls).await
    }

    /// Runs pull `pull_id` from its checkpoints to its end, stores how it
    /// ended and reports it.
    async fn drive(
        &self,
        pull_id: i64,
        tokens: Arc<dyn TokenSource>,
        controls: PullControls<'_>,
    ) -> Result<PullReport, PullError> {
        let row = self.mark_running(pull_id).await?;
        let cancel = controls.cancel.clone();
        let ran = self.run_session(&row, tokens, controls).await;
        let result = self.why_stopped(pull_id, ran.result, &cancel).await?;
        let finish = finish_of(&result, ran.end, row.organization_id.clone());
        let (state, calls) = (finish.state, finish.totals.calls);
        self.db
            .call(move |c| store::finish_pull(c, pull_id, &finish))
            .await?;
        tracing::info!(pull_id, state = state.as_str(), calls, "pull stopped");
        result?;
        let row = self.db.call(move |c| store::load_pull(c, pull_id)).await?;
        Ok(report(&row, PullState::Completed))
    }

    /// Marks pull `pull_id` running and reads it back.
    async fn mark_running(&self, pull_id: i64) -> Result<PullRow, PullError> {
        let check = self.connection_check;
        self.db
            .call(move |c| {
                store::set_running(c, pull_id, check)?;
                store::load_pull(c, pull_id)
            })
            .await
    }

    /// Signs in and pulls the row's record types until done or stopped;
    /// what the run leaves to store (a failed sign-in keeps the row's totals).
    async fn run_session(
        &self,
        row: &PullRow,
        tokens: Arc<dyn TokenSource>,
        controls: PullControls<'_>,
    ) -> RunOutcome {
        let pull_id = row.id;
        let limiter = self.limiter_for(&row.organization_id, self.budget.window());
        limiter.new_run();
        tracing::info!(pull_id, entities = row.checkpoints.len(), "pull started");
        let started = Instant::now();
        let stop = controls.cancel.child_token();
        let session = match self.session(tokens).await {
            Ok(session) => session,
            Err(e) => {
                return RunOutcome {
                    result: Err(e),
                    end: RunEnd {
                        totals: Totals {
                            calls: row.calls,
                            http_429: row.http_429,
                            seconds: row.seconds,
                        },
                        ..RunEnd::default()
                    },
                }
            }
        };
        let mut ctx = Ctx::new(
            self,
            row,
            limiter,
            session,
            (controls.cancel.clone(), stop),
            &*controls.progress,
            started,
        );
        ctx.max_calls = controls.max_calls;
        let result = ctx.run_all(&row.checkpoints).await;
        ctx.emit(true);
        tracing::info!(
            pull_id,
            tokens_refreshed = ctx.session.refreshes.load(Ordering::SeqCst),
            "run ended (tokens_refreshed: access tokens renewed at their expiry)"
        );
        let end = RunEnd {
            totals: ctx.totals(),
            sends_ms: std::mem::take(&mut *lock(&ctx.sends)),
            rate: *lock(&ctx.rate),
            not_permitted: std::mem::take(&mut *lock(&ctx.not_permitted)),
        };
        RunOutcome { result, end }
    }

    /// The error a stopped run ends with: cancelled when it was cancelled,
    /// disconnected when its connection went while it ran (its row went
    /// with it: not "saved, to continue later", whatever stopped it).
    async fn why_stopped(
        &self,
        pull_id: i64,
        result: Result<(), PullError>,
        cancel: &CancellationToken,
    ) -> Result<Result<(), PullError>, PullError> {
        let result = match result {
            Err(_) if cancel.is_cancelled() => Err(PullError::Cancelled { pull_id }),
            other => other.map_err(|e| e.with_pull_id(pull_id)),
        };
        Ok(match result {
            Err(e) if !matches!(e, PullError::Disconnected { .. }) => {
                let gone = !self
                    .db
                    .call(move |c| store::pull_exists(c, pull_id))
                    .await?;
                Err(if gone {
                    PullError::Disconnected { pull_id }
                } else {
                    e
                })
            }
            other => other,
        })
    }

    /// Calls outside a pull (a count of records) for the row's
    /// organization, made as a pull makes them: through its limiter, with
    /// the session's token refreshed on expiry, Zoho's throttling waited out
    /// and its quota noted; stopped by `cancel`.
    pub(crate) async fn calls_outside_pull<'a>(
        &'a self,
        row: &PullRow,
        tokens: Arc<dyn TokenSource>,
        cancel: &CancellationToken,
    ) -> Result<Ctx<'a>, PullError> {
        let session = self.session(tokens).await?;
        let limiter = self.limiter_for(&row.organization_id, self.budget.window());
        Ok(Ctx::new(
            self,
            row,
            limiter,
            session,
            (cancel.clone(), cancel.child_token()),
            &no_progress,
            Instant::now(),
        ))
    }

    async fn session(&self, tokens: Arc<dyn TokenSource>) -> Result<Session, PullError> {
        let grant = tokens.access_token(false).await.map_err(token_error)?;
        let client = self.client(&grant)?;
        Ok(Session {
            tokens,
            state: tokio::sync::Mutex::new(SessionState {
                token: grant.token,
                api_domain: grant.api_domain,
                client,
                generation: 0,
                // Its age is not known (kept from an earlier sign-in or run):
                // a refusal of it is taken for an expiry.
                minted_at: None,
            }),
            refreshes: AtomicU64::new(0),
        })
    }

    fn client(&self, grant: &AccessGrant) -> Result<BooksClient, PullError> {
        BooksClient::with_timeouts(
            &grant.api_domain,
            Duration::from_secs(10).min(self.config.request_timeout),
            self.config.request_timeout,
        )
        .map_err(|source| PullError::Zoho { pull_id: 0, source })
    }
}

/// Progress of calls outside a pull: shown to no one.
fn no_progress(_: Progress) {}

fn token_error(source: TokenError) -> PullError {
    if source.is_reconnect_needed() {
        PullError::ReconnectNeeded { pull_id: 0 }
    } else if source.code() == zbs_codes::Code::ConnectionRemoved {
        PullError::Disconnected { pull_id: 0 }
    } else {
        PullError::Token { pull_id: 0, source }
    }
}

pub(crate) fn report(row: &PullRow, state: PullState) -> PullReport {
    PullReport {
        connection: row.connection_id.clone(),
        entities: row
            .checkpoints
            .iter()
            .map(|c| {
                (
                    c.entity.name().to_owned(),
                    EntityReport::new(
                        c.entity,
                        c.records,
                        c.calls,
                        c.without_id,
                        c.list_order.as_deref(),
                        row.options.sample.is_some(),
                    ),
                )
            })
            .collect(),
        calls: row.calls,
        http_429: row.http_429,
        seconds: row.seconds,
        complete: state == PullState::Completed,
        pull_id: row.id,
        organization_id: row.organization_id.clone(),
        state,
        not_permitted: row.not_permitted.clone(),
        message: row.message.clone(),
    }
}

struct SessionState {
    token: SecretString,
    api_domain: url::Url,
    client: BooksClient,
    generation: u64,
    /// When this run had the token minted (`None`: before the run).
    minted_at: Option<Instant>,
}

/// A token minted less than this long ago that Zoho refuses is not expired:
/// Zoho refuses the module to the user (code 57 with a valid sign-in).
/// Anything older is taken for an expiry, however many times that happens
/// in a run (an access token lives an hour; a full pull can last several).
pub const FRESH_TOKEN: Duration = Duration::from_secs(10);

/// Failed tries of one call, by kind.
#[derive(Default)]
struct Tries {
    /// HTTP 429 answers other than the day's quota.
    throttled: u32,
    /// HTTP 401 answers.
    refused: u32,
    /// Server errors, timeouts, garbled answers.
    failed: u32,
}

/// What a 401 means for the call that got it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// The token expired (or another call already replaced it): send again.
    Expired,
    /// A token minted moments ago was refused: Zoho will not let the user
    /// read this module, and another token would not help.
    NotPermitted,
}

/// The access token of a run, refreshed each time Zoho says it expired.
struct Session {
    tokens: Arc<dyn TokenSource>,
    state: tokio::sync::Mutex<SessionState>,
    /// Tokens minted during the run (logged when it ends).
    refreshes: AtomicU64,
}

impl Session {
    async fn current(&self) -> (BooksClient, SecretString, u64) {
        let s = self.state.lock().await;
        (s.client.clone(), s.token.clone(), s.generation)
    }

    /// After a 401 on token `generation`: a new token unless that one was
    /// minted moments ago (then Zoho refuses the module, not the token).
    /// One refresh at a time: calls refused with the same token wait for
    /// the one that refreshes and then use its token.
    async fn refused(&self, generation: u64, puller: &Puller) -> Result<Refused, PullError> {
        let mut s = self.state.lock().await;
        if s.generation != generation {
            return Ok(Refused::Expired);
        }
        if s.minted_at
            .is_some_and(|t| t.elapsed() < puller.config.fresh_token)
        {
            return Ok(Refused::NotPermitted);
        }
        tracing::info!("access token refused (expired); asking for a new one");
        let grant = self.tokens.access_token(true).await.map_err(token_error)?;
        if grant.api_domain != s.api_domain {
            s.client = puller.client(&grant)?;
            s.api_domain = grant.api_domain;
        }
        s.token = grant.token;
        s.generation += 1;
        s.minted_at = Some(Instant::now());
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        Ok(Refused::Expired)
    }
}

#[derive(Default)]
struct EntityCounters {
    records: AtomicU64,
    calls: AtomicU64,
    done: AtomicBool,
    /// Listed records without an id (not stored), until written with the
    /// checkpoint of their page.
    without_id: AtomicU64,
    /// Details fetched for the page being read, until it is stored.
    details_fetched: AtomicU64,
}

/// Everything one run shares between its entities.
pub(crate) struct Ctx<'a> {
    puller: &'a Puller,
    pull_id: i64,
    connection_id: String,
    organization_id: String,
    options: PullOptions,
    limiter: Arc<OrgLimiter>,
    session: Session,
    /// The caller's token: aborts calls in flight.
    cancel: CancellationToken,
    /// Set when one entity fails: no new calls, but answers in flight are
    /// still stored.
    stop: CancellationToken,
    /// At most this many calls in this run (`Puller::run_at_most`).
    max_calls: Option<u64>,
    progress: &'a (dyn Fn(Progress) + Send + Sync),
    started: Instant,
    base: Totals,
    calls: AtomicU64,
    http_429: AtomicU64,
    entities: BTreeMap<Entity, EntityCounters>,
    sends: Mutex<Vec<i64>>,
    rate: Mutex<Option<(RateInfo, i64)>>,
    quota_out: Mutex<Option<Option<OffsetDateTime>>>,
    waiting: Mutex<Option<String>>,
    last_emit: Mutex<Option<Instant>>,
    /// Modules Zoho refused to the user this run (code 57, valid sign-in).
    not_permitted: Mutex<Vec<Entity>>,
}

enum Fetched<T> {
    Ok(T),
    NotFound,
}

impl<'a> Ctx<'a> {
    fn new(
        puller: &'a Puller,
        row: &PullRow,
        limiter: Arc<OrgLimiter>,
        session: Session,
        (cancel, stop): (CancellationToken, CancellationToken),
        progress: &'a (dyn Fn(Progress) + Send + Sync),
        started: Instant,
    ) -> Self {
        let entities = row
            .checkpoints
            .iter()
            .map(|c| {
                let counters = EntityCounters::default();
                counters.records.store(c.records, Ordering::SeqCst);
                counters.calls.store(c.calls, Ordering::SeqCst);
                counters.done.store(c.done, Ordering::SeqCst);
                (c.entity, counters)
            })
            .collect();
        Ctx {
            puller,
            pull_id: row.id,
            connection_id: row.connection_id.clone(),
            organization_id: row.organization_id.clone(),
            options: row.options.clone(),
            limiter,
            session,
            cancel,
            stop,
            max_calls: None,
            progress,
            started,
            base: Totals {
                calls: row.calls,
                http_429: row.http_429,
                seconds: row.seconds,
            },
            calls: AtomicU64::new(0),
            http_429: AtomicU64::new(0),
            entities,
            sends: Mutex::default(),
            rate: Mutex::default(),
            quota_out: Mutex::default(),
            waiting: Mutex::default(),
            last_emit: Mutex::default(),
            not_permitted: Mutex::default(),
        }
    }

    pub(crate) fn totals(&self) -> Totals {
        Totals {
            calls: self.base.calls + self.calls.load(Ordering::SeqCst),
            http_429: self.base.http_429 + self.http_429.load(Ordering::SeqCst),
            seconds: self.base.seconds + self.started.elapsed().as_secs_f64(),
        }
    }

    fn counters(&self, e: Entity) -> &EntityCounters {
        // Every entity of the pull has counters (built from its checkpoints).
        static EMPTY: std::sync::OnceLock<EntityCounters> = std::sync::OnceLock::new();
        self.entities
            .get(&e)
            .unwrap_or_else(|| EMPTY.get_or_init(EntityCounters::default))
    }

    async fn run_all(&self, checkpoints: &[Checkpoint]) -> Result<(), PullError> {
        let mut tasks: FuturesUnordered<_> = checkpoints
            .iter()
            .filter(|c| !c.done)
            .map(|c| self.pull_entity(c.clone()))
            .collect();
        let ticker = async {
            loop {
                tokio::time::sleep(self.puller.config.progress_every).await;
                self.emit(false);
            }
        };
        tokio::pin!(ticker);
        let mut first_error: Option<PullError> = None;
        loop {
            tokio::select! {
                next = tasks.next() => match next {
                    None => break,
                    Some(Ok(())) => {}
                    // One module refused to this user: the others go on.
                    Some(Err(PullError::NotPermitted { entities, .. })) => {
                        lock(&self.not_permitted).extend(entities);
                    }
                    Some(Err(e)) => {
                        self.stop.cancel();
                        let replace = match &first_error {
                            None => true,
                            Some(PullError::Cancelled { .. }) => !matches!(e, PullError::Cancelled { .. }),
                            Some(_) => false,
                        };
                        if replace {
                            first_error = Some(e);
                        }
                    }
                },
                _ = &mut ticker => {}
            }
        }
        let refused = {
            let mut r = lock(&self.not_permitted);
            r.sort();
            r.dedup();
            r.clone()
        };
        match first_error {
            Some(e) => Err(e),
            // Nothing could be read: the pull did not do its job.
            None if !refused.is_empty()
                && checkpoints.iter().all(|c| refused.contains(&c.entity)) =>
            {
                Err(PullError::NotPermitted {
                    pull_id: self.pull_id,
                    entities: refused,
                })
            }
            None => Ok(()),
        }
    }

    /// Writes the calls sent so far to the request log and the latest quota
    /// Zoho reported, for calls outside a pull (a pull writes them with
    /// its pages).
    pub(crate) fn log_calls(&self) -> Result<(), PullError> {
        let sends = std::mem::take(&mut *lock(&self.sends));
        let rate = *lock(&self.rate);
        let conn = self.puller.db.lock();
        store::log_sends(&conn, &self.organization_id, &sends)?;
        match rate {
            Some((rate, seen_ms)) => store::save_rate(&conn, &self.organization_id, rate, seen_ms),
            None => Ok(()),
        }
    }

    /// Sends progress: always when `force`, else at most every `progress_every`.
    fn emit(&self, force: bool) {
        {
            let mut last = lock(&self.last_emit);
            if !force && last.is_some_and(|t| t.elapsed() < self.puller.config.progress_every) {
                return;
            }
            *last = Some(Instant::now());
        }
        let totals = self.totals();
        let mut entities = BTreeMap::new();
        let mut calls_left = 0u64;
        let mut known = true;
        let per_page = u64::from(self.per_page());
        for (e, c) in &self.entities {
            let records = c.records.load(Ordering::SeqCst);
            let done = c.done.load(Ordering::SeqCst);
            entities.insert(
                e.name().to_owned(),
                EntityProgress {
                    records,
                    calls: c.calls.load(Ordering::SeqCst),
                    done,
                    details_fetched: c.details_fetched.load(Ordering::SeqCst),
                },
            );
            if !done {
                match self.options.sample {
                    Some(n) => {
                        let left = u64::from(n).saturating_sub(records);
                        calls_left += left.div_ceil(per_page).max(1);
                        if self.options.wants_detail(*e) {
                            calls_left +=
                                left.saturating_sub(c.details_fetched.load(Ordering::SeqCst));
                        }
                    }
                    None => known = false,
                }
            }
        }
        let budget = self.limiter.budget();
        (self.progress)(Progress {
            pull_id: self.pull_id,
            connection: self.connection_id.clone(),
            entities,
            calls: totals.calls,
            http_429: totals.http_429,
            requests_last_minute: self.limiter.requests_last_minute(),
            limit_per_minute: budget.per_minute(),
            elapsed_seconds: totals.seconds,
            eta_seconds: known
                .then(|| calls_left as f64 * budget.emission_interval().as_secs_f64()),
            waiting: lock(&self.waiting).clone(),
        });
    }

    fn per_page(&self) -> u32 {
        let size = self.puller.page_size();
        match self.options.sample {
            Some(n) => n.clamp(1, size),
            None => size,
        }
    }

    /// One API call with the limiter, retries, token refresh and quota stop.
    async fn call<T, F, Fut>(&self, entity: Entity, f: F) -> Result<Fetched<T>, PullError>
    where
        F: Fn(BooksClient, SecretString) -> Fut,
        Fut: Future<Output = Result<(T, RateInfo), BooksError>>,
    {
        let mut tries = Tries::default();
        loop {
            if let Some(resume_after) = *lock(&self.quota_out) {
                return Err(PullError::QuotaExhausted {
                    pull_id: self.pull_id,
                    resume_after,
                });
            }
            let (result, generation) = self.send(entity, &f).await?;
            match result {
                Ok((value, rate)) => {
                    self.answered(rate);
                    return Ok(Fetched::Ok(value));
                }
                Err(BooksError::RateLimited { rate, limit }) => {
                    self.throttled(entity, rate, limit, &mut tries.throttled)
                        .await?;
                }
                Err(BooksError::Unauthorized) => {
                    tries.refused += 1;
                    self.unauthorized(entity, generation, tries.refused).await?;
                }
                Err(BooksError::NotFound) => return Ok(Fetched::NotFound),
                Err(e) if e.is_retryable() || matches!(e, BooksError::Decode { .. }) => {
                    tries.failed += 1;
                    self.retry_after(entity, e, tries.failed).await?;
                }
                Err(e) => {
                    return Err(PullError::Zoho {
                        pull_id: self.pull_id,
                        source: e,
                    })
                }
            }
        }
    }

    /// Sends one request through the limiter with the current token,
    /// counted as it is sent (past the run's limit neither it nor any other
    /// call is sent), saying so when Zoho is slow; its answer and the
    /// token's generation.
    async fn send<T, F, Fut>(
        &self,
        entity: Entity,
        f: &F,
    ) -> Result<(Result<(T, RateInfo), BooksError>, u64), PullError>
    where
        F: Fn(BooksClient, SecretString) -> Fut,
        Fut: Future<Output = Result<(T, RateInfo), BooksError>>,
    {
        let cancelled = || PullError::Cancelled {
            pull_id: self.pull_id,
        };
        let slot = self
            .limiter
            .acquire(&self.stop)
            .await
            .map_err(|_| cancelled())?;
        let (client, token, generation) = self.session.current().await;
        let max = self.max_calls.unwrap_or(u64::MAX);
        let counted = self
            .calls
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |c| {
                (c < max).then_some(c + 1)
            });
        if counted.is_err() {
            self.stop.cancel();
            return Err(cancelled());
        }
        self.counters(entity).calls.fetch_add(1, Ordering::SeqCst);
        lock(&self.sends).push(store::now_ms());
        let request = f(client, token);
        tokio::pin!(request);
        let slow = tokio::time::sleep(self.puller.config.slow_after);
        tokio::pin!(slow);
        let mut said_slow = false;
        let result = loop {
            tokio::select! {
                r = &mut request => break r,
                _ = self.cancel.cancelled() => return Err(cancelled()),
                _ = &mut slow, if !said_slow => {
                    said_slow = true;
                    *lock(&self.waiting) = Some(
                        "Zoho is answering very slowly; still waiting for its answer.".into(),
                    );
                    self.emit(true);
                }
            }
        };
        drop(slot);
        Ok((result, generation))
    }

    /// A successful answer: its quota headers noted; none left stops the run.
    fn answered(&self, rate: RateInfo) {
        self.limiter.succeeded();
        self.note_rate(rate);
        *lock(&self.waiting) = None;
        if rate.remaining == Some(0) {
            *lock(&self.quota_out) = Some(resume_time(rate).or_else(|| self.midnight()));
        }
    }

    /// HTTP 429, by Zoho's code: 45 (the day's quota) stops the run until
    /// the reset; 1070 (too many in flight) lowers the concurrency and sends
    /// again after a moment; 44 (the minute) waits out the minute. Past
    /// the retry limit the run stops as rate limited.
    async fn throttled(
        &self,
        entity: Entity,
        rate: RateInfo,
        limit: Throttle,
        attempts: &mut u32,
    ) -> Result<(), PullError> {
        self.http_429.fetch_add(1, Ordering::SeqCst);
        self.note_rate(rate);
        if limit == Throttle::Day {
            // Zoho's code 45, or no calls left by the headers: only the
            // organization's midnight helps.
            let at = resume_time(rate)
                .or_else(|| self.reset_seen())
                .or_else(|| self.midnight());
            *lock(&self.quota_out) = Some(at);
            return Err(PullError::QuotaExhausted {
                pull_id: self.pull_id,
                resume_after: at,
            });
        }
        *attempts += 1;
        if *attempts >= self.puller.config.retry.max_429_attempts {
            return Err(PullError::RateLimited {
                pull_id: self.pull_id,
            });
        }
        if limit == Throttle::InFlight {
            let now = self.limiter.too_many_in_flight();
            let base = self.puller.config.retry.base_delay;
            let wait = full_jitter(base.max(Duration::from_millis(200)));
            tracing::info!(
                entity = entity.name(),
                concurrency = now,
                ?wait,
                "Zoho's code 1070: too many calls in flight; fewer at once"
            );
            *lock(&self.waiting) =
                Some("Zoho had too many requests in progress; sending fewer at once.".into());
            return self.pause(wait).await;
        }
        let wait = full_jitter(self.limiter.budget().window());
        tracing::info!(
            entity = entity.name(),
            attempt = *attempts,
            ?wait,
            "Zoho's code 44 (HTTP 429): waiting out the minute"
        );
        *lock(&self.waiting) =
            Some("Zoho asked to slow down; waiting before the next request.".into());
        self.limiter.throttled(wait);
        Ok(())
    }

    /// HTTP 401 on token `generation`: a new token when it expired, else
    /// (a token minted moments ago, or too many 401s for one call) Zoho
    /// refuses the module to the user.
    async fn unauthorized(
        &self,
        entity: Entity,
        generation: u64,
        attempts: u32,
    ) -> Result<(), PullError> {
        let refused = if attempts > MAX_401_PER_CALL {
            Refused::NotPermitted
        } else {
            self.session.refused(generation, self.puller).await?
        };
        if refused == Refused::NotPermitted {
            tracing::warn!(
                entity = entity.name(),
                "Zoho refuses this module to the user"
            );
            return Err(PullError::NotPermitted {
                pull_id: self.pull_id,
                entities: vec![entity],
            });
        }
        Ok(())
    }

    /// A failure worth another try (a server error, a timeout, a garbled
    /// answer): waits with backoff, or stops the run past the retry limit.
    async fn retry_after(
        &self,
        entity: Entity,
        e: BooksError,
        attempts: u32,
    ) -> Result<(), PullError> {
        let retry = self.puller.config.retry;
        if attempts >= retry.max_attempts {
            return Err(PullError::Zoho {
                pull_id: self.pull_id,
                source: e,
            });
        }
        let wait = retry.delay(attempts);
        tracing::info!(
            entity = entity.name(),
            code = %e.code(),
            attempt = attempts,
            ?wait,
            "retrying"
        );
        self.pause(wait).await
    }

    /// Waits `wait`, unless the run is stopped first.
    async fn pause(&self, wait: Duration) -> Result<(), PullError> {
        tokio::select! {
            _ = tokio::time::sleep(wait) => Ok(()),
            _ = self.stop.cancelled() => Err(PullError::Cancelled { pull_id: self.pull_id }),
        }
    }

    /// Whether `page` of a list is past what a run reads of one record type:
    /// more pages than an organization plausibly holds, or than a share of
    /// its daily quota (when Zoho's headers said it) allows. Says which.
    fn page_cap(&self, page: u32) -> Option<crate::error::PageCap> {
        let pages = self.puller.config.max_pages;
        if page > pages {
            return Some(crate::error::PageCap::Plausible { pages });
        }
        let limit = lock(&self.rate).and_then(|(r, _)| r.limit)?;
        let share = ((limit as f64 * MAX_QUOTA_SHARE_PER_LIST) as u64).max(MIN_PAGES_BEFORE_SHARE);
        (u64::from(page) > share).then_some(crate::error::PageCap::Quota {
            calls: share,
            limit,
        })
    }

    /// The next midnight in the organization's time zone, when Zoho resets
    /// its daily quota (for a code 45 that came without any headers, in a
    /// run that has seen none).
    fn midnight(&self) -> Option<OffsetDateTime> {
        let zone = self.session.tokens.organization_time_zone()?;
        next_midnight(&zone, OffsetDateTime::now_utc())
    }

    /// When the daily window resets, from the last quota headers seen in
    /// this run (a daily-limit answer may come without any).
    fn reset_seen(&self) -> Option<OffsetDateTime> {
        let (rate, seen_ms) = (*lock(&self.rate))?;
        let secs = i64::try_from(rate.reset_secs?).ok()?;
        OffsetDateTime::from_unix_timestamp_nanos(
            (i128::from(seen_ms) + i128::from(secs) * 1000) * 1_000_000,
        )
        .ok()
    }

    /// Keeps the most telling quota headers: answers arrive out of order,
    /// and within one daily window the remaining count only goes down.
    fn note_rate(&self, rate: RateInfo) {
        if rate.limit.is_none() && rate.remaining.is_none() {
            return;
        }
        let now = store::now_ms();
        let mut last = lock(&self.rate);
        let newer = match *last {
            None => true,
            Some((old, seen)) => {
                let reset_at = |r: RateInfo, at: i64| {
                    r.reset_secs
                        .and_then(|s| i64::try_from(s).ok())
                        .map(|s| at + s * 1000)
                };
                let new_day = match (reset_at(rate, now), reset_at(old, seen)) {
                    (Some(a), Some(b)) => a > b + 60_000,
                    _ => true,
                };
                new_day
                    || match (rate.remaining, old.remaining) {
                        (Some(a), Some(b)) => a <= b,
                        _ => true,
                    }
            }
        };
        if newer {
            *last = Some((rate, now));
        }
    }

    async fn list(
        &self,
        entity: Entity,
        page: u32,
        order: &'static [(&'static str, &'static str)],
    ) -> Result<zbs_zoho::ListPage, PullError> {
        self.list_of(entity, page, self.per_page(), order).await
    }

    /// Page `page` of `entity`'s list, `per_page` records a page.
    pub(crate) async fn list_of(
        &self,
        entity: Entity,
        page: u32,
        per_page: u32,
        order: &'static [(&'static str, &'static str)],
    ) -> Result<zbs_zoho::ListPage, PullError> {
        let org = self.organization_id.clone();
        let fetched = self
            .call(entity, |client, token| {
                let org = org.clone();
                async move {
                    let p = client
                        .list(&token, &org, entity, page, per_page, order)
                        .await?;
                    let rate = p.rate;
                    Ok((p, rate))
                }
            })
            .await?;
        match fetched {
            Fetched::Ok(p) => Ok(p),
            Fetched::NotFound => Err(PullError::Zoho {
                pull_id: self.pull_id,
                source: BooksError::NotFound,
            }),
        }
    }

    /// Detail records of `rows` (concurrently, within the limiter); a row
    /// whose record vanished meanwhile is kept as listed.
    async fn details(&self, entity: Entity, rows: Vec<Record>) -> Result<Vec<Prepared>, PullError> {
        let org = self.organization_id.clone();
        let mut jobs: FuturesUnordered<_> = rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let org = org.clone();
                async move {
                    let Some(id) = row.id(entity) else {
                        return Ok((i, store::prepare(entity, &row, false)));
                    };
                    let fetched = self
                        .call(entity, |client, token| {
                            let (org, id) = (org.clone(), id.clone());
                            async move { client.detail(&token, &org, entity, &id).await }
                        })
                        .await?;
                    // Seen as it goes: a page of details takes a while.
                    self.counters(entity)
                        .details_fetched
                        .fetch_add(1, Ordering::SeqCst);
                    self.emit(false);
                    Ok::<_, PullError>(match fetched {
                        Fetched::Ok(record) => (i, store::prepare(entity, &record, true)),
                        Fetched::NotFound => (i, store::prepare(entity, &row, false)),
                    })
                }
            })
            .collect();
        // Every call sent is waited for, even after one failed, so none is
        // cut off mid-flight (a page is stored whole or not at all).
        let mut out = Vec::new();
        let mut failed = None;
        while let Some(r) = jobs.next().await {
            match r {
                Ok(done) => out.push(done),
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        if let Some(e) = failed {
            return Err(e);
        }
        out.sort_by_key(|(i, _)| *i);
        Ok(out.into_iter().filter_map(|(_, p)| p).collect())
    }

    async fn commit(
        &self,
        entity: Entity,
        records: Vec<Prepared>,
        next_page: u32,
        phase: Phase,
        done: bool,
        list_order: Option<String>,
    ) -> Result<(), PullError> {
        let commit = PageCommit {
            pull_id: self.pull_id,
            connection_id: self.connection_id.clone(),
            organization_id: self.organization_id.clone(),
            entity,
            records,
            next_page,
            phase,
            done,
            without_id: self.counters(entity).without_id.swap(0, Ordering::SeqCst),
            list_order,
            prune_others: done && self.options.sample.is_none(),
            entity_calls: self.counters(entity).calls.load(Ordering::SeqCst),
            totals: self.totals(),
            sends_ms: std::mem::take(&mut *lock(&self.sends)),
            rate: *lock(&self.rate),
            check: self.puller.connection_check,
        };
        let count = self
            .puller
            .db
            .call(move |c| store::commit_page(c, &commit))
            .await?;
        let counters = self.counters(entity);
        counters.records.store(count, Ordering::SeqCst);
        counters.details_fetched.store(0, Ordering::SeqCst);
        counters.done.store(done, Ordering::SeqCst);
        self.emit(true);
        Ok(())
    }

    /// Of a listed page, the rows this pull has not stored yet, each once.
    async fn unseen(&self, entity: Entity, rows: Vec<Record>) -> Result<Vec<Record>, PullError> {
        let ids: Vec<store::RecordKey> = rows
            .iter()
            .map(|r| store::record_key(entity, r).unwrap_or_default())
            .collect();
        let (c, p, lookup) = (self.connection_id.clone(), self.pull_id, ids.clone());
        let known = self
            .puller
            .db
            .call(move |conn| store::known_ids(conn, &c, entity, p, &lookup))
            .await?;
        let mut seen = HashSet::new();
        Ok(rows
            .into_iter()
            .zip(ids)
            .zip(known)
            .filter_map(|((row, id), known)| (!known && seen.insert(id)).then_some(row))
            .collect())
    }

    /// Pulls one record type from its checkpoint, page after page, until
    /// it is done (or the run stops).
    async fn pull_entity(&self, cp: Checkpoint) -> Result<(), PullError> {
        let entity = cp.entity;
        let mut page = cp.next_page.max(1);
        let mut phase = cp.phase;
        // A pull begun before orders were asked for resumes as it began.
        let legacy = cp.list_order.as_deref() == Some("");
        let ask = self.order_to_ask(legacy);
        // Pages in a row that said more follow but brought nothing new.
        let mut stale = 0u32;
        loop {
            let have = self.counters(entity).records.load(Ordering::SeqCst);
            if self.options.sample.is_some_and(|n| have >= u64::from(n)) {
                return self
                    .commit(entity, Vec::new(), page, phase, true, None)
                    .await;
            }
            self.check_page_cap(entity, page, have)?;
            let listed = self.list(entity, page, ask).await?;
            let has_more = listed.has_more;
            // Records never move in this order, so no second look is needed.
            // Zoho does not list every type in it: `page_context` says.
            let steady = !legacy
                && listed
                    .order
                    .as_ref()
                    .is_some_and(ListOrder::is_oldest_first);
            let list_order = if legacy {
                None
            } else {
                listed.order.as_ref().map(ListOrder::code)
            };
            let rows = self.with_ids(entity, listed.records, phase);
            let rows = self.new_rows(entity, rows, phase, have).await?;
            let found_new = !rows.is_empty();
            let records = self.prepare_rows(entity, rows).await?;
            let stored_after = have + records.len() as u64;
            let sample_full = self
                .options
                .sample
                .is_some_and(|n| stored_after >= u64::from(n));
            let (next_page, next_phase, done) = self.next_step(
                page,
                phase,
                has_more && !sample_full,
                found_new && has_more,
                steady,
            );
            self.commit(entity, records, next_page, next_phase, done, list_order)
                .await?;
            if done {
                return Ok(());
            }
            let now = self.counters(entity).records.load(Ordering::SeqCst);
            stale = if now > have { 0 } else { stale + 1 };
            self.check_stale(entity, page, stale)?;
            page = next_page;
            phase = next_phase;
        }
    }

    /// The order a list is asked in. A pull of everything asks for oldest
    /// first by creation: new records come last and edits keep their
    /// place, so offset paging neither skips nor repeats. A sample asks for
    /// the newest. A pull begun before orders were asked for (`legacy`)
    /// asks for none.
    fn order_to_ask(&self, legacy: bool) -> &'static [(&'static str, &'static str)] {
        if legacy {
            &[]
        } else if self.options.sample.is_some() {
            &ListOrder::NEWEST_FIRST
        } else {
            &ListOrder::OLDEST_FIRST
        }
    }

    /// Stops a list longer than plausible before its page `page`.
    fn check_page_cap(&self, entity: Entity, page: u32, have: u64) -> Result<(), PullError> {
        let Some(cap) = self.page_cap(page) else {
            return Ok(());
        };
        tracing::warn!(entity = entity.name(), page, "a list longer than plausible");
        Err(PullError::TooManyPages {
            pull_id: self.pull_id,
            entity,
            records: have,
            cap,
        })
    }

    /// Stops pages that keep repeating records already received.
    fn check_stale(&self, entity: Entity, page: u32, stale: u32) -> Result<(), PullError> {
        if stale < STALE_PAGES {
            return Ok(());
        }
        tracing::warn!(
            entity = entity.name(),
            page,
            "pages keep repeating records already received"
        );
        Err(PullError::EndlessPages {
            pull_id: self.pull_id,
        })
    }

    /// The listed rows that have an id; those without are counted (once:
    /// a rescan reads again rows counted already) and not stored.
    fn with_ids(&self, entity: Entity, mut rows: Vec<Record>, phase: Phase) -> Vec<Record> {
        let listed_rows = rows.len();
        rows.retain(|r| r.id(entity).is_some());
        let without_id = (listed_rows - rows.len()) as u64;
        if without_id > 0 {
            tracing::warn!(
                entity = entity.name(),
                records = without_id,
                "records without an id were not stored"
            );
            if phase == Phase::List {
                let counters = self.counters(entity);
                counters.without_id.fetch_add(without_id, Ordering::SeqCst);
            }
        }
        rows
    }

    /// The rows to store: a sample is N distinct records, and a rescan
    /// looks for new ones.
    async fn new_rows(
        &self,
        entity: Entity,
        mut rows: Vec<Record>,
        phase: Phase,
        have: u64,
    ) -> Result<Vec<Record>, PullError> {
        if phase == Phase::Rescan || self.options.sample.is_some() {
            rows = self.unseen(entity, rows).await?;
        }
        if let Some(n) = self.options.sample {
            let room = usize::try_from(u64::from(n).saturating_sub(have)).unwrap_or(usize::MAX);
            rows.truncate(room);
        }
        Ok(rows)
    }

    /// The rows as stored: with their details when the pull asks for them.
    async fn prepare_rows(
        &self,
        entity: Entity,
        rows: Vec<Record>,
    ) -> Result<Vec<Prepared>, PullError> {
        if self.options.wants_detail(entity) {
            self.details(entity, rows).await
        } else {
            Ok(rows
                .iter()
                .filter_map(|r| store::prepare(entity, r, false))
                .collect())
        }
    }

    /// The page and phase after page `page`, and whether the record type is
    /// done: `list_on` when the list goes on (more follow and the sample is
    /// not full), `rescan_on` when a rescan found new records and more follow.
    fn next_step(
        &self,
        page: u32,
        phase: Phase,
        list_on: bool,
        rescan_on: bool,
        steady: bool,
    ) -> (u32, Phase, bool) {
        match phase {
            Phase::List if list_on => (page + 1, Phase::List, false),
            // A pull of everything that read more than one page in an
            // order records move in looks again from page 1 for records
            // added meanwhile.
            Phase::List if self.options.sample.is_none() && page > 1 && !steady => {
                (1, Phase::Rescan, false)
            }
            Phase::List => (page, Phase::List, true),
            Phase::Rescan if rescan_on => (page + 1, Phase::Rescan, false),
            Phase::Rescan => (page, Phase::Rescan, true),
        }
    }
}

/// What one run leaves to store beside how it ended.
#[derive(Default)]
struct RunEnd {
    totals: Totals,
    /// Sends and quota headers not yet written with a page.
    sends_ms: Vec<i64>,
    rate: Option<(RateInfo, i64)>,
    /// Record types Zoho refused to the user.
    not_permitted: Vec<Entity>,
}

/// How one run ended, and what it leaves to store.
struct RunOutcome {
    result: Result<(), PullError>,
    end: RunEnd,
}

/// The pull's row as `result` leaves it.
fn finish_of(
    result: &Result<(), PullError>,
    end: RunEnd,
    organization_id: String,
) -> store::Finish {
    let RunEnd {
        totals,
        sends_ms,
        rate,
        not_permitted,
    } = end;
    let (state, resume_after, error_code, message) = match result {
        Ok(()) => (
            PullState::Completed,
            None,
            None,
            (!not_permitted.is_empty()).then(|| {
                format!(
                    "The other record types were pulled. {}",
                    not_permitted_message(&not_permitted)
                )
            }),
        ),
        Err(e) => (
            e.state(),
            match e {
                PullError::QuotaExhausted {
                    resume_after: Some(t),
                    ..
                } => Some(store::rfc3339(*t)),
                _ => None,
            },
            Some(e.code().as_str().to_owned()),
            Some(e.to_string()),
        ),
    };
    store::Finish {
        state,
        totals,
        resume_after,
        error_code,
        message,
        not_permitted,
        organization_id,
        sends_ms,
        rate,
    }
}

/// The first midnight after `now` in the IANA time zone `zone` (Zoho's
/// `time_zone` of the organization, e.g. `America/New_York`); `None` for a
/// zone not known.
pub fn next_midnight(zone: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let tz = jiff::tz::TimeZone::get(zone).ok()?;
    let ts = jiff::Timestamp::from_second(now.unix_timestamp()).ok()?;
    let today = ts.to_zoned_datetime(tz.clone()).date();
    let next = today.tomorrow().ok()?.to_zoned_datetime(tz).ok()?;
    OffsetDateTime::from_unix_timestamp(next.timestamp().as_second()).ok()
}

fn resume_time(rate: RateInfo) -> Option<OffsetDateTime> {
    rate.reset_secs
        .and_then(|s| i64::try_from(s).ok())
        .map(|s| OffsetDateTime::now_utc() + time::Duration::seconds(s))
}
