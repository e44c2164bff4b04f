//! Delays between attempts of a call that failed for a passing reason:
//! exponential backoff with full jitter (a uniformly random part of the
//! capped delay), so clients that failed together do not retry together.
//! Used for refresh and revoke here and by the pull engine.

use std::time::Duration;

use rand::Rng;

/// Uniform in `[0, cap]`, to the millisecond.
pub fn full_jitter(cap: Duration) -> Duration {
    let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::thread_rng().gen_range(0..=millis))
}

/// The wait before attempt `attempt + 1`: uniform in
/// `[0, min(max, base * 2^(attempt-1))]`.
pub fn backoff(base: Duration, max: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    full_jitter(exp.min(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_within_its_cap() {
        let (base, max) = (Duration::from_millis(100), Duration::from_secs(1));
        for attempt in 0..40u32 {
            let cap = base
                .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
                .min(max);
            for _ in 0..50 {
                assert!(backoff(base, max, attempt) <= cap, "attempt {attempt}");
            }
        }
        assert_eq!(full_jitter(Duration::ZERO), Duration::ZERO);
    }
}
