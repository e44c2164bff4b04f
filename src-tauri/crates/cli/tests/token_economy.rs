//! Zoho's token economy, with `zbsetup` as separate processes (the fact is
//! about processes): Zoho mints at most 10 access tokens per refresh token
//! in 10 minutes (the simulator answers the 11th with "Access Denied"), and
//! an access token lives an hour. Twenty short pulls in a row, a new
//! process each, must all succeed: the token one process got is kept (with
//! its expiry, in the keyring) for the next.

use std::process::Command;

use zbs_sim::{SimConfig, Simulator};

mod common;
use common::{connect_at_simulator, run, stderr};

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

    let c = connect_at_simulator(zbsetup(), &rt);
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
