//! Decoding recorded Zoho list answers (invoices, contacts), the way a pull
//! does it, against the floor of parsing the same bytes into a
//! `serde_json::Value`:
//!
//! - `value`: bytes → `serde_json::Value` (the floor; every path starts here);
//! - `list_page`: what `BooksClient::list` does with the body
//!   (`decode_list`): the result code checked, each record's text kept and
//!   parsed (checked to be an object), `page_context` typed;
//! - `key_columns`: `list_page` plus `KeyColumns::read` (zbs-pull) for every
//!   record (through the typed structs), as the pull engine stores them;
//! - `typed`: bytes → `Envelope`, then the records as the crate's typed
//!   structs (`Invoice`, `Contact`).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::Value;
use zbs_bench::recorded_body;
use zbs_pull::KeyColumns;
use zbs_zoho::books::types::{Contact, Envelope, Invoice};
use zbs_zoho::books::{decode_list, RateInfo};
use zbs_zoho::{Entity, ListPage};

fn list_page(body: &[u8], entity: Entity) -> ListPage {
    decode_list(entity, 200, body, 1, 200, RateInfo::default()).unwrap()
}

fn typed<T: serde::de::DeserializeOwned>(body: &[u8], key: &str) -> Vec<T> {
    let mut env: Envelope = serde_json::from_slice(body).unwrap();
    let list = env.rest.remove(key).unwrap();
    serde_json::from_value(list).unwrap()
}

fn bench_entity<T: serde::de::DeserializeOwned>(
    c: &mut Criterion,
    name: &str,
    file: &str,
    entity: Entity,
) {
    let body = recorded_body(file);
    let count = list_page(&body, entity).records.len();
    assert!(count > 0, "{file} holds no records");
    let mut g = c.benchmark_group(format!("decode/{name}"));
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("value", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&body)).unwrap())
    });
    g.bench_function("list_page", |b| {
        b.iter(|| list_page(black_box(&body), entity))
    });
    g.bench_function("key_columns", |b| {
        b.iter(|| {
            let page = list_page(black_box(&body), entity);
            page.records
                .iter()
                .map(|r| KeyColumns::read(entity, r.value()).unwrap())
                .collect::<Vec<_>>()
        })
    });
    g.bench_function("typed", |b| {
        b.iter(|| typed::<T>(black_box(&body), entity.list_key()))
    });
    g.finish();
}

fn decode(c: &mut Criterion) {
    bench_entity::<Invoice>(c, "invoices", "invoices.json", Entity::Invoices);
    bench_entity::<Contact>(c, "contacts", "contacts.json", Entity::Customers);
}

criterion_group! {
    name = benches;
    config = zbs_bench::config();
    targets = decode
}
criterion_main!(benches);
