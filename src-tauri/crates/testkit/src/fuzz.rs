//! Generators for property tests of reading Zoho's answers.

use proptest::prelude::*;
use serde_json::Value;

/// Any JSON value, up to four levels deep, whose object keys are often the
/// ones Zoho's answers use (`code`, `message`, `invoices`, `page_context`, ...).
pub fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("code".to_owned()),
                    Just("message".to_owned()),
                    Just("invoices".to_owned()),
                    Just("contacts".to_owned()),
                    Just("page_context".to_owned()),
                    Just("invoice".to_owned()),
                    Just("contact_type".to_owned()),
                    "[a-z_]{1,12}",
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
