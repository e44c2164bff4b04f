//! A data folder that fills up or turns read-only, on a real file system: a
//! size-limited tmpfs mounted over the test's folder. The app must say what
//! happened and what to do, keep what it had, and carry on once the disk is
//! mended. Mounting needs root (as in CI); elsewhere these tests say they were
//! skipped.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use secrecy::SecretString;
use zbs_pull::{PullControls, PullOptions};
use zbs_setup::{CredentialsInput, OpenOptions, Profile, Setup};
use zbs_sim::{Entity, SimConfig};
use zbs_tests::Harness;

/// A tmpfs mounted over a temporary folder, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` (the test is skipped) only when not running as root.
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700")])
            .arg("tmpfs")
            .arg(dir.path())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            let root = Command::new("id")
                .arg("-u")
                .output()
                .map(|o| o.stdout.starts_with(b"0"))
                .unwrap_or(false);
            assert!(!root, "running as root, yet a tmpfs could not be mounted");
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        Some(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount(&self, options: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(self.dir.path())
            .status()
            .unwrap()
            .success();
        assert!(ok, "remount {options}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open_with_flags(
        path.join("zbsetup.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

fn invoice_rows(path: &Path) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(
        path.join("zbsetup.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    conn.query_row(
        "SELECT COUNT(*) FROM pull_records WHERE entity = 'invoices'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[tokio::test]
async fn a_full_disk_stops_the_pull_with_the_fix_and_it_resumes_once_space_is_freed() {
    let Some(disk) = Tmpfs::mount("3m") else {
        return;
    };
    let h = Harness::ready_in(SimConfig::default(), disk.path()).await;
    let c = h.connect("us", None).await;
    let org = h.sim.organizations()[0].organization_id.clone();
    assert_eq!(org, c.organization_id);
    h.sim
        .set_record_count(&org, Entity::Invoices, 6_000)
        .unwrap();
    let setup = Arc::new(h.reopen());
    let options = PullOptions {
        entities: vec![zbs_zoho::books::Entity::Invoices],
        sample: None,
        ..PullOptions::default()
    };

    let err = setup
        .pull(&c.id, &options, PullControls::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), zbs_codes::Code::DiskFull, "{err}");
    let message = err.to_string();
    assert!(
        message.contains("disk") && message.contains("full"),
        "{message}"
    );
    assert!(
        message.contains("saved"),
        "says nothing was lost: {message}"
    );
    assert_eq!(integrity(h.dir.path()), "ok");
    let kept = invoice_rows(h.dir.path());
    eprintln!("kept {kept} invoices before the disk was full");
    assert!(
        kept > 0 && kept < 6_000,
        "part of the pull was kept ({kept})"
    );
    drop(setup);

    // Space freed: the same pull continues where it stopped, without duplicates.
    disk.remount("size=64m");
    let setup = Arc::new(h.reopen());
    let report = setup
        .pull(&c.id, &options, PullControls::default())
        .await
        .unwrap();
    assert!(report.complete);
    assert_eq!(report.entities["invoices"].records, 6_000);
    assert_eq!(invoice_rows(h.dir.path()), 6_000);
    assert_eq!(integrity(h.dir.path()), "ok");
    let ids: i64 = rusqlite::Connection::open(h.dir.path().join("zbsetup.sqlite3"))
        .unwrap()
        .query_row(
            "SELECT COUNT(DISTINCT zoho_id) FROM pull_records WHERE entity = 'invoices'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ids, 6_000);
}

#[test]
fn a_read_only_data_folder_is_named_with_the_fix_and_nothing_is_lost() {
    let Some(disk) = Tmpfs::mount("16m") else {
        return;
    };
    let service = format!("zoho-books-setup-test-{:016x}", rand::random::<u64>());
    let open = || {
        Setup::open(OpenOptions {
            data_dir: Some(disk.path().to_owned()),
            profile: Profile::Real,
            data_centers: None,
            keyring_service: Some(service.clone()),
        })
    };
    {
        let setup = open().unwrap();
        setup
            .save_credentials(CredentialsInput {
                client_id: "1000.STORAGETESTCLIENT0123456789ABC".into(),
                client_secret: Some(SecretString::from(
                    "0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789",
                )),
            })
            .unwrap();
        setup.set_enabled(true).unwrap();
    } // closed, as when the app quits

    // The folder turns read-only (a full or failing drive is remounted so).
    disk.remount("ro");
    let err = open().unwrap_err();
    assert_eq!(err.code(), zbs_codes::Code::DataFolderReadOnly, "{err}");
    let message = err.to_string();
    assert!(message.contains("read-only"), "{message}");
    assert!(
        message.contains(&disk.path().display().to_string()),
        "names the folder: {message}"
    );
    assert!(
        message.contains("ZBSETUP_DATA_DIR"),
        "offers a way out: {message}"
    );

    // Writable again: everything is as it was, and changes work.
    disk.remount("rw");
    let setup = open().unwrap();
    let status = setup.status().unwrap();
    assert!(status.enabled, "the switch kept its value");
    assert!(status.secret_stored);
    setup.clear_credentials().unwrap();
    drop(setup);
    assert_eq!(integrity(disk.path()), "ok");
}
