//! Per-organization API limits, the way Zoho enforces them: a request budget
//! per sliding window, a daily quota (reset at midnight in the
//! organization's time zone on the simulator's clock: Zoho's recorded resets
//! fall at 04:00 UTC for an organization in New York) and a cap on
//! concurrent requests. Also the per-organization log of
//! accepted requests that tests read through `SimHandle::stats`.
//!
//! Window semantics: SLIDING. A request is accepted when fewer than `N`
//! requests were accepted in the last `window` (the interval
//! `(now - window, now]`). Rejected requests do not use up the budget. A
//! client that never has more than `N` requests in any window of that length
//! is never refused, and the same client passes a fixed-window server too.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::clock::Clock;

/// Why a request got HTTP 429.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LimitKind {
    Window,
    Daily,
    Concurrency,
    Storm,
}

/// Values of the `X-Rate-Limit-*` headers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Quota {
    pub limit: u32,
    pub remaining: u32,
    pub reset_secs: u64,
}

/// What one organization's traffic looked like, as seen by the simulator.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgStats {
    /// When each accepted (budget-consuming) request arrived, as time since
    /// the simulator started (on its clock, so `advance_time` shows here).
    pub accepted: Vec<Duration>,
    /// Requests answered with HTTP 429 (any limit, and the 429-storm fault).
    pub rejected_429: u64,
    /// Requests counted against today's quota.
    pub daily_used: u32,
    /// Today's quota.
    pub daily_quota: u32,
    /// Requests being served right now.
    pub in_flight: u32,
    /// The most requests ever served at once.
    pub max_in_flight: u32,
}

impl OrgStats {
    /// The most accepted requests that fell inside any window of length
    /// `window` (`(t - window, t]`): compare it with the budget to prove a
    /// client never overran it.
    pub fn max_in_window(&self, window: Duration) -> usize {
        let mut best = 0;
        let mut lo = 0;
        for hi in 0..self.accepted.len() {
            while self.accepted[hi].saturating_sub(self.accepted[lo]) >= window {
                lo += 1;
            }
            best = best.max(hi - lo + 1);
        }
        best
    }
}

struct State {
    recent: VecDeque<Instant>,
    day: u64,
    used_today: u32,
    quota: u32,
    accepted: Vec<Duration>,
    rejected_429: u64,
    max_in_flight: u32,
}

/// One organization's limiter.
pub(crate) struct Limiter {
    budget: u32,
    window: Duration,
    /// The organization's time zone, seconds from UTC: the quota resets at
    /// its midnight. Changes when the organization moves data center.
    utc_offset: AtomicI64,
    permits: Arc<Semaphore>,
    in_flight: Arc<AtomicU32>,
    state: Mutex<State>,
}

/// Held while a request is being served; frees its concurrency slot on drop.
pub(crate) struct Admission {
    _permit: OwnedSemaphorePermit,
    in_flight: Arc<AtomicU32>,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Today's number and the seconds to the next midnight, at `utc_offset`
/// seconds from UTC (the organization's time zone).
fn day_and_reset(clock: &Clock, utc_offset: i64) -> (u64, u64) {
    let local = clock.unix_secs() as i64 + utc_offset;
    (
        local.div_euclid(86_400).max(0) as u64,
        (86_400 - local.rem_euclid(86_400)) as u64,
    )
}

impl Limiter {
    /// `utc_offset`: the organization's time zone, seconds from UTC.
    pub(crate) fn new(
        budget: u32,
        window: Duration,
        daily_quota: u32,
        concurrency: u32,
        utc_offset: i64,
    ) -> Self {
        Self {
            budget,
            window,
            utc_offset: AtomicI64::new(utc_offset),
            permits: Arc::new(Semaphore::new(concurrency.max(1) as usize)),
            in_flight: Arc::new(AtomicU32::new(0)),
            state: Mutex::new(State {
                recent: VecDeque::new(),
                day: 0,
                used_today: 0,
                quota: daily_quota,
                accepted: Vec::new(),
                rejected_429: 0,
                max_in_flight: 0,
            }),
        }
    }

    /// The organization's time zone is now `utc_offset` seconds from UTC.
    pub(crate) fn set_utc_offset(&self, utc_offset: i64) {
        self.utc_offset.store(utc_offset, Ordering::Relaxed);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn roll_day(&self, st: &mut State, clock: &Clock) -> u64 {
        let (day, reset) = day_and_reset(clock, self.utc_offset.load(Ordering::Relaxed));
        if st.day != day {
            st.day = day;
            st.used_today = 0;
        }
        reset
    }

    /// The quota headers as they stand, without counting a request.
    pub(crate) fn quota(&self, clock: &Clock) -> Quota {
        let mut st = self.lock();
        let reset_secs = self.roll_day(&mut st, clock);
        Quota {
            limit: st.quota,
            remaining: st.quota.saturating_sub(st.used_today),
            reset_secs,
        }
    }

    /// Admits a request or says which limit refused it.
    pub(crate) fn admit(&self, clock: &Clock) -> Result<(Admission, Quota), (LimitKind, Quota)> {
        let permit = self.permits.clone().try_acquire_owned();
        let now = clock.now();
        let mut st = self.lock();
        let reset_secs = self.roll_day(&mut st, clock);
        let quota = |st: &State| Quota {
            limit: st.quota,
            remaining: st.quota.saturating_sub(st.used_today),
            reset_secs,
        };
        let Ok(permit) = permit else {
            st.rejected_429 += 1;
            return Err((LimitKind::Concurrency, quota(&st)));
        };
        if st.used_today >= st.quota {
            st.rejected_429 += 1;
            return Err((LimitKind::Daily, quota(&st)));
        }
        while let Some(&front) = st.recent.front() {
            if now.saturating_duration_since(front) >= self.window {
                st.recent.pop_front();
            } else {
                break;
            }
        }
        if st.recent.len() >= self.budget as usize {
            st.rejected_429 += 1;
            return Err((LimitKind::Window, quota(&st)));
        }
        st.recent.push_back(now);
        st.used_today += 1;
        st.accepted.push(clock.since_start(now));
        let running = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        st.max_in_flight = st.max_in_flight.max(running);
        Ok((
            Admission {
                _permit: permit,
                in_flight: self.in_flight.clone(),
            },
            quota(&st),
        ))
    }

    /// Counts a 429 given for another reason (the storm fault).
    pub(crate) fn record_429(&self) {
        self.lock().rejected_429 += 1;
    }

    /// Leaves at most `left` calls of today's quota (0: used up).
    pub(crate) fn leave_daily(&self, clock: &Clock, left: u32) {
        let mut st = self.lock();
        self.roll_day(&mut st, clock);
        st.used_today = st.quota.saturating_sub(left);
    }

    pub(crate) fn stats(&self, clock: &Clock) -> OrgStats {
        let mut st = self.lock();
        self.roll_day(&mut st, clock);
        OrgStats {
            accepted: st.accepted.clone(),
            rejected_429: st.rejected_429,
            daily_used: st.used_today,
            daily_quota: st.quota,
            in_flight: self.in_flight.load(Ordering::SeqCst),
            max_in_flight: st.max_in_flight,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window_admits_exactly_the_budget() {
        let clock = Clock::new();
        let l = Limiter::new(3, Duration::from_secs(10), 100, 10, 0);
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(l.admit(&clock).map(|(a, _)| a).expect("admitted"));
        }
        assert!(matches!(l.admit(&clock), Err((LimitKind::Window, _))));
        clock.advance(Duration::from_secs(10));
        assert!(l.admit(&clock).is_ok());
        let s = l.stats(&clock);
        assert_eq!(s.max_in_window(Duration::from_secs(10)), 3);
        assert_eq!(s.rejected_429, 1);
    }

    #[test]
    fn max_in_window_counts_half_open_windows() {
        let s = OrgStats {
            accepted: [0, 1, 2, 10, 11]
                .iter()
                .map(|s| Duration::from_secs(*s))
                .collect(),
            ..Default::default()
        };
        assert_eq!(s.max_in_window(Duration::from_secs(10)), 3);
        assert_eq!(s.max_in_window(Duration::from_secs(11)), 4);
    }
}
