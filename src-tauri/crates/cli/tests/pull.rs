//! `zbsetup pull` as a process among others: a disconnect from another
//! process while it runs, signals, and what it prints. Each test connects a
//! data folder to a simulator in the test process, then runs `zbsetup`
//! processes on it (under `tests/session.sh`, for the keyring).

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use zbs_sim::{Entity as SimEntity, OrgSpec, SimConfig};

mod common;
use common::connected::{count, roomy_sim, Connected};

/// A simulator fast enough for many pulls in a few seconds, with the
/// organizations of [`ORGS`].
fn quick_sim(records: u64) -> SimConfig {
    let mut cfg = roomy_sim(records);
    for (i, org) in ORGS.iter().enumerate().skip(cfg.organizations.len()) {
        cfg.organizations
            .push(OrgSpec::new(*org, format!("Harbour Lane Branch {i}")));
    }
    cfg
}

const ORGS: [&str; 4] = ["775501234", "775501987", "775502001", "775502002"];

/// Starts `zbsetup pull ID --all` of invoices, disconnects the connection
/// from another process (whose revoke cannot reach Zoho) once `pages` pages
/// are stored, and checks the pull stopped saying so and nothing of the
/// connection is left. `Err` says what went wrong.
fn disconnect_during_pull(
    c: &Connected,
    dir: &Path,
    id: &str,
    pages: i64,
    no_accounts: &Path,
) -> Result<(), String> {
    let mut pull = c
        .quick_zbsetup(dir)
        .args(["pull", id, "--all", "--entities", "invoices"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let records = "SELECT COUNT(*) FROM pull_records WHERE connection_id = ?1";
    let deadline = Instant::now() + Duration::from_secs(10);
    while count(dir, records, id) < 200 * pages && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = c
        .zbsetup(dir)
        .args(["disconnect", id, "--force"])
        .env("ZBSETUP_ENDPOINTS", no_accounts)
        .output()
        .unwrap();
    if !out.status.success() {
        let _ = pull.kill();
        let _ = pull.wait();
        return Err(format!(
            "disconnect --force failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let pulled = pull.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&pulled.stdout),
        String::from_utf8_lossy(&pulled.stderr),
    );
    let left = [
        records,
        "SELECT COUNT(*) FROM pulls WHERE connection_id = ?1",
        "SELECT COUNT(*) FROM pull_entities WHERE pull_id NOT IN (SELECT id FROM pulls)
           OR ?1 IS NULL",
    ]
    .map(|sql| count(dir, sql, id));
    let stopped = pulled.status.code() == Some(1)
        && stderr.contains("The connection was disconnected")
        && !stderr.contains("few minutes")
        && !stdout.contains("complete.");
    if stopped && left == [0, 0, 0] {
        Ok(())
    } else {
        Err(format!(
            "exit {:?}, left (records, pulls, checkpoints) {left:?}\nstdout: {stdout}\n\
             stderr (end): {}",
            pulled.status.code(),
            stderr
                .chars()
                .rev()
                .take(400)
                .collect::<String>()
                .chars()
                .rev()
                .collect::<String>()
        ))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn disconnect_during_a_pull_stops_it_and_leaves_nothing_of_the_connection() {
    let c = Connected::start(quick_sim(10)).await;
    for org in ORGS {
        c.sim
            .set_record_count(org, SimEntity::Invoices, 12_000)
            .unwrap();
    }
    c.sim.faults().set_latency(Duration::from_millis(15));
    let no_accounts = c.unreachable_accounts();
    // A data folder per organization, all pulling at once.
    let dirs = ORGS.map(|org| c.root.path().join(org));
    for dir in &dirs {
        c.prepare(dir);
    }
    let rounds = 5;
    let handle = tokio::runtime::Handle::current();
    let started = Instant::now();
    // Each folder connects and is disconnected mid-pull `rounds` times, on
    // its own thread, while the others do the same.
    let passed: i64 = std::thread::scope(|s| {
        let jobs: Vec<_> = dirs
            .iter()
            .zip(ORGS)
            .enumerate()
            .map(|(i, (dir, org))| {
                let (c, no_accounts, handle) = (&c, &no_accounts, &handle);
                s.spawn(move || {
                    let mut passed = 0;
                    for round in 0..rounds {
                        let id = handle.block_on(c.connect(dir, Some(org)));
                        let pages = 1 + (round + i as i64) % 3;
                        match disconnect_during_pull(c, dir, &id, pages, no_accounts) {
                            Ok(()) => passed += 1,
                            Err(e) => eprintln!("folder {i}, round {round}: {e}"),
                        }
                    }
                    passed
                })
            })
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap()).sum()
    });
    let runs = rounds * ORGS.len() as i64;
    eprintln!(
        "{passed} of {runs} passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(passed, runs, "{passed} of {runs} passed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pull_stops_at_its_call_limit_and_says_so() {
    let c = Connected::start(quick_sim(10)).await;
    c.sim
        .set_record_count(ORGS[0], SimEntity::Invoices, 4_000)
        .unwrap();
    let dir = c.root.path().join("data");
    c.prepare(&dir);
    let id = c.connect(&dir, None).await;
    let before = c.sim.stats(ORGS[0]).map_or(0, |s| s.accepted.len());
    let out = c
        .quick_zbsetup(&dir)
        .args([
            "pull",
            &id,
            "--all",
            "--entities",
            "invoices",
            "--max-calls",
            "3",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("stopped after 3 API calls"), "{stderr}");
    assert!(stderr.contains("--max-calls"), "{stderr}");
    // The limit given is named as such, not as the forecast plus a margin.
    assert!(
        stderr.contains("the limit given with --max-calls"),
        "{stderr}"
    );
    assert!(!stderr.contains("forecast plus a margin"), "{stderr}");
    // The limit is kept to the call: the 4th is never sent.
    let calls = c.sim.stats(ORGS[0]).unwrap().accepted.len() - before;
    assert_eq!(calls, 3, "{calls} calls for a limit of 3");
    // Saved: the same command with a higher limit continues it.
    let out = c
        .quick_zbsetup(&dir)
        .args([
            "--json",
            "pull",
            &id,
            "--all",
            "--entities",
            "invoices",
            "--max-calls",
            "100",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["entities"]["invoices"]["records"], 4_000);
    assert_eq!(report["complete"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_a_pull_and_the_history_shows_it_stopped() {
    let c = Connected::start(quick_sim(10)).await;
    c.sim
        .set_record_count(ORGS[0], SimEntity::Invoices, 12_000)
        .unwrap();
    c.sim.faults().set_latency(Duration::from_millis(20));
    let dir = c.root.path().join("data");
    c.prepare(&dir);
    let records = "SELECT COUNT(*) FROM pull_records WHERE connection_id = ?1";
    let (runs, mut passed) = (20, 0);
    let started = Instant::now();
    let mut id = String::new();
    for run in 0..runs {
        // A fresh sign-in every few runs: Zoho mints only ten access tokens
        // per refresh token in ten minutes, and each process asks for one.
        if run % 5 == 0 {
            id = c.connect(&dir, None).await;
        }
        let before = count(&dir, records, &id);
        // Each run continues the same saved pull.
        let pull = c
            .quick_zbsetup(&dir)
            .args(["pull", &id, "--all", "--entities", "invoices"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while count(&dir, records, &id) <= before && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let killed = std::process::Command::new("kill")
            .args(["-TERM", &pull.id().to_string()])
            .status()
            .unwrap()
            .success();
        let out = pull.wait_with_output().unwrap();
        let state: String = {
            let conn = rusqlite::Connection::open(dir.join("zbsetup.sqlite3")).unwrap();
            conn.query_row(
                "SELECT state || ' ' || COALESCE(message, '') FROM pulls WHERE connection_id = ?1
                 ORDER BY id DESC LIMIT 1",
                [&id],
                |r| r.get(0),
            )
            .unwrap()
        };
        if killed && out.status.code() == Some(1) && state.starts_with("cancelled") {
            passed += 1;
        } else {
            eprintln!(
                "run {run}: exit {:?} (signal {:?}), state {state}: {}",
                out.status.code(),
                std::os::unix::process::ExitStatusExt::signal(&out.status),
                String::from_utf8_lossy(&out.stderr)
                    .rsplit('\r')
                    .next()
                    .unwrap_or("")
            );
        }
    }
    eprintln!(
        "{passed} of {runs} passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(passed, runs, "{passed} of {runs} passed");
}
