//! `zbsetup` as scripts and support staff use it: every command, its `--json`
//! shape and its exit status, against a real SQLite file and the real Secret
//! Service (run under `tests/session.sh`, as `.ci/test` does).

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;

mod common;
use common::{client_secret_entry, files_containing, json_of as json, stderr, zbsetup};

const ID: &str = "1000.CLITESTCLIENT0123456789ABCDEFG";
const SECRET: &str = "clicanary0f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// One keyring for every test: one test at a time.
static KEYRING: Mutex<()> = Mutex::new(());

fn secret_tool(user: &str) -> String {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "zoho-books-setup", "username", user])
        .output()
        .expect("secret-tool is installed (package libsecret-tools)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn clean_keyring(dir: &Path) {
    let out = zbsetup(dir, &["credentials", "clear"], None, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn fresh_status_has_the_documented_shape() {
    let _k = KEYRING.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    clean_keyring(dir.path());
    let s = json(dir.path(), &["status"]);
    assert_eq!(s["client_id"], Value::Null);
    assert_eq!(s["secret_stored"], false);
    assert_eq!(s["enabled"], false);
    assert_eq!(s["regions"], serde_json::json!(["us", "uk"]));
    // The app's own address, then Codat's callback (the platform until
    // another is chosen).
    assert_eq!(
        s["redirect_uris"],
        serde_json::json!([
            "http://localhost:47823/oauth/callback",
            "https://zohobooks.codat.io/oauth/callback"
        ])
    );
    assert_eq!(s["connections"], 0);
    let checklist = s["checklist"].as_array().unwrap();
    let ids: Vec<&str> = checklist
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "before_you_start",
            "register_client",
            "console_settings",
            "keys",
            "enable",
            "test"
        ]
    );
    assert!(checklist.iter().all(|i| i["done"] == false));
    // Text output names the same things in words.
    let out = zbsetup(dir.path(), &["status"], None, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Client ID:      (not saved)"), "{text}");
    assert!(text.contains("0 of 6 steps done"), "{text}");
}

#[test]
fn keys_are_saved_across_processes_and_the_secret_only_in_the_keyring() {
    let _k = KEYRING.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let out = zbsetup(
        dir.path(),
        &[
            "credentials",
            "set",
            "--client-id",
            &format!(" {ID} "),
            "--client-secret-stdin",
        ],
        Some(&format!("{SECRET}\n")),
        &[("ZBSETUP_LOG", "trace")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SECRET));
    assert!(
        !stderr(&out).contains(SECRET),
        "trace logging never shows the secret"
    );

    // A second process sees it; the secret itself never comes back.
    let s = json(dir.path(), &["status"]);
    assert_eq!(s["client_id"], ID);
    assert_eq!(s["secret_stored"], true);
    assert_eq!(
        s["secret_mask"],
        format!("••••••••{}", &SECRET[SECRET.len() - 4..])
    );
    assert!(!s.to_string().contains(SECRET));
    assert_eq!(s["checklist"][3]["done"], true, "the keys step is done");

    // Another program reads it from the Secret Service; no file holds it.
    assert_eq!(secret_tool(&client_secret_entry(dir.path())).trim(), SECRET);
    assert_eq!(files_containing(dir.path(), SECRET), Vec::<String>::new());

    // Clearing removes both.
    let s = json(dir.path(), &["credentials", "clear"]);
    assert_eq!(s["client_id"], Value::Null);
    assert_eq!(s["secret_stored"], false);
    assert_eq!(secret_tool(&client_secret_entry(dir.path())), "");
}

#[test]
fn bad_keys_exit_1_with_one_plain_line_and_store_nothing() {
    let _k = KEYRING.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    clean_keyring(dir.path());
    let cases: &[(&str, &str, &str)] = &[
        (&format!("Client ID: {ID}"), SECRET, "Remove the label"),
        (
            ID,
            "clicanary0f1e 2d3c4b5a69788796a5b4c3d2e1f0",
            "has a space in it",
        ),
        (ID, ID, "looks like the Client ID"),
        (ID, "", "The Client Secret is empty"),
        (
            ID,
            "clicanary0f1e\u{00A0}2d3c4b5a69788796a5b4c3d2e1f0",
            "no-break space",
        ),
    ];
    for (id, secret, expected) in cases {
        let out = zbsetup(
            dir.path(),
            &[
                "credentials",
                "set",
                "--client-id",
                id,
                "--client-secret-stdin",
            ],
            Some(secret),
            &[],
        );
        assert_eq!(out.status.code(), Some(1), "{id:?}/{secret:?}");
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(err.contains(expected), "{expected:?} in {err}");
        assert!(
            !err.contains("clicanary0f1e"),
            "the secret is never echoed: {err}"
        );
    }
    let s = json(dir.path(), &["status"]);
    assert_eq!(s["client_id"], Value::Null);
    assert_eq!(s["secret_stored"], false);
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        zbsetup(dir.path(), &["credentials", "set"], None, &[])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        zbsetup(dir.path(), &["no-such-command"], None, &[])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        zbsetup(dir.path(), &["regions"], None, &[]).status.code(),
        Some(2)
    );
}

#[test]
fn regions_and_the_switch() {
    let _k = KEYRING.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    clean_keyring(dir.path());
    let s = json(dir.path(), &["regions", "set", "us,EU, in,us"]);
    assert_eq!(s["regions"], serde_json::json!(["us", "eu", "in"]));
    let out = zbsetup(dir.path(), &["regions", "set", "us,xx"], None, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("\"xx\" is not a Zoho data center"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        json(dir.path(), &["status"])["regions"],
        serde_json::json!(["us", "eu", "in"])
    );

    // The switch refuses without keys...
    let out = zbsetup(dir.path(), &["enable"], None, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("Save your Client ID and Client Secret first"));
    // ...and works with them.
    let out = zbsetup(
        dir.path(),
        &[
            "credentials",
            "set",
            "--client-id",
            ID,
            "--client-secret-stdin",
        ],
        Some(SECRET),
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(dir.path(), &["enable"])["enabled"], true);
    assert_eq!(json(dir.path(), &["status"])["checklist"][4]["done"], true);
    assert_eq!(json(dir.path(), &["disable"])["enabled"], false);
    clean_keyring(dir.path());
}

#[test]
fn a_missing_keyring_is_an_error_with_the_fix_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let no_bus = [(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/zbs-no-bus",
    )];
    let out = zbsetup(
        dir.path(),
        &[
            "credentials",
            "set",
            "--client-id",
            ID,
            "--client-secret-stdin",
        ],
        Some(SECRET),
        &no_bus,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("system keyring"), "{err}");
    assert!(err.contains("nothing was saved"), "{err}");
    // The steps, in plain words: no D-Bus names.
    assert!(
        err.contains("gnome-keyring") && err.contains("sign out"),
        "{err}"
    );
    assert!(
        !err.contains("DBus") && !err.contains("freedesktop"),
        "{err}"
    );
    assert_eq!(files_containing(dir.path(), SECRET), Vec::<String>::new());
    // Status still answers, and says what is wrong.
    let out = zbsetup(dir.path(), &["--json", "status"], None, &no_bus);
    assert!(out.status.success(), "{}", stderr(&out));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        s["client_id"],
        Value::Null,
        "the ID was not saved without its secret"
    );
    assert!(s["keyring_problem"]
        .as_str()
        .unwrap()
        .contains("system keyring"));
}

#[test]
fn a_damaged_database_is_set_aside_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("zbsetup.sqlite3"),
        b"garbage, not SQLite".repeat(100),
    )
    .unwrap();
    let s = json(dir.path(), &["status"]);
    let notice = s["recovery_notice"].as_str().unwrap();
    assert!(notice.contains("set aside"), "{notice}");
    let moved: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".damaged-"))
        .collect();
    assert_eq!(moved.len(), 1);
}
