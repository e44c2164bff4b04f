//! The window's export and test report, saved where the person chose in the
//! save dialog (the dialog itself is clicked in the end-to-end tests): an
//! export is a new folder of dated files, and a folder already there is
//! left exactly as it was; the report is written as the chosen file.

use std::sync::Arc;

use zbs_codes::Code;
use zbs_pull::{ExportFormat, PullControls, PullOptions};
use zbs_sim::SimConfig;
use zbs_tests::Harness;
use zbs_zoho::books::Entity as Books;

/// Today as the files are dated: "2026-12-01" (UTC).
fn today() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}

#[tokio::test]
async fn an_export_is_a_new_folder_of_dated_files_and_never_replaces_one() {
    let h = Harness::ready(SimConfig {
        records_per_entity: 30,
        ..SimConfig::default()
    })
    .await;
    let c = h.connect("us", None).await;
    let setup = Arc::new(h.reopen());
    let options = PullOptions {
        entities: vec![Books::Invoices, Books::Customers],
        sample: Some(10),
        ..PullOptions::default()
    };
    setup
        .pull(&c.id, &options, PullControls::default())
        .await
        .expect("pulled");

    let day = today();
    assert_eq!(
        setup.export_folder_name(),
        format!("Zoho Books export {day}")
    );
    let place = tempfile::tempdir().unwrap();
    let folder = place.path().join(setup.export_folder_name());
    let export = setup
        .export_pull_as(&c.id, ExportFormat::Csv, &folder)
        .expect("exported");
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            format!("customers {day}.csv"),
            format!("invoices {day}.csv")
        ]
    );
    assert_eq!(export.files.len(), 2);
    assert!(export.files.iter().all(|f| f.records == 10), "{export:?}");

    // The same name again (another format): refused, the folder as it was.
    let before = std::fs::read(folder.join(format!("invoices {day}.csv"))).unwrap();
    let err = setup
        .export_pull_as(&c.id, ExportFormat::Json, &folder)
        .expect_err("refused");
    assert_eq!(err.code(), Code::ExportFailed);
    assert!(
        err.to_string()
            .contains(&format!("\"Zoho Books export {day}\" is already there")),
        "{err}"
    );
    assert_eq!(
        std::fs::read(folder.join(format!("invoices {day}.csv"))).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read_dir(&folder).unwrap().count(),
        2,
        "no JSON file added"
    );

    // A link where the folder would go is not followed.
    #[cfg(unix)]
    {
        let elsewhere = tempfile::tempdir().unwrap();
        let link = place.path().join("link");
        std::os::unix::fs::symlink(elsewhere.path(), &link).unwrap();
        assert!(setup
            .export_pull_as(&c.id, ExportFormat::Csv, &link)
            .is_err());
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    }
}

#[tokio::test]
async fn the_test_report_is_written_as_the_chosen_file_and_readable_only_by_its_owner() {
    let h = Harness::ready(SimConfig::default()).await;
    h.connect("us", None).await;
    let day = today();
    assert_eq!(
        h.setup.test_report_file_name(),
        format!("Zoho Books test report {day}.html")
    );
    let place = tempfile::tempdir().unwrap();
    let chosen = place.path().join("for the team.html");
    std::fs::write(&chosen, "an older report").unwrap();
    let saved = h.setup.save_test_report_as(&chosen).expect("saved");
    assert_eq!(saved.path, chosen.display().to_string());
    assert_eq!(saved.folder, place.path().display().to_string());
    let html = std::fs::read_to_string(&chosen).unwrap();
    assert!(
        html.contains("Harbour Lane Trading Ltd"),
        "the organization is in it"
    );
    assert!(!html.contains(&h.client.client_secret), "no secret in it");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&chosen).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable only by its owner");
    }
    // Only the report is there: nothing half-written left beside it.
    assert_eq!(std::fs::read_dir(place.path()).unwrap().count(), 1);
    // A folder is not a file to write the report as.
    let err = h
        .setup
        .save_test_report_as(place.path())
        .expect_err("a folder");
    assert_eq!(err.code(), Code::ReportFailed);
}
