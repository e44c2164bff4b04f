//! `zbsetup check-keys` as a separate process against a simulator whose
//! console settings the test changes: every chosen data center gets a row,
//! one switched off is refused with its fix, and the exit status says
//! whether all accepted the keys (docs/cli.md: `{"data_centers": [{"region",
//! "status", "message"}]}`, exit 1 when any refuses).

use serde_json::Value;
use zbs_sim::{SimConfig, Simulator};

mod common;
use common::{stderr, zbsetup};

#[tokio::test]
async fn check_keys_names_each_data_center_and_fails_when_one_refuses() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let client = sim.clients().remove(0);
    let dir = tempfile::tempdir().unwrap();
    let endpoints = dir.path().join("endpoints.json");
    sim.write_endpoints_file(&endpoints).unwrap();
    let dir_path = dir.path().join("data");
    let run = |args: &[&str], stdin: Option<&str>| {
        let path = dir_path.clone();
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let stdin = stdin.map(str::to_owned);
        let endpoints = endpoints.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let env = [("ZBSETUP_ENDPOINTS", endpoints.to_str().unwrap())];
                zbsetup(&path, &args, stdin.as_deref(), &env)
            })
            .await
            .unwrap()
        }
    };
    let out = run(
        &[
            "credentials",
            "set",
            "--client-id",
            &client.client_id,
            "--client-secret-stdin",
        ],
        Some(&client.client_secret),
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(run(&["regions", "set", "us,eu"], None)
        .await
        .status
        .success());

    let out = run(&["--json", "check-keys"], None).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["data_centers"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["status"] == "ok"), "{v}");

    let mut off = client.clone();
    off.data_centers = Some(vec!["us".into()]);
    sim.register_client(off);
    let out = run(&["--json", "check-keys"], None).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["data_centers"][0]["status"], "ok");
    assert_eq!(v["data_centers"][1]["region"], "eu");
    assert_eq!(v["data_centers"][1]["status"], "refused");
    assert!(v["data_centers"][1]["message"]
        .as_str()
        .unwrap()
        .contains("Europe"));
    let text = run(&["check-keys"], None).await;
    let shown = String::from_utf8_lossy(&text.stdout);
    assert!(shown.contains("EU  REFUSED"), "{shown}");
    assert!(shown.contains("Fix: In Zoho's API console"), "{shown}");
    for printed in [&out.stdout, &out.stderr, &text.stdout, &text.stderr] {
        assert!(!String::from_utf8_lossy(printed).contains(&client.client_secret));
    }
}
