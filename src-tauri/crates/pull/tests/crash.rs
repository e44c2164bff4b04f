//! A pull in a child process is SIGKILLed at random moments, several times;
//! after each kill the database passes `PRAGMA integrity_check`, and a final
//! run resumes from the checkpoint to exactly the simulator's full set. The
//! simulator runs in this (parent) process and outlives the children; the
//! child is this test binary re-run with `ZBS_PULL_CRASH_CHILD` set.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use rand::Rng;
use serde_json::json;
use zbs_pull::{
    AccessGrant, LimiterRegistry, PullControls, PullRequest, Puller, PullerConfig, RateBudget,
    StaticToken,
};
use zbs_zoho::{Entity, SecretString};

const CHILD_ENV: &str = "ZBS_PULL_CRASH_CHILD";
const MAIN: [Entity; 3] = [Entity::Invoices, Entity::CreditNotes, Entity::Customers];
const RECORDS: u64 = 6_000;
const PAGE: u32 = 50;
const BUDGET: (u32, Duration) = (50, Duration::from_secs(1));

fn config() -> PullerConfig {
    PullerConfig {
        page_size: PAGE,
        retry: fast_retry(),
        ..PullerConfig::default()
    }
}

/// The child: pulls until done (or killed).
#[test]
fn crash_child() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let spec: serde_json::Value = serde_json::from_str(&spec).expect("child spec");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let budget = RateBudget {
            requests: BUDGET.0,
            per: BUDGET.1,
        };
        let db = std::path::PathBuf::from(spec["db"].as_str().expect("db"));
        let puller = Puller::new(&db, LimiterRegistry::new(), budget)
            .expect("puller")
            .with_config(config());
        let grant = AccessGrant {
            token: SecretString::from(spec["token"].as_str().expect("token").to_owned()),
            api_domain: spec["api"].as_str().expect("api").parse().expect("url"),
        };
        let r = puller
            .run(PullRequest::new(
                "crash",
                spec["org"].as_str().expect("org"),
                &all_of(&MAIN),
                Arc::new(StaticToken(grant)),
            ))
            .await;
        assert!(r.is_ok(), "child pull: {:?}", r.err().map(|e| e.code()));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_pulls_resume_to_the_full_set() {
    let env = Env::start(sim_config(RECORDS, BUDGET)).await;
    env.sim.faults().set_latency(Duration::from_millis(40));
    let tokens = env.tokens().await;
    let grant = tokens.grant();
    let spec = json!({
        "db": env.db.display().to_string(),
        "org": env.org,
        "token": zbs_zoho::ExposeSecret::expose_secret(&grant.token),
        "api": grant.api_domain.as_str(),
    })
    .to_string();
    let exe = std::env::current_exe().expect("test binary");
    let total = RECORDS as usize * MAIN.len();
    let mut interrupted = 0;
    let mut last = 0usize;
    // Twenty kills at random points (issue: "SIGKILL at 20 random points").
    for round in 0..20 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash_child",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(CHILD_ENV, &spec)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("child starts");
        let wait = Duration::from_millis(rand::thread_rng().gen_range(100..350));
        tokio::time::sleep(wait).await;
        let finished = child.try_wait().expect("status").is_some();
        child.kill().ok(); // SIGKILL
        child.wait().expect("reaped");
        env.integrity_ok();
        let stored: usize = MAIN.iter().map(|e| env.stored_ids("crash", *e).len()).sum();
        println!("round {round}: killed after {wait:?}, {stored} of {total} stored, finished before the kill: {finished}");
        assert!(stored >= last, "nothing stored is lost");
        last = stored;
        if !finished && stored < total {
            interrupted += 1;
        }
        if finished {
            break;
        }
    }
    assert!(
        interrupted >= 15,
        "most kills landed mid-pull ({interrupted} of 20)"
    );
    // Resume here and compare with the simulator.
    env.sim.faults().set_latency(Duration::ZERO);
    let puller = Puller::new(&env.db, LimiterRegistry::new(), env.budget)
        .expect("puller")
        .with_config(config());
    let history = puller.history(Some("crash"), 10).expect("history");
    assert_eq!(history.len(), 1, "one pull, resumed across processes");
    let r = puller
        .resume(history[0].id, tokens, PullControls::default())
        .await
        .expect("resumes");
    assert!(r.complete);
    for e in MAIN {
        let ids = env.stored_ids("crash", e);
        let set: BTreeSet<String> = ids.iter().cloned().collect();
        assert_eq!(ids.len(), set.len(), "no duplicates");
        assert_eq!(set, env.sim_ids(sim_entity(e)), "{e}: the full set");
        assert_eq!(r.entities[e.name()].records, RECORDS);
    }
    assert_eq!(puller.history(Some("crash"), 10).expect("history").len(), 1);
    env.integrity_ok();
}
