//! What time the executor thinks it is.
//!
//! Staleness, worker liveness and how long an execution has waited for a worker are all
//! judged against [`Clock::now`]. Production uses the system clock; tests move a
//! [`ManualClock`] forward instead of sleeping, so every recovery path runs at once and
//! the same way each time. (Times the store writes are real: a manual clock only ever
//! runs ahead of the system clock, never behind it.)

use std::sync::Mutex;
use std::time::Duration;

use attune_domain::Timestamp;

/// A source of the current time.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> Timestamp;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}

/// The system clock, moved ahead by hand.
#[derive(Debug, Default)]
pub struct ManualClock {
    ahead: Mutex<Duration>,
}

impl ManualClock {
    /// A clock at the system time.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock `by` further ahead.
    pub fn advance(&self, by: Duration) {
        *self.ahead.lock().expect("clock lock") += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        let ahead = *self.ahead.lock().expect("clock lock");
        chrono::Utc::now() + chrono::Duration::from_std(ahead).unwrap_or_default()
    }
}
