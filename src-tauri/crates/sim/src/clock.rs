//! The simulator's clock: real time plus an offset that tests can push
//! forward (`SimHandle::advance_time`), so code expiry, token lifetimes, rate
//! windows and the daily quota can be tested without sleeping.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Monotonic and wall-clock time, both shifted by the same adjustable offset.
#[derive(Debug)]
pub(crate) struct Clock {
    start: Instant,
    offset: Mutex<Duration>,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Self {
            start: Instant::now(),
            offset: Mutex::new(Duration::ZERO),
        }
    }

    fn offset(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Monotonic "now" on the simulator's timeline.
    pub(crate) fn now(&self) -> Instant {
        Instant::now() + self.offset()
    }

    /// Time since the simulator started, on its timeline.
    pub(crate) fn since_start(&self, at: Instant) -> Duration {
        at.saturating_duration_since(self.start)
    }

    /// Seconds since the Unix epoch on the simulator's timeline.
    pub(crate) fn unix_secs(&self) -> u64 {
        (SystemTime::now() + self.offset())
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }

    pub(crate) fn advance(&self, by: Duration) {
        let mut off = self.offset.lock().unwrap_or_else(|e| e.into_inner());
        *off += by;
    }
}
