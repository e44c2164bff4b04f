//! The data folder as people give it: an existing folder is used as it is, a
//! folder other people can write to is refused, a file is named as a file,
//! and a settings file the app cannot prepare says so in one plain line.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

mod common;
use common::{stderr, zbsetup};

/// No keyring: these tests are about the folder, and `status` still answers.
const NO_BUS: [(&str, &str); 1] = [(
    "DBUS_SESSION_BUS_ADDRESS",
    "unix:path=/nonexistent/zbs-no-bus",
)];

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The one line a failing command printed, checked to be one line.
fn one_line(out: &std::process::Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
    let err = stderr(out);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    err
}

#[test]
fn an_existing_data_folder_keeps_its_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("mine");
    std::fs::create_dir(&dir).unwrap();
    chmod(&dir, 0o750);
    let out = zbsetup(&dir, &["status"], None, &NO_BUS);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&dir), 0o750, "an existing folder is used as it is");
    assert_eq!(mode(&dir.join("zbsetup.sqlite3")) & 0o777, 0o600);

    // A folder the app makes itself (and its missing parents) is private.
    let made = tmp.path().join("new").join("data");
    let out = zbsetup(&made, &["status"], None, &NO_BUS);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&made), 0o700);
    assert_eq!(mode(made.parent().unwrap()), 0o700);
}

#[test]
fn a_data_folder_other_people_can_write_to_is_refused_in_plain_words() {
    for shared in [0o1777, 0o777, 0o733] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("shared");
        std::fs::create_dir(&dir).unwrap();
        chmod(&dir, shared);
        let out = zbsetup(&dir, &["status"], None, &NO_BUS);
        let err = one_line(&out);
        assert!(err.contains("every user of this computer"), "{err}");
        assert!(err.contains("Choose a folder only you can change"), "{err}");
        assert_eq!(mode(&dir), shared, "its mode is left alone");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            0,
            "nothing is written into it"
        );
    }
}

#[test]
fn a_data_folder_that_is_a_file_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("zbsetup.sqlite3");
    std::fs::write(&db, b"some bytes").unwrap();
    // The settings file itself, given as the folder.
    let err = one_line(&zbsetup(&db, &["status"], None, &NO_BUS));
    assert!(err.contains("is a file, not a folder"), "{err}");
    assert!(
        err.contains(&format!(
            "the folder that holds it, {}",
            tmp.path().display()
        )),
        "{err}"
    );
    assert!(!err.to_lowercase().contains("disk"), "{err}");
    // A folder below a file.
    let below = db.join("data");
    let err = one_line(&zbsetup(&below, &["status"], None, &NO_BUS));
    assert!(
        err.contains(&format!("{} is a file, not a folder", db.display())),
        "{err}"
    );
    assert!(!err.to_lowercase().contains("disk"), "{err}");
    // Something that is neither.
    let err = one_line(&zbsetup(Path::new("/dev/null"), &["status"], None, &NO_BUS));
    assert!(err.contains("is not a folder"), "{err}");
    assert!(!err.to_lowercase().contains("disk"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), b"some bytes", "untouched");
}

#[test]
fn a_settings_file_that_cannot_be_prepared_is_one_plain_line_and_the_sql_only_in_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("zbsetup.sqlite3");
    {
        // A file from elsewhere whose tables clash with the app's first step.
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE settings (x); INSERT INTO settings VALUES (1);")
            .unwrap();
    }
    let out = zbsetup(tmp.path(), &["status"], None, &NO_BUS);
    let err = one_line(&out);
    assert!(err.contains("could not prepare its settings file"), "{err}");
    assert!(err.contains(&db.display().to_string()), "{err}");
    assert!(!err.contains("CREATE TABLE"), "no SQL: {err}");
    assert!(!err.to_lowercase().contains("disk"), "{err}");
    // The details are in the log.
    let out = zbsetup(
        tmp.path(),
        &["status"],
        None,
        &[NO_BUS[0], ("ZBSETUP_LOG", "info")],
    );
    // (Refused before any schema step ran: the file is looked at first.)
    assert!(
        stderr(&out).contains("not the app's file"),
        "{}",
        stderr(&out)
    );
    // Nothing in the file was changed.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let x: i64 = conn
        .query_row("SELECT x FROM settings", [], |r| r.get(0))
        .unwrap();
    assert_eq!(x, 1);
}
