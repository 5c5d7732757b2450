//! Reconciliation: the store says what should be happening; make it happen.
//!
//! Messages can be lost (a crash between a store write and a publish, a broker restart),
//! executors can die mid-scheduling and workers mid-run. Each pass expires the workers
//! whose heartbeats stopped, then runs every [recovery rule](crate::recovery) over the
//! oldest waiting executions of its kind (bounded per pass, so a backlog is worked off
//! oldest first over several passes), and announces again the events whose rules were
//! never evaluated (a lost `EventCreated`).
//!
//! "Stale" means untouched for `stale_after`; a start-up pass in a process that owns the
//! whole deployment (embedded mode) treats everything as stale.

use std::sync::Arc;

use attune_bus::{Bus, Message, Queue};
use attune_domain::page::PageRequest;
use attune_domain::status::WorkerStatus;
use attune_domain::{Id, Timestamp};
use attune_services::Platform;
use attune_store::{Store, StoreResult};
use attune_telemetry::trace::TraceParent;
use tracing::Instrument;

use crate::clock::{Clock, SystemClock};
use crate::config::ExecutorConfig;
use crate::recovery::{self, Pass, Recovery};

/// Executions of one status each recovery rule looks at, at most, in one pass.
const PER_STATUS_PER_PASS: u32 = 1_000;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Workers found dead and marked inactive.
    pub workers_expired: usize,
    /// Hints sent again.
    pub hints_resent: usize,
    /// Executions moved back to `requested`.
    pub requeued: usize,
    /// Executions marked `abandoned`.
    pub abandoned: usize,
    /// Executions marked `cancelled` (their worker died while cancelling).
    pub cancelled: usize,
    /// Events whose rules were never evaluated, announced again.
    pub events_resent: usize,
    /// Executions waiting for an answer, ended (answered, timed out or withdrawn).
    pub settled: usize,
    /// Retries created for attempts whose end was never handled.
    pub retried: usize,
    /// Workflows that had a step to take and were stepped.
    pub stepped: usize,
}

/// Re-drives non-terminal executions.
pub struct Reconciler {
    platform: Platform,
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    config: ExecutorConfig,
    rules: Vec<Box<dyn Recovery>>,
    clock: Arc<dyn Clock>,
}

impl Reconciler {
    /// A reconciler over the platform's store and bus.
    pub fn new(platform: &Platform, config: ExecutorConfig) -> Self {
        Self {
            platform: platform.clone(),
            store: platform.store.clone(),
            bus: platform.bus.clone(),
            config,
            rules: recovery::rules(),
            clock: Arc::new(SystemClock),
        }
    }

    /// The same, judging staleness and liveness by `clock`.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// One pass. `everything_stale` re-drives every non-terminal execution regardless of
    /// age: right only when no other executor can be working on them (embedded start-up).
    pub async fn pass(&self, everything_stale: bool) -> StoreResult<ReconcileReport> {
        let now = self.clock.now();
        let mut report = ReconcileReport::default();
        let dead_before = now - chrono::Duration::from_std(self.config.dead_after).unwrap_or_default();
        report.workers_expired = self.store.expire_workers(dead_before).await?.len();
        let stale_before = if everything_stale {
            // Later than anything already written.
            now + chrono::TimeDelta::seconds(1)
        } else {
            now - chrono::Duration::from_std(self.config.stale_after).unwrap_or_default()
        };
        let pass = Pass {
            platform: &self.platform,
            store: self.store.as_ref(),
            bus: self.bus.as_ref(),
            stale_before,
            live_workers: self.live_workers(dead_before).await?,
            limit: PER_STATUS_PER_PASS,
            now,
        };
        for rule in &self.rules {
            for execution in rule.find(&pass).await? {
                // What is sent again goes on in the execution's own trace.
                let span = tracing::info_span!(
                    "executor.recover",
                    execution = execution.id,
                    trace_id = tracing::field::Empty,
                );
                let parent = execution.trace_parent.as_deref().and_then(TraceParent::parse);
                attune_telemetry::trace::continue_trace(&span, parent.as_ref());
                rule.recover(&pass, &execution, &mut report).instrument(span).await?;
            }
        }
        let unprocessed_before = if everything_stale { now } else { stale_before };
        for event in self.store.list_unprocessed_events(unprocessed_before, 1000).await? {
            match self.bus.publish(&Queue::Events, &Message::EventCreated { event: event.id }).await {
                Ok(()) => report.events_resent += 1,
                Err(error) => tracing::warn!(%error, event = event.id, "hint not published; next pass will try again"),
            }
        }
        if report != ReconcileReport::default() {
            tracing::info!(?report, "reconciled");
        }
        Ok(report)
    }

    /// Workers with a heartbeat since `dead_before`.
    async fn live_workers(&self, dead_before: Timestamp) -> StoreResult<Vec<Id>> {
        let page = self.store.list_workers(None, PageRequest::new(1, PageRequest::MAX_PAGE_SIZE)).await?;
        Ok(page
            .items
            .into_iter()
            .filter(|w| {
                matches!(w.status, WorkerStatus::Active | WorkerStatus::Busy)
                    && w.last_heartbeat.is_some_and(|b| b >= dead_before)
            })
            .map(|w| w.id)
            .collect())
    }
}
