//! The store's upsert of one 200-record page, one transaction, on a real
//! SQLite file (WAL, `synchronous = NORMAL`, as the app opens it) that grows
//! as the benchmark runs:
//!
//! - `new_page`: `Puller::ingest` of 200 invoices not stored yet (the
//!   recorded invoice with new ids, decoded by `decode_list` outside the
//!   clock), as a pull's first pass stores them;
//! - `existing_page`: the same 200 records again (a repeated pull);
//! - `bare_insert` (the floor): a prepared `INSERT` of 200 new rows of the
//!   same ids, names and text into the same table, from strings made outside
//!   the clock.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};
use zbs_bench::recorded_body;
use zbs_bench_pull::db_in;
use zbs_pull::{Entity, LimiterRegistry, Puller, RateBudget};
use zbs_zoho::books::{decode_list, RateInfo};
use zbs_zoho::Record;

const PAGE: u64 = 200;

/// Page number `n` of 200 invoices made from the recorded one.
fn page(template: &Value, n: u64) -> Vec<Value> {
    (0..PAGE)
        .map(|i| {
            let k = n * PAGE + i;
            let mut r = template.clone();
            r["invoice_id"] = Value::String(format!("4600000000{k:08}"));
            r["invoice_number"] = Value::String(format!("INV-{k:06}"));
            r
        })
        .collect()
}

/// The page as a list answer's bytes, decoded as the client does.
fn decoded(records: &[Value]) -> Vec<Record> {
    let body = json!({"code": 0, "message": "success", "invoices": records}).to_string();
    decode_list(
        Entity::Invoices,
        200,
        body.as_bytes(),
        1,
        200,
        RateInfo::default(),
    )
    .expect("decodes")
    .records
}

fn upsert(c: &mut Criterion) {
    let recorded: Value = serde_json::from_slice(&recorded_body("invoices.json")).expect("json");
    let template = recorded["invoices"][0].clone();
    let mut g = c.benchmark_group("upsert");
    g.throughput(Throughput::Elements(PAGE));

    let dir = tempfile::tempdir().expect("temp dir");
    let puller = Puller::new(
        &db_in(dir.path()).expect("database"),
        LimiterRegistry::new(),
        RateBudget::default(),
    )
    .expect("puller");
    let mut next = 0;
    g.bench_function("new_page", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let records = decoded(&page(&template, next));
                next += 1;
                let t = Instant::now();
                let new = puller
                    .ingest("bench", Entity::Invoices, &records, false)
                    .expect("stored");
                spent += t.elapsed();
                assert_eq!(new, PAGE);
            }
            spent
        })
    });
    let again = decoded(&page(&template, 0));
    g.bench_function("existing_page", |b| {
        b.iter(|| {
            let new = puller
                .ingest("bench", Entity::Invoices, &again, false)
                .expect("stored");
            assert_eq!(new, 0);
        })
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let mut conn = rusqlite::Connection::open(db_in(dir.path()).expect("database")).expect("open");
    conn.pragma_update(None, "synchronous", "NORMAL")
        .expect("pragma");
    let mut next = 0;
    g.bench_function("bare_insert", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let rows: Vec<(String, String, String)> = page(&template, next)
                    .iter()
                    .map(|r| {
                        (
                            r["invoice_id"].as_str().unwrap_or_default().to_owned(),
                            r["invoice_number"].as_str().unwrap_or_default().to_owned(),
                            r.to_string(),
                        )
                    })
                    .collect();
                next += 1;
                let t = Instant::now();
                let tx = conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .expect("transaction");
                {
                    let mut stmt = tx
                        .prepare_cached(
                            "INSERT INTO pull_records (connection_id, entity, zoho_id, label, pulled_at, pull_id, raw)
                             VALUES ('bench', 'invoices', ?1, ?2, '2025-01-01T00:00:00Z', 0, ?3)",
                        )
                        .expect("statement");
                    for (id, label, raw) in &rows {
                        stmt.execute(rusqlite::params![id, label, raw]).expect("insert");
                    }
                }
                tx.commit().expect("commit");
                spent += t.elapsed();
            }
            spent
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = zbs_bench::config();
    targets = upsert
}
criterion_main!(benches);
