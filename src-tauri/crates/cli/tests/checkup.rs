//! `zbsetup test` and `zbsetup pull` as separate processes against a
//! simulator whose Zoho user may not read bills (Zoho's 401 code 57 with a
//! valid token): the test names the module with the fix and exits 1, the
//! pull finishes the other record types and says what was refused, and the
//! connection stays usable.

use serde_json::Value;
use zbs_sim::SimConfig;

mod common;
use common::connected::Connected;
use common::{run, stderr};

#[tokio::test(flavor = "multi_thread")]
async fn a_module_the_user_may_not_read_is_named_by_test_and_skipped_by_pull() {
    let env = Connected::start(SimConfig {
        role_denies: vec!["bills".into()],
        ..SimConfig::default()
    })
    .await;
    let dir = env.root.path().join("data");
    env.prepare(&dir);
    let id = env.connect(&dir, None).await;

    let mut cmd = env.zbsetup(&dir);
    cmd.args(["--json", "test", &id, "--entities", "invoices,bills"]);
    let out = tokio::task::spawn_blocking(move || run(cmd, None))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false, "{v}");
    let modules = v["modules"].as_array().unwrap();
    assert_eq!(modules[0]["entity"], "invoices");
    assert_eq!(modules[0]["ok"], true);
    assert_eq!(modules[1]["entity"], "bills");
    assert_eq!(modules[1]["ok"], false);
    assert!(modules[1]["message"].as_str().unwrap().contains("role"));

    let mut cmd = env.zbsetup(&dir);
    cmd.args(["pull", &id, "--entities", "invoices,bills", "--sample", "5"]);
    let out = tokio::task::spawn_blocking(move || run(cmd, None))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("invoices: 5 records"), "{text}");
    assert!(text.contains("refused by Zoho to this user"), "{text}");
    assert!(text.contains("read bills"), "{text}");
    assert!(!text.contains("connect the organization again"), "{text}");

    // The connection stays usable for what the user may read.
    let mut cmd = env.zbsetup(&dir);
    cmd.args(["--json", "test", &id, "--entities", "invoices"]);
    let out = tokio::task::spawn_blocking(move || run(cmd, None))
        .await
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}
