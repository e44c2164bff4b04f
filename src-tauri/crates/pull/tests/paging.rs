//! Paging Zoho cannot be trusted with: pages that repeat rows, lists that
//! never end, records without an id, ids beyond 64 bits. Every record is
//! counted once by its exact id, a sample is N distinct records, and a pull
//! stops (saved, with a plain message) instead of spending the daily quota.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::json;
use zbs_codes::Code;
use zbs_pull::{PullError, PullOptions, PullRequest, STALE_PAGES};
use zbs_zoho::books::decode_list;
use zbs_zoho::Entity;

mod common;
use common::{all_of, sim_config, Env};

fn fast_sim(records: u64) -> zbs_sim::SimConfig {
    sim_config(records, (10_000, Duration::from_secs(1)))
}

#[tokio::test(flavor = "multi_thread")]
async fn endless_pages_stop_after_a_few_repeats_with_a_plain_message() {
    let env = Env::start(fast_sim(500)).await;
    env.sim.faults().set_endless_pages(true);
    let p = env.puller(200);
    let options = all_of(&[Entity::Invoices]);
    let run = p.run(PullRequest::new(
        "c",
        &env.org,
        &options,
        env.tokens().await,
    ));
    let outcome = tokio::time::timeout(Duration::from_secs(10), run).await;
    let calls = env.sim.stats(&env.org).expect("stats").accepted.len() as u64;
    let err = outcome
        .unwrap_or_else(|_| panic!("the pull never ended: {calls} calls in 10 s"))
        .expect_err("an endless list is not a complete pull");
    assert!(matches!(err, PullError::EndlessPages { .. }), "{err}");
    assert_eq!(err.code(), Code::EndlessPages);
    assert!(err.to_string().contains("already sent"), "{err}");
    assert!(!err.to_string().contains("internet"), "{err}");
    // Three pages of records, then a few pages of nothing new.
    assert!(
        calls <= 3 + u64::from(STALE_PAGES) + 1,
        "{calls} calls before stopping"
    );
    assert_eq!(env.stored_ids("c", Entity::Invoices).len(), 500);
    // Saved and resumable: the history keeps why.
    let h = p.history(Some("c"), 1).expect("history");
    assert_eq!(h[0].error_code.as_deref(), Some("endless_pages"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sample_is_that_many_distinct_records_when_pages_repeat_rows() {
    let env = Env::start(fast_sim(400)).await;
    let p = env.puller(200);
    let sim = env.sim.clone();
    let org = env.org.clone();
    let added = AtomicBool::new(false);
    // After the first page, 100 new invoices push 100 of its rows onto page 2.
    let progress = move |pr: zbs_pull::Progress| {
        if pr.entities["invoices"].records >= 200 && !added.swap(true, Ordering::SeqCst) {
            sim.add_records(&org, zbs_sim::Entity::Invoices, 100)
                .expect("added");
        }
    };
    let options = PullOptions {
        entities: vec![Entity::Invoices],
        sample: Some(300),
        ..PullOptions::default()
    };
    let report = p
        .run(PullRequest::new("c", &env.org, &options, env.tokens().await).progress(progress))
        .await
        .expect("pull");
    let stored = env.stored_ids("c", Entity::Invoices).len();
    assert_eq!(
        (report.entities["invoices"].records, stored),
        (300, 300),
        "complete: {}",
        report.complete
    );
    assert!(report.complete);
}

#[tokio::test(flavor = "multi_thread")]
async fn records_without_an_id_are_counted_in_the_result() {
    let env = Env::start(fast_sim(50)).await;
    env.sim.faults().blank_ids_next(7);
    let p = env.puller(200);
    let report = p
        .run(PullRequest::new(
            "c",
            &env.org,
            &all_of(&[Entity::Invoices]),
            env.tokens().await,
        ))
        .await
        .expect("pull");
    let invoices = &report.entities["invoices"];
    assert_eq!((invoices.records, invoices.without_id), (43, 7));
    let text = serde_json::to_value(&report).expect("json");
    assert_eq!(text["entities"]["invoices"]["without_id"], 7);
    // Kept with the pull: the history read later (another connection to
    // the file, as another process or the window would) still says so.
    drop(p);
    let later = env.puller(200);
    let history = later.history(Some("c"), 1).expect("history");
    assert_eq!(history[0].entities["invoices"].without_id, 7);
}

#[test]
fn ids_are_kept_exactly_as_zoho_wrote_them() {
    let dir = tempfile::tempdir().expect("temp");
    let p = zbs_testkit::puller_in(dir.path()).expect("puller");
    let body = json!({"code": 0, "message": "success", "page_context": {"page": 1, "per_page": 200, "has_more_page": false}})
        .to_string();
    // Numbers beyond 64 bits, written as Zoho sent them (not through f64).
    let rows = r#"[{"invoice_id": 123456789012345678901234567890, "invoice_number": "A"},
                   {"invoice_id": 123456789012345678901234567891, "invoice_number": "B"},
                   {"invoice_id": 18446744073709551617, "invoice_number": "C"},
                   {"invoice_id": "", "invoice_number": "D"}]"#;
    let body = body.replacen('{', &format!("{{\"invoices\": {rows},"), 1);
    let page = decode_list(
        Entity::Invoices,
        200,
        body.as_bytes(),
        1,
        200,
        Default::default(),
    )
    .expect("decoded");
    assert_eq!(
        p.ingest("c", Entity::Invoices, &page.records, false)
            .expect("stored"),
        3
    );
    for id in [
        "123456789012345678901234567890",
        "123456789012345678901234567891",
        "18446744073709551617",
    ] {
        assert!(
            p.record("c", Entity::Invoices, id).expect("read").is_some(),
            "{id} kept exactly"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_very_slow_zoho_is_named_while_waiting_and_at_the_end() {
    let env = Env::start(fast_sim(5)).await;
    // One byte every 50 ms: a page of five invoices takes minutes.
    env.sim.faults().set_trickle(Duration::from_millis(50));
    let p = zbs_pull::Puller::new(&env.db, env.registry.clone(), env.budget)
        .expect("puller")
        .with_config(zbs_pull::PullerConfig {
            request_timeout: Duration::from_millis(1_500),
            slow_after: Duration::from_millis(500),
            retry: zbs_pull::RetryConfig {
                max_attempts: 2,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(20),
                max_429_attempts: 2,
            },
            ..zbs_pull::PullerConfig::default()
        });
    let seen = std::sync::Mutex::new(Vec::new());
    let err = p
        .run(
            PullRequest::new(
                "c",
                &env.org,
                &all_of(&[Entity::Invoices]),
                env.tokens().await,
            )
            .progress(|pr| {
                if let Some(w) = pr.waiting {
                    seen.lock().unwrap().push(w);
                }
            }),
        )
        .await
        .expect_err("too slow to finish");
    let seen = seen.into_inner().unwrap();
    assert!(
        seen.iter().any(|w| w.contains("answering very slowly")),
        "progress while waiting: {seen:?}"
    );
    let text = err.to_string();
    assert_eq!(err.code(), Code::TooSlow, "{text}");
    assert!(text.contains("too slowly"), "{text}");
    assert!(!text.contains("internet"), "{text}");
}

/// A list that brings new ids on every page never repeats itself, so only
/// a cap stops it: a run reads no more pages of one record type than an
/// organization plausibly holds, and says why it stopped.
#[tokio::test(flavor = "multi_thread")]
async fn a_list_with_new_records_on_every_page_stops_at_a_plausible_size() {
    let env = Env::start(fast_sim(50)).await;
    // Always "more pages follow", and 50 new records after every page.
    env.sim.faults().set_endless_pages(true);
    env.sim.faults().set_churn(50, 0);
    let p = zbs_pull::Puller::new(&env.db, env.registry.clone(), env.budget)
        .expect("puller")
        .with_config(zbs_pull::PullerConfig {
            page_size: 50,
            retry: common::fast_retry(),
            max_pages: 10,
            ..zbs_pull::PullerConfig::default()
        });
    let options = all_of(&[Entity::Invoices]);
    let run = p.run(PullRequest::new(
        "c",
        &env.org,
        &options,
        env.tokens().await,
    ));
    let err = tokio::time::timeout(Duration::from_secs(20), run)
        .await
        .expect("the pull ends")
        .expect_err("an endless list is not a complete pull");
    let calls = env.sim.stats(&env.org).unwrap().accepted.len();
    assert!(
        matches!(err, PullError::TooManyPages { .. }),
        "{err} after {calls} calls"
    );
    assert_eq!(err.code(), Code::EndlessPages);
    let text = err.to_string();
    assert!(text.contains("new invoices page after page"), "{text}");
    assert!(text.contains("plausibly"), "{text}");
    assert!(text.contains("500 records so far"), "{text}");
    assert_eq!(calls, 10, "pages read");
    assert_eq!(env.stored_ids("c", Entity::Invoices).len(), 500);
}

/// With the daily quota known from Zoho's headers, one record type's
/// endless list stops at half of it, before Zoho's code 45: the rest of
/// the day stays with the organization's other integrations.
#[tokio::test(flavor = "multi_thread")]
async fn an_endless_list_stops_at_half_of_the_daily_quota() {
    let env = Env::start(zbs_sim::SimConfig {
        daily_quota: Some(200),
        ..fast_sim(50)
    })
    .await;
    env.sim.faults().set_endless_pages(true);
    env.sim.faults().set_churn(50, 0);
    let p = env.puller(50);
    let err = p
        .run(PullRequest::new(
            "c",
            &env.org,
            &all_of(&[Entity::Invoices]),
            env.tokens().await,
        ))
        .await
        .expect_err("an endless list is not a complete pull");
    let stats = env.sim.stats(&env.org).unwrap();
    assert!(matches!(err, PullError::TooManyPages { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("100 pages, as many API calls as half of the organization's 200 a day"),
        "{text}"
    );
    assert_eq!(stats.accepted.len(), 100, "{stats:?}");
    assert_eq!(stats.rejected_429, 0, "{stats:?}");
}
