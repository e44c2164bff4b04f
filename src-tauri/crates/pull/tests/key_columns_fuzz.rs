//! Property tests of reading key columns: any JSON, and recorded records
//! with one field replaced by any JSON or removed. Nothing may panic, and
//! columns read are always those of the record's own id. The number of cases
//! follows `PROPTEST_CASES`.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::Value;
use zbs_pull::KeyColumns;
use zbs_testkit::{arb_json, recorded_body};
use zbs_zoho::Entity;

fn entity() -> impl Strategy<Value = Entity> {
    prop::sample::select(Entity::all().to_vec())
}

fn check(entity: Entity, record: &Value) {
    if let Ok(k) = KeyColumns::read(entity, record) {
        assert_eq!(Some(k.zoho_id), entity.record_id(record));
    }
}

/// Every record of the recorded list and detail answers of pulled types.
fn recorded_records() -> &'static [Value] {
    static RECORDS: OnceLock<Vec<Value>> = OnceLock::new();
    RECORDS.get_or_init(read_recorded_records)
}

fn read_recorded_records() -> Vec<Value> {
    let mut out = Vec::new();
    for e in Entity::all() {
        let name = e.path().trim_start_matches('/');
        if let Some(rows) = recorded_body(&format!("{name}.json"))[e.list_key()].as_array() {
            out.extend(rows.iter().cloned());
        }
    }
    for name in ["invoices", "contacts"] {
        let body = recorded_body(&format!("{name}-detail.json"));
        out.extend(body.as_object().into_iter().flat_map(|o| {
            o.values()
                .filter(|v| v.is_object())
                .cloned()
                .collect::<Vec<_>>()
        }));
    }
    out
}

proptest! {
    #[test]
    fn arbitrary_json(entity in entity(), record in arb_json()) {
        check(entity, &record);
    }

    #[test]
    fn recorded_records_mutated(
        entity in entity(),
        which in any::<prop::sample::Index>(),
        field in any::<prop::sample::Index>(),
        replacement in prop::option::of(arb_json()),
    ) {
        let records = recorded_records();
        let mut record = records[which.index(records.len())].clone();
        if let Some(obj) = record.as_object_mut() {
            let keys: Vec<String> = obj.keys().cloned().collect();
            let key = keys[field.index(keys.len())].clone();
            match replacement {
                Some(v) => obj.insert(key, v),
                None => obj.remove(&key),
            };
        }
        check(entity, &record);
    }
}

#[test]
fn the_recorded_records_are_found() {
    let records = recorded_records();
    assert!(records.len() >= 20, "{} recorded records", records.len());
    assert!(records.iter().all(Value::is_object));
}
