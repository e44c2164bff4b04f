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
