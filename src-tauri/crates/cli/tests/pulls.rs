//! `zbsetup pulls`: the pull history as another process reads it later,
//! with what a pull could not store (records Zoho listed without an id).
//! Run under `tests/session.sh`.

mod common;
use common::connected::{roomy_sim, stdout_of, Connected};

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
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let c = Connected::start(roomy_sim(10)).await;
    let org = c.sim.organizations()[0].organization_id.clone();
    c.sim
        .set_record_count(&org, zbs_sim::Entity::Invoices, 3_000)
        .unwrap();
    c.sim.faults().set_latency(Duration::from_millis(30));
    let dir = c.root.path().join("data");
    c.prepare(&dir);
    let id = c.connect(&dir, None).await;
    let args = ["pull", id.as_str(), "--all", "--entities", "invoices"];
    let mut pull = c
        .zbsetup(&dir)
        .args(args)
        .env("ZBSETUP_RATE_LIMIT", "2000/1s")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let records = "SELECT COUNT(*) FROM pull_records WHERE connection_id = ?1";
    let deadline = Instant::now() + Duration::from_secs(15);
    while common::connected::count(&dir, records, &id) < 400 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
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
    let mut again = c.zbsetup(&dir);
    again.args(args).env("ZBSETUP_RATE_LIMIT", "2000/1s");
    let out = stdout_of(again);
    assert!(out.contains("complete."), "{out}");
    let history = common::json_of(&dir, &["pulls", &id]);
    assert_eq!(history[0]["id"], last["id"], "the same pull, continued");
    assert_eq!(history[0]["state"], "completed");
    assert_eq!(history[0]["entities"]["invoices"]["records"], 3_000);
}
