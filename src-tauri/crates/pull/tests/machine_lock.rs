//! One pull per Zoho organization on this computer: pullers on two data
//! folders (two SQLite files) of the same organization at the same API
//! domain take turns; the same organization id at another API domain (another
//! simulator, another data center) is another organization.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use zbs_codes::Code;
use zbs_pull::{CancellationToken, PullError, PullRequest, Puller, PullerConfig};
use zbs_zoho::Entity;

/// A puller on `db` whose machine-wide locks are in `locks`.
fn puller(env: &Env, db: &Path, locks: &Path) -> Puller {
    Puller::new(db, env.registry.clone(), env.budget)
        .expect("puller")
        .with_config(PullerConfig {
            page_size: 20,
            retry: fast_retry(),
            lock_dir: Some(locks.to_owned()),
            ..PullerConfig::default()
        })
}

/// A pull of every invoice for connection `conn`.
async fn invoices(
    p: &Puller,
    conn: &str,
    org: &str,
    tokens: Arc<SimTokens>,
    cancel: CancellationToken,
) -> Result<zbs_pull::PullReport, PullError> {
    p.run(PullRequest::new(conn, org, &all_of(&[Entity::Invoices]), tokens).cancel(cancel))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_of_the_organization_from_another_data_folder_waits_its_turn() {
    let env = Env::start(sim_config(200, (1000, Duration::from_secs(1)))).await;
    env.sim.faults().set_latency(Duration::from_millis(50));
    let tokens = env.tokens().await;
    let locks = tempfile::tempdir().expect("temp");
    let other = tempfile::tempdir().expect("temp");
    let other_db = create_db(other.path()).expect("database");
    let first = puller(&env, &env.db, locks.path());
    let second = puller(&env, &other_db, locks.path());
    let cancel = CancellationToken::new();
    let (org, t, c) = (env.org.clone(), tokens.clone(), cancel.clone());
    let running = tokio::spawn(async move { invoices(&first, "a", &org, t, c).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let err = invoices(
        &second,
        "b",
        &env.org,
        tokens.clone(),
        CancellationToken::new(),
    )
    .await
    .expect_err("refused");
    assert_eq!(err.code(), Code::AlreadyRunningElsewhere, "{err}");
    let text = err.to_string();
    assert!(text.contains("already running on this computer"), "{text}");
    assert!(
        text.contains(&env.dir.path().display().to_string()),
        "names the other data folder: {text}"
    );
    assert!(text.contains("wait for that pull to finish"), "{text}");
    assert!(matches!(err, PullError::RunningElsewhere { .. }), "{err:?}");
    // Refused before anything was written in its own folder.
    assert!(second.history(None, 10).expect("history").is_empty());
    // Its own folder's lock was let go: once the first ends, it may pull.
    cancel.cancel();
    running.await.expect("task").expect_err("cancelled");
    env.sim.faults().set_latency(Duration::ZERO);
    let r = invoices(&second, "b", &env.org, tokens, CancellationToken::new())
        .await
        .expect("its turn");
    assert!(r.complete);
    assert_eq!(r.entities["invoices"].records, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_organization_id_at_two_api_domains_pulls_at_once() {
    let one = Env::start(sim_config(200, (1000, Duration::from_secs(1)))).await;
    let two = Env::start(sim_config(200, (1000, Duration::from_secs(1)))).await;
    assert_eq!(one.org, two.org, "the simulators share organization ids");
    for env in [&one, &two] {
        env.sim.faults().set_latency(Duration::from_millis(20));
    }
    let locks = tempfile::tempdir().expect("temp");
    let (t1, t2) = (one.tokens().await, two.tokens().await);
    let (p1, p2) = (
        puller(&one, &one.db, locks.path()),
        puller(&two, &two.db, locks.path()),
    );
    let (r1, r2) = tokio::join!(
        invoices(&p1, "a", &one.org, t1, CancellationToken::new()),
        invoices(&p2, "b", &two.org, t2, CancellationToken::new()),
    );
    let (r1, r2) = (r1.expect("first"), r2.expect("second"));
    assert!(r1.complete && r2.complete);
}
