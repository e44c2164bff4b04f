//! Support for this crate's tests: an [`Env`] of a running simulator, a
//! migrated SQLite file in a temp dir and a limiter registry, on top of the
//! shared kit (`zbs_testkit`: the simulator's set-up, [`SimTokens`] signed in
//! at it, the database as the app makes it).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use zbs_pull::{LimiterRegistry, PullOptions, Puller, PullerConfig, RateBudget, RetryConfig};
use zbs_sim::{SimConfig, SimHandle, Simulator};
pub use zbs_testkit::{create_db, sim_config, SimTokens};
use zbs_zoho::Entity;

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
        let db = create_db(dir.path()).expect("database");
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
        Arc::new(
            SimTokens::connect(&self.sim)
                .await
                .expect("sign-in at the simulator"),
        )
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
