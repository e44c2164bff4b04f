//! The cost of a pull, as `zbsetup pull --dry-run` gives it, against the
//! calls the pull then makes: a pull of everything is "at least" until the
//! records are counted (`--count`, one call per 200 records of each type),
//! then a range that holds the calls made; a sample with line items from an
//! organization with fewer records than the sample is right once counted.
//! Separate processes, as a person or a script runs them. Run under
//! `tests/session.sh`.

mod common;
use common::connected::{roomy_sim, stdout_of, Connected};
use serde_json::Value;

fn json(out: String) -> Value {
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// `calls` to `calls_max`, or `calls` alone when no upper bound is given.
fn holds(forecast: &Value, made: u64) -> bool {
    let low = forecast["calls"].as_u64().unwrap();
    let high = forecast["calls_max"].as_u64().unwrap_or(low);
    let margin = (made as f64 * 0.10).ceil() as u64;
    low.saturating_sub(margin) <= made && made <= high + margin
}

#[tokio::test(flavor = "multi_thread")]
async fn counted_records_turn_at_least_into_a_range_that_holds_the_calls_made() {
    let c = Connected::start(roomy_sim(10)).await;
    let org = c.sim.organizations()[0].organization_id.clone();
    for (entity, n) in [
        (zbs_sim::Entity::Invoices, 430),
        (zbs_sim::Entity::CreditNotes, 12),
        (zbs_sim::Entity::Customers, 75),
    ] {
        c.sim.set_record_count(&org, entity, n).unwrap();
    }
    let dir = c.root.path().join("data");
    c.prepare(&dir);
    let id = c.connect(&dir, None).await;
    let zbsetup = || c.quick_zbsetup(&dir);
    let dry_run = |extra: &[&str]| {
        let mut cmd = zbsetup();
        cmd.args(["--json", "pull", &id, "--dry-run"]).args(extra);
        json(stdout_of(cmd))
    };

    // Before any count: a sample of 25 with line items is guessed at 25 of
    // each, and everything is "at least", with no upper bound.
    let sample = ["--sample", "25", "--line-items"];
    let all = ["--all", "--line-items"];
    let guessed = dry_run(&sample);
    let before = dry_run(&all);
    assert_eq!(before["lower_bound"], true, "{before}");
    assert!(before["calls_max"].is_null(), "{before}");
    assert!(before["counted_at"].is_null(), "{before}");

    // The count: one call per 200 records of each type, and what it found.
    let mut count = zbsetup();
    count.args(["pull", &id, "--dry-run", "--count"]).args(all);
    let out = count.output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    // 430 invoices take 3 pages, 12 credit notes and 75 customers one each.
    assert!(
        said.contains("Counted with 5 API calls: 430 invoices, 12 credit notes, 75 customers."),
        "{said}"
    );

    // The sample: 12 credit notes, not 25, once counted.
    let counted = dry_run(&sample);
    assert!(counted["counted_at"].is_string(), "{counted}");
    let mut pull = zbsetup();
    pull.args(["--json", "pull", &id]).args(sample);
    let made = json(stdout_of(pull))["calls"].as_u64().unwrap();
    println!(
        "sample of 25 with line items: guessed {}, counted {}, made {made}",
        guessed["calls"], counted["calls"]
    );
    assert!(holds(&counted, made), "counted {counted}, made {made}");
    assert!(
        !holds(&guessed, made),
        "the guess was already right: {guessed}, made {made}"
    );

    // Everything: a range that holds the calls the pull makes.
    let after = dry_run(&all);
    assert_eq!(after["lower_bound"], false, "{after}");
    assert!(after["calls_max"].is_u64(), "{after}");
    let mut pull = zbsetup();
    pull.args(["--json", "pull", &id]).args(all);
    let made = json(stdout_of(pull))["calls"].as_u64().unwrap();
    println!(
        "everything with line items: at least {} before the count, {} to {} after it, made {made}",
        before["calls"], after["calls"], after["calls_max"]
    );
    assert!(holds(&after, made), "forecast {after}, made {made}");
    assert!(
        !holds(&before, made),
        "the lower bound was already right: {before}, made {made}"
    );
}
