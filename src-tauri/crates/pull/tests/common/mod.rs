//! Shared test support: a simulator with a test client, a migrated SQLite
//! file in a temp dir, and a [`TokenSource`] whose tokens come from a real
//! OAuth flow against the simulator (authorize URL, consent, callback
//! parsing, code exchange, refresh).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use zbs_pull::{
    AccessGrant, LimiterRegistry, PullOptions, Puller, PullerConfig, RateBudget, RetryConfig,
    TokenError, TokenSource,
};
use zbs_sim::{accept_consent, ClientSpec, SimConfig, SimHandle, Simulator, LOOPBACK_REDIRECT};
use zbs_zoho::oauth::{authorize, default_scopes, OAuthClient};
use zbs_zoho::{parse_callback, DataCenter, DataCenters, Entity, OAuthError, SecretString};

/// The schema as the setup crate applies it (same files, same order).
pub fn create_db(dir: &Path) -> PathBuf {
    let path = dir.join("zbsetup.sqlite3");
    let mut conn = rusqlite::Connection::open(&path).expect("open db");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    let migrations = rusqlite_migration::Migrations::new(vec![
        rusqlite_migration::M::up(include_str!("../../../setup/migrations/0001_initial.sql")),
        rusqlite_migration::M::up(zbs_pull::MIGRATIONS[0]),
    ]);
    migrations.to_latest(&mut conn).expect("migrations apply");
    path
}

pub fn sim_config(records: u64, budget: (u32, Duration)) -> SimConfig {
    SimConfig {
        records_per_entity: records,
        rate_limit: budget,
        daily_quota: Some(1_000_000),
        clients: vec![ClientSpec::generate(7)],
        regions: vec!["us".to_string()],
        ..SimConfig::default()
    }
}

pub fn fast_retry() -> RetryConfig {
    RetryConfig {
        max_attempts: 6,
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(400),
        max_429_attempts: 8,
    }
}

pub struct Env {
    pub sim: Arc<SimHandle>,
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub org: String,
    pub budget: RateBudget,
    pub registry: LimiterRegistry,
}

impl Env {
    pub async fn start(cfg: SimConfig) -> Env {
        let budget = RateBudget {
            requests: cfg.rate_limit.0,
            per: cfg.rate_limit.1,
        };
        let sim = Simulator::start(cfg).await.expect("simulator starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let db = create_db(dir.path());
        let org = sim.organizations()[0].organization_id.clone();
        Env {
            sim: Arc::new(sim),
            dir,
            db,
            org,
            budget,
            registry: LimiterRegistry::new(),
        }
    }

    pub fn puller(&self, page_size: u32) -> Puller {
        Puller::new(&self.db, self.registry.clone(), self.budget)
            .expect("puller opens")
            .with_config(PullerConfig {
                page_size,
                retry: fast_retry(),
                ..PullerConfig::default()
            })
    }

    pub async fn tokens(&self) -> Arc<SimTokens> {
        Arc::new(SimTokens::connect(&self.sim).await)
    }

    pub fn set_counts(&self, entity: zbs_sim::Entity, n: u64) {
        self.sim
            .set_record_count(&self.org, entity, n)
            .expect("known org");
    }

    /// Every id the simulator holds for `entity`.
    pub fn sim_ids(&self, entity: zbs_sim::Entity) -> BTreeSet<String> {
        let n = self.sim.record_count(&self.org, entity).expect("count");
        (0..n)
            .map(|i| self.sim.record_id(&self.org, entity, i).expect("id"))
            .collect()
    }

    /// Every stored id of `entity` for `connection`.
    pub fn stored_ids(&self, connection: &str, entity: Entity) -> Vec<String> {
        let conn = rusqlite::Connection::open(&self.db).expect("open");
        let mut stmt = conn
            .prepare("SELECT zoho_id FROM pull_records WHERE connection_id = ?1 AND entity = ?2")
            .expect("prepare");
        let rows = stmt
            .query_map(rusqlite::params![connection, entity.name()], |r| r.get(0))
            .expect("query");
        rows.collect::<Result<_, _>>().expect("rows")
    }

    pub fn integrity_ok(&self) {
        let conn = rusqlite::Connection::open(&self.db).expect("open");
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity_check");
        assert_eq!(check, "ok");
    }
}

pub fn sim_entity(e: Entity) -> zbs_sim::Entity {
    zbs_sim::Entity::from_name(e.name()).expect("the simulator serves every pull entity")
}

pub fn all_of(entities: &[Entity]) -> PullOptions {
    PullOptions {
        entities: entities.to_vec(),
        sample: None,
        line_items: false,
        customer_details: false,
    }
}

/// Tokens from a real sign-in at the simulator; refreshes through
/// `OAuthClient::refresh` and counts them.
pub struct SimTokens {
    oauth: OAuthClient,
    dc: DataCenter,
    refresh: SecretString,
    current: Mutex<AccessGrant>,
    pub refreshes: AtomicU32,
}

impl SimTokens {
    pub async fn connect(sim: &SimHandle) -> SimTokens {
        let client = sim.clients()[0].clone();
        let dcs = DataCenters::from_json(&sim.endpoints_json().to_string()).expect("endpoints");
        let dc = dcs.get("us").expect("us served").clone();
        let req = authorize(&dc, &client.client_id, LOOPBACK_REDIRECT, &default_scopes())
            .expect("authorize URL");
        let redirect = accept_consent(req.url.as_str()).await.expect("consent");
        let callback = parse_callback(&redirect).expect("callback parses");
        let oauth = OAuthClient::new(
            client.client_id.clone(),
            SecretString::from(client.client_secret.clone()),
        )
        .expect("oauth client");
        let tokens = oauth
            .exchange_callback(&dcs, &req.pending, &callback)
            .await
            .expect("code exchange");
        SimTokens {
            oauth,
            dc,
            refresh: tokens.refresh_token.expect("refresh token"),
            current: Mutex::new(AccessGrant {
                token: tokens.access_token,
                api_domain: tokens.api_domain,
            }),
            refreshes: AtomicU32::new(0),
        }
    }

    pub fn grant(&self) -> AccessGrant {
        self.current.lock().expect("lock").clone()
    }
}

impl TokenSource for SimTokens {
    fn access_token(&self, refresh: bool) -> BoxFuture<'_, Result<AccessGrant, TokenError>> {
        Box::pin(async move {
            if !refresh {
                return Ok(self.grant());
            }
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            match self.oauth.refresh(&self.dc, &self.refresh).await {
                Ok(t) => {
                    let grant = AccessGrant {
                        token: t.access_token,
                        api_domain: t.api_domain,
                    };
                    *self.current.lock().expect("lock") = grant.clone();
                    Ok(grant)
                }
                Err(OAuthError::RefreshRevoked) | Err(OAuthError::InvalidCode) => Err(
                    TokenError::ReconnectNeeded("the connection was revoked".into()),
                ),
                Err(e) => Err(TokenError::Other(e.to_string())),
            }
        })
    }
}
