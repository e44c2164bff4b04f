//! Pulls over real HTTP against the in-process simulator into real SQLite
//! files: exact counts, detail calls, customers only, faults, quota,
//! records added mid-pull, two pulls sharing one budget, the pull lock,
//! a revoked connection, results and forecast.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use zbs_pull::{
    CancellationToken, PullControls, PullError, PullOptions, PullRequest, PullState, SortColumn,
    SortDir,
};
use zbs_zoho::Entity;

const MAIN: [Entity; 3] = [Entity::Invoices, Entity::CreditNotes, Entity::Customers];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exact_counts_at_page_boundaries() {
    let env = Env::start(sim_config(0, (200, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let puller = env.puller(200);
    for n in [0u64, 1, 199, 200, 201] {
        for e in MAIN {
            env.set_counts(sim_entity(e), n);
        }
        let conn = format!("conn-{n}");
        let report = puller
            .run(PullRequest::new(
                &conn,
                &env.org,
                &all_of(&MAIN),
                tokens.clone(),
            ))
            .await
            .expect("pull completes");
        assert!(report.complete);
        assert_eq!(report.state, PullState::Completed);
        for e in MAIN {
            assert_eq!(report.entities[e.name()].records, n, "{e} at {n}");
            let stored: BTreeSet<String> = env.stored_ids(&conn, e).into_iter().collect();
            assert_eq!(stored.len() as u64, n, "{e} at {n}: no duplicates");
            assert_eq!(
                stored,
                env.sim_ids(sim_entity(e)),
                "{e} at {n}: the same set"
            );
        }
        // One page each, and a second page at 201: read oldest first by
        // creation, no second look from the top is needed.
        let per_entity = if n > 200 { 2 } else { 1 };
        assert_eq!(report.calls, 3 * per_entity, "calls at {n}");
        assert_eq!(report.http_429, 0);
    }
    env.integrity_ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_records_per_entity() {
    let env = Env::start(sim_config(10_000, (1_000, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let puller = env.puller(200);
    let started = Instant::now();
    let report = puller
        .run(PullRequest::new("big", &env.org, &all_of(&MAIN), tokens))
        .await
        .expect("pull completes");
    for e in MAIN {
        assert_eq!(report.entities[e.name()].records, 10_000);
        assert_eq!(env.stored_ids("big", e).len(), 10_000);
        assert_eq!(
            report.entities[e.name()].calls,
            50,
            "50 pages, no second look"
        );
        assert_eq!(
            report.entities[e.name()].listed_by.as_deref(),
            Some("created_time A"),
            "{e}: oldest first by creation, as Zoho said"
        );
        assert_eq!(report.entities[e.name()].order_note, None);
    }
    println!("10,000 x 3 records in {:?}", started.elapsed());
    let counts = puller.counts("big").expect("counts");
    assert_eq!(counts.len(), 3);
    assert!(counts.iter().all(|c| c.records == 10_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sample_with_and_without_detail_calls() {
    let env = Env::start(sim_config(60, (200, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let puller = env.puller(200);
    let reduced = PullOptions::default();
    let r = puller
        .run(PullRequest::new(
            "reduced",
            &env.org,
            &reduced,
            tokens.clone(),
        ))
        .await
        .expect("reduced pull");
    assert_eq!(r.calls, 3, "one list call per entity");
    for e in MAIN {
        assert_eq!(r.entities[e.name()].records, 25);
        let raw = puller
            .record("reduced", e, &env.stored_ids("reduced", e)[0])
            .expect("read")
            .expect("stored");
        assert!(raw.get("line_items").is_none() && raw.get("contact_persons").is_none());
    }
    // The newest 25.
    let newest: BTreeSet<String> = (35..60)
        .map(|i| {
            env.sim
                .record_id(&env.org, zbs_sim::Entity::Invoices, i)
                .expect("id")
        })
        .collect();
    let stored: BTreeSet<String> = env
        .stored_ids("reduced", Entity::Invoices)
        .into_iter()
        .collect();
    assert_eq!(stored, newest);

    let full = PullOptions {
        line_items: true,
        customer_details: true,
        sample: Some(30),
        ..PullOptions::default()
    };
    let r = puller
        .run(PullRequest::new("full", &env.org, &full, tokens))
        .await
        .expect("detailed pull");
    assert_eq!(
        r.calls,
        3 + 3 * 30,
        "a list call and 30 detail calls per entity"
    );
    for e in MAIN {
        assert_eq!(r.entities[e.name()].records, 30);
        for id in env.stored_ids("full", e) {
            let raw = puller
                .record("full", e, &id)
                .expect("read")
                .expect("stored");
            if e == Entity::Customers {
                assert!(raw.get("contact_persons").is_some(), "customer details");
            } else {
                assert!(raw["line_items"].as_array().is_some_and(|l| !l.is_empty()));
            }
        }
        let page = puller
            .records("full", e, 0, 10, SortColumn::Label, SortDir::Asc, None)
            .expect("page");
        assert_eq!(page.total, 30);
        assert!(page.rows.iter().all(|r| r.detail));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_only_leaves_vendors_out() {
    let env = Env::start(sim_config(0, (200, Duration::from_secs(1)))).await;
    env.set_counts(zbs_sim::Entity::Customers, 230);
    env.set_counts(zbs_sim::Entity::Vendors, 170);
    let tokens = env.tokens().await;
    let puller = env.puller(200);
    let r = puller
        .run(PullRequest::new(
            "c",
            &env.org,
            &all_of(&[Entity::Customers]),
            tokens,
        ))
        .await
        .expect("pull");
    assert_eq!(r.entities["customers"].records, 230);
    let stored: BTreeSet<String> = env.stored_ids("c", Entity::Customers).into_iter().collect();
    assert_eq!(stored, env.sim_ids(zbs_sim::Entity::Customers));
    for id in stored.iter().take(50) {
        let raw = puller
            .record("c", Entity::Customers, id)
            .expect("read")
            .expect("stored");
        assert_eq!(raw["contact_type"], "customer");
    }
    assert!(env.stored_ids("c", Entity::Vendors).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_storm_completes_with_bounded_waits() {
    let env = Env::start(sim_config(300, (50, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let puller = env.puller(100);
    env.sim.faults().rate_limit_storm(5);
    let started = Instant::now();
    let r = puller
        .run(PullRequest::new("storm", &env.org, &all_of(&MAIN), tokens))
        .await
        .expect("completes despite the storm");
    assert!(r.complete);
    assert_eq!(r.http_429, 5);
    for e in MAIN {
        assert_eq!(env.stored_ids("storm", e).len(), 300);
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_dropped_connections_and_bad_json_are_retried() {
    let env = Env::start(sim_config(250, (100, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let puller = env.puller(50);
    let faults = env.sim.faults();
    faults.fail_next(3);
    faults.drop_next(2);
    faults.malformed_next(1);
    let r = puller
        .run(PullRequest::new(
            "faulty",
            &env.org,
            &all_of(&MAIN),
            tokens.clone(),
        ))
        .await
        .expect("completes");
    for e in MAIN {
        let ids = env.stored_ids("faulty", e);
        assert_eq!(ids.len(), 250, "{e}: every record once");
        assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 250);
    }
    // 5 pages per entity, and the six failed attempts again.
    assert_eq!(r.calls, 3 * 5 + 6);
    // A sustained error rate still completes (bounded retries per call).
    faults.set_error_rate(0.15);
    let r = puller
        .run(PullRequest::new("flaky", &env.org, &all_of(&MAIN), tokens))
        .await
        .expect("completes");
    faults.clear();
    assert!(r.complete);
    for e in MAIN {
        assert_eq!(env.stored_ids("flaky", e).len(), 250);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_quota_pauses_and_resumes_to_the_same_set() {
    // Ten pages per type: no type can finish within the first five calls,
    // whatever their order.
    let mut cfg = sim_config(400, (100, Duration::from_secs(1)));
    cfg.daily_quota = Some(5);
    let env = Env::start(cfg).await;
    let tokens = env.tokens().await;
    let puller = env.puller(40);
    let options = all_of(&MAIN);
    let err = puller
        .run(PullRequest::new("q", &env.org, &options, tokens.clone()))
        .await
        .expect_err("the quota runs out");
    assert_eq!(err.code(), zbs_codes::Code::QuotaExhausted);
    let text = err.to_string();
    assert!(
        text.contains("daily limit") && text.contains("UTC"),
        "{text}"
    );
    let pull_id = err.pull_id().expect("pull id");
    let history = puller.history(Some("q"), 10).expect("history");
    assert_eq!(history[0].state, PullState::PausedQuota);
    assert!(history[0].resume_after.is_some());
    let stored: usize = MAIN.iter().map(|e| env.stored_ids("q", *e).len()).sum();
    assert_eq!(stored, 5 * 40, "five pages were stored before the stop");
    let est = puller
        .forecast("q", &env.org, &options, None)
        .expect("forecast");
    assert_eq!(est.daily_quota_left, Some(0));

    // Trying again before the reset costs one refused call, and stops again.
    let again = puller
        .run(PullRequest::new("q", &env.org, &options, tokens.clone()))
        .await
        .expect_err("still out");
    assert_eq!(again.code(), zbs_codes::Code::QuotaExhausted);
    assert_eq!(again.pull_id(), Some(pull_id));

    env.sim.advance_time(Duration::from_secs(86_400));
    // The quota is only 5 a day: keep advancing days until done
    // (3 types × 10 pages = 30 calls).
    let mut report = None;
    for _ in 0..12 {
        match puller
            .run(PullRequest::new("q", &env.org, &options, tokens.clone()))
            .await
        {
            Ok(r) => {
                report = Some(r);
                break;
            }
            Err(e) => {
                assert_eq!(e.code(), zbs_codes::Code::QuotaExhausted);
                assert_eq!(e.pull_id(), Some(pull_id), "the same pull continues");
                env.sim.advance_time(Duration::from_secs(86_400));
            }
        }
    }
    let report = report.expect("completes after some days");
    assert_eq!(report.pull_id, pull_id);
    for e in MAIN {
        let stored: BTreeSet<String> = env.stored_ids("q", e).into_iter().collect();
        assert_eq!(stored, env.sim_ids(sim_entity(e)));
        assert_eq!(report.entities[e.name()].records, 400);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_added_between_pages_are_not_missed() {
    let env = Env::start(sim_config(300, (200, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let puller = env.puller(50);
    let sim = env.sim.clone();
    let org = env.org.clone();
    let added_invoices = AtomicBool::new(false);
    let added_customers = AtomicBool::new(false);
    let progress = move |p: zbs_pull::Progress| {
        let mid = |name: &str| {
            p.entities
                .get(name)
                .is_some_and(|e| e.records >= 50 && e.records < 250)
        };
        if mid("invoices") && !added_invoices.swap(true, Ordering::SeqCst) {
            sim.add_records(&org, zbs_sim::Entity::Invoices, 37)
                .expect("add");
        }
        if mid("customers") && !added_customers.swap(true, Ordering::SeqCst) {
            sim.add_records(&org, zbs_sim::Entity::Customers, 12)
                .expect("add");
        }
    };
    let r = puller
        .run(PullRequest::new("grow", &env.org, &all_of(&MAIN), tokens).progress(progress))
        .await
        .expect("pull");
    assert_eq!(r.entities["invoices"].records, 337);
    for e in MAIN {
        let ids = env.stored_ids("grow", e);
        let set: BTreeSet<String> = ids.iter().cloned().collect();
        assert_eq!(ids.len(), set.len(), "no duplicates");
        assert_eq!(set, env.sim_ids(sim_entity(e)), "{e}: none missed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_pulls_of_one_organization_stay_within_the_budget() {
    let budget = (10, Duration::from_secs(1));
    let env = Env::start(sim_config(120, budget)).await;
    let tokens = env.tokens().await;
    let puller = Arc::new(env.puller(20));
    let options = all_of(&[Entity::Invoices, Entity::Customers]);
    let started = Instant::now();
    let (a, b) = tokio::join!(
        puller.run(PullRequest::new("a", &env.org, &options, tokens.clone())),
        puller.run(PullRequest::new("b", &env.org, &options, tokens.clone())),
    );
    let (a, b) = (a.expect("a"), b.expect("b"));
    let stats = env.sim.stats(&env.org).expect("stats");
    let total = a.calls + b.calls;
    assert_eq!(total, 2 * 2 * 6, "6 pages per entity and pull");
    assert_eq!(stats.accepted.len() as u64, total);
    let most = stats.max_in_window(budget.1);
    println!(
        "two pulls: {total} calls in {:?}, at most {most} in any {:?} window, {} refused",
        started.elapsed(),
        budget.1,
        stats.rejected_429
    );
    assert!(most <= budget.0 as usize, "{most} requests in one window");
    assert_eq!(stats.rejected_429, 0);
    assert_eq!(a.http_429 + b.http_429, 0);
    assert!(stats.max_in_flight <= 4);
    let series = puller.request_series(&env.org, 5).expect("series");
    assert_eq!(
        series
            .points
            .iter()
            .map(|p| u64::from(p.requests))
            .sum::<u64>(),
        total
    );
    assert_eq!(series.limit_per_minute, 600.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_pull_of_the_organization_is_refused() {
    let env = Env::start(sim_config(400, (100, Duration::from_secs(1)))).await;
    env.sim.faults().set_latency(Duration::from_millis(100));
    let tokens = env.tokens().await;
    let first = Arc::new(env.puller(20));
    // Another process (another registry, another connection to the file).
    let second = zbs_pull::Puller::new(&env.db, zbs_pull::LimiterRegistry::new(), env.budget)
        .expect("puller");
    let cancel = CancellationToken::new();
    let running = {
        let (first, tokens, org, cancel) = (
            first.clone(),
            tokens.clone(),
            env.org.clone(),
            cancel.clone(),
        );
        tokio::spawn(async move {
            first
                .run(PullRequest::new("x", &org, &all_of(&MAIN), tokens).cancel(cancel))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    let err = second
        .run(PullRequest::new(
            "y",
            &env.org,
            &all_of(&MAIN),
            tokens.clone(),
        ))
        .await
        .expect_err("refused");
    assert_eq!(err.code(), zbs_codes::Code::AlreadyRunning);
    assert!(err.to_string().contains("already running"));
    // A double click in the same window: the same connection again.
    let err = first
        .run(PullRequest::new(
            "x",
            &env.org,
            &all_of(&MAIN),
            tokens.clone(),
        ))
        .await
        .expect_err("refused");
    assert_eq!(err.code(), zbs_codes::Code::AlreadyRunning);

    cancel.cancel();
    let stopped = running.await.expect("task").expect_err("cancelled");
    assert_eq!(stopped.code(), zbs_codes::Code::Cancelled);
    assert_eq!(
        first.history(Some("x"), 1).expect("history")[0].state,
        PullState::Cancelled
    );
    // Once it stopped, the other process may pull.
    env.sim.faults().set_latency(Duration::ZERO);
    let r = second
        .run(PullRequest::new(
            "y",
            &env.org,
            &PullOptions::default(),
            tokens.clone(),
        ))
        .await
        .expect("now allowed");
    assert!(r.complete);
    // And the cancelled pull continues where it stopped.
    let before: usize = MAIN.iter().map(|e| env.stored_ids("x", *e).len()).sum();
    let r = first
        .run(PullRequest::new("x", &env.org, &all_of(&MAIN), tokens))
        .await
        .expect("resumes");
    assert!(r.complete);
    assert!(before < 1200);
    for e in MAIN {
        assert_eq!(env.stored_ids("x", e).len(), 400);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_lock_of_a_dead_process_is_taken_over() {
    let env = Env::start(sim_config(10, (100, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let now_ms = || {
        i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("time")
                .as_millis(),
        )
        .expect("ms")
    };
    // A pid that cannot exist with a fresh heartbeat; then a live pid
    // (this process, another owner) whose heartbeat is an hour old.
    for (pid, age_ms) in [
        (2_147_483_000i64, 0i64),
        (i64::from(std::process::id()), 3_600_000),
    ] {
        {
            let conn = rusqlite::Connection::open(&env.db).expect("open");
            conn.execute(
                "INSERT OR REPLACE INTO pull_locks (organization_id, owner, pid, heartbeat_ms)
                 VALUES (?1, 'gone', ?2, ?3)",
                rusqlite::params![env.org, pid, now_ms() - age_ms],
            )
            .expect("insert");
        }
        let r = env
            .puller(200)
            .run(PullRequest::new(
                "s",
                &env.org,
                &PullOptions::default(),
                tokens.clone(),
            ))
            .await
            .expect("takes the lock over");
        assert!(r.complete);
    }
    // A live, fresh lock of another owner is respected.
    let conn = rusqlite::Connection::open(&env.db).expect("open");
    conn.execute(
        "INSERT OR REPLACE INTO pull_locks (organization_id, owner, pid, heartbeat_ms)
         VALUES (?1, 'other', ?2, ?3)",
        rusqlite::params![env.org, i64::from(std::process::id()), now_ms()],
    )
    .expect("insert");
    let err = env
        .puller(200)
        .run(PullRequest::new(
            "s",
            &env.org,
            &PullOptions::default(),
            tokens,
        ))
        .await
        .expect_err("held");
    assert_eq!(err.code(), zbs_codes::Code::AlreadyRunning);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_connection_stops_without_a_retry_loop() {
    let env = Env::start(sim_config(300, (100, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let puller = env.puller(20);
    let sim = env.sim.clone();
    let revoked = AtomicBool::new(false);
    let progress = move |p: zbs_pull::Progress| {
        let stored: u64 = p.entities.values().map(|e| e.records).sum();
        if stored >= 40 && !revoked.swap(true, Ordering::SeqCst) {
            sim.faults().revoke_refresh_tokens();
        }
    };
    let before = env.sim.stats(&env.org).expect("stats").accepted.len();
    let err = puller
        .run(PullRequest::new("r", &env.org, &all_of(&MAIN), tokens.clone()).progress(progress))
        .await
        .expect_err("needs reconnect");
    assert_eq!(err.code(), zbs_codes::Code::ReconnectNeeded);
    assert!(err.to_string().contains("connect the organization again"));
    assert_eq!(
        tokens.refreshes.load(Ordering::SeqCst),
        1,
        "one refresh, no loop"
    );
    let h = &puller.history(Some("r"), 1).expect("history")[0];
    assert_eq!(h.state, PullState::NeedsReconnect);
    let kept: u64 = h.entities.values().map(|e| e.records).sum();
    assert!(kept >= 40, "the checkpoint is kept ({kept})");
    // 401s are not counted as accepted; the calls made are few.
    let accepted = env.sim.stats(&env.org).expect("stats").accepted.len() - before;
    assert!(
        h.calls <= accepted as u64 + 8,
        "{} calls, {accepted} accepted",
        h.calls
    );
    // Checkpoint intact: stored records match what the history says.
    let stored: usize = MAIN.iter().map(|e| env.stored_ids("r", *e).len()).sum();
    assert_eq!(stored as u64, kept);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_access_token_is_refreshed_once_and_the_pull_completes() {
    let env = Env::start(sim_config(200, (100, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let puller = env.puller(20);
    let sim = env.sim.clone();
    let expired = AtomicBool::new(false);
    let progress = move |p: zbs_pull::Progress| {
        if p.calls >= 5 && !expired.swap(true, Ordering::SeqCst) {
            sim.faults().expire_access_tokens();
        }
    };
    let r = puller
        .run(PullRequest::new("e", &env.org, &all_of(&MAIN), tokens.clone()).progress(progress))
        .await
        .expect("completes");
    assert_eq!(tokens.refreshes.load(Ordering::SeqCst), 1);
    for e in MAIN {
        assert_eq!(r.entities[e.name()].records, 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_forecast_and_results() {
    let env = Env::start(sim_config(90, (100, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let puller = env.puller(200);
    let options = PullOptions {
        sample: Some(40),
        line_items: true,
        ..PullOptions::default()
    };
    let est = puller
        .forecast("p", &env.org, &options, None)
        .expect("forecast");
    assert_eq!(est.calls, 3 + 80);
    assert!(!est.lower_bound);
    assert_eq!(est.daily_quota_left, None, "nothing seen yet");
    assert!(est.seconds > 0.5);
    let json = serde_json::to_value(&est).expect("json");
    assert!(
        json["calls"].is_u64() && json["seconds"].is_f64() && json["daily_quota_left"].is_null()
    );

    let seen = std::sync::Mutex::new(Vec::new());
    let r = puller
        .run(
            PullRequest::new("p", &env.org, &options, tokens)
                .progress(|p| seen.lock().expect("lock").push(p)),
        )
        .await
        .expect("pull");
    assert_eq!(r.calls, est.calls);
    let seen = seen.into_inner().expect("lock");
    assert!(!seen.is_empty());
    let last = seen.last().expect("last");
    assert!(last.entities.values().all(|e| e.done));
    assert_eq!(last.calls, r.calls);
    assert_eq!(last.eta_seconds, Some(0.0));
    assert!(last.limit_per_minute == 6000.0);

    // The report is the `zbsetup pull --json` shape.
    let json = serde_json::to_value(&r).expect("json");
    for key in [
        "connection",
        "entities",
        "calls",
        "http_429",
        "seconds",
        "complete",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert_eq!(json["entities"]["invoices"]["records"], 40);
    assert!(json["seconds"].is_f64());

    // With totals known and quota seen.
    let est = puller
        .forecast("p", &env.org, &all_of(&MAIN), None)
        .expect("forecast");
    assert!(est.lower_bound);
    assert!(est.daily_quota_left.is_some());
    let known = [
        (Entity::Invoices, 450u64),
        (Entity::CreditNotes, 10),
        (Entity::Customers, 0),
    ]
    .into_iter()
    .collect();
    let est = puller
        .forecast("p", &env.org, &all_of(&MAIN), Some(&known))
        .expect("forecast");
    // 3 pages of invoices (read oldest first by creation: no second look),
    // 1 of credit notes, 1 to learn there are no customers.
    assert_eq!(est.calls, 3 + 1 + 1);
    assert!(!est.lower_bound);

    // Preview page, sort, search, raw record, history, quota.
    let page = puller
        .records(
            "p",
            Entity::Invoices,
            0,
            15,
            SortColumn::Total,
            SortDir::Desc,
            None,
        )
        .expect("page");
    assert_eq!(page.total, 40);
    assert_eq!(page.rows.len(), 15);
    let totals: Vec<f64> = page.rows.iter().filter_map(|r| r.columns.total).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "sorted by total");
    let label = page.rows[3].columns.label.clone().expect("invoice number");
    let found = puller
        .records(
            "p",
            Entity::Invoices,
            0,
            15,
            SortColumn::Date,
            SortDir::Asc,
            Some(&label),
        )
        .expect("search");
    assert!(
        found.total >= 1
            && found
                .rows
                .iter()
                .any(|r| r.columns.label.as_deref() == Some(&label))
    );
    let none = puller
        .records(
            "p",
            Entity::Invoices,
            0,
            15,
            SortColumn::Date,
            SortDir::Asc,
            Some("%_nothing"),
        )
        .expect("search");
    assert_eq!(none.total, 0);
    let h = puller.history(None, 10).expect("history");
    assert_eq!(h[0].state, PullState::Completed);
    assert_eq!(h[0].entities["invoices"].records, 40);
    assert_eq!(h[0].options, options.normalized().expect("valid"));
    let q = puller.quota(&env.org).expect("quota").expect("seen");
    assert_eq!(q.daily_limit, Some(1_000_000));
    assert_eq!(q.used, Some(u32::try_from(r.calls).expect("small")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_plainly() {
    let env = Env::start(sim_config(1, (100, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let puller = env.puller(200);
    let none = PullOptions {
        entities: vec![],
        ..PullOptions::default()
    };
    let e = puller
        .run(PullRequest::new("b", &env.org, &none, tokens.clone()))
        .await
        .expect_err("no entities");
    assert_eq!(e.code(), zbs_codes::Code::InvalidOptions);
    let zero = PullOptions {
        sample: Some(0),
        ..PullOptions::default()
    };
    assert!(puller.forecast("b", &env.org, &zero, None).is_err());
    let missing = env.dir.path().join("nothing.sqlite3");
    let e = zbs_pull::Puller::new(&missing, zbs_pull::LimiterRegistry::new(), env.budget)
        .expect_err("no file");
    assert_eq!(e.code(), zbs_codes::Code::DatabaseNotPrepared);
    let e = puller
        .resume(9_999, tokens, PullControls::default())
        .await
        .expect_err("unknown");
    assert_eq!(e.code(), zbs_codes::Code::UnknownPull);
    assert!(matches!(e, PullError::UnknownPull { .. }));
}

/// While a page's details are fetched (its line items, one call a record),
/// progress says how many are in before the page is stored: a person never
/// watches "0 records · 32 calls" without knowing why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_counts_details_fetched_before_their_page_is_stored() {
    let env = Env::start(sim_config(60, (200, Duration::from_secs(1)))).await;
    env.sim.faults().set_latency(Duration::from_millis(40));
    let tokens = env.tokens().await;
    let puller = env.puller(200);
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let progress = move |p: zbs_pull::Progress| {
        if let Some(e) = p.entities.get("invoices") {
            log.lock().unwrap().push((e.records, e.details_fetched));
        }
    };
    let options = PullOptions {
        entities: vec![Entity::Invoices],
        line_items: true,
        sample: Some(30),
        ..PullOptions::default()
    };
    let r = puller
        .run(PullRequest::new("details", &env.org, &options, tokens).progress(progress))
        .await
        .expect("pull");
    assert_eq!(r.entities["invoices"].records, 30);
    let seen = seen.lock().unwrap().clone();
    let during: Vec<u64> = seen
        .iter()
        .filter(|(records, _)| *records == 0)
        .map(|(_, d)| *d)
        .collect();
    assert!(
        during.iter().any(|d| *d > 0 && *d < 30),
        "details counted while the page was read: {seen:?}"
    );
    assert!(
        during.windows(2).all(|w| w[0] <= w[1]),
        "never counting back: {during:?}"
    );
    assert_eq!(
        seen.last(),
        Some(&(30, 0)),
        "stored, the page's details are its records"
    );
}

/// A run limited to N calls sends exactly N, even with detail calls in
/// flight side by side: the one past the limit is never sent, the pull is
/// saved as cancelled, and the next run continues it. Run 5 times.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_at_most_n_calls_sends_exactly_n_and_continues_later() {
    let mut passed = 0;
    for round in 0..5 {
        let env = Env::start(sim_config(60, (200, Duration::from_secs(1)))).await;
        env.sim.faults().set_latency(Duration::from_millis(5));
        let tokens = env.tokens().await;
        let puller = env.puller(200);
        let accepted = || env.sim.stats(&env.org).map_or(0, |s| s.accepted.len());
        let before = accepted();
        let options = PullOptions {
            entities: vec![Entity::Invoices],
            line_items: true,
            sample: Some(30),
            ..PullOptions::default()
        };
        let err = puller
            .run(PullRequest::new("capped", &env.org, &options, tokens.clone()).at_most(Some(10)))
            .await
            .expect_err("stopped at its limit");
        assert!(matches!(err, PullError::Cancelled { .. }), "{err:?}");
        assert_eq!(accepted() - before, 10, "round {round}: exactly the limit");
        let r = puller
            .run(PullRequest::new("capped", &env.org, &options, tokens))
            .await
            .expect("continued");
        assert_eq!(r.entities["invoices"].records, 30);
        passed += 1;
    }
    eprintln!("{passed} of 5 passed");
    assert_eq!(passed, 5);
}
