//! Load shedding: while the pipeline is too far behind, the API refuses new work with
//! `503 overloaded` and `Retry-After`, instead of accepting it into queues that only grow.
//!
//! "Behind" is the store's [backlog](attune_store::OperationsStore::backlog): events whose
//! rules have not run yet and executions waiting for an executor or a worker. A task samples
//! it every [`SAMPLE_EVERY`] (two indexed counts), so that a refusal costs a request nothing
//! but an atomic load; the routes that create work (webhook posts, execution requests and
//! re-runs) check the last sample before doing anything else, so refused requests do not
//! add to the load they are refused for. Reads, cancellations and answers to inquiries are
//! never shed: they are how the backlog drains. The gate opens again as soon as a sample is
//! below the limit.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use attune_store::Store;

use crate::error::ApiError;

/// How often the backlog is sampled.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(100);

/// What a refused client is told to wait.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The last sampled backlog against its limit.
#[derive(Debug)]
pub struct Shedding {
    limit: u64,
    backlog: AtomicU64,
}

impl Shedding {
    /// A gate refusing work while the backlog is at `limit` or more (`0`: never), sampled
    /// from `store` by a task that ends with the gate.
    pub fn start(store: Arc<dyn Store>, limit: u64) -> Arc<Self> {
        let gate = Arc::new(Self { limit, backlog: AtomicU64::new(0) });
        if limit > 0 {
            tokio::spawn(sample(Arc::downgrade(&gate), store));
        }
        gate
    }

    /// Whether new work may be accepted now.
    pub fn admit(&self) -> Result<(), ApiError> {
        let backlog = self.backlog.load(Ordering::Relaxed);
        if self.limit == 0 || backlog < self.limit {
            return Ok(());
        }
        Err(ApiError::overloaded(
            format!("overloaded: {backlog} events and executions are waiting; try again later"),
            RETRY_AFTER,
        ))
    }
}

async fn sample(gate: Weak<Shedding>, store: Arc<dyn Store>) {
    let mut every = tokio::time::interval(SAMPLE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let Some(gate) = gate.upgrade() else { return };
        match store.backlog().await {
            Ok(backlog) => {
                let was = gate.backlog.swap(backlog, Ordering::Relaxed);
                if (was < gate.limit) != (backlog < gate.limit) {
                    if backlog >= gate.limit {
                        tracing::warn!(backlog, limit = gate.limit, "backlog at its limit: new work is refused");
                    } else {
                        tracing::info!(backlog, limit = gate.limit, "backlog below its limit: new work is accepted");
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
    fn refuses_with_503_and_retry_after_at_the_limit_only() {
        let gate = Shedding { limit: 10, backlog: AtomicU64::new(9) };
        assert!(gate.admit().is_ok());
        gate.backlog.store(10, Ordering::Relaxed);
        let refused = gate.admit().unwrap_err();
        assert_eq!((refused.status.as_u16(), refused.code), (503, "overloaded"));
        assert_eq!(refused.retry_after, Some(1));
        let off = Shedding { limit: 0, backlog: AtomicU64::new(u64::MAX) };
        assert!(off.admit().is_ok());
    }
}
