//! Lists read in an order that cannot lose records. Facts exercised (strict
//! simulator, on by default): each module's recorded default order,
//! `sort_column` / `sort_order` honoured where Zoho honours them and
//! `page_context` saying the order used, and offset paging while people in
//! the organization add and edit records between pages (the churn fault:
//! renames move contacts, items and accounts, new dates move payments).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use zbs_pull::{CancellationToken, PullOptions, PullRequest};
use zbs_zoho::Entity;

/// Every type of record, five pages of 50 each, with 2 records added and 4
/// edited after every page served: every record that existed when the pull
/// began is stored exactly once, because the pull asks for oldest first by
/// creation and Zoho says it answered so. The chart of accounts keeps its
/// own order (by account type): the pull says what that means instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_added_and_edited_mid_pull_are_each_stored_once_in_every_module() {
    let env = Env::start(sim_config(230, (10_000, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let puller = env.puller(50);
    let at_start: Vec<(Entity, BTreeSet<String>)> = Entity::all()
        .iter()
        .map(|e| (*e, env.sim_ids(sim_entity(*e))))
        .collect();
    env.sim.faults().set_churn(2, 4);
    let report = puller
        .run(PullRequest::new(
            "busy",
            &env.org,
            &all_of(Entity::all()),
            tokens,
        ))
        .await
        .expect("the pull completes");
    env.sim.faults().set_churn(0, 0);
    assert!(report.complete);
    for (e, ids) in &at_start {
        let stored = env.stored_ids("busy", *e);
        let set: BTreeSet<String> = stored.iter().cloned().collect();
        assert_eq!(stored.len(), set.len(), "{e}: each record once");
        let missing = ids.difference(&set).count();
        let r = &report.entities[e.name()];
        if *e == Entity::ChartOfAccounts {
            assert_eq!(r.listed_by.as_deref(), Some("account_type A"));
            let note = r.order_note.as_deref().expect("the pull says why");
            assert!(
                note.contains("chart of accounts") && note.contains("Pull again"),
                "{note}"
            );
            println!(
                "chart of accounts in Zoho's own order: {missing} of {} missing",
                ids.len()
            );
        } else {
            assert_eq!(missing, 0, "{e}: every record there at the start is stored");
            assert_eq!(r.listed_by.as_deref(), Some("created_time A"), "{e}");
            assert_eq!(r.order_note, None, "{e}");
            assert!(
                set.len() > ids.len(),
                "{e}: records added meanwhile were read too"
            );
        }
    }
    // The next forecast counts the second look where Zoho keeps its order.
    let known = [(Entity::ChartOfAccounts, 230u64), (Entity::Invoices, 230)]
        .into_iter()
        .collect();
    let est = puller
        .forecast(
            "busy",
            &env.org,
            &all_of(&[Entity::ChartOfAccounts, Entity::Invoices]),
            Some(&known),
        )
        .expect("forecast");
    assert_eq!(
        est.calls,
        (5 + 1) + 5,
        "a second look only for the chart of accounts"
    );
}

/// A sample asks for the newest records, whatever each module's own order:
/// the newest customers, not the first by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sample_holds_the_newest_records_of_a_module_listed_by_name() {
    let env = Env::start(sim_config(120, (10_000, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let puller = env.puller(50);
    let options = PullOptions {
        sample: Some(5),
        ..all_of(&[Entity::Customers, Entity::ChartOfAccounts])
    };
    let report = puller
        .run(PullRequest::new("sample", &env.org, &options, tokens))
        .await
        .expect("the sample completes");
    let newest: BTreeSet<String> = (115..120)
        .map(|i| {
            env.sim
                .record_id(&env.org, zbs_sim::Entity::Customers, i)
                .expect("id")
        })
        .collect();
    let stored: BTreeSet<String> = env
        .stored_ids("sample", Entity::Customers)
        .into_iter()
        .collect();
    assert_eq!(stored, newest);
    assert_eq!(
        report.entities["customers"].listed_by.as_deref(),
        Some("created_time D")
    );
    assert_eq!(report.entities["customers"].order_note, None);
    let note = report.entities["chartofaccounts"]
        .order_note
        .as_deref()
        .expect("said");
    assert!(note.contains("Zoho's own order"), "{note}");
}

/// A pull begun by an earlier version (which asked for no order, so its
/// checkpoints count pages of Zoho's own order) is continued in that order,
/// with its second look from the top, and ends with every record: changing
/// the order under a checkpoint would skip the pages already counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_begun_before_orders_were_asked_for_continues_in_its_own_order() {
    let env = Env::start(sim_config(230, (10_000, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    let puller = env.puller(50);
    let options = all_of(&[Entity::Invoices, Entity::Customers]);
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let progress = move |p: zbs_pull::Progress| {
        if p.entities.values().any(|e| e.records >= 50) {
            stop.cancel();
        }
    };
    let first = puller
        .run(
            PullRequest::new("old", &env.org, &options, tokens.clone())
                .progress(progress)
                .cancel(cancel),
        )
        .await;
    assert!(
        first.is_err() || !first.as_ref().is_ok_and(|r| r.complete),
        "stopped part-way"
    );
    let conn = rusqlite::Connection::open(&env.db).expect("open");
    let marked = conn
        .execute("UPDATE pull_entities SET list_order = ''", [])
        .expect("as an earlier version left it");
    assert_eq!(marked, 2);
    drop(conn);
    let report = puller
        .run(PullRequest::new("old", &env.org, &options, tokens))
        .await
        .expect("the pull continues and completes");
    assert!(report.complete);
    for e in [Entity::Invoices, Entity::Customers] {
        let stored: BTreeSet<String> = env.stored_ids("old", e).into_iter().collect();
        assert_eq!(stored, env.sim_ids(sim_entity(e)), "{e}: every record");
        assert_eq!(
            report.entities[e.name()].listed_by,
            None,
            "{e}: asked for no order"
        );
    }
}
