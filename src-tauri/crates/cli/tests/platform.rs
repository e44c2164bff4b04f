//! `zbsetup platform set` and `zbsetup handoff`, as separate processes
//! against a real SQLite file and the real Secret Service (run under
//! `tests/session.sh`): the platform's callback is checked, `status` lists
//! both redirect URIs, and the hand-off never writes the Client Secret
//! unless asked for it in text, never in JSON or logs.

use std::sync::Mutex;

use serde_json::Value;

mod common;
use common::{files_containing, json_of, set_keys, stderr, zbsetup};

const ID: &str = "1000.PLATFORMTESTCLIENT0123456789ABCD";
const SECRET: &str = "platformcanary0f1e2d3c4b5a69788796a5b4c3d2e1";
const LOOPBACK: &str = "http://localhost:47823/oauth/callback";
const CODAT: &str = "https://zohobooks.codat.io/oauth/callback";

/// One keyring for the whole file: one test at a time.
static KEYRING: Mutex<()> = Mutex::new(());

#[test]
fn status_lists_the_apps_redirect_uri_then_the_platforms() {
    let _k = KEYRING.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // Codat until another platform is chosen: a setup skimmed through still
    // registers the callback its customers' sign-ins need.
    let s = json_of(dir.path(), &["status"]);
    assert_eq!(s["redirect_uris"], serde_json::json!([LOOPBACK, CODAT]));
    assert_eq!(s["platform"]["choice"]["kind"], "codat");

    let s = json_of(dir.path(), &["platform", "set", "codat"]);
    assert_eq!(s["redirect_uris"], serde_json::json!([LOOPBACK, CODAT]));
    assert_eq!(s["platform"]["name"], "Codat");
    assert_eq!(s["platform"]["labels"]["client_id"], "Application ID");

    let custom = "https://sync.platform.example/Zoho/Callback?tenant=A%2Fb";
    let s = json_of(
        dir.path(),
        &["platform", "set", "Acme Sync", "--callback", custom],
    );
    assert_eq!(
        s["redirect_uris"],
        serde_json::json!([LOOPBACK, custom]),
        "kept exactly as typed"
    );
    let text = zbsetup(dir.path(), &["status"], None, &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Platform:       Acme Sync"), "{text}");
    assert!(
        text.contains(&format!("Redirect URI:   {custom}")),
        "{text}"
    );

    let s = json_of(dir.path(), &["platform", "set", "none"]);
    assert_eq!(s["redirect_uris"], serde_json::json!([LOOPBACK]));
}

#[test]
fn hostile_and_malformed_callbacks_are_refused_with_a_reason_and_change_nothing() {
    let _k = KEYRING.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    json_of(dir.path(), &["platform", "set", "codat"]);
    for (callback, reason) in [
        ("http://sync.platform.example/cb", "https://"),
        ("https://sync.platform.example/cb#x", "# part"),
        (
            "https://admin:pw@sync.platform.example/cb",
            "user name or password",
        ),
        ("javascript:alert(1)", "https://"),
        ("https://127.0.0.1/cb", "IP address"),
        (
            "https://sync.platform.example/\u{1b}]0;owned\u{7}",
            "no spaces",
        ),
        (
            "https://sync.platform.example/\u{202e}lmth",
            "characters Zoho does not accept",
        ),
    ] {
        let out = zbsetup(
            dir.path(),
            &["platform", "set", "Acme", "--callback", callback],
            None,
            &[],
        );
        assert_eq!(out.status.code(), Some(1), "{callback:?} was accepted");
        let err = stderr(&out);
        assert!(err.contains(reason), "{callback:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
    }
    let out = zbsetup(dir.path(), &["platform", "set", "Acme"], None, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--callback"), "{}", stderr(&out));
    // Still Codat: nothing was half-saved.
    let s = json_of(dir.path(), &["status"]);
    assert_eq!(s["platform"]["name"], "Codat");
}

#[test]
fn the_handoff_writes_the_secret_only_when_asked_and_never_as_json() {
    let _k = KEYRING.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    set_keys(dir.path(), ID, SECRET);
    json_of(dir.path(), &["platform", "set", "codat"]);
    let debug = [("ZBSETUP_LOG", "debug")];

    let out = zbsetup(dir.path(), &["--json", "handoff"], None, &debug);
    assert!(out.status.success(), "{}", stderr(&out));
    let h: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(h["client_id"], ID);
    assert_eq!(
        h["platform"]["labels"]["client_secret"],
        "Application Secret"
    );
    assert_eq!(h["redirect_uris"], serde_json::json!([LOOPBACK, CODAT]));
    assert_eq!(h["tested"], false);
    for printed in [&out.stdout, &out.stderr] {
        assert!(!String::from_utf8_lossy(printed).contains(SECRET));
    }

    let out = zbsetup(dir.path(), &["handoff"], None, &debug);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Application ID: 1000.PLATFORMTESTCLIENT"),
        "{text}"
    );
    assert!(text.contains("--show-secret"), "{text}");
    assert!(!text.contains(SECRET) && !stderr(&out).contains(SECRET));

    let out = zbsetup(
        dir.path(),
        &["--json", "handoff", "--show-secret"],
        None,
        &debug,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty() && !stderr(&out).contains(SECRET));
    assert!(
        stderr(&out).contains("never written as JSON"),
        "{}",
        stderr(&out)
    );

    let out = zbsetup(dir.path(), &["handoff", "--show-secret"], None, &debug);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("Application Secret: {SECRET}")),
        "{text}"
    );
    assert!(!stderr(&out).contains(SECRET), "not in the log");

    assert!(
        files_containing(dir.path(), SECRET).is_empty(),
        "the secret is in a file of the data folder"
    );
}

#[test]
fn the_test_report_names_the_platform_and_its_callback_and_holds_no_secret() {
    let _k = KEYRING.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    set_keys(dir.path(), ID, SECRET);
    json_of(dir.path(), &["platform", "set", "codat"]);
    let out_dir = dir.path().join("reports");
    let saved = json_of(dir.path(), &["report", "--out", out_dir.to_str().unwrap()]);
    let path = saved["path"].as_str().unwrap();
    let html = std::fs::read_to_string(path).unwrap();
    assert!(html.contains("Used by</th><td>Codat"), "{html}");
    assert!(html.contains(CODAT) && html.contains(LOOPBACK));
    assert!(html.contains("not passed a test pull yet"));
    assert!(
        !html.contains(SECRET) && !html.contains(ID),
        "no secret, a shortened ID"
    );
    // A second report of the same day does not replace the first.
    let again = json_of(dir.path(), &["report", "--out", out_dir.to_str().unwrap()]);
    assert_ne!(again["path"], saved["path"]);
    assert!(std::path::Path::new(path).exists());
    assert!(files_containing(dir.path(), SECRET).is_empty());
}

/// The hand-off is not called ready while the platform's callback was never
/// among the addresses the person confirmed adding in Zoho's console, and
/// says so again when the platform changes after that.
#[test]
fn the_handoff_is_ready_only_once_the_platforms_callback_was_registered() {
    let _k = KEYRING.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let h = json_of(dir.path(), &["handoff"]);
    assert_eq!(h["ready"], false, "{h}");
    let why = h["not_ready"].as_str().unwrap();
    assert!(why.contains(CODAT), "{why}");
    assert!(why.contains("Authorized Redirect URI"), "{why}");

    // Ticked with Codat's callback listed: that part is done; the test is next.
    json_of(dir.path(), &["tick", "register_client.redirect_uris"]);
    let h = json_of(dir.path(), &["handoff"]);
    let why = h["not_ready"].as_str().unwrap();
    assert!(why.starts_with("Test your integration first"), "{why}");

    // Another platform chosen afterwards: its callback was never registered.
    let custom = "https://sync.platform.example/zoho/callback";
    json_of(
        dir.path(),
        &["platform", "set", "Acme Sync", "--callback", custom],
    );
    let h = json_of(dir.path(), &["handoff"]);
    let why = h["not_ready"].as_str().unwrap();
    assert!(why.starts_with("Acme Sync's callback"), "{why}");
    assert!(why.contains(custom), "{why}");
    let text = zbsetup(dir.path(), &["handoff"], None, &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Not ready: Acme Sync's callback"), "{text}");

    // Only this app: nothing to hand on to.
    json_of(dir.path(), &["platform", "set", "none"]);
    let h = json_of(dir.path(), &["handoff"]);
    assert!(
        h["not_ready"]
            .as_str()
            .unwrap()
            .contains("No integration platform is chosen"),
        "{h}"
    );
    let out = zbsetup(dir.path(), &["tick", "no_such_step"], None, &[]);
    assert!(!out.status.success());
}
