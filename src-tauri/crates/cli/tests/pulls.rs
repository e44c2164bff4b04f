//! `zbsetup pulls`: the pull history as another process reads it later,
//! with what a pull could not store (records Zoho listed without an id).
//! Run under `tests/session.sh`.

mod common;
use common::connected::{roomy_sim, stdout_of, Connected};

/// A simulator whose organization has 3,000 invoices served slowly (30 ms
/// an answer), so a pull of them is caught while it runs; its data folder
/// is prepared (keys saved, switched on).
async fn slow_invoices() -> (Connected, std::path::PathBuf) {
    let c = Connected::start(roomy_sim(10)).await;
    let org = c.sim.organizations()[0].organization_id.clone();
    c.sim
        .set_record_count(&org, zbs_sim::Entity::Invoices, 3_000)
        .unwrap();
    c.sim
        .faults()
        .set_latency(std::time::Duration::from_millis(30));
    let dir = c.root.path().join("data");
    c.prepare(&dir);
    (c, dir)
}

/// `zbsetup pull ID --all --entities invoices` started (its stderr piped),
/// once it has stored `records` records (or 15 s went by).
fn pull_under_way(
    c: &Connected,
    dir: &std::path::Path,
    id: &str,
    records: i64,
) -> std::process::Child {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let pull = c
        .quick_zbsetup(dir)
        .args(["pull", id, "--all", "--entities", "invoices"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stored = "SELECT COUNT(*) FROM pull_records WHERE connection_id = ?1";
    let deadline = Instant::now() + Duration::from_secs(15);
    while common::connected::count(dir, stored, id) < records && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    pull
}

#[tokio::test(flavor = "multi_thread")]
async fn records_without_an_id_stay_in_the_history_a_new_process_reads() {
    let c = Connected::start(roomy_sim(50)).await;
    let dir = c.root.path().join("data");
    c.prepare(&dir);
    let id = c.connect(&dir, None).await;
    c.sim.faults().blank_ids_next(7);
    let mut pull = c.zbsetup(&dir);
    pull.args(["pull", &id, "--all", "--entities", "invoices"]);
    let line = "invoices: 43 records, 1 calls. 7 records had no id and were not stored.";
    let stdout = stdout_of(pull);
    assert!(stdout.contains(line), "{stdout}");

    // Later, other processes read the history.
    let history = common::json_of(&dir, &["pulls", &id]);
    let invoices = &history[0]["entities"]["invoices"];
    assert_eq!(history[0]["state"], "completed", "{history}");
    assert_eq!(
        (&invoices["records"], &invoices["without_id"]),
        (&43.into(), &7.into()),
        "{history}"
    );
    let mut pulls = c.zbsetup(&dir);
    pulls.args(["pulls", &id]);
    let text = stdout_of(pulls);
    assert!(text.contains("completed"), "{text}");
    assert!(text.contains(line), "{text}");
}

/// A pull whose process is killed (a window closed hard, the computer
/// stopped) is not left "running" for good: the history says it was
/// interrupted, with the calls it made, and the same pull continues it to
/// the full set.
#[tokio::test(flavor = "multi_thread")]
async fn a_killed_pull_shows_as_interrupted_with_its_calls_and_the_same_pull_continues_it() {
    let (c, dir) = slow_invoices().await;
    let id = c.connect(&dir, None).await;
    let args = ["pull", id.as_str(), "--all", "--entities", "invoices"];
    let mut pull = pull_under_way(&c, &dir, &id, 400);
    pull.kill().unwrap();
    pull.wait().unwrap();

    let history = common::json_of(&dir, &["pulls", &id]);
    let last = &history[0];
    assert_eq!(last["state"], "interrupted", "{history}");
    let calls = last["calls"].as_u64().unwrap();
    assert!(calls >= 2, "its real calls are kept: {history}");
    let message = last["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("after {calls} API calls")),
        "{message}"
    );
    assert!(message.contains("continue"), "{message}");

    // The same pull again continues it, and it completes.
    let mut again = c.quick_zbsetup(&dir);
    again.args(args);
    let out = stdout_of(again);
    assert!(out.contains("complete."), "{out}");
    let history = common::json_of(&dir, &["pulls", &id]);
    assert_eq!(history[0]["id"], last["id"], "the same pull, continued");
    assert_eq!(history[0]["state"], "completed");
    assert_eq!(history[0]["entities"]["invoices"]["records"], 3_000);
}

/// A connection disconnected (by another process) while its pull runs: the
/// pull says the connection was disconnected and its records went with it,
/// never that it is saved to continue later (its sign-in is revoked first,
/// so the pull's next token is refused before the connection is deleted).
/// Runs several times, as the two processes race, and says how many passed.
#[tokio::test(flavor = "multi_thread")]
async fn a_pull_whose_connection_is_disconnected_meanwhile_says_so() {
    const RUNS: usize = 4;
    let (c, dir) = slow_invoices().await;
    let mut passed = 0;
    for run in 1..=RUNS {
        let id = c.connect(&dir, None).await;
        let pull = pull_under_way(&c, &dir, &id, 200);
        let mut disconnect = c.zbsetup(&dir);
        disconnect.args(["disconnect", &id]);
        stdout_of(disconnect);
        let out = pull.wait_with_output().unwrap();
        let said = String::from_utf8_lossy(&out.stderr);
        let right = !out.status.success()
            && said.contains("The connection was disconnected")
            && !said.contains("continue later")
            && !said.contains("connect the organization again, then continue");
        println!("run {run}: {}", if right { "passed" } else { "FAILED" });
        if right {
            passed += 1;
        } else {
            eprintln!("{said}");
        }
    }
    println!("{passed} of {RUNS} runs passed");
    assert_eq!(passed, RUNS);
}
