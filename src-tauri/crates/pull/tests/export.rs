//! Exports hold customer data: they are written privately (a folder only
//! the person can open, files only they can read), never through a link
//! someone planted, never left half-written, and CSV cells carry no control
//! characters a terminal or spreadsheet would act on.

use serde_json::json;
use zbs_pull::{ExportFormat, Puller};
use zbs_zoho::{Entity, Record};

fn puller(dir: &std::path::Path) -> Puller {
    zbs_testkit::puller_in(dir).expect("puller")
}

fn with_invoices(dir: &std::path::Path) -> Puller {
    let p = puller(dir);
    let records: Vec<Record> = (1..=3)
        .map(|i| {
            Record::from_value(json!({
                "invoice_id": format!("{i}"),
                "invoice_number": format!("INV-{i}"),
                "customer_name": "Acme\u{1b}]0;owned\u{7}\u{1b}[2J\u{0}Ltd",
                "notes": "tab\there\r\nnew line",
                "reference_number": "=HYPERLINK(\"http://x\")",
                "total": 10.5,
            }))
        })
        .collect();
    p.ingest("c", Entity::Invoices, &records, false)
        .expect("stored");
    p
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

#[cfg(unix)]
#[test]
fn exports_are_private_and_ignore_planted_links() {
    let dir = tempfile::tempdir().expect("temp");
    let p = with_invoices(dir.path());
    let out = dir.path().join("export");
    for format in [ExportFormat::Csv, ExportFormat::Json] {
        let summary = p.export("c", format, &out, None).expect("export");
        assert_eq!(mode(&out), 0o700, "the folder the export made");
        for f in &summary.files {
            assert_eq!(
                mode(std::path::Path::new(&f.path)),
                0o600,
                "{format:?}: {}",
                f.path
            );
        }
    }
    // Links planted at every name an export used to write through: the
    // victim file is left alone; a link at the file's own name is something
    // already there, so the export refuses, and without it the export is a
    // file of its own.
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").expect("victim");
    for name in [".invoices.csv.part", "invoices.csv"] {
        let link = out.join(name);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&victim, &link).expect("link");
    }
    let refused = p
        .export("c", ExportFormat::Csv, &out, None)
        .expect_err("a link is already there");
    assert!(refused.to_string().contains("invoices.csv"), "{refused}");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious"
    );
    std::fs::remove_file(out.join("invoices.csv")).expect("link removed");
    p.export("c", ExportFormat::Csv, &out, None)
        .expect("export");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious"
    );
    let written = out.join("invoices.csv");
    assert!(!std::fs::symlink_metadata(&written)
        .expect("there")
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&written)
        .expect("csv")
        .starts_with("entity,"));
    assert_eq!(mode(&written), 0o600);
}

#[cfg(unix)]
#[test]
fn a_failed_export_leaves_no_partial_file() {
    let dir = tempfile::tempdir().expect("temp");
    let p = with_invoices(dir.path());
    let out = dir.path().join("export");
    std::fs::create_dir(&out).expect("folder");
    // The final name is taken by a folder: the rename fails.
    std::fs::create_dir(out.join("invoices.json")).expect("blocker");
    std::fs::write(out.join("invoices.json").join("keep"), "x").expect("blocker");
    p.export("c", ExportFormat::Json, &out, None)
        .expect_err("cannot replace a folder");
    let left: Vec<String> = std::fs::read_dir(&out)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "invoices.json")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn csv_cells_keep_no_control_characters() {
    let dir = tempfile::tempdir().expect("temp");
    let p = with_invoices(dir.path());
    let out = dir.path().join("export");
    p.export("c", ExportFormat::Csv, &out, None)
        .expect("export");
    let csv = std::fs::read_to_string(out.join("invoices.csv")).expect("csv");
    let bad: Vec<char> = csv
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        .collect();
    assert!(bad.is_empty(), "control characters: {bad:?}");
    assert!(csv.contains("Acme"), "{csv}");
    assert!(
        csv.contains("\"tab\there"),
        "tabs stay inside quoted cells: {csv}"
    );
    assert!(csv.contains("'=HYPERLINK"), "formulas are defused: {csv}");
    // Four lines: a header and three records (line breaks stay inside quotes).
    let mut rows = 0;
    let mut quoted = false;
    for c in csv.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => rows += 1,
            _ => {}
        }
    }
    assert_eq!(rows, 4, "{csv}");
}
