//! Pacing per organization: a GCRA (the `governor` crate) at the budget of
//! [`RateBudget`], a sliding-window guard, a concurrency cap that shrinks on
//! HTTP 429 and grows back, and a shared pause after a 429. One
//! [`OrgLimiter`] per organization lives in a [`LimiterRegistry`]; every pull
//! of that organization in the process takes its slots there, so two pulls
//! share one budget instead of doubling it. Across processes the pull lock
//! (see `store`) lets only one process pull an organization, and a new
//! limiter is seeded from the request log so a fresh process does not burst
//! into a window an earlier one filled.
//!
//! ## Why the burst cannot overrun a window
//!
//! Budget: `n` requests per window `T`. GCRA with emission interval `τ` and
//! burst `b` admits a cell at time `t` iff `TAT - t <= (b-1)τ`, then sets
//! `TAT = max(TAT, t) + τ`. Take any `k` cells admitted at `t_1 <= ... <= t_k`
//! inside a window of length `T` (so `t_k - t_1 < T`). After admitting the
//! first, `TAT >= t_1 + τ`; each further admission adds at least `τ`, so
//! before the k-th, `TAT >= t_1 + (k-1)τ`. Admitting it needs
//! `t_1 + (k-1)τ - t_k <= (b-1)τ`, i.e. `(k-b)τ <= t_k - t_1 < T`, so
//! `k < b + T/τ`. With the naive `τ = T/n` that allows `k = n + b - 1`
//! (a burst of 10 on 100/60 s lets 109 requests into one minute). Choosing
//! `τ = W/(n+1-b)` with `W >= T` gives `k < b + (n+1-b)·T/W <= n+1`, so
//! `k <= n` for every window, whatever the burst. We take `W = T + margin`
//! (1%, at least 200 ms) so jitter between sending here and Zoho counting
//! cannot push an extra request into Zoho's window; `tests::gcra_*` check
//! both the bound and that the naive interval does break it. The steady rate
//! is `(n+1-b)/W`, so the budget uses a burst of 1: a long pull then runs at
//! `n/W`, 98–99% of what Zoho allows.
//!
//! The sliding guard (at most `n` sends in the last `W`) is belt and braces:
//! it holds the same bound when the GCRA is fresh but the window is not
//! (a limiter seeded from another process's request log, or after a pause).

use std::collections::HashMap;
use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::budget::RateBudget;

/// Requests in flight per organization at most (Zoho's Free plan allows 5).
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Successful calls in a row before a reduced concurrency grows by one.
const GROW_AFTER: u32 = 20;
/// Send times kept for the "requests in the last minute" figure.
const RECENT_MAX: usize = 20_000;

/// The GCRA quota that keeps every window of `budget.per` within the budget
/// (see the module docs).
pub fn gcra_quota(budget: &RateBudget) -> Quota {
    let burst = NonZeroU32::new(budget.burst()).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(budget.emission_interval())
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
}

/// governor's clock on tokio's timeline, so tests can pause time.
#[derive(Debug, Clone)]
struct TokioClock {
    start: Instant,
}

impl Clock for TokioClock {
    type Instant = Duration;
    fn now(&self) -> Duration {
        Instant::now().saturating_duration_since(self.start)
    }
}

type Gcra = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Duration>>;

/// The wait was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

/// One organization's pacing, shared by all its pulls in this process.
pub struct OrgLimiter {
    organization_id: String,
    budget: RateBudget,
    clock: TokioClock,
    gcra: Gcra,
    sent: Mutex<VecDeque<Instant>>,
    recent: Mutex<VecDeque<Instant>>,
    semaphore: Arc<Semaphore>,
    cap: usize,
    /// The most a reduced concurrency grows back to: `cap`, lowered when
    /// Zoho says too many calls are in flight (code 1070).
    ceiling: AtomicUsize,
    allowed: AtomicUsize,
    streak: AtomicU32,
    paused_until: Mutex<Option<Instant>>,
}

impl std::fmt::Debug for OrgLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrgLimiter")
            .field("organization_id", &self.organization_id)
            .field("budget", &self.budget)
            .field("allowed", &self.allowed.load(Ordering::Relaxed))
            .finish()
    }
}

/// Held while a request is in flight: frees its concurrency slot on drop.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

async fn sleep_until(at: Instant, cancel: &CancellationToken) -> Result<(), Cancelled> {
    tokio::select! {
        _ = tokio::time::sleep_until(at) => Ok(()),
        _ = cancel.cancelled() => Err(Cancelled),
    }
}

impl OrgLimiter {
    /// A limiter for `budget` with at most `cap` requests in flight.
    pub fn new(organization_id: &str, budget: RateBudget, cap: usize) -> Self {
        let clock = TokioClock {
            start: Instant::now(),
        };
        let cap = cap.max(1);
        OrgLimiter {
            organization_id: organization_id.to_owned(),
            budget,
            gcra: RateLimiter::direct_with_clock(gcra_quota(&budget), clock.clone()),
            clock,
            sent: Mutex::new(VecDeque::new()),
            recent: Mutex::new(VecDeque::new()),
            semaphore: Arc::new(Semaphore::new(cap)),
            cap,
            ceiling: AtomicUsize::new(cap),
            allowed: AtomicUsize::new(cap),
            streak: AtomicU32::new(0),
            paused_until: Mutex::new(None),
        }
    }

    pub fn budget(&self) -> RateBudget {
        self.budget
    }

    /// Requests allowed in flight right now (shrinks after 429s).
    pub fn concurrency(&self) -> usize {
        self.allowed.load(Ordering::SeqCst)
    }

    /// Counts sends made `ages` ago (by another process, from the request
    /// log) against the sliding window.
    pub fn seed(&self, ages: &[Duration]) {
        let now = Instant::now();
        let window = self.budget.window();
        let mut times: Vec<Instant> = ages
            .iter()
            .filter(|a| **a < window)
            .filter_map(|a| now.checked_sub(*a))
            .collect();
        times.sort();
        let mut sent = lock(&self.sent);
        let mut recent = lock(&self.recent);
        for t in times {
            sent.push_back(t);
            recent.push_back(t);
        }
        let n = self.budget.requests as usize;
        while sent.len() > n {
            sent.pop_front();
        }
    }

    /// Waits for a concurrency slot and for the budget, then records the send.
    pub async fn acquire(&self, cancel: &CancellationToken) -> Result<Slot, Cancelled> {
        let permit = tokio::select! {
            p = self.semaphore.clone().acquire_owned() => p.map_err(|_| Cancelled)?,
            _ = cancel.cancelled() => return Err(Cancelled),
        };
        let mut gcra_passed = false;
        loop {
            let pause = *lock(&self.paused_until);
            if let Some(until) = pause {
                if until > Instant::now() {
                    sleep_until(until, cancel).await?;
                    continue;
                }
            }
            if !gcra_passed {
                match self.gcra.check() {
                    Ok(()) => gcra_passed = true,
                    Err(not_until) => {
                        let wait = not_until.wait_time_from(self.clock.now());
                        sleep_until(Instant::now() + wait, cancel).await?;
                        continue;
                    }
                }
            }
            let wait_until = {
                let now = Instant::now();
                let window = self.budget.window();
                let mut sent = lock(&self.sent);
                while sent
                    .front()
                    .is_some_and(|t| now.saturating_duration_since(*t) >= window)
                {
                    sent.pop_front();
                }
                if sent.len() < self.budget.requests as usize {
                    sent.push_back(now);
                    let mut recent = lock(&self.recent);
                    recent.push_back(now);
                    while recent.len() > RECENT_MAX
                        || recent.front().is_some_and(|t| {
                            now.saturating_duration_since(*t) >= Duration::from_secs(60)
                        })
                    {
                        recent.pop_front();
                    }
                    None
                } else {
                    sent.front().map(|t| *t + window)
                }
            };
            match wait_until {
                None => return Ok(Slot { _permit: permit }),
                Some(at) => sleep_until(at, cancel).await?,
            }
        }
    }

    /// After a 429 from Zoho: every pull of the organization waits `wait`,
    /// and one fewer request may be in flight (at least one).
    pub fn throttled(&self, wait: Duration) {
        {
            let mut p = lock(&self.paused_until);
            let until = Instant::now() + wait;
            if p.is_none_or(|old| old < until) {
                *p = Some(until);
            }
        }
        self.streak.store(0, Ordering::SeqCst);
        let shrunk = self
            .allowed
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |a| {
                (a > 1).then_some(a - 1)
            })
            .is_ok();
        if shrunk {
            let sem = self.semaphore.clone();
            tokio::spawn(async move {
                if let Ok(p) = sem.acquire_owned().await {
                    p.forget();
                }
            });
        }
    }

    /// After Zoho's code 1070 (too many calls of the organization in
    /// flight): one fewer at once (at least one), and never more than that
    /// again until [`Self::new_run`]. Returns the concurrency now allowed.
    pub fn too_many_in_flight(&self) -> usize {
        let shrunk = self
            .allowed
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |a| {
                (a > 1).then_some(a - 1)
            });
        if shrunk.is_ok() {
            let sem = self.semaphore.clone();
            tokio::spawn(async move {
                if let Ok(p) = sem.acquire_owned().await {
                    p.forget();
                }
            });
        }
        let now = self.allowed.load(Ordering::SeqCst);
        self.ceiling.fetch_min(now, Ordering::SeqCst);
        now
    }

    /// At the start of a run: a concurrency lowered by code 1070 in an
    /// earlier run may grow back to the cap again.
    pub fn new_run(&self) {
        self.ceiling.store(self.cap, Ordering::SeqCst);
    }

    /// After a successful call: grows a reduced concurrency back, slowly.
    pub fn succeeded(&self) {
        let s = self.streak.fetch_add(1, Ordering::SeqCst) + 1;
        if s >= GROW_AFTER {
            self.streak.store(0, Ordering::SeqCst);
            let grown = self
                .allowed
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |a| {
                    (a < self.ceiling.load(Ordering::SeqCst)).then_some(a + 1)
                })
                .is_ok();
            if grown {
                self.semaphore.add_permits(1);
            }
        }
    }

    /// Requests sent in the last minute (this process, plus the seeded log).
    pub fn requests_last_minute(&self) -> u32 {
        let now = Instant::now();
        let recent = lock(&self.recent);
        let n = recent
            .iter()
            .rev()
            .take_while(|t| now.saturating_duration_since(**t) < Duration::from_secs(60))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// One [`OrgLimiter`] per organization id, for the whole process. Clones
/// share the same limiters.
#[derive(Debug, Clone)]
pub struct LimiterRegistry {
    inner: Arc<Mutex<HashMap<String, Arc<OrgLimiter>>>>,
    concurrency: usize,
}

impl Default for LimiterRegistry {
    fn default() -> Self {
        Self::new()
    }
}

impl LimiterRegistry {
    /// An empty registry with [`DEFAULT_CONCURRENCY`].
    pub fn new() -> Self {
        Self::with_concurrency(DEFAULT_CONCURRENCY)
    }

    /// An empty registry allowing `cap` requests in flight per organization.
    pub fn with_concurrency(cap: usize) -> Self {
        LimiterRegistry {
            inner: Arc::default(),
            concurrency: cap.max(1),
        }
    }

    /// The organization's limiter; `seed` (ages of recent sends) is asked
    /// for only when the limiter is created. A limiter keeps the budget it
    /// was created with.
    pub fn limiter(
        &self,
        organization_id: &str,
        budget: RateBudget,
        seed: impl FnOnce() -> Vec<Duration>,
    ) -> Arc<OrgLimiter> {
        let mut map = lock(&self.inner);
        if let Some(l) = map.get(organization_id) {
            if l.budget != budget {
                tracing::warn!(
                    organization_id,
                    kept = %l.budget,
                    asked = %budget,
                    "a pull asked for another request budget; the organization's first one stays"
                );
            }
            return l.clone();
        }
        let l = Arc::new(OrgLimiter::new(organization_id, budget, self.concurrency));
        l.seed(&seed());
        map.insert(organization_id.to_owned(), l.clone());
        l
    }

    /// The limiter of an organization, if one was made.
    pub fn get(&self, organization_id: &str) -> Option<Arc<OrgLimiter>> {
        lock(&self.inner).get(organization_id).cloned()
    }
}

/// Most sends inside any half-open window `[t, t + window)`.
pub fn max_in_window(sorted: &[Duration], window: Duration) -> usize {
    let mut best = 0;
    let mut lo = 0;
    for hi in 0..sorted.len() {
        while sorted[hi].saturating_sub(sorted[lo]) >= window {
            lo += 1;
        }
        best = best.max(hi - lo + 1);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;
    use rand::{Rng, SeedableRng};

    /// Greedy and random traffic through `quota` on a fake clock; returns the
    /// admission times.
    fn drive(quota: Quota, steps: usize, seed: u64) -> Vec<Duration> {
        let clock = FakeRelativeClock::default();
        let lim = RateLimiter::direct_with_clock(quota, clock.clone());
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mut at = Vec::new();
        let mut now = Duration::ZERO;
        for _ in 0..steps {
            match lim.check() {
                Ok(()) => at.push(now),
                Err(nu) => {
                    let w = nu.wait_time_from(clock.now());
                    clock.advance(w);
                    now += w;
                    continue;
                }
            }
            // Mostly greedy, sometimes idle long enough to refill the burst.
            let idle = match rng.gen_range(0..10) {
                0 => Duration::from_millis(rng.gen_range(0..5_000)),
                1 => Duration::from_micros(rng.gen_range(0..2_000)),
                _ => Duration::ZERO,
            };
            clock.advance(idle);
            now += idle;
        }
        at
    }

    #[test]
    fn gcra_never_exceeds_the_budget_in_any_window() {
        for (spec, seed) in [
            ("100/60s", 1),
            ("10/1s", 2),
            ("50/1s", 3),
            ("37/2s", 4),
            ("1000/60s", 5),
            ("1/1s", 6),
        ] {
            let budget = RateBudget::parse(spec).expect("valid");
            let at = drive(gcra_quota(&budget), 5_000, seed);
            assert!(
                at.len() > 1_000,
                "{spec}: the limiter must let traffic through"
            );
            let most = max_in_window(&at, budget.per);
            assert!(
                most <= budget.requests as usize,
                "{spec}: {most} requests in one window"
            );
            // ...and even within the wider paced window.
            assert!(max_in_window(&at, budget.window()) <= budget.requests as usize);
            // A start never exceeds the burst.
            assert!(at.iter().take_while(|t| t.is_zero()).count() <= budget.burst() as usize);
            // A greedy start uses the whole burst at once.
            let clock = FakeRelativeClock::default();
            let lim = RateLimiter::direct_with_clock(gcra_quota(&budget), clock);
            let burst = std::iter::from_fn(|| lim.check().ok()).take(1_000).count();
            assert_eq!(burst, budget.burst() as usize, "{spec}");
        }
    }

    #[test]
    fn gcra_naive_interval_breaks_the_budget() {
        // The reason for the emission interval: T/n with a burst b lets
        // n + b - 1 requests into one window (shown with a burst of 10).
        let budget = RateBudget::default();
        let burst = 10;
        let naive = Quota::with_period(budget.per / budget.requests)
            .expect("period")
            .allow_burst(NonZeroU32::new(burst).expect("burst"));
        let clock = FakeRelativeClock::default();
        let lim = RateLimiter::direct_with_clock(naive, clock.clone());
        let mut at = Vec::new();
        let mut now = Duration::ZERO;
        while now < Duration::from_secs(120) {
            if lim.check().is_ok() {
                at.push(now);
            } else {
                clock.advance(Duration::from_millis(1));
                now += Duration::from_millis(1);
            }
        }
        let most = max_in_window(&at, budget.per);
        assert_eq!(most, (budget.requests + burst - 1) as usize);
    }

    #[tokio::test(start_paused = true)]
    async fn two_pullers_share_one_budget_on_virtual_time() {
        let budget = RateBudget::parse("20/1s").expect("valid");
        let reg = LimiterRegistry::new();
        let cancel = CancellationToken::new();
        let start = Instant::now();
        let times = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for _ in 0..2 {
            let l = reg.limiter("1", budget, Vec::new);
            let times = times.clone();
            let cancel = cancel.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..150 {
                    let slot = l.acquire(&cancel).await.expect("slot");
                    lock(&times).push(start.elapsed());
                    tokio::time::sleep(Duration::from_millis(3)).await;
                    drop(slot);
                    l.succeeded();
                }
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        let mut at = lock(&times).clone();
        at.sort();
        assert_eq!(at.len(), 300);
        assert!(max_in_window(&at, budget.per) <= 20);
        // Close to the budget: 300 requests at about 20 per 1.15 s.
        let took = at.last().copied().unwrap_or_default();
        assert!(took < Duration::from_secs(19), "took {took:?}");
        assert!(took > Duration::from_secs(14), "took {took:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn seeded_window_delays_a_fresh_limiter() {
        let budget = RateBudget::parse("5/1s").expect("valid");
        let l = OrgLimiter::new("1", budget, 4);
        // Another process sent 5 requests 0.2 s ago.
        l.seed(&[Duration::from_millis(200); 5]);
        let cancel = CancellationToken::new();
        let start = Instant::now();
        let _s = l.acquire(&cancel).await.expect("slot");
        let waited = start.elapsed();
        assert!(
            waited >= budget.window() - Duration::from_millis(200),
            "{waited:?}"
        );
        assert_eq!(l.requests_last_minute(), 6);
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_pauses_everyone_and_shrinks_concurrency() {
        let budget = RateBudget::parse("1000/1s").expect("valid");
        let l = Arc::new(OrgLimiter::new("1", budget, 4));
        let cancel = CancellationToken::new();
        l.throttled(Duration::from_secs(2));
        assert_eq!(l.concurrency(), 3);
        let start = Instant::now();
        let _a = l.acquire(&cancel).await.expect("slot");
        assert!(start.elapsed() >= Duration::from_secs(2));
        for _ in 0..5 {
            l.throttled(Duration::ZERO);
        }
        assert_eq!(l.concurrency(), 1);
        for _ in 0..(GROW_AFTER * 3) {
            l.succeeded();
        }
        assert_eq!(l.concurrency(), 4);
        let slow = OrgLimiter::new("2", RateBudget::parse("1/100s").expect("valid"), 1);
        let first = slow.acquire(&cancel).await.expect("the first is free");
        drop(first);
        cancel.cancel();
        assert!(matches!(slow.acquire(&cancel).await, Err(Cancelled)));
    }
}
