//! Executor timings.

use std::time::Duration;

/// How patient the executor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecutorConfig {
    /// A worker whose last heartbeat is older than this is dead.
    pub dead_after: Duration,
    /// A non-terminal execution untouched for this long gets its hint sent again.
    pub stale_after: Duration,
    /// An execution no live worker can run fails after waiting this long.
    pub unschedulable_after: Duration,
    /// Time between reconciliation passes.
    pub reconcile_every: Duration,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        Self {
            dead_after: Duration::from_secs(30),
            stale_after: Duration::from_secs(15),
            unschedulable_after: Duration::from_secs(300),
            reconcile_every: Duration::from_secs(5),
        }
    }
}
