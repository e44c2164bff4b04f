//! Forecasts against the calls pulls really make, for known record counts:
//! each within 10% (the window promises "about N calls"), and a forecast
//! that cannot know the totals says so (`lower_bound`).

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;
use zbs_pull::{PullOptions, PullRequest};
use zbs_zoho::Entity;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forecasts_are_within_ten_percent_of_the_calls_made() {
    let env = Env::start(sim_config(0, (10_000, Duration::from_secs(1)))).await;
    let counts = [
        (Entity::Invoices, 450u64),
        (Entity::CreditNotes, 30),
        (Entity::Customers, 120),
    ];
    for (e, n) in counts {
        env.set_counts(sim_entity(e), n);
    }
    let known: BTreeMap<Entity, u64> = counts.into_iter().collect();
    let entities: Vec<Entity> = counts.iter().map(|(e, _)| *e).collect();
    let cases = [
        ("sample of 25", Some(25), false, false),
        ("sample of 25 with line items", Some(25), true, false),
        ("sample of 25 with customer details", Some(25), false, true),
        ("sample of 200 with both", Some(200), true, true),
        ("everything", None, false, false),
        ("everything with line items", None, true, false),
    ];
    let tokens = env.tokens().await;
    let puller = env.puller(200);
    let mut worst = 0.0f64;
    for (i, (name, sample, line_items, customer_details)) in cases.into_iter().enumerate() {
        let options = PullOptions {
            entities: entities.clone(),
            sample,
            line_items,
            customer_details,
        };
        let connection = format!("c{i}");
        let est = puller
            .forecast(&connection, &env.org, &options, Some(&known))
            .expect("forecast");
        assert!(!est.lower_bound, "{name}: the totals are known");
        let report = puller
            .run(PullRequest::new(
                &connection,
                &env.org,
                &options,
                tokens.clone(),
            ))
            .await
            .expect("pull");
        let off = (est.calls as f64 - report.calls as f64).abs() / report.calls as f64;
        println!(
            "{name}: forecast {} calls, made {} ({:.1}% off)",
            est.calls,
            report.calls,
            off * 100.0
        );
        assert!(
            off <= 0.10,
            "{name}: forecast {}, made {}",
            est.calls,
            report.calls
        );
        worst = worst.max(off);
    }
    println!("worst: {:.1}% off", worst * 100.0);
    // Without known totals (and nothing pulled before), a pull of
    // everything can only be a lower bound, and says so.
    let est = puller
        .forecast("fresh", &env.org, &all_of(&entities), None)
        .expect("forecast");
    assert!(est.lower_bound);
}
