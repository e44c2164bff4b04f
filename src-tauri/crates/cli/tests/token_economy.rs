//! Zoho's token economy, with `zbsetup` as separate processes (the fact is
//! about processes): Zoho mints at most 10 access tokens per refresh token
//! in 10 minutes (the simulator answers the 11th with "Access Denied"), and
//! an access token lives an hour. Twenty short pulls in a row, a new
//! process each, must all succeed: the token one process got is kept (with
//! its expiry, in the keyring) for the next.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;
use zbs_sim::{SimConfig, Simulator};

mod common;
use common::{run, stderr};

#[test]
fn twenty_short_pulls_in_a_row_each_a_new_process_all_succeed() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(Simulator::start(SimConfig::default())).unwrap();
    assert_eq!(sim.config().access_tokens_per_refresh_per_10min, 10);
    let client = sim.clients().remove(0);
    let dir = tempfile::tempdir().unwrap();
    let endpoints = dir.path().join("endpoints.json");
    sim.write_endpoints_file(&endpoints).unwrap();
    let data = dir.path().join("data");
    let zbsetup = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_zbsetup"));
        cmd.arg("--data-dir")
            .arg(&data)
            .env("ZBSETUP_ENDPOINTS", &endpoints)
            .env_remove("ZBSETUP_LOG");
        cmd
    };
    let mut set = zbsetup();
    set.args([
        "credentials",
        "set",
        "--client-id",
        &client.client_id,
        "--client-secret-stdin",
    ]);
    let out = run(set, Some(&client.client_secret));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(
        {
            let mut c = zbsetup();
            c.arg("enable");
            c
        },
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let mut connect = zbsetup()
        .args(["--json", "connect", "--no-browser", "--timeout", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(connect.stderr.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map(|l| l.unwrap())
        .find_map(|l| l.strip_prefix("authorize: ").map(str::to_owned))
        .expect("an authorize line");
    rt.block_on(async {
        let location = zbs_sim::accept_consent(&url).await.unwrap();
        reqwest::get(&location).await.unwrap();
    });
    let out = connect.wait_with_output().unwrap();
    assert!(out.status.success());
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = c["id"].as_str().unwrap().to_owned();

    let mut passed = 0;
    let mut failures = Vec::new();
    for round in 1..=20 {
        let mut pull = zbsetup();
        pull.args([
            "--json",
            "pull",
            &id,
            "--entities",
            "invoices",
            "--sample",
            "1",
        ]);
        let out = run(pull, None);
        if out.status.success() {
            passed += 1;
        } else {
            failures.push(format!("pull {round}: {}", stderr(&out)));
        }
    }
    eprintln!("{passed} of 20 short pulls passed");
    assert_eq!(passed, 20, "{failures:#?}");
}
