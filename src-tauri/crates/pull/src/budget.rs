//! The request budget per organization (`ZBSETUP_RATE_LIMIT`,
//! `<requests>/<seconds>s`, default `100/60s`) and the pacing derived from
//! it: the burst, the safety margin and the GCRA emission interval that the
//! [`crate::limiter`] uses, and the time a number of calls takes at that pace
//! (for [`crate::Forecast`]).

use std::fmt;
use std::time::Duration;

use crate::PullError;

/// Environment variable holding the budget.
pub const RATE_LIMIT_ENV: &str = "ZBSETUP_RATE_LIMIT";

/// At most `requests` in any window of `per` for one organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateBudget {
    pub requests: u32,
    pub per: Duration,
}

impl Default for RateBudget {
    /// Zoho's published figure: 100 requests per minute.
    fn default() -> Self {
        RateBudget {
            requests: 100,
            per: Duration::from_secs(60),
        }
    }
}

impl fmt::Display for RateBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.per.as_secs_f64();
        if secs.fract() == 0.0 {
            write!(f, "{}/{}s", self.requests, self.per.as_secs())
        } else {
            write!(f, "{}/{}s", self.requests, secs)
        }
    }
}

impl std::str::FromStr for RateBudget {
    type Err = PullError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl RateBudget {
    /// Parses `<requests>/<seconds>s` (`100/60s`, `10/1s`, `5/0.5s`; the `s`
    /// may be left out). Requests 1..=100000, seconds above 0 and at most a day.
    pub fn parse(text: &str) -> Result<Self, PullError> {
        let bad = || PullError::InvalidRateLimit {
            value: text.chars().filter(|c| !c.is_control()).take(40).collect(),
        };
        let (n, t) = text.trim().split_once('/').ok_or_else(bad)?;
        let requests: u32 = n.trim().parse().map_err(|_| bad())?;
        let t = t.trim();
        let t = t.strip_suffix('s').unwrap_or(t).trim();
        let secs: f64 = t.parse().map_err(|_| bad())?;
        if !(1..=100_000).contains(&requests) || !secs.is_finite() || secs <= 0.0 {
            return Err(bad());
        }
        if secs > 86_400.0 {
            return Err(bad());
        }
        let per = Duration::from_secs_f64(secs);
        if per < Duration::from_millis(1) {
            return Err(bad());
        }
        Ok(RateBudget { requests, per })
    }

    /// The budget from `ZBSETUP_RATE_LIMIT`, or the default when unset or empty.
    pub fn from_env() -> Result<Self, PullError> {
        match std::env::var(RATE_LIMIT_ENV) {
            Ok(v) if !v.trim().is_empty() => Self::parse(&v),
            _ => Ok(Self::default()),
        }
    }

    /// Cells the GCRA may release at once: one. Requests are spaced evenly
    /// from the first; every cell of burst would cost a long pull one
    /// request per window (a budget of n allows a steady rate of only
    /// (n + 1 − burst) per window), and a short pull gains little from it.
    pub fn burst(&self) -> u32 {
        1
    }

    /// Slack for network jitter between sending a request here and Zoho
    /// counting it: 1% of the window, at least 200 ms.
    pub fn margin(&self) -> Duration {
        (self.per / 100).max(Duration::from_millis(200))
    }

    /// The window the limiter paces against: `per + margin`.
    pub fn window(&self) -> Duration {
        self.per + self.margin()
    }

    /// GCRA emission interval `window / (requests + 1 - burst)`; see
    /// [`crate::limiter`] for why this keeps every window within the budget.
    pub fn emission_interval(&self) -> Duration {
        // Rounded up, so the bound holds exactly despite nanosecond truncation.
        let cells = u128::from(self.requests + 1 - self.burst());
        let nanos = self.window().as_nanos().div_ceil(cells);
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// The budget as requests per minute (for the chart).
    pub fn per_minute(&self) -> f64 {
        f64::from(self.requests) * 60.0 / self.per.as_secs_f64()
    }

    /// Seconds `calls` requests take at this pace from a rested limiter.
    pub fn seconds_for(&self, calls: u64) -> f64 {
        let free = u64::from(self.burst());
        if calls <= free {
            return 0.0;
        }
        (calls - free) as f64 * self.emission_interval().as_secs_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let b = RateBudget::parse("100/60s").expect("default form");
        assert_eq!(b, RateBudget::default());
        assert_eq!(b.to_string(), "100/60s");
        assert_eq!(
            RateBudget::parse(" 10 / 1s ").expect("spaces").per,
            Duration::from_secs(1)
        );
        assert_eq!(
            RateBudget::parse("5/0.5s").expect("fraction").per,
            Duration::from_millis(500)
        );
        assert_eq!(RateBudget::parse("7/3").expect("no s").requests, 7);
        for bad in [
            "",
            "100",
            "/60s",
            "x/60s",
            "100/xs",
            "0/60s",
            "100/0s",
            "100/-1s",
            "100/inf",
            "100/NaNs",
            "100000000/1s",
            "10/100000s",
        ] {
            let e = RateBudget::parse(bad).expect_err(bad);
            assert_eq!(e.code(), zbs_codes::Code::InvalidRateLimit);
            assert!(e.to_string().contains("<requests>/<seconds>s"));
        }
    }

    #[test]
    fn pacing_figures() {
        let b = RateBudget::default();
        assert_eq!(b.burst(), 1);
        assert_eq!(b.margin(), Duration::from_millis(600));
        assert_eq!(b.window(), Duration::from_millis(60_600));
        // 60.6 s / 100 cells: a steady 98.5% of the budget.
        assert!((b.emission_interval().as_secs_f64() - 60.6 / 100.0).abs() < 1e-6);
        assert!((b.per_minute() - 100.0).abs() < 1e-9);
        let small = RateBudget::parse("10/1s").expect("valid");
        assert_eq!(small.burst(), 1);
        assert_eq!(small.window(), Duration::from_millis(1200));
    }
}
