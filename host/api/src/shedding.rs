//! Load shedding: while the pipeline is too far behind, the API refuses new work with
//! `503 overloaded` and `Retry-After`, instead of accepting it into queues that only grow.
//!
//! "Behind" is the store's [backlog](attune_store::OperationsStore::backlog): events whose
//! rules have not run yet and executions waiting for an executor or a worker. A task samples
//! it every [`SAMPLE_EVERY`] (two indexed counts), so that a refusal costs a request nothing
//! but an atomic load; the routes that create work (webhook posts, execution requests and
//! re-runs) check the last sample before doing anything else, so refused requests do not
//! add to the load they are refused for. Reads, cancellations and answers to inquiries are
//! never shed: they are how the backlog drains. The gate opens again once a sample is below
//! 90% of the limit (so that it does not flap around it), and logs its closing at most once
//! a minute.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use attune_store::Store;

use crate::error::ApiError;

/// How often the backlog is sampled.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(100);

/// What a refused client is told to wait.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Once closed, the gate opens again when the backlog is below this share of the limit
/// (in percent), so that it does not flap at every sample around the limit.
const REOPEN_BELOW_PERCENT: u64 = 90;

/// How often the gate's closing and opening are logged at most: under a sustained
/// overload it may do both every second.
const LOG_EVERY: Duration = Duration::from_secs(60);

/// The gate: whether new work is refused, from the sampled backlog against its limit.
#[derive(Debug)]
pub struct Shedding {
    limit: u64,
    backlog: AtomicU64,
    closed: std::sync::atomic::AtomicBool,
}

impl Shedding {
    /// A gate refusing work while the backlog is at `limit` or more (`0`: never), sampled
    /// from `store` by a task that ends with the gate.
    pub fn start(store: Arc<dyn Store>, limit: u64) -> Arc<Self> {
        let gate = Arc::new(Self::new(limit));
        if limit > 0 {
            tokio::spawn(sample(Arc::downgrade(&gate), store));
        }
        gate
    }

    fn new(limit: u64) -> Self {
        Self { limit, backlog: AtomicU64::new(0), closed: false.into() }
    }

    /// Takes a sample: closes the gate at the limit, opens it below
    /// [`REOPEN_BELOW_PERCENT`] of it. Returns whether the gate changed.
    fn sampled(&self, backlog: u64) -> bool {
        self.backlog.store(backlog, Ordering::Relaxed);
        let closed = self.closed.load(Ordering::Relaxed);
        let close = if closed { backlog * 100 >= self.limit * REOPEN_BELOW_PERCENT } else { backlog >= self.limit };
        self.closed.store(close, Ordering::Relaxed);
        close != closed
    }

    /// Whether new work may be accepted now.
    pub fn admit(&self) -> Result<(), ApiError> {
        if self.limit == 0 || !self.closed.load(Ordering::Relaxed) {
            return Ok(());
        }
        let backlog = self.backlog.load(Ordering::Relaxed);
        Err(ApiError::overloaded(
            format!("overloaded: {backlog} events and executions are waiting; try again later"),
            RETRY_AFTER,
        ))
    }
}

async fn sample(gate: Weak<Shedding>, store: Arc<dyn Store>) {
    let mut every = tokio::time::interval(SAMPLE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut logged: Option<std::time::Instant> = None;
    let mut closings = 0u64;
    loop {
        every.tick().await;
        let Some(gate) = gate.upgrade() else { return };
        match store.backlog().await {
            Ok(backlog) => {
                if gate.sampled(backlog) && gate.closed.load(Ordering::Relaxed) {
                    closings += 1;
                    if logged.is_none_or(|at| at.elapsed() >= LOG_EVERY) {
                        tracing::warn!(
                            backlog,
                            limit = gate.limit,
                            closings,
                            "backlog at its limit: new work is refused until it drains"
                        );
                        logged = Some(std::time::Instant::now());
                        closings = 0;
                    }
                }
            }
            // Keep the last sample: a store that cannot answer a count refuses the work
            // itself.
            Err(error) => tracing::warn!(%error, "backlog not sampled"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_with_503_and_retry_after_from_the_limit_until_it_drains_a_tenth() {
        let gate = Shedding::new(100);
        assert!(!gate.sampled(99));
        assert!(gate.admit().is_ok());
        assert!(gate.sampled(100), "closes at the limit");
        let refused = gate.admit().unwrap_err();
        assert_eq!((refused.status.as_u16(), refused.code), (503, "overloaded"));
        assert_eq!(refused.retry_after, Some(1));
        assert!(!gate.sampled(95), "stays closed just below it");
        assert!(gate.admit().is_err());
        assert!(gate.sampled(89), "opens below 90%");
        assert!(gate.admit().is_ok());
        let off = Shedding::new(0);
        off.sampled(u64::MAX);
        assert!(off.admit().is_ok());
    }
}
