//! Property tests of decoding Zoho Books answers: arbitrary bytes, arbitrary
//! JSON, and recorded answers with fields removed or replaced, through the
//! same functions the client uses. Nothing may panic; a success is always a
//! list of JSON objects. The number of cases follows `PROPTEST_CASES`.

use proptest::prelude::*;
use serde_json::Value;
use zbs_testkit::arb_json;
use zbs_zoho::books::{decode_detail, decode_list, decode_response, Entity, RateInfo};

fn recorded(name: &str) -> Value {
    zbs_testkit::recorded_body(&format!("{name}.json"))
}

fn entity() -> impl Strategy<Value = Entity> {
    prop::sample::select(Entity::all().to_vec())
}

fn check(entity: Entity, status: u16, body: &[u8]) {
    let rate = RateInfo::default();
    if let Ok(page) = decode_list(entity, status, body, 1, 200, rate) {
        for r in &page.records {
            assert!(r.value().is_object());
            // What is stored is the record's own text: it reads back as the record.
            assert_eq!(
                serde_json::from_str::<Value>(r.raw()).ok().as_ref(),
                Some(r.value())
            );
            let _ = entity.record_id(r.value());
        }
    }
    if let Ok(record) = decode_detail(entity, status, body, rate) {
        assert!(record.value().is_object());
        assert_eq!(
            serde_json::from_str::<Value>(record.raw()).ok().as_ref(),
            Some(record.value())
        );
        let _ = entity.record_id(record.value());
    }
    let _ = decode_response(status, body, rate);
}

proptest! {
    #[test]
    fn arbitrary_bytes(entity in entity(), status in prop::sample::select(vec![200u16, 201, 400, 401, 404, 429, 500, 503]), body in prop::collection::vec(any::<u8>(), 0..512)) {
        check(entity, status, &body);
    }

    #[test]
    fn arbitrary_json(entity in entity(), body in arb_json()) {
        check(entity, 200, body.to_string().as_bytes());
    }

    #[test]
    fn recorded_answers_mutated(
        which in prop::sample::select(vec!["invoices", "contacts", "creditnotes", "bills", "items", "chartofaccounts", "customerpayments", "vendorpayments", "invoices-detail", "contacts-detail"]),
        entity in entity(),
        drop_key in "[a-z_]{1,20}",
        replacement in arb_json(),
        cut in 0usize..4000,
    ) {
        let mut body = recorded(which);
        if let Some(obj) = body.as_object_mut() {
            let keys: Vec<String> = obj.keys().cloned().collect();
            if let Some(k) = keys.iter().find(|k| k.contains(drop_key.as_str())).or(keys.first()) {
                obj.insert(k.clone(), replacement);
            }
        }
        let text = body.to_string();
        check(entity, 200, text.as_bytes());
        // A body cut short (a dropped connection) must fail cleanly too.
        let cut = cut.min(text.len());
        check(entity, 200, &text.as_bytes()[..cut]);
    }
}

#[test]
fn every_recorded_list_decodes_into_objects() {
    for (file, entity) in [
        ("invoices", Entity::Invoices),
        ("creditnotes", Entity::CreditNotes),
        ("contacts", Entity::Customers),
        ("contacts-2", Entity::Vendors),
        ("bills", Entity::Bills),
        ("items", Entity::Items),
        ("chartofaccounts", Entity::ChartOfAccounts),
        ("customerpayments", Entity::CustomerPayments),
        ("vendorpayments", Entity::VendorPayments),
    ] {
        let body = recorded(file).to_string();
        let page =
            decode_list(entity, 200, body.as_bytes(), 1, 200, RateInfo::default()).expect(file);
        assert!(!page.records.is_empty(), "{file}");
        assert!(page.records.iter().all(|r| r.value().is_object()), "{file}");
    }
}
