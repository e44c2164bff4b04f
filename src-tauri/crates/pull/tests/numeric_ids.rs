//! An id Zoho wrote as a JSON number and the same digits written as a JSON
//! string are two records: `{"invoice_id": 1}` and `{"invoice_id": "1"}` on
//! one page are both stored and both counted, through a real pull over HTTP
//! (from a stand-in for Zoho that serves that one page) and through the
//! store's upsert; string ids are stored, shown and exported as before.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zbs_pull::{
    AccessGrant, ExportFormat, LimiterRegistry, PullOptions, PullRequest, RateBudget, SortColumn,
    SortDir, StaticToken,
};
use zbs_zoho::books::decode_list;
use zbs_zoho::{Entity, SecretString};

const PAGE: &str = r#"{"code": 0, "message": "success",
    "invoices": [{"invoice_id": 1, "invoice_number": "NUMBER"},
                 {"invoice_id": "1", "invoice_number": "TEXT"}],
    "page_context": {"page": 1, "per_page": 200, "has_more_page": false}}"#;

/// Answers every request on 127.0.0.1 with [`PAGE`]; returns its origin.
async fn one_page_zoho() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
                    PAGE.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    origin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_id_and_the_same_digits_as_text_are_two_records() {
    let origin = one_page_zoho().await;
    let dir = tempfile::tempdir().expect("temp");
    let db = zbs_testkit::create_db(dir.path()).expect("database");
    let p = zbs_pull::Puller::new(&db, LimiterRegistry::new(), RateBudget::default())
        .expect("puller")
        .with_config(zbs_pull::PullerConfig {
            lock_dir: Some(dir.path().join("locks")),
            ..zbs_pull::PullerConfig::default()
        });
    let tokens = Arc::new(StaticToken(AccessGrant {
        token: SecretString::from("token".to_owned()),
        api_domain: origin.parse().expect("url"),
    }));
    let options = PullOptions {
        entities: vec![Entity::Invoices],
        sample: None,
        ..PullOptions::default()
    };
    for run in 0..2 {
        let report = p
            .run(PullRequest::new("c", "1", &options, tokens.clone()))
            .await
            .expect("pull");
        assert!(report.complete);
        assert_eq!(report.entities["invoices"].records, 2, "run {run}");
        assert_eq!(report.entities["invoices"].without_id, 0, "run {run}");
        let counts = p.counts("c").expect("counts");
        assert_eq!(counts[0].records, 2, "run {run}: {counts:?}");
    }
    // Both shown with the id as Zoho wrote it, and both exported.
    let page = p
        .records(
            "c",
            Entity::Invoices,
            0,
            10,
            SortColumn::Label,
            SortDir::Asc,
            None,
        )
        .expect("preview");
    let shown: Vec<(&str, Option<&str>)> = page
        .rows
        .iter()
        .map(|r| (r.columns.zoho_id.as_str(), r.columns.label.as_deref()))
        .collect();
    assert_eq!(shown, [("1", Some("NUMBER")), ("1", Some("TEXT"))]);
    let raw = p
        .record("c", Entity::Invoices, "1")
        .expect("read")
        .expect("there");
    assert_eq!(raw["invoice_id"], "1", "the string id comes first");
    let out = dir.path().join("export");
    let summary = p
        .export("c", ExportFormat::Json, &out, None)
        .expect("export");
    assert_eq!(summary.files[0].records, 2, "{summary:?}");
}

#[test]
fn the_upsert_keeps_a_number_id_apart_from_its_text() {
    let dir = tempfile::tempdir().expect("temp");
    let p = zbs_testkit::puller_in(dir.path()).expect("puller");
    let page = decode_list(
        Entity::Invoices,
        200,
        PAGE.as_bytes(),
        1,
        200,
        Default::default(),
    )
    .expect("decoded");
    assert_eq!(page.records.len(), 2);
    assert_eq!(
        p.ingest("c", Entity::Invoices, &page.records, false)
            .expect("stored"),
        2
    );
    // The same page again is nothing new; each kind keeps its own record.
    assert_eq!(
        p.ingest("c", Entity::Invoices, &page.records, false)
            .expect("stored"),
        0
    );
    assert_eq!(p.counts("c").expect("counts")[0].records, 2);
}
