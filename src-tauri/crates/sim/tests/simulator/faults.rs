//! Every fault knob, deterministic ("next N") where it matters.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use zbs_sim::Faults;

use crate::common::*;

#[tokio::test]
async fn server_errors_next_n_and_by_rate() {
    let env = start(cfg()).await;
    let t = env.connect().await;
    env.sim.faults().fail_next(2);
    for _ in 0..2 {
        let (s, h, body) = env.org_get(&t, "invoices", &[]).await;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["code"], 1000);
        assert!(h.get("x-rate-limit-remaining").is_some());
    }
    assert_eq!(env.org_get(&t, "invoices", &[]).await.0, StatusCode::OK);
    env.sim.faults().set_error_rate(1.0);
    assert_eq!(
        env.org_get(&t, "invoices", &[]).await.0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let (s, _, _) = env
        .get(&t.api_domain, &t.access, "organizations", &[])
        .await;
    assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
    env.sim.faults().set_error_rate(0.0);
    assert_eq!(env.org_get(&t, "invoices", &[]).await.0, StatusCode::OK);
    assert_eq!(env.sim.faults().get(), Faults::default());
}

#[tokio::test]
async fn latency_is_added() {
    let env = start(cfg()).await;
    let t = env.connect().await;
    env.sim.faults().set_latency(Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(env.org_get(&t, "items", &[]).await.0, StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
    env.sim.faults().clear();
}

#[tokio::test]
async fn dropped_connection_mid_body() {
    let env = start(cfg()).await;
    let t = env.connect().await;
    env.sim.faults().drop_next(1);
    let resp = env
        .http
        .get(format!("{}/books/v3/invoices", t.api_domain))
        .query(&[("organization_id", env.org())])
        .header("Authorization", format!("Zoho-oauthtoken {}", t.access))
        .send()
        .await
        .expect("headers arrive");
    assert_eq!(resp.status(), StatusCode::OK);
    let declared = resp.content_length().expect("content-length");
    match resp.bytes().await {
        Err(_) => {}
        Ok(b) => assert!((b.len() as u64) < declared, "body was cut short"),
    }
    assert_eq!(env.org_get(&t, "invoices", &[]).await.0, StatusCode::OK);
}

#[tokio::test]
async fn malformed_json() {
    let env = start(cfg()).await;
    let t = env.connect().await;
    env.sim.faults().malformed_next(1);
    let (s, _, text) = env
        .get_raw(
            &t.api_domain,
            &t.access,
            "invoices",
            &[("organization_id", env.org())],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
    assert_eq!(env.org_get(&t, "invoices", &[]).await.0, StatusCode::OK);
}

#[tokio::test]
async fn expire_access_tokens_now() {
    let env = start(cfg()).await;
    let t = env.connect().await;
    env.sim.faults().expire_access_tokens();
    let (s, _, body) = env.org_get(&t, "invoices", &[]).await;
    assert_eq!(
        (s, body["code"].as_u64()),
        (StatusCode::UNAUTHORIZED, Some(57))
    );
    let fresh = env.refresh(&t.accounts, &t.refresh).await;
    let t2 = Tokens {
        access: fresh["access_token"].as_str().unwrap().into(),
        ..t
    };
    assert_eq!(env.org_get(&t2, "invoices", &[]).await.0, StatusCode::OK);
}

#[tokio::test]
async fn revoke_refresh_tokens_now() {
    let env = start(cfg()).await;
    let t = env.connect().await;
    env.sim.faults().revoke_refresh_tokens();
    assert_eq!(
        env.refresh(&t.accounts, &t.refresh).await["error"],
        "invalid_code"
    );
    assert_eq!(
        env.org_get(&t, "invoices", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn daily_quota_exhausted_now() {
    let env = start(cfg()).await;
    let t = env.connect().await;
    env.sim.faults().exhaust_daily_quota(&env.org()).unwrap();
    // Every other daily-limit answer, the first included, has no headers.
    let (s, h, body) = env.org_get(&t, "invoices", &[]).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], 45);
    assert!(h.get("x-rate-limit-remaining").is_none());
    let (s, h, _) = env.org_get(&t, "invoices", &[]).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header_u64(&h, "x-rate-limit-remaining"), 0);
    assert!(env.sim.faults().exhaust_daily_quota("nope").is_err());
}

#[tokio::test]
async fn rate_limit_storm_for_the_next_n_requests() {
    let env = start(cfg()).await;
    let t = env.connect().await;
    env.sim.faults().rate_limit_storm(3);
    for _ in 0..3 {
        let (s, h, body) = env.org_get(&t, "invoices", &[]).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(body["code"], 44);
        assert!(h.get("retry-after").is_none());
    }
    assert_eq!(env.org_get(&t, "invoices", &[]).await.0, StatusCode::OK);
    let stats = env.sim.stats(&env.org()).unwrap();
    assert_eq!((stats.rejected_429, stats.accepted.len()), (3, 1));
}

/// A module the user's role may not read, switched on at runtime (a demo
/// story): 401 code 57 with a valid token for that module only, the others
/// answer; switched off, it answers again. The configuration's stay.
#[tokio::test]
async fn role_denies_switched_at_runtime() {
    let env = start(cfg()).await;
    let t = env.connect().await;
    let (s, _, _) = env.org_get(&t, "creditnotes", &[]).await;
    assert_eq!(s, StatusCode::OK);
    env.sim.faults().set_role_denies(&["creditnotes"]);
    let (s, _, body) = env.org_get(&t, "creditnotes", &[]).await;
    assert_eq!(
        (s, body["code"].as_u64()),
        (StatusCode::UNAUTHORIZED, Some(57))
    );
    let (s, _, _) = env.org_get(&t, "invoices", &[]).await;
    assert_eq!(s, StatusCode::OK);
    env.sim.faults().clear();
    let (s, _, _) = env.org_get(&t, "creditnotes", &[]).await;
    assert_eq!(s, StatusCode::OK);
}
