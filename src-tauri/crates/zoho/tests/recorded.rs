//! Every recorded Zoho Books answer in `tests/fixtures/zoho-recorded` decodes
//! with the typed structs.

use serde::de::DeserializeOwned;
use serde_json::Value;
use zbs_testkit::{recorded, recorded_dir};
use zbs_zoho::books::types::*;
use zbs_zoho::books::Entity;

fn all<T: DeserializeOwned>(name: &str, records: &Value) -> Vec<T> {
    let rows: Vec<Value> = match records {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    rows.into_iter()
        .map(|r| serde_json::from_value(r).unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

/// Decodes one file: envelope, page context, and each record with its type.
fn check(name: &str) -> usize {
    let file = recorded(name);
    assert_eq!(file["status"], 200, "{name}");
    let env: Envelope =
        serde_json::from_value(file["body"].clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(env.code, 0, "{name}");
    let (key, records) = env
        .rest
        .iter()
        .find(|(_, v)| v.is_array() || v.is_object())
        .unwrap_or_else(|| panic!("{name}: no records"));
    let detail = name.contains("-detail");
    if !detail && name != "organizations.json" {
        let pc = env
            .page_context
            .clone()
            .unwrap_or_else(|| panic!("{name}: page_context"));
        assert!(
            pc.page.is_some() && pc.per_page.is_some() && pc.has_more_page.is_some(),
            "{name}"
        );
    }
    let n = match key.as_str() {
        "organizations" => {
            let orgs = all::<Organization>(name, records);
            assert!(!orgs.is_empty());
            orgs.len()
        }
        "invoices" => all::<Invoice>(name, records).len(),
        "invoice" => {
            let d = all::<InvoiceDetail>(name, records);
            assert!(!d[0].line_items.is_empty(), "{name}: line items");
            assert!(d[0].line_items[0].item_total.is_some());
            1
        }
        "creditnotes" => all::<CreditNote>(name, records).len(),
        "creditnote" => {
            assert!(!all::<CreditNoteDetail>(name, records)[0]
                .line_items
                .is_empty());
            1
        }
        "contacts" => all::<Contact>(name, records).len(),
        "contact" => {
            let d = all::<ContactDetail>(name, records);
            assert!(d[0].billing_address.is_some(), "{name}: address");
            1
        }
        "bills" => all::<Bill>(name, records).len(),
        "bill" => {
            assert!(!all::<BillDetail>(name, records)[0].line_items.is_empty());
            1
        }
        "items" => all::<Item>(name, records).len(),
        "item" => all::<ItemDetail>(name, records).len(),
        "chartofaccounts" => all::<Account>(name, records).len(),
        "chart_of_account" => all::<AccountDetail>(name, records).len(),
        "customerpayments" => all::<CustomerPayment>(name, records).len(),
        "payment" => {
            assert!(!all::<CustomerPaymentDetail>(name, records)[0]
                .invoices
                .is_empty());
            1
        }
        "vendorpayments" => all::<VendorPayment>(name, records).len(),
        "vendorpayment" => {
            assert!(!all::<VendorPaymentDetail>(name, records)[0]
                .bills
                .is_empty());
            1
        }
        "estimates" | "estimate" => all::<Estimate>(name, records).len(),
        "expenses" | "expense" => all::<Expense>(name, records).len(),
        "journals" | "journal" => all::<Journal>(name, records).len(),
        "purchaseorders" | "purchaseorder" => all::<PurchaseOrder>(name, records).len(),
        "bankaccounts" | "bankaccount" => all::<BankAccount>(name, records).len(),
        "currencies" => all::<Currency>(name, records).len(),
        "taxes" => all::<Tax>(name, records).len(),
        other => panic!("{name}: no typed struct for \"{other}\""),
    };
    // Typed records must carry their id (their key columns, read by
    // zbs-pull, are checked in its tests/recorded.rs).
    if let Some(entity) = Entity::all().iter().find(|e| {
        if detail {
            e.detail_key() == key
        } else {
            e.list_key() == key
        }
    }) {
        let rows: Vec<Value> = match records {
            Value::Array(a) => a.clone(),
            other => vec![other.clone()],
        };
        for row in rows {
            let id = entity
                .record_id(&row)
                .unwrap_or_else(|| panic!("{name}: a record has no id"));
            assert!(!id.is_empty(), "{name}");
        }
    }
    n
}

#[test]
fn every_recorded_file_decodes() {
    let mut names: Vec<String> = std::fs::read_dir(recorded_dir())
        .unwrap_or_else(|e| panic!("{}: {e}", recorded_dir().display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 40, "recorded files missing: {}", names.len());
    for name in &names {
        check(name);
    }
}

#[test]
fn organization_fields() {
    let file = recorded("organizations.json");
    let orgs: Vec<Organization> =
        serde_json::from_value(file["body"]["organizations"].clone()).expect("organizations");
    let org = &orgs[0];
    assert_eq!(org.organization_id, "927270289");
    assert_eq!(org.name, "Nango Dev");
    assert_eq!(org.is_default_org, Some(true));
    assert_eq!(org.currency_code.as_deref(), Some("USD"));
    assert_eq!(org.extra["plan_type"], 3);
    // Round trip keeps every field.
    let back = serde_json::to_value(org).expect("serialize");
    assert_eq!(back, file["body"]["organizations"][0]);
}

#[test]
fn lenient_numbers_and_strings() {
    let inv: Invoice = serde_json::from_value(serde_json::json!({
        "invoice_id": 123, "total": "12.50", "balance": "", "date": "", "status": null,
        "customer_name": {"unexpected": true}
    }))
    .expect("lenient");
    assert_eq!(inv.invoice_id.as_deref(), Some("123"));
    assert_eq!(inv.total, Some(12.5));
    assert_eq!(inv.balance, None);
    assert_eq!(inv.date, None);
    assert_eq!(inv.status, None);
    assert_eq!(inv.customer_name, None);
    assert!(serde_json::from_value::<Organization>(serde_json::json!({"name": "x"})).is_err());
}
