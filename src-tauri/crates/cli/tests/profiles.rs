//! Each data folder's Client Secret is its own in the system keyring, and the
//! one shared entry an earlier version kept is taken over once, by the
//! default data folder only. Real Secret Service (run under
//! `tests/session.sh`), `zbsetup` as separate processes.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;

use secrecy::SecretString;
use serde_json::Value;

mod common;
use common::{client_secret_entry, run, stderr, zbsetup};

const ID: &str = "1000.PROFILETESTCLIENT0123456789ABC";
const SECRET_A: &str = "pfcanaryaaaa2d3c4b5a69788796a5b4c3d2e1f0a1";
const SECRET_B: &str = "pfcanarybbbb2d3c4b5a69788796a5b4c3d2e1f0b2";
const SECRET_OLD: &str = "pfcanaryoooo2d3c4b5a69788796a5b4c3d2e1f0c3";

/// The entry name an earlier version shared between every data folder.
const SHARED_ENTRY: &str = "client-secret";

/// The tests here read and write that shared entry: one at a time.
static SHARED: Mutex<()> = Mutex::new(());

fn set_keys(out: Output) {
    assert!(out.status.success(), "credentials set: {}", stderr(&out));
}

fn keys_args() -> [&'static str; 5] {
    [
        "credentials",
        "set",
        "--client-id",
        ID,
        "--client-secret-stdin",
    ]
}

fn json(out: Output) -> Value {
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn clear(dir: &Path) {
    json(zbsetup(dir, &["--json", "credentials", "clear"], None, &[]));
}

fn mask_of(secret: &str) -> String {
    format!("••••••••{}", &secret[secret.len() - 4..])
}

/// Every value the app keeps under its keyring service, as `secret-tool` lists them.
fn keyring_listing() -> String {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "service", "zoho-books-setup"])
        .output()
        .expect("secret-tool is installed (package libsecret-tools)");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

fn shared_entry() -> zbs_setup::secrets::SecretStore {
    zbs_setup::secrets::SecretStore::new(None)
}

#[test]
fn each_data_folder_keeps_its_own_client_secret() {
    let _s = SHARED.lock().unwrap_or_else(|p| p.into_inner());
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    set_keys(zbsetup(a.path(), &keys_args(), Some(SECRET_A), &[]));
    set_keys(zbsetup(b.path(), &keys_args(), Some(SECRET_B), &[]));

    let status = |dir: &Path| json(zbsetup(dir, &["--json", "status"], None, &[]));
    assert_eq!(
        status(a.path())["secret_mask"],
        mask_of(SECRET_A),
        "B did not replace A's"
    );
    assert_eq!(status(b.path())["secret_mask"], mask_of(SECRET_B));

    // Clearing B's keys leaves A's.
    clear(b.path());
    let s = status(a.path());
    assert_eq!(s["secret_stored"], true, "{s}");
    assert_eq!(s["secret_mask"], mask_of(SECRET_A), "{s}");
    assert_eq!(status(b.path())["secret_stored"], false);

    // In the keyring: A's secret under A's own entry, B's gone, nothing shared.
    let listing = keyring_listing();
    assert!(listing.contains(SECRET_A), "{listing}");
    assert!(!listing.contains(SECRET_B), "{listing}");
    assert!(shared_entry().get(SHARED_ENTRY).unwrap().is_none());
    let own = client_secret_entry(a.path());
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "zoho-books-setup", "username", &own])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), SECRET_A);

    clear(a.path());
    assert!(!keyring_listing().contains(SECRET_A));
}

/// `zbsetup ARGS` on the default data folder of a person whose per-user data
/// folder is `home`.
fn zbsetup_default(home: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zbsetup"));
    cmd.args(args)
        .env("XDG_DATA_HOME", home)
        .env_remove("ZBSETUP_DATA_DIR")
        .env_remove("ZBSETUP_ENDPOINTS")
        .env_remove("ZBSETUP_LOG");
    run(cmd, None)
}

/// A data folder as an earlier version left it after its keys were saved.
fn saved_by_an_earlier_version(dir: &Path) {
    let (store, _) = zbs_setup::store::Store::open(dir).unwrap();
    store.set("client_id", &ID).unwrap();
    store.set("secret_saved", &true).unwrap();
}

#[test]
fn the_default_folder_takes_over_an_earlier_versions_shared_secret_once() {
    let _s = SHARED.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().unwrap();
    let default = home.path().join("zoho-books-setup");
    let other = tempfile::tempdir().unwrap();
    // An earlier version: both folders had keys saved at some time, and the
    // one entry they shared holds the last secret saved.
    saved_by_an_earlier_version(&default);
    saved_by_an_earlier_version(other.path());
    shared_entry()
        .set(SHARED_ENTRY, &SecretString::from(SECRET_OLD))
        .unwrap();

    // The default folder (the window's) takes it over.
    let s = json(zbsetup_default(home.path(), &["--json", "status"]));
    assert_eq!(s["data_dir"], default.display().to_string());
    assert_eq!(s["secret_stored"], true, "{s}");
    assert_eq!(s["secret_mask"], mask_of(SECRET_OLD), "{s}");
    // Another folder does not get another folder's secret.
    let s = json(zbsetup(other.path(), &["--json", "status"], None, &[]));
    assert_eq!(s["secret_stored"], false, "{s}");
    // The shared entry is left for whatever may still read it.
    let kept = shared_entry().get(SHARED_ENTRY).unwrap();
    assert!(kept.is_some(), "the earlier version's entry is not deleted");

    // Once: cleared keys stay cleared, though the shared entry is still there.
    json(zbsetup_default(
        home.path(),
        &["--json", "credentials", "clear"],
    ));
    let s = json(zbsetup_default(home.path(), &["--json", "status"]));
    assert_eq!(s["secret_stored"], false, "{s}");
    assert!(shared_entry().get(SHARED_ENTRY).unwrap().is_some());

    shared_entry().delete(SHARED_ENTRY).unwrap();
    clear(other.path());
    assert!(!keyring_listing().contains(SECRET_OLD));
}
