//! Zoho's limits as Zoho documents them (`docs/zoho.md`): access tokens
//! that expire inside a long pull, and the three throttling answers of the
//! Books API v3 introduction, each by its code (44 the minute, 45 the day's
//! quota, 1070 too many in flight), with and without the quota headers.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use zbs_codes::Code;
use zbs_pull::{
    next_midnight, LimiterRegistry, PullError, PullRequest, PullState, Puller, PullerConfig,
};
use zbs_sim::SimConfig;
use zbs_zoho::Entity;

mod common;
use common::{all_of, fast_retry, sim_config, sim_entity, Env};

/// Every record of `entity` the simulator holds is stored, each once.
fn every_record_once(env: &Env, entity: Entity) {
    let stored = env.stored_ids("c", entity);
    let unique: std::collections::BTreeSet<String> = stored.iter().cloned().collect();
    assert_eq!(
        stored.len(),
        unique.len(),
        "{entity}: a record stored twice"
    );
    assert_eq!(unique, env.sim_ids(sim_entity(entity)), "{entity}");
}

/// Access tokens live an hour and a full pull can last several: each 401
/// on a token that is not brand new is an expiry, refreshed and sent again
/// however often it happens, never a permission problem. Here tokens live
/// 1 s and the pull about 4 s.
#[tokio::test(flavor = "multi_thread")]
async fn a_pull_through_three_token_expiries_stores_every_record_once() {
    let env = Env::start(SimConfig {
        token_ttl: Duration::from_secs(1),
        ..sim_config(80, (10_000, Duration::from_secs(1)))
    })
    .await;
    env.sim.faults().set_latency(Duration::from_millis(250));
    let tokens = env.tokens().await;
    let p = Puller::new(&env.db, env.registry.clone(), env.budget)
        .expect("puller")
        .with_config(PullerConfig {
            page_size: 5,
            retry: fast_retry(),
            fresh_token: Duration::from_millis(300),
            ..PullerConfig::default()
        });
    let report = p
        .run(PullRequest::new(
            "c",
            &env.org,
            &all_of(&[Entity::Invoices, Entity::Customers]),
            tokens.clone(),
        ))
        .await
        .expect("the pull outlives its tokens and completes");
    let refreshes = tokens.refreshes.load(Ordering::SeqCst);
    let accepted = env.sim.stats(&env.org).unwrap().accepted.len() as u64;
    println!(
        "pull through expiries: {} calls, {} answered, {} refused as expired, {} refreshes, {:.1} s",
        report.calls,
        accepted,
        report.calls - accepted,
        refreshes,
        report.seconds
    );
    assert!(report.complete, "{report:?}");
    assert!(report.not_permitted.is_empty(), "{report:?}");
    assert!(refreshes >= 3, "only {refreshes} expiries met");
    every_record_once(&env, Entity::Invoices);
    every_record_once(&env, Entity::Customers);
    // Each expiry costs at most the calls in flight when it came.
    assert!(
        report.calls - accepted <= u64::from(refreshes) * 4,
        "{} refused calls for {refreshes} expiries",
        report.calls - accepted
    );
}

/// Code 45 says the day's quota in words that never say "day". Without
/// any header ever seen, the pull pauses until midnight in the
/// organization's time zone, after the one refused call.
#[tokio::test(flavor = "multi_thread")]
async fn code_45_without_headers_pauses_until_the_organizations_midnight() {
    let env = Env::start(SimConfig {
        throttle_headers: Some(false),
        ..sim_config(40, (10_000, Duration::from_secs(1)))
    })
    .await;
    let mut tokens = common::SimTokens::connect(&env.sim).await.expect("sign-in");
    tokens.time_zone = Some("America/New_York".into());
    env.sim.faults().exhaust_daily_quota(&env.org).unwrap();
    let p = env.puller(20);
    let err = p
        .run(PullRequest::new(
            "c",
            &env.org,
            &all_of(&[Entity::Invoices]),
            Arc::new(tokens),
        ))
        .await
        .expect_err("the day's quota is used up");
    let PullError::QuotaExhausted {
        resume_after: Some(at),
        ..
    } = err
    else {
        panic!("not paused until a time: {err}");
    };
    let midnight = next_midnight("America/New_York", OffsetDateTime::now_utc()).unwrap();
    assert_eq!(at, midnight);
    let told = PullError::QuotaExhausted {
        pull_id: 1,
        resume_after: Some(at),
    }
    .to_string();
    assert!(
        told.contains(&format!("{:02}:{:02} UTC", at.hour(), at.minute())),
        "{told}"
    );
    assert_eq!(env.sim.stats(&env.org).unwrap().rejected_429, 1);
    let h = &p.history(Some("c"), 1).expect("history")[0];
    assert_eq!(h.state, PullState::PausedQuota);
    println!("code 45 at the start, no headers: told \"{told}\"");
}

/// The day's quota used up in the middle of a pull, with and without the
/// headers on the refusal: one refused call, then a pause until the reset
/// the headers gave (on this answer or an earlier one), never a retry.
#[tokio::test(flavor = "multi_thread")]
async fn code_45_mid_pull_pauses_at_once_with_or_without_headers() {
    for headers in [false, true] {
        let env = Env::start(SimConfig {
            throttle_headers: Some(headers),
            daily_quota: Some(7),
            ..sim_config(100, (10_000, Duration::from_secs(1)))
        })
        .await;
        let tokens = env.tokens().await;
        let p = env.puller(10);
        let err = p
            .run(PullRequest::new(
                "c",
                &env.org,
                &all_of(&[Entity::Invoices, Entity::Customers]),
                tokens,
            ))
            .await
            .expect_err("the quota runs out");
        assert_eq!(err.code(), Code::QuotaExhausted, "{err}");
        let told = err.to_string();
        let PullError::QuotaExhausted {
            resume_after: Some(at),
            ..
        } = err
        else {
            panic!("no reset time: {told}");
        };
        let stats = env.sim.stats(&env.org).unwrap();
        let wait = at - OffsetDateTime::now_utc();
        assert!(
            wait > time::Duration::ZERO && wait <= time::Duration::hours(24),
            "{at}"
        );
        // Refused: at most the calls already in flight when the quota ran
        // out (4 at once), and no retry after; none when the headers of the
        // last answer said no calls were left.
        assert!(
            stats.rejected_429 <= zbs_pull::DEFAULT_CONCURRENCY as u64,
            "{stats:?}"
        );
        assert_eq!(stats.daily_used, 7, "{stats:?}");
        let h = &p.history(Some("c"), 1).expect("history")[0];
        assert_eq!(h.state, PullState::PausedQuota);
        println!(
            "code 45 mid-pull, headers {headers}: {} calls made, {} answered, {} refused; told \"{told}\"",
            h.calls,
            stats.accepted.len(),
            stats.rejected_429
        );
    }
}

/// Code 44 (the minute's requests), with and without headers: the pull
/// waits out the window and completes with every record.
#[tokio::test(flavor = "multi_thread")]
async fn code_44_waits_out_the_minute_and_the_pull_completes() {
    for headers in [false, true] {
        let env = Env::start(SimConfig {
            throttle_headers: Some(headers),
            ..sim_config(60, (6, Duration::from_secs(1)))
        })
        .await;
        let tokens = env.tokens().await;
        // The app thinks it may send more than Zoho allows: Zoho says 44.
        let p = Puller::new(
            &env.db,
            env.registry.clone(),
            zbs_pull::RateBudget {
                requests: 60,
                per: Duration::from_secs(1),
            },
        )
        .expect("puller")
        .with_config(PullerConfig {
            page_size: 10,
            retry: fast_retry(),
            ..PullerConfig::default()
        });
        let report = p
            .run(PullRequest::new(
                "c",
                &env.org,
                &all_of(&[Entity::Invoices, Entity::Customers]),
                tokens,
            ))
            .await
            .expect("the pull completes after waiting");
        assert!(report.complete);
        assert!(report.http_429 >= 1, "Zoho never said 44: {report:?}");
        every_record_once(&env, Entity::Invoices);
        every_record_once(&env, Entity::Customers);
    }
}

/// Code 1070 (too many calls in process): the pull sends fewer at once for
/// the rest of the run and completes.
#[tokio::test(flavor = "multi_thread")]
async fn code_1070_lowers_the_concurrency_for_the_rest_of_the_run() {
    for headers in [false, true] {
        let env = Env::start(SimConfig {
            throttle_headers: Some(headers),
            concurrency: Some(2),
            ..sim_config(30, (10_000, Duration::from_secs(1)))
        })
        .await;
        env.sim.faults().set_latency(Duration::from_millis(60));
        let tokens = env.tokens().await;
        let registry = LimiterRegistry::with_concurrency(4);
        let p = Puller::new(&env.db, registry.clone(), env.budget)
            .expect("puller")
            .with_config(PullerConfig {
                page_size: 10,
                retry: fast_retry(),
                ..PullerConfig::default()
            });
        let mut options = all_of(&[Entity::Invoices]);
        options.line_items = true;
        let report = p
            .run(PullRequest::new("c", &env.org, &options, tokens))
            .await
            .expect("the pull completes with fewer calls at once");
        assert!(report.complete);
        let stats = env.sim.stats(&env.org).unwrap();
        assert!(stats.rejected_429 >= 1, "Zoho never said 1070");
        let now = registry.get(&env.org).unwrap().concurrency();
        assert!(now <= 2, "still {now} at once");
        every_record_once(&env, Entity::Invoices);
        println!(
            "code 1070, headers {headers}: {} calls, {} refused, concurrency now {now}",
            report.calls, stats.rejected_429
        );
    }
}

/// The organization's midnight, from Zoho's IANA name of its time zone.
#[test]
fn the_organizations_midnight_is_in_its_own_time_zone() {
    let now = time::macros::datetime!(2026-12-06 12:00 UTC);
    assert_eq!(
        next_midnight("America/New_York", now),
        Some(time::macros::datetime!(2026-12-07 05:00 UTC))
    );
    assert_eq!(
        next_midnight("Asia/Kolkata", now),
        Some(time::macros::datetime!(2026-12-06 18:30 UTC))
    );
    let summer = time::macros::datetime!(2026-07-01 12:00 UTC);
    assert_eq!(
        next_midnight("America/New_York", summer),
        Some(time::macros::datetime!(2026-07-02 04:00 UTC))
    );
    assert_eq!(next_midnight("Not/AZone", now), None);
}
