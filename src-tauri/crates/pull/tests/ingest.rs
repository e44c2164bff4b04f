//! The store's upsert through `Puller::ingest`: what it counts as new, what
//! it keeps, and that a record's text is stored exactly as Zoho sent it.

use serde_json::json;
use zbs_pull::{LimiterRegistry, Puller, RateBudget};
use zbs_zoho::books::{decode_list, RateInfo};
use zbs_zoho::{Entity, Record};

fn invoice(id: &str, total: f64) -> Record {
    Record::from_value(
        json!({"invoice_id": id, "invoice_number": format!("INV-{id}"), "total": total}),
    )
}

fn puller(dir: &std::path::Path) -> Puller {
    zbs_testkit::puller_in(dir).expect("puller")
}

#[test]
fn each_record_is_counted_once_and_the_last_version_is_kept() {
    let dir = tempfile::tempdir().expect("temp");
    let p = puller(dir.path());
    // The same invoice twice in one page (it moved while Zoho paged): one record.
    let page = [invoice("1", 10.0), invoice("2", 20.0), invoice("1", 11.0)];
    assert_eq!(
        p.ingest("c", Entity::Invoices, &page, false)
            .expect("stored"),
        2
    );
    // A page with one stored and one new record counts the new one only.
    let page = [invoice("2", 21.0), invoice("3", 30.0)];
    assert_eq!(
        p.ingest("c", Entity::Invoices, &page, false)
            .expect("stored"),
        1
    );
    // Another connection's records are its own.
    assert_eq!(
        p.ingest("d", Entity::Invoices, &page, false)
            .expect("stored"),
        2
    );
    let counts = p.counts("c").expect("counts");
    assert_eq!(counts.iter().map(|c| c.records).sum::<u64>(), 3);
    let stored = |id: &str| {
        p.record("c", Entity::Invoices, id)
            .expect("read")
            .expect("there")
    };
    assert_eq!(stored("1")["total"], 11.0);
    assert_eq!(stored("2")["total"], 21.0);
}

#[test]
fn a_page_larger_than_one_lookup_is_counted_whole() {
    let dir = tempfile::tempdir().expect("temp");
    let p = puller(dir.path());
    let first: Vec<Record> = (0..600).map(|i| invoice(&i.to_string(), 1.0)).collect();
    assert_eq!(
        p.ingest("c", Entity::Invoices, &first, false)
            .expect("stored"),
        600
    );
    let more: Vec<Record> = (300..900).map(|i| invoice(&i.to_string(), 2.0)).collect();
    assert_eq!(
        p.ingest("c", Entity::Invoices, &more, false)
            .expect("stored"),
        300
    );
}

#[test]
fn the_text_zoho_sent_is_what_is_stored() {
    let dir = tempfile::tempdir().expect("temp");
    let db = zbs_testkit::create_db(dir.path()).expect("database");
    let p = Puller::new(&db, LimiterRegistry::new(), RateBudget::default()).expect("puller");
    // Zoho's key order, spacing and escapes, not a re-serialisation.
    let body = br#"{"code":0,"message":"success","invoices":[ {"total": 5.50, "invoice_id": "7", "customer_name": "Caf\u00e9 \"Ole\""} ]}"#;
    let page =
        decode_list(Entity::Invoices, 200, body, 1, 200, RateInfo::default()).expect("decoded");
    assert_eq!(
        p.ingest("c", Entity::Invoices, &page.records, false)
            .expect("stored"),
        1
    );
    let dump: String = rusqlite::Connection::open(&db)
        .expect("open")
        .query_row(
            "SELECT raw FROM pull_records WHERE zoho_id = '7'",
            [],
            |r| r.get(0),
        )
        .expect("stored row");
    assert_eq!(
        dump,
        r#"{"total": 5.50, "invoice_id": "7", "customer_name": "Caf\u00e9 \"Ole\""}"#
    );
    let record = p
        .record("c", Entity::Invoices, "7")
        .expect("read")
        .expect("there");
    assert_eq!(record["customer_name"], "Café \"Ole\"");
}
