//! # zbs-sim: a Zoho Books simulator
//!
//! Zoho is never reachable from the machines this product is built and
//! demonstrated on, so this crate stands in for it: for every data center
//! (`us uk eu in au jp ca sa ae cn`) an accounts server (OAuth consent page,
//! token endpoint, revocation) and a Books API v3 server, each on its own
//! `127.0.0.1` port, with generated organizations, Zoho's limits and faults
//! on demand. No Tauri: the CLI (`zbsetup simulate`), the app's demo mode and
//! the tests all start it the same way.
//!
//! ```no_run
//! # async fn demo() -> zbs_sim::Result<()> {
//! use zbs_sim::{accept_consent, Entity, SimConfig, Simulator};
//!
//! let sim = Simulator::start(SimConfig::default()).await?;
//! sim.write_endpoints_file("endpoints.json")?; // for ZBSETUP_ENDPOINTS
//! let client = sim.clients()[0].clone(); // made up by ClientSpec::generate
//! let url = sim.authorize_url("us", &client.client_id, "http://127.0.0.1:47823/oauth/callback",
//!     "ZohoBooks.invoices.READ,ZohoBooks.settings.READ", Some("xyz"));
//! let redirect = accept_consent(&url).await?; // ...?code=..&location=us&accounts-server=..
//! sim.add_records(&sim.organizations()[0].organization_id, Entity::Invoices, 10)?;
//! sim.faults().fail_next(1); // the next accepted API request gets HTTP 500
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## Layout
//!
//! * `config`: `SimConfig`, `OrgSpec`, `ClientSpec`, `Plan` and defaults.
//! * `oauth`: the accounts server and the token store; `consent`: helpers
//!   that press Accept/Deny over HTTP.
//! * `api`: the Books API (routing, auth, limits, faults, paging).
//! * `limits`: sliding request window, daily quota, concurrency cap, stats.
//! * `faults`: the runtime fault knobs.
//! * `data`: the lazy, seeded record generator and Zoho's payload shapes.
//! * `clock`: real time plus an offset tests can advance.
//!
//! ## Behaviour worth knowing
//!
//! * The user lives in `SimConfig::user_region`; sign-in may start at any
//!   accounts server, the redirect names the home one (`location`,
//!   `accounts-server`), and codes and tokens work only there.
//! * 429 bodies: `{"code":44,...}` for the per-window budget, the concurrency
//!   cap and the storm fault; `{"code":45,...}` for the daily quota. No
//!   `Retry-After`. The window is sliding (see `limits`).
//! * Other API errors: 401 code 57 (token missing, expired, revoked, wrong
//!   data center, or scope not granted), 400 code 6041 (organization_id
//!   missing or unknown), 404 code 1002 (no such record), 404 code 5 (no such
//!   URL), 400 code 2 (bad `page`/`per_page`), 500 code 1000 (fault).
//! * Lists are newest-first unless `sort_order=A` (see `api`).

mod api;
mod clock;
mod config;
mod consent;
mod data;
mod error;
mod faults;
mod limits;
mod oauth;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use api::MAX_PER_PAGE;
pub use config::{
    ClientSpec, OrgSpec, Plan, SimConfig, DEEP_LINK_REDIRECT, LOCALHOST_REDIRECT,
    LOOPBACK_REDIRECT, REGIONS,
};
pub use consent::{accept_consent, deny_consent};
pub use data::{region_locale, Entity};
pub use error::{Result, SimError};
pub use faults::{Churn, FaultControl, Faults};
pub use limits::OrgStats;

use clock::Clock;
use data::OrgData;
use faults::{lock, FaultState};
use limits::Limiter;
use oauth::OAuthStore;

/// The two origins of one data center, as written to the endpoints file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DcEndpoints {
    /// Accounts server origin, e.g. `http://127.0.0.1:41234`.
    pub accounts: String,
    /// API origin; the Books base is `{api}/books/v3`.
    pub api: String,
}

/// An organization the simulated user owns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgInfo {
    pub organization_id: String,
    pub name: String,
    /// The data center it lives in (the user's home region).
    pub region: String,
    pub is_default: bool,
    pub currency_code: String,
}

/// One organization's generator, current record counts and limiter.
pub(crate) struct Org {
    pub data: OrgData,
    counts: Mutex<[u64; 12]>,
    /// Records edited at runtime: (entity, index) -> (edits, when, seconds).
    edits: Mutex<HashMap<(Entity, u64), (u32, i64)>>,
    pub limiter: Limiter,
}

impl Org {
    pub(crate) fn count(&self, e: Entity) -> u64 {
        lock(&self.counts)[e.index()]
    }

    /// Creates `n` new (newest) records of `e`; returns the new count.
    pub(crate) fn add(&self, e: Entity, n: u64) -> u64 {
        let mut counts = lock(&self.counts);
        counts[e.index()] = counts[e.index()].saturating_add(n);
        counts[e.index()]
    }

    /// Edits record `i` of `e` at `at` (Unix seconds).
    pub(crate) fn edit(&self, e: Entity, i: u64, at: i64) {
        let mut edits = lock(&self.edits);
        let entry = edits.entry((e, i)).or_insert((0, at));
        entry.0 += 1;
        entry.1 = at;
    }

    fn edited(&self, e: Entity, i: u64, mut v: serde_json::Value) -> serde_json::Value {
        let edit = lock(&self.edits).get(&(e, i)).copied();
        if let (Some((n, at)), Some(m)) = (edit, v.as_object_mut()) {
            self.data.apply_edit(e, i, n, at, m);
        }
        v
    }

    /// Record `i` of `e` as a list row, with its edits.
    pub(crate) fn row(&self, e: Entity, i: u64) -> serde_json::Value {
        self.edited(e, i, self.data.list_row(e, i))
    }

    /// Record `i` of `e` as a detail object, with its edits.
    pub(crate) fn detail(&self, e: Entity, i: u64) -> serde_json::Value {
        self.edited(e, i, self.data.detail(e, i))
    }
}

/// State shared by every server of one simulator.
pub(crate) struct Shared {
    pub cfg: SimConfig,
    pub clock: Clock,
    pub endpoints: BTreeMap<String, DcEndpoints>,
    pub clients: Mutex<HashMap<String, ClientSpec>>,
    pub oauth: Mutex<OAuthStore>,
    pub orgs: HashMap<String, Org>,
    pub org_order: Vec<String>,
    pub faults: Mutex<FaultState>,
    /// Throttling answers given so far: by default every other one comes
    /// without the `X-Rate-Limit-*` headers (Zoho's are not always there).
    pub daily_answers: std::sync::atomic::AtomicU64,
    /// The user's home data center now: `SimConfig::user_region` until
    /// `SimHandle::set_home_region` moves the user (and their organizations).
    pub home: Mutex<String>,
}

impl Shared {
    /// The user's home data center, where their organizations live.
    pub(crate) fn home(&self) -> String {
        lock(&self.home).clone()
    }
}

/// Starts simulators.
pub struct Simulator;

impl Simulator {
    /// Binds an accounts and an API listener per region, then serves them on
    /// the current tokio runtime until `SimHandle::shutdown` (or drop).
    pub async fn start(cfg: SimConfig) -> Result<SimHandle> {
        cfg.validate().map_err(SimError::Config)?;
        let mut listeners = Vec::new();
        let mut endpoints = BTreeMap::new();
        for region in &cfg.regions {
            let (acc_port, api_port) = cfg.ports.get(region).copied().unwrap_or((0, 0));
            let acc = bind(cfg.bind, acc_port).await?;
            let api = bind(cfg.bind, api_port).await?;
            let origin = |l: &TcpListener| -> Result<String> {
                let addr = l.local_addr().map_err(|source| SimError::Bind {
                    addr: cfg.bind.to_string(),
                    source,
                })?;
                Ok(format!("http://{addr}"))
            };
            endpoints.insert(
                region.clone(),
                DcEndpoints {
                    accounts: origin(&acc)?,
                    api: origin(&api)?,
                },
            );
            listeners.push((region.clone(), acc, api));
        }

        let mut orgs = HashMap::new();
        let mut org_order = Vec::new();
        for spec in &cfg.organizations {
            let records = spec.records_per_entity.unwrap_or(cfg.records_per_entity);
            let data = OrgData::new(
                spec.clone(),
                &cfg.user_region,
                cfg.seed,
                records,
                &cfg.user_name,
                &cfg.user_email,
            );
            let limiter = Limiter::new(
                cfg.rate_limit.0,
                cfg.rate_limit.1,
                cfg.daily_quota
                    .or(spec.daily_quota)
                    .unwrap_or(spec.plan.daily_quota()),
                cfg.concurrency.unwrap_or(spec.plan.concurrency()),
                data.locale().offset_min * 60,
            );
            org_order.push(spec.organization_id.clone());
            orgs.insert(
                spec.organization_id.clone(),
                Org {
                    data,
                    counts: Mutex::new([records; 12]),
                    edits: Mutex::new(HashMap::new()),
                    limiter,
                },
            );
        }
        let clients = cfg
            .clients
            .iter()
            .map(|c| (c.client_id.clone(), c.clone()))
            .collect();
        let shared = Arc::new(Shared {
            clock: Clock::new(),
            endpoints,
            clients: Mutex::new(clients),
            oauth: Mutex::new(OAuthStore::default()),
            orgs,
            org_order,
            faults: Mutex::new(FaultState::new(cfg.seed)),
            daily_answers: std::sync::atomic::AtomicU64::new(0),
            home: Mutex::new(cfg.user_region.clone()),
            cfg,
        });

        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        for (region, acc, api) in listeners {
            let acc_router = oauth::router(oauth::AccountsCtx {
                shared: shared.clone(),
                region: region.clone(),
            });
            let api_router = api::router(api::ApiCtx {
                shared: shared.clone(),
                region: region.clone(),
            });
            tasks.push(serve(acc, acc_router, stop_rx.clone()));
            tasks.push(serve(api, api_router, stop_rx.clone()));
        }
        tracing::info!(
            regions = shared.endpoints.len(),
            "Zoho Books simulator started"
        );
        Ok(SimHandle {
            shared,
            stop: stop_tx,
            tasks,
        })
    }
}

async fn bind(ip: std::net::IpAddr, port: u16) -> Result<TcpListener> {
    TcpListener::bind((ip, port))
        .await
        .map_err(|source| SimError::Bind {
            addr: format!("{ip}:{port}"),
            source,
        })
}

fn serve(
    listener: TcpListener,
    router: axum::Router,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let shutdown = async move {
            while !*stop.borrow() {
                if stop.changed().await.is_err() {
                    break;
                }
            }
        };
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::warn!(error = %e, "simulator listener stopped");
        }
    })
}

/// A running simulator. Dropping it stops the servers too (without waiting).
pub struct SimHandle {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl SimHandle {
    /// Every data center's origins, by region.
    pub fn endpoints(&self) -> BTreeMap<String, DcEndpoints> {
        self.shared.endpoints.clone()
    }

    /// The endpoints file's JSON: `{"us": {"accounts": "...", "api": "..."}, ...}`.
    pub fn endpoints_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.shared.endpoints).unwrap_or_default()
    }

    /// Writes the endpoints file `ZBSETUP_ENDPOINTS` points at.
    pub fn write_endpoints_file(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let text = serde_json::to_string_pretty(&self.shared.endpoints)?;
        std::fs::write(path, text + "\n").map_err(|source| SimError::Write {
            path: path.display().to_string(),
            source,
        })
    }

    /// The accounts server origin of `region`.
    pub fn accounts_url(&self, region: &str) -> Option<String> {
        self.shared
            .endpoints
            .get(region)
            .map(|e| e.accounts.clone())
    }

    /// The API origin of `region`.
    pub fn api_url(&self, region: &str) -> Option<String> {
        self.shared.endpoints.get(region).map(|e| e.api.clone())
    }

    /// `{api}/books/v3` of `region`.
    pub fn books_base(&self, region: &str) -> Option<String> {
        self.api_url(region).map(|a| format!("{a}/books/v3"))
    }

    /// The simulated user's home data center now.
    pub fn home_region(&self) -> String {
        self.shared.home()
    }

    /// Moves the simulated user, with their organizations, to `region`'s
    /// data center from now on, as if their account had been created there
    /// (a demo story: a customer in Europe). Sign-ins still start at any
    /// accounts server but China's, and are sent on to `region`; codes and
    /// tokens issued for the old home keep working only there, where the
    /// organizations no longer are. False for a region not served, or a
    /// move across China's separate accounts.
    pub fn set_home_region(&self, region: &str) -> bool {
        let mut home = lock(&self.shared.home);
        if !self.shared.endpoints.contains_key(region) || (region == "cn") != (*home == "cn") {
            return false;
        }
        *home = region.to_owned();
        // The organizations move with the account: their currency, time
        // zone and quota midnight become the new data center's.
        for org in self.shared.orgs.values() {
            org.data.move_to(region);
            org.limiter
                .set_utc_offset(org.data.locale().offset_min * 60);
        }
        true
    }

    /// The configuration the simulator runs with.
    pub fn config(&self) -> &SimConfig {
        &self.shared.cfg
    }

    /// An authorization URL at `region`'s accounts server with
    /// `response_type=code`, `access_type=offline` and `prompt=consent`.
    pub fn authorize_url(
        &self,
        region: &str,
        client_id: &str,
        redirect_uri: &str,
        scope: &str,
        state: Option<&str>,
    ) -> String {
        let base = self.accounts_url(region).unwrap_or_default();
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("client_id", client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", scope)
            .append_pair("access_type", "offline")
            .append_pair("prompt", "consent");
        if let Some(s) = state {
            q.append_pair("state", s);
        }
        format!("{base}/oauth/v2/auth?{}", q.finish())
    }

    /// Registers (or replaces) an API client (its console settings included).
    pub fn register_client(&self, client: ClientSpec) {
        lock(&self.shared.clients).insert(client.client_id.clone(), client);
    }

    /// Adds `uri` to a registered client's authorized redirect URIs, as a
    /// person adding one in the console would (false: no such client).
    pub fn add_redirect_uri(&self, client_id: &str, uri: &str) -> bool {
        match lock(&self.shared.clients).get_mut(client_id) {
            Some(c) => {
                if !c.redirect_uris.iter().any(|r| r == uri) {
                    c.redirect_uris.push(uri.to_owned());
                }
                true
            }
            None => false,
        }
    }

    /// The registered clients.
    pub fn clients(&self) -> Vec<ClientSpec> {
        let mut v: Vec<ClientSpec> = lock(&self.shared.clients).values().cloned().collect();
        v.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        v
    }

    /// Runtime fault control.
    pub fn faults(&self) -> FaultControl {
        FaultControl {
            shared: self.shared.clone(),
        }
    }

    /// Takes back a refresh token issued by an earlier run of this simulator
    /// (demo mode: the stand-in for Zoho remembers its sign-ins across a
    /// relaunch, as Zoho does). False for an unknown client or region.
    pub fn restore_refresh_token(&self, token: &str, client_id: &str, region: &str) -> bool {
        if !lock(&self.shared.clients).contains_key(client_id)
            || !self.shared.endpoints.contains_key(region)
        {
            return false;
        }
        lock(&self.shared.oauth).restore_refresh(token, client_id, region);
        true
    }

    /// Refresh tokens Zoho would count for `client_id` now (revoked and
    /// deleted ones are gone; at most `max_refresh_tokens`).
    pub fn live_refresh_tokens(&self, client_id: &str) -> usize {
        lock(&self.shared.oauth).live_refresh_tokens(client_id)
    }

    /// Access tokens minted by a refresh so far (counted as each is minted,
    /// before its answer is sent: see `Faults::token_latency`).
    pub fn refreshes(&self) -> u64 {
        lock(&self.shared.oauth).refreshed
    }

    /// What an organization's traffic looked like so far.
    pub fn stats(&self, organization_id: &str) -> Option<OrgStats> {
        self.shared
            .orgs
            .get(organization_id)
            .map(|o| o.limiter.stats(&self.shared.clock))
    }

    /// The user's organizations, in configuration order.
    pub fn organizations(&self) -> Vec<OrgInfo> {
        self.shared
            .org_order
            .iter()
            .filter_map(|id| self.shared.orgs.get(id))
            .map(|o| OrgInfo {
                organization_id: o.data.spec.organization_id.clone(),
                name: o.data.spec.name.clone(),
                region: self.shared.home(),
                is_default: o.data.spec.is_default,
                currency_code: o.data.locale().currency_code.to_string(),
            })
            .collect()
    }

    fn org(&self, organization_id: &str) -> Result<&Org> {
        self.shared
            .orgs
            .get(organization_id)
            .ok_or_else(|| SimError::UnknownOrganization(organization_id.to_string()))
    }

    /// Creates `n` new (newest) records of `entity`; returns the new count.
    pub fn add_records(&self, organization_id: &str, entity: Entity, n: u64) -> Result<u64> {
        Ok(self.org(organization_id)?.add(entity, n))
    }

    /// Edits record `index` (0 = oldest) of `entity` now, as a person in
    /// Zoho would: a rename, another date or amount, a new modification
    /// time (see `Faults::churn`).
    pub fn edit_record(&self, organization_id: &str, entity: Entity, index: u64) -> Result<()> {
        let org = self.org(organization_id)?;
        org.edit(entity, index, self.shared.clock.unix_secs() as i64);
        Ok(())
    }

    /// Sets how many records of `entity` exist (shrinking drops the newest).
    pub fn set_record_count(&self, organization_id: &str, entity: Entity, n: u64) -> Result<()> {
        let org = self.org(organization_id)?;
        lock(&org.counts)[entity.index()] = n;
        Ok(())
    }

    /// How many records of `entity` exist now.
    pub fn record_count(&self, organization_id: &str, entity: Entity) -> Result<u64> {
        Ok(self.org(organization_id)?.count(entity))
    }

    /// The stable id of record `index` (0 = oldest) of `entity`.
    pub fn record_id(&self, organization_id: &str, entity: Entity, index: u64) -> Result<String> {
        Ok(self.org(organization_id)?.data.record_id(entity, index))
    }

    /// Moves the simulator's clock forward: codes and tokens expire, request
    /// windows slide and the daily quota resets as if `by` had passed.
    pub fn advance_time(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// Stops every server and waits (up to 2 s) for them to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        let tasks = std::mem::take(&mut self.tasks);
        for mut t in tasks {
            if tokio::time::timeout(Duration::from_secs(2), &mut t)
                .await
                .is_err()
            {
                t.abort();
            }
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for t in &self.tasks {
            t.abort();
        }
    }
}
