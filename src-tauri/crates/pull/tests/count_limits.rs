//! A count of records (`Puller::count_records`, one list call per 200
//! records) meets Zoho's limits as a pull does (`zoho_limits.rs`): code 44
//! (the minute) is waited out, code 1070 (too many in flight) backed off
//! from, an expired token renewed once, and the day's quota (code 45) stops
//! it in a pull's words. Every call it makes is in the request log.

use std::sync::atomic::Ordering;
use std::time::Duration;

use zbs_pull::{
    CancellationToken, LimiterRegistry, PullError, PullRequest, Puller, PullerConfig, RateBudget,
    RecordCount,
};
use zbs_sim::SimConfig;
use zbs_zoho::Entity;

mod common;
use common::{all_of, fast_retry, sim_config, sim_entity, Env};

const INVOICES: u64 = 1_450;
const CUSTOMERS: u64 = 620;

/// A simulator of `cfg`, its throttling answers with or without the quota
/// headers, whose organization has `INVOICES` invoices and `CUSTOMERS`
/// customers: 8 and 4 pages of 200.
async fn organization(headers: bool, cfg: SimConfig) -> Env {
    let env = Env::start(SimConfig {
        throttle_headers: Some(headers),
        ..cfg
    })
    .await;
    fill(&env);
    env
}

fn fill(env: &Env) {
    env.set_counts(sim_entity(Entity::Invoices), INVOICES);
    env.set_counts(sim_entity(Entity::Customers), CUSTOMERS);
}

fn puller(env: &Env, registry: LimiterRegistry, budget: RateBudget) -> Puller {
    Puller::new(&env.db, registry, budget)
        .expect("puller")
        .with_config(PullerConfig {
            retry: fast_retry(),
            ..PullerConfig::default()
        })
}

async fn count(p: &Puller, env: &Env, connection: &str) -> RecordCount {
    p.count_records(
        connection,
        &env.org,
        &[Entity::Invoices, Entity::Customers],
        env.tokens().await,
        CancellationToken::new(),
    )
    .await
    .expect("the count runs")
}

/// Both types counted to the end, with the simulator's totals.
fn counted_every_record(count: &RecordCount) {
    assert_eq!(count.stopped, None, "{count:?}");
    let totals: Vec<(Entity, u64, bool)> = count
        .totals
        .iter()
        .map(|t| (t.entity, t.records, t.complete))
        .collect();
    assert_eq!(
        totals,
        [
            (Entity::Invoices, INVOICES, true),
            (Entity::Customers, CUSTOMERS, true)
        ]
    );
}

/// Requests in the request log for the organization.
fn logged(env: &Env) -> u64 {
    let conn = rusqlite::Connection::open(&env.db).expect("open");
    let n: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM request_log WHERE organization_id = ?1",
            [&env.org],
            |r| r.get(0),
        )
        .expect("request log");
    u64::try_from(n).expect("a count")
}

/// Code 44, with and without headers: the app thinks it may send more than
/// Zoho allows, Zoho says 44, and the count waits out the minute, sends
/// again and finishes, each call (refused ones too) in the request log.
#[tokio::test(flavor = "multi_thread")]
async fn a_count_waits_out_zoho_code_44_and_finishes() {
    for headers in [false, true] {
        let env = organization(headers, sim_config(10, (4, Duration::from_secs(1)))).await;
        let budget = RateBudget {
            requests: 60,
            per: Duration::from_secs(1),
        };
        let p = puller(&env, env.registry.clone(), budget);
        let counted = count(&p, &env, "c").await;
        counted_every_record(&counted);
        let stats = env.sim.stats(&env.org).unwrap();
        assert!(stats.rejected_429 >= 1, "Zoho never said 44: {stats:?}");
        assert_eq!(counted.calls, 12 + stats.rejected_429, "{stats:?}");
        assert_eq!(logged(&env), counted.calls);
        println!(
            "count through code 44, headers {headers}: {} calls, {} refused",
            counted.calls, stats.rejected_429
        );
    }
}

/// Code 1070: two counts of the organization at once send more calls than
/// Zoho lets run together; the refused call backs off and is sent again,
/// fewer go at once, and both counts finish.
#[tokio::test(flavor = "multi_thread")]
async fn a_count_backs_off_on_code_1070_and_finishes() {
    for headers in [false, true] {
        let env = organization(
            headers,
            SimConfig {
                concurrency: Some(1),
                ..sim_config(10, (10_000, Duration::from_secs(1)))
            },
        )
        .await;
        env.sim.faults().set_latency(Duration::from_millis(60));
        let registry = LimiterRegistry::with_concurrency(4);
        let p = puller(&env, registry.clone(), env.budget);
        let (one, two) = tokio::join!(count(&p, &env, "c"), count(&p, &env, "d"));
        counted_every_record(&one);
        counted_every_record(&two);
        let stats = env.sim.stats(&env.org).unwrap();
        assert!(stats.rejected_429 >= 1, "Zoho never said 1070: {stats:?}");
        assert_eq!(one.calls + two.calls, 24 + stats.rejected_429);
        let now = registry.get(&env.org).unwrap().concurrency();
        assert!(now < 4, "still {now} at once");
        assert_eq!(logged(&env), one.calls + two.calls);
        println!(
            "two counts through code 1070, headers {headers}: {} calls, {} refused, concurrency now {now}",
            one.calls + two.calls,
            stats.rejected_429
        );
    }
}

/// An access token that expired before the count: one new token, the same
/// page again, and the count finishes.
#[tokio::test(flavor = "multi_thread")]
async fn a_count_renews_an_expired_token_once_and_finishes() {
    let env = Env::start(sim_config(10, (10_000, Duration::from_secs(1)))).await;
    fill(&env);
    let tokens = env.tokens().await;
    env.sim.faults().expire_access_tokens();
    let p = env.puller(200);
    let counted = p
        .count_records(
            "c",
            &env.org,
            &[Entity::Invoices, Entity::Customers],
            tokens.clone(),
            CancellationToken::new(),
        )
        .await
        .expect("the count runs");
    counted_every_record(&counted);
    assert_eq!(tokens.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(counted.calls, 13, "{counted:?}");
    assert_eq!(logged(&env), 13);
}

/// The day's quota used up in the middle of a count, with and without the
/// headers: it stops at once (no retry), names the quota as a pull does and
/// says when to count again (never that a pull was saved), keeps the totals
/// it finished, and logs every call.
#[tokio::test(flavor = "multi_thread")]
async fn a_count_stops_at_the_daily_quota_and_says_when_to_count_again() {
    for headers in [false, true] {
        let env = organization(
            headers,
            SimConfig {
                daily_quota: Some(10),
                ..sim_config(10, (10_000, Duration::from_secs(1)))
            },
        )
        .await;
        let p = env.puller(200);
        let counted = count(&p, &env, "c").await;
        let told = counted.stopped.clone().expect("the count stopped");
        let stats = env.sim.stats(&env.org).unwrap();
        assert_eq!(stats.daily_used, 10, "{stats:?}");
        assert!(stats.rejected_429 <= 1, "sent again after 45: {stats:?}");
        assert_eq!(counted.calls, 10 + stats.rejected_429, "{counted:?}");
        assert_eq!(logged(&env), counted.calls);
        assert_eq!(counted.totals.len(), 1, "{counted:?}");
        assert_eq!(counted.totals[0].records, INVOICES);
        // A pull now hears the same from Zoho, and says it in these words.
        let request = all_of(&[Entity::Invoices]);
        let tokens = env.tokens().await;
        let err = p.run(PullRequest::new("c", &env.org, &request, tokens));
        let err = err.await.expect_err("the quota is used up");
        assert!(matches!(err, PullError::QuotaExhausted { .. }), "{err}");
        let pulled = err.to_string();
        let quota = "Zoho's daily limit of API calls for this organization is used up";
        assert!(
            pulled.starts_with(&format!("{quota}. The pull is saved")),
            "{pulled}"
        );
        let again = format!("{quota}, so the count stopped there: count again ");
        assert!(told.starts_with(&again), "{told}");
        assert!(!told.contains("pull"), "a count names no pull: {told}");
        if headers {
            // Both know the reset from Zoho's headers: the same time.
            let when = pulled.split_once("can continue ").unwrap().1;
            assert_eq!(&told[again.len()..], when, "{told} / {pulled}");
        }
        println!("count at the daily quota, headers {headers}: told \"{told}\"");
    }
}
