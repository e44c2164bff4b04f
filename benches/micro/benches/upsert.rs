//! The store's upsert of one 200-record page, one transaction, on a real
//! SQLite file (WAL, `synchronous = NORMAL`, as the app opens it) that grows
//! as the benchmark runs:
//!
//! - `new_page`: `Puller::ingest` of 200 invoices not stored yet (the
//!   recorded invoice with new ids, numbers and totals, decoded by `decode_list` outside the
//!   clock), as a pull's first pass stores them;
//! - `existing_page`: the same 200 records again (a repeated pull);
//! - `bare_insert` (the floor): a prepared `INSERT` of 200 new rows of the
//!   same ids, names and text into the same table, from strings made outside
//!   the clock.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};
use zbs_bench::recorded_body;
use zbs_bench_pull::{bare_connection, bare_insert, bare_rows, create_db, invoice_page, PAGE};
use zbs_pull::{Entity, LimiterRegistry, Puller, RateBudget};
use zbs_zoho::books::{decode_list, RateInfo};
use zbs_zoho::Record;

/// The time `work` takes on `iters` inputs, each made by `make` outside the
/// clock.
fn timed<T>(iters: u64, mut make: impl FnMut() -> T, mut work: impl FnMut(T)) -> Duration {
    let mut spent = Duration::ZERO;
    for _ in 0..iters {
        let input = make();
        let t = Instant::now();
        work(input);
        spent += t.elapsed();
    }
    spent
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
        &create_db(dir.path()).expect("database"),
        LimiterRegistry::new(),
        RateBudget::default(),
    )
    .expect("puller");
    let mut next = 0;
    g.bench_function("new_page", |b| {
        b.iter_custom(|iters| {
            timed(
                iters,
                || {
                    next += 1;
                    decoded(&invoice_page(&template, next - 1))
                },
                |records| {
                    let new = puller
                        .ingest("bench", Entity::Invoices, &records, false)
                        .expect("stored");
                    assert_eq!(new, PAGE);
                },
            )
        })
    });
    let again = decoded(&invoice_page(&template, 0));
    g.bench_function("existing_page", |b| {
        b.iter(|| {
            let new = puller
                .ingest("bench", Entity::Invoices, &again, false)
                .expect("stored");
            assert_eq!(new, 0);
        })
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let mut conn = bare_connection(dir.path()).expect("database");
    let mut next = 0;
    g.bench_function("bare_insert", |b| {
        b.iter_custom(|iters| {
            timed(
                iters,
                || {
                    next += 1;
                    bare_rows(&invoice_page(&template, next - 1))
                },
                |rows| bare_insert(&mut conn, &rows).expect("inserted"),
            )
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
