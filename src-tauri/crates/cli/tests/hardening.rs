//! Hardening, second round: whatever runs at the same time, `zbsetup`
//! overwrites nothing of the person's, leaves no secret or file behind,
//! keeps what it makes private and changes nothing it refused. Each test
//! runs separate `zbsetup` processes. Run under `tests/session.sh`.

mod common;
use common::connected::{roomy_sim, stdout_of, Connected};

/// `zbsetup export --out DIR` never replaces a file already in DIR: it
/// refuses, naming the file, and writes nothing; into a new folder it works.
#[tokio::test(flavor = "multi_thread")]
async fn export_never_replaces_a_file_already_in_the_folder() {
    let c = Connected::start(roomy_sim(5)).await;
    let dir = c.root.path().join("data");
    c.prepare(&dir);
    let id = c.connect(&dir, None).await;
    let mut pull = c.zbsetup(&dir);
    pull.args(["pull", &id, "--all", "--entities", "invoices,customers"]);
    stdout_of(pull);

    let out_dir = c.root.path().join("mine");
    std::fs::create_dir(&out_dir).unwrap();
    let mine = out_dir.join("invoices.csv");
    std::fs::write(&mine, "my own sheet\n").unwrap();
    for format in ["csv", "json"] {
        if format == "json" {
            std::fs::write(out_dir.join("customers.json"), "[\"mine\"]").unwrap();
        }
        let out = c
            .zbsetup(&dir)
            .args(["export", &id, "--format", format, "--out"])
            .arg(&out_dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{format}: the export was refused");
        let named = if format == "csv" {
            "invoices.csv"
        } else {
            "customers.json"
        };
        assert!(
            stderr.contains(named) && stderr.contains("never replaces"),
            "{format}: {stderr}"
        );
    }
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "my own sheet\n");
    assert_eq!(
        std::fs::read_to_string(out_dir.join("customers.json")).unwrap(),
        "[\"mine\"]"
    );
    let mut left: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["customers.json", "invoices.csv"],
        "nothing was added beside the person's files"
    );

    // Into a new folder, and once more into the same one: refused the second time.
    let fresh = c.root.path().join("fresh");
    let mut export = c.zbsetup(&dir);
    export
        .args(["export", &id, "--format", "csv", "--out"])
        .arg(&fresh);
    stdout_of(export);
    let first = std::fs::read_to_string(fresh.join("invoices.csv")).unwrap();
    assert_eq!(first.lines().count(), 6, "a header and 5 invoices");
    let again = c
        .zbsetup(&dir)
        .args(["export", &id, "--format", "csv", "--out"])
        .arg(&fresh)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert_eq!(
        std::fs::read_to_string(fresh.join("invoices.csv")).unwrap(),
        first
    );
}
