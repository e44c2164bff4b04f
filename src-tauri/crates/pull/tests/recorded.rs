//! Every recorded Zoho answer (`tests/fixtures/zoho-recorded`) whose record
//! type can be pulled is stored through the same upsert as pulls, then
//! exported as CSV and JSON; answers of types that cannot be pulled are
//! listed explicitly so a new recording is never silently ignored.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use zbs_pull::{ExportFormat, KeyColumns, LimiterRegistry, Puller, RateBudget};
use zbs_testkit::{create_db, recorded, recorded_dir};
use zbs_zoho::books::{decode_detail, decode_list};
use zbs_zoho::{Entity, RateInfo, Record};

/// Resources recorded that no pull reads (yet).
const NOT_PULLED: [&str; 7] = [
    "bankaccounts",
    "expenses",
    "journals",
    "purchaseorders",
    "organizations",
    "settings/currencies",
    "settings/taxes",
];

fn entities_of(resource: &str) -> Vec<Entity> {
    match resource {
        "contacts" => vec![Entity::Customers, Entity::Vendors],
        other => Entity::all()
            .iter()
            .copied()
            .filter(|e| e.path() == format!("/{other}"))
            .collect(),
    }
}

#[test]
fn every_recorded_shape_is_stored_and_exported() {
    let dir = tempfile::tempdir().expect("temp");
    let db = create_db(dir.path()).expect("database");
    let puller = Puller::new(&db, LimiterRegistry::new(), RateBudget::default()).expect("puller");
    let mut expected: BTreeMap<Entity, BTreeSet<String>> = BTreeMap::new();
    let mut files = 0;
    let mut skipped = BTreeSet::new();
    let mut paths: Vec<_> = std::fs::read_dir(recorded_dir())
        .expect("recorded answers are there")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("read");
        let rec: Value = serde_json::from_str(&text).expect("recorded JSON");
        let Some(api_path) = rec["path"].as_str() else {
            continue; // NOTICE and the like
        };
        let rest = api_path.trim_start_matches("/books/v3/");
        let segments: Vec<&str> = rest.split('/').collect();
        let (resource, is_detail) = match segments.as_slice() {
            [r] => (r.to_string(), false),
            ["settings", r] => (format!("settings/{r}"), false),
            [r, _id] => (r.to_string(), true),
            _ => panic!("unexpected recorded path {api_path}"),
        };
        let entities = entities_of(&resource);
        if entities.is_empty() {
            assert!(
                NOT_PULLED.contains(&resource.as_str()),
                "{resource} is neither pulled nor listed"
            );
            skipped.insert(resource);
            continue;
        }
        files += 1;
        // Through the client's own decoding of the bytes Zoho sent.
        let body = rec["body"].to_string();
        let status = rec["status"].as_u64().map_or(200, |s| s as u16);
        for entity in entities {
            let records: Vec<Record> = if is_detail {
                vec![
                    decode_detail(entity, status, body.as_bytes(), RateInfo::default())
                        .expect("a recorded detail answer decodes"),
                ]
            } else {
                decode_list(entity, status, body.as_bytes(), 1, 200, RateInfo::default())
                    .expect("a recorded list answer decodes")
                    .records
            };
            for r in &records {
                let k = KeyColumns::read(entity, r.value())
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert!(!k.zoho_id.is_empty(), "{}", path.display());
                assert!(
                    k.label.is_some(),
                    "{}: label of {}",
                    path.display(),
                    k.zoho_id
                );
                expected.entry(entity).or_default().insert(
                    entity
                        .record_id(r.value())
                        .expect("recorded records have ids"),
                );
            }
            puller
                .ingest("recorded", entity, &records, is_detail)
                .expect("stored");
        }
    }
    assert!(files >= 24, "{files} recorded answers of pulled types");
    assert_eq!(skipped.len(), NOT_PULLED.len(), "{skipped:?}");
    let counts: BTreeMap<String, u64> = puller
        .counts("recorded")
        .expect("counts")
        .into_iter()
        .map(|c| (c.entity, c.records))
        .collect();
    for (e, ids) in &expected {
        assert_eq!(counts.get(e.name()).copied(), Some(ids.len() as u64), "{e}");
        // Key columns were read from Zoho's real shapes.
        let page = puller
            .records(
                "recorded",
                *e,
                0,
                100,
                zbs_pull::SortColumn::Label,
                zbs_pull::SortDir::Asc,
                None,
            )
            .expect("page");
        assert!(
            page.rows.iter().all(|r| r.columns.label.is_some()),
            "{e}: every record has a number or name"
        );
    }
    // Details keep their line items.
    let inv = puller
        .record("recorded", Entity::Invoices, "260815000000103001")
        .expect("read")
        .expect("stored");
    assert!(inv["line_items"].is_array());

    let out = dir.path().join("export");
    let csv = puller
        .export("recorded", ExportFormat::Csv, &out, None)
        .expect("csv export");
    let json = puller
        .export("recorded", ExportFormat::Json, &out, None)
        .expect("json export");
    assert_eq!(csv.files.len(), expected.len());
    for (c, j) in csv.files.iter().zip(&json.files) {
        let e: Entity = c.entity.parse().expect("entity");
        let n = expected[&e].len() as u64;
        assert_eq!((c.records, j.records), (n, n), "{e}");
        let arr: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&j.path).expect("read"))
                .expect("JSON array");
        assert_eq!(arr.len() as u64, n);
        let got: BTreeSet<String> = arr.iter().filter_map(|r| e.record_id(r)).collect();
        assert_eq!(&got, &expected[&e]);
        let text = std::fs::read_to_string(&c.path).expect("read");
        let header = text.lines().next().expect("header");
        assert!(header.starts_with(
            "entity,zoho_id,label,date,total,status,counterparty,last_modified,pulled_at,detail,"
        ));
        assert!(
            header.contains(e.id_field()) || e.id_field() == "payment_id" || header.contains("_id")
        );
        for id in &expected[&e] {
            assert!(
                text.contains(&format!("{},{id},", e.name())),
                "{e} {id} in CSV"
            );
        }
    }
    assert!(!out.read_dir().expect("dir").any(|f| f
        .expect("entry")
        .file_name()
        .to_string_lossy()
        .ends_with(".part")));
}

#[test]
fn invoice_key_columns() {
    let file = recorded("invoices.json");
    let row = &file["body"]["invoices"][0];
    let k = KeyColumns::read(Entity::Invoices, row).expect("columns");
    assert_eq!(k.zoho_id, "260815000000103001");
    assert_eq!(k.label.as_deref(), Some("INV-000001"));
    assert_eq!(k.date.as_deref(), Some("2026-06-09"));
    assert_eq!(k.total, Some(598.0));
    assert_eq!(k.status.as_deref(), Some("paid"));
    assert_eq!(k.counterparty.as_deref(), Some("Acme Corp"));
    assert!(k.last_modified.is_some());
}
