//! The limiter's own cost per request, on a tokio runtime whose clock is
//! paused (a sleep ends at once, time jumps to it), so every figure is CPU
//! work, never waiting:
//!
//! - `acquire_paced`: `OrgLimiter::acquire` and dropping the slot, at Zoho's
//!   budget (100 per minute): every call after the first waits for the
//!   budget, as in a real pull (concurrency slot, GCRA check, sleep,
//!   sliding-window bookkeeping);
//! - `gcra_paced` (the floor): the same GCRA quota as a bare `governor`
//!   limiter, checked, slept on until ready and checked again: the least
//!   any limiter built on `governor` does per paced request.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use governor::clock::Clock;
use governor::RateLimiter;
use zbs_pull::{CancellationToken, OrgLimiter, RateBudget, DEFAULT_CONCURRENCY};

/// governor's clock on tokio's (paused) timeline.
#[derive(Debug, Clone)]
struct TokioClock(tokio::time::Instant);

impl Clock for TokioClock {
    type Instant = Duration;
    fn now(&self) -> Duration {
        tokio::time::Instant::now().saturating_duration_since(self.0)
    }
}

fn paused_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime")
}

fn limiter(c: &mut Criterion) {
    let budget = RateBudget::default();
    assert_eq!(budget.to_string(), "100/60s", "Zoho's budget");
    let mut g = c.benchmark_group("limiter");

    let rt = paused_runtime();
    let org = rt.block_on(async { OrgLimiter::new("bench", budget, DEFAULT_CONCURRENCY) });
    let cancel = CancellationToken::new();
    g.bench_function("acquire_paced", |b| {
        b.iter(|| {
            rt.block_on(async {
                let slot = org.acquire(&cancel).await.expect("not cancelled");
                black_box(&slot);
            })
        })
    });

    let rt = paused_runtime();
    let clock = rt.block_on(async { TokioClock(tokio::time::Instant::now()) });
    let gcra =
        RateLimiter::direct_with_clock(zbs_pull::limiter::gcra_quota(&budget), clock.clone());
    g.bench_function("gcra_paced", |b| {
        b.iter(|| {
            rt.block_on(async {
                while let Err(not_until) = gcra.check() {
                    tokio::time::sleep(not_until.wait_time_from(clock.now())).await;
                }
            })
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = zbs_bench::config();
    targets = limiter
}
criterion_main!(benches);
