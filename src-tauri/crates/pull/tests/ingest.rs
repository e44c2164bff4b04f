//! Ingest throughput through the real upsert path (key columns, raw JSON,
//! one transaction per 200-record page), on a real SQLite file. Ignored by
//! default; run with
//! `cargo test -p zbs-pull --release --test ingest -- --ignored --nocapture`.

mod common;

use std::time::Instant;

use serde_json::Value;
use zbs_pull::{LimiterRegistry, Puller, RateBudget};
use zbs_zoho::Entity;

#[test]
#[ignore = "a measurement; run it on purpose"]
fn ingest_throughput() {
    let recorded: Value = serde_json::from_str(include_str!(
        "../../../../../shared/zoho-recorded/invoices.json"
    ))
    .expect("recorded invoices");
    let template = recorded["body"]["invoices"][0].clone();
    let dir = tempfile::tempdir().expect("temp");
    let db = common::create_db(dir.path());
    let puller = Puller::new(&db, LimiterRegistry::new(), RateBudget::default()).expect("puller");
    let total = 100_000u64;
    let pages: Vec<Vec<Value>> = (0..total / 200)
        .map(|p| {
            (0..200)
                .map(|i| {
                    let mut r = template.clone();
                    let n = p * 200 + i;
                    r["invoice_id"] = Value::String(format!("4600000000{n:08}"));
                    r["invoice_number"] = Value::String(format!("INV-{n:06}"));
                    r["total"] = Value::from(n as f64 * 1.25);
                    r
                })
                .collect()
        })
        .collect();
    let bytes: usize = pages[0].iter().map(|r| r.to_string().len()).sum::<usize>() / 200;
    let started = Instant::now();
    let mut new = 0;
    for page in &pages {
        new += puller
            .ingest("bench", Entity::Invoices, page, false)
            .expect("stored");
    }
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(new, total);
    let rate = total as f64 / secs;
    println!(
        "ingest: {total} new records (~{bytes} bytes each) in {secs:.2} s = {rate:.0} records/s"
    );
    // Upserting the same records again (a repeated pull).
    let started = Instant::now();
    for page in &pages {
        puller
            .ingest("bench", Entity::Invoices, page, false)
            .expect("stored");
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "re-ingest: {total} existing records in {secs:.2} s = {:.0} records/s",
        total as f64 / secs
    );
}
