//! Per-organization limits: request window, daily quota, concurrency.

use std::time::Duration;

use reqwest::StatusCode;
use zbs_sim::{OrgSpec, SimConfig};

use crate::common::*;

#[tokio::test]
async fn exactly_the_budget_passes_in_a_window_then_429_without_retry_after() {
    let env = start(SimConfig {
        rate_limit: (5, Duration::from_secs(60)),
        throttle_headers: Some(true),
        ..cfg()
    })
    .await;
    let t = env.connect().await;
    for _ in 0..5 {
        assert_eq!(env.org_get(&t, "invoices", &[]).await.0, StatusCode::OK);
    }
    let (s, h, body) = env.org_get(&t, "invoices", &[]).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], 44);
    assert!(h.get("retry-after").is_none());
    assert!(h.get("x-rate-limit-remaining").is_some());
    // A refusal does not use up budget; when the window has slid past, requests pass again.
    env.sim.advance_time(Duration::from_secs(60));
    assert_eq!(env.org_get(&t, "invoices", &[]).await.0, StatusCode::OK);
    let stats = env.sim.stats(&env.org()).unwrap();
    assert_eq!(stats.accepted.len(), 6);
    assert_eq!(stats.rejected_429, 1);
    assert_eq!(stats.max_in_window(Duration::from_secs(60)), 5);
    // The other organization has its own budget; /organizations uses none.
    let other = env.sim.organizations()[1].organization_id.clone();
    let (s, _, _) = env
        .get(
            &t.api_domain,
            &t.access,
            "invoices",
            &[("organization_id", other)],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn short_real_time_window() {
    let env = start(SimConfig {
        rate_limit: (5, Duration::from_secs(1)),
        ..cfg()
    })
    .await;
    let t = env.connect().await;
    let started = std::time::Instant::now();
    let mut ok = 0;
    for _ in 0..6 {
        if env.org_get(&t, "items", &[]).await.0 == StatusCode::OK {
            ok += 1;
        }
    }
    if started.elapsed() < Duration::from_millis(900) {
        assert_eq!(ok, 5);
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(env.org_get(&t, "items", &[]).await.0, StatusCode::OK);
    assert!(
        env.sim
            .stats(&env.org())
            .unwrap()
            .max_in_window(Duration::from_secs(1))
            <= 5
    );
}

#[tokio::test]
async fn quota_headers_count_down_and_exhaustion_is_429() {
    let env = start(SimConfig {
        daily_quota: Some(4),
        ..cfg()
    })
    .await;
    let t = env.connect().await;
    for expected in (0..4).rev() {
        let (s, h, _) = env.org_get(&t, "contacts", &[]).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(header_u64(&h, "x-rate-limit-limit"), 4);
        assert_eq!(header_u64(&h, "x-rate-limit-remaining"), expected);
        let reset = header_u64(&h, "x-rate-limit-reset");
        assert!(reset > 0 && reset <= 86_400);
    }
    // Fact (docs/zoho.md: a client cannot count on the headers): the
    // first daily-limit answer comes without them, the next with them.
    let (s, h, body) = env.org_get(&t, "contacts", &[]).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], 45);
    assert!(h.get("x-rate-limit-remaining").is_none());
    assert!(h.get("x-rate-limit-reset").is_none());
    let (s, h, body) = env.org_get(&t, "contacts", &[]).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], 45);
    assert_eq!(header_u64(&h, "x-rate-limit-remaining"), 0);
    assert!(h.get("retry-after").is_none());
    // The quota resets at the next day.
    let reset = header_u64(&h, "x-rate-limit-reset");
    env.sim.advance_time(Duration::from_secs(reset + 1));
    // A day later the access token has expired too: refresh first.
    let fresh = env.refresh(&t.accounts, &t.refresh).await;
    let t = Tokens {
        access: fresh["access_token"].as_str().unwrap().into(),
        ..t
    };
    let (s, h, _) = env.org_get(&t, "contacts", &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(header_u64(&h, "x-rate-limit-remaining"), 3);
}

#[tokio::test]
async fn default_quota_is_by_plan() {
    // The plan's figure where no recorded quota is given for the organization.
    let mut config = cfg();
    config.organizations[0].daily_quota = None;
    let env = start(config).await;
    let t = env.connect().await;
    let (_, h, _) = env.org_get(&t, "invoices", &[]).await;
    assert_eq!(header_u64(&h, "x-rate-limit-limit"), 5_000); // Professional
    let other = env.sim.organizations()[1].organization_id.clone();
    let (_, h, _) = env
        .get(
            &t.api_domain,
            &t.access,
            "invoices",
            &[("organization_id", other)],
        )
        .await;
    assert_eq!(header_u64(&h, "x-rate-limit-limit"), 1_000); // Free
}

#[tokio::test]
async fn concurrency_cap() {
    let env = start(SimConfig {
        concurrency: Some(2),
        ..cfg()
    })
    .await;
    let t = env.connect().await;
    env.sim.faults().set_latency(Duration::from_millis(1500));
    let (a, b, c) = tokio::join!(
        env.org_get(&t, "invoices", &[]),
        env.org_get(&t, "invoices", &[]),
        env.org_get(&t, "invoices", &[]),
    );
    let statuses = [a.0, b.0, c.0];
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let limited: Vec<_> = [&a, &b, &c]
        .into_iter()
        .filter(|r| r.0 == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!((ok, limited.len()), (2, 1), "{statuses:?}");
    // Zoho's "Concurrent Rate Limiter": code 1070.
    assert_eq!(limited[0].2["code"], 1070);
    let stats = env.sim.stats(&env.org()).unwrap();
    assert_eq!(stats.max_in_flight, 2);
    assert_eq!(stats.in_flight, 0);
}

/// Seconds since the Unix epoch now, on the simulator's timeline after
/// `advanced` seconds of `advance_time`.
fn unix_now(advanced: u64) -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + advanced
}

/// Fact (the recorded answers: every `X-Rate-Limit-Reset` falls at 04:00
/// UTC for an organization in New York): the daily quota resets at midnight
/// in the organization's time zone, not at midnight UTC. The simulator's
/// organizations in New York (UTC-5) reset at 05:00 UTC, in Berlin (UTC+1)
/// at 23:00, in Kolkata (UTC+5:30) at 18:30, in London at 00:00; a quota
/// used up stays used up just before that midnight and is back just after.
#[tokio::test]
async fn the_daily_quota_resets_at_midnight_in_the_organizations_time_zone() {
    for (currency, zone, utc_secs) in [
        ("USD", "America/New_York", 5 * 3600u64),
        ("EUR", "Europe/Berlin", 23 * 3600),
        ("INR", "Asia/Kolkata", 18 * 3600 + 1800),
        ("GBP", "Europe/London", 0),
    ] {
        let env = start(SimConfig {
            daily_quota: Some(2),
            organizations: vec![OrgSpec {
                currency_code: Some(currency.into()),
                ..OrgSpec::new("775500001", "Time Zone Test Ltd")
            }],
            ..cfg()
        })
        .await;
        let t = env.connect().await;
        let (_, _, orgs) = env
            .get(&t.api_domain, &t.access, "organizations", &[])
            .await;
        assert_eq!(orgs["organizations"][0]["time_zone"], zone);
        let (s, h, _) = env.org_get(&t, "invoices", &[]).await;
        assert_eq!(s, StatusCode::OK, "{zone}");
        let reset = header_u64(&h, "x-rate-limit-reset");
        let at = (unix_now(0) + reset) % 86_400;
        let off = at.abs_diff(utc_secs).min(86_400 - at.abs_diff(utc_secs));
        assert!(
            off <= 2,
            "{zone}: resets {at} s past UTC midnight, not {utc_secs}"
        );
        let (s, _, _) = env.org_get(&t, "invoices", &[]).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _, body) = env.org_get(&t, "invoices", &[]).await;
        assert_eq!(
            (s, body["code"].as_u64()),
            (StatusCode::TOO_MANY_REQUESTS, Some(45))
        );
        // Just before the organization's midnight: still used up.
        env.sim
            .advance_time(Duration::from_secs(reset.saturating_sub(5)));
        let fresh = env.refresh(&t.accounts, &t.refresh).await;
        let t = Tokens {
            access: fresh["access_token"].as_str().unwrap().into(),
            ..t
        };
        let (s, _, _) = env.org_get(&t, "invoices", &[]).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{zone}: not reset yet");
        env.sim.advance_time(Duration::from_secs(10));
        let (s, h, _) = env.org_get(&t, "invoices", &[]).await;
        assert_eq!(
            s,
            StatusCode::OK,
            "{zone}: reset at the organization's midnight"
        );
        assert_eq!(header_u64(&h, "x-rate-limit-remaining"), 1);
    }
}

/// What is left of the daily quota, set at runtime (a demo story): the call
/// after the last one left is the daily limit; reset, the quota is whole.
#[tokio::test]
async fn the_daily_quota_left_can_be_set_and_reset() {
    let env = start(SimConfig {
        daily_quota: Some(50),
        ..cfg()
    })
    .await;
    let t = env.connect().await;
    env.sim.faults().leave_daily_quota(&env.org(), 1).unwrap();
    let (s, h, _) = env.org_get(&t, "contacts", &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(header_u64(&h, "x-rate-limit-remaining"), 0);
    let (s, _, body) = env.org_get(&t, "contacts", &[]).await;
    assert_eq!(
        (s, body["code"].as_u64()),
        (StatusCode::TOO_MANY_REQUESTS, Some(45))
    );
    env.sim.faults().reset_daily_quota(&env.org()).unwrap();
    let (s, h, _) = env.org_get(&t, "contacts", &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(header_u64(&h, "x-rate-limit-remaining"), 49);
}

/// Zoho's Books API v3 introduction documents three throttling answers, all
/// HTTP 429 without Retry-After: code 44 for the requests a minute, code 45
/// for the day's quota (its words name the limit, never the day) and code
/// 1070 for too many requests in process. By default they alternate without
/// and with the `X-Rate-Limit-*` headers, the first without.
#[tokio::test]
async fn throttling_answers_are_zohos_documented_bodies_with_and_without_headers() {
    const MINUTE: &str = "For security reasons your organization has been blocked as it have exceeded the maximum number of requests per minute that can originate from an organization.";
    const IN_PROCESS: &str = "You have reached the maximum number of in process requests allowed. Kindly try again after some time.";
    // Code 44, by default first without headers, then with.
    let env = start(SimConfig {
        rate_limit: (1, Duration::from_secs(60)),
        ..cfg()
    })
    .await;
    let t = env.connect().await;
    assert_eq!(env.org_get(&t, "invoices", &[]).await.0, StatusCode::OK);
    let mut seen_headers = Vec::new();
    for _ in 0..2 {
        let (s, h, body) = env.org_get(&t, "invoices", &[]).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body["code"], 44);
        assert_eq!(body["message"], MINUTE);
        assert!(h.get("retry-after").is_none());
        seen_headers.push(h.get("x-rate-limit-limit").is_some());
    }
    assert_eq!(seen_headers, [false, true]);

    // Code 45: the quota named, never the day; with and without headers.
    for headers in [false, true] {
        let env = start(SimConfig {
            daily_quota: Some(3),
            throttle_headers: Some(headers),
            ..cfg()
        })
        .await;
        let t = env.connect().await;
        for _ in 0..3 {
            assert_eq!(env.org_get(&t, "invoices", &[]).await.0, StatusCode::OK);
        }
        let (s, h, body) = env.org_get(&t, "invoices", &[]).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body["code"], 45);
        assert_eq!(
            body["message"],
            "The API call for this organization has exceeded the maximum call rate limit of 3."
        );
        assert_eq!(h.get("x-rate-limit-remaining").is_some(), headers);
        if headers {
            assert_eq!(header_u64(&h, "x-rate-limit-remaining"), 0);
        }
    }

    // Code 1070: more requests in process than the organization's cap.
    for headers in [false, true] {
        let env = start(SimConfig {
            concurrency: Some(1),
            throttle_headers: Some(headers),
            ..cfg()
        })
        .await;
        env.sim.faults().set_latency(Duration::from_millis(400));
        let t = env.connect().await;
        let (a, b) = tokio::join!(env.org_get(&t, "invoices", &[]), async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            env.org_get(&t, "items", &[]).await
        });
        assert_eq!(a.0, StatusCode::OK);
        let (s, h, body) = b;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body["code"], 1070);
        assert_eq!(body["message"], IN_PROCESS);
        assert_eq!(h.get("x-rate-limit-limit").is_some(), headers);
    }
}

/// The recorded trial organization (Professional plan) showed
/// `X-Rate-Limit-Limit: 1000`, not the plan table's 5,000: the default
/// organization has 1,000 calls a day.
#[tokio::test]
async fn the_default_organization_has_the_recorded_trials_daily_quota() {
    let env = start(cfg()).await;
    let t = env.connect().await;
    let (s, h, _) = env.org_get(&t, "invoices", &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(header_u64(&h, "x-rate-limit-limit"), 1000);
    assert_eq!(env.sim.stats(&env.org()).unwrap().daily_quota, 1000);
}
