//! The daily quota, as Zoho answers it: a daily-limit answer does not
//! always carry `X-Rate-Limit-Remaining: 0` (docs/zoho.md), and the strict
//! simulator sends every other one without any `X-Rate-Limit-*` header. A
//! pull pauses until the reset on the answer's words alone, without a retry
//! storm that would only spend more of the organization's calls.

use std::time::Duration;

use zbs_codes::Code;
use zbs_pull::{PullError, PullRequest, PullState};
use zbs_zoho::Entity;

mod common;
use common::{all_of, sim_config, Env};

#[tokio::test(flavor = "multi_thread")]
async fn a_daily_limit_answer_without_headers_pauses_the_pull_at_once() {
    let env = Env::start(sim_config(40, (10_000, Duration::from_secs(1)))).await;
    let tokens = env.tokens().await;
    env.sim.faults().exhaust_daily_quota(&env.org).unwrap();
    let p = env.puller(20);
    let err = p
        .run(PullRequest::new(
            "c",
            &env.org,
            &all_of(&[Entity::Invoices]),
            tokens,
        ))
        .await
        .expect_err("the day's quota is used up");
    assert!(matches!(err, PullError::QuotaExhausted { .. }), "{err}");
    assert_eq!(err.code(), Code::QuotaExhausted);
    // One answer was enough: no retries spent on a limit that lasts the day.
    let stats = env.sim.stats(&env.org).unwrap();
    assert_eq!(stats.rejected_429, 1, "{stats:?}");
    let h = &p.history(Some("c"), 1).expect("history")[0];
    assert_eq!(h.state, PullState::PausedQuota);
}
