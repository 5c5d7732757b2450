//! Reconciliation: the store says what should be happening; make it happen.
//!
//! Messages can be lost (a crash between a store write and a publish, a broker restart),
//! executors can die mid-scheduling and workers mid-run. Each pass looks at every
//! non-terminal execution and re-drives it:
//!
//! | status | condition | action |
//! | --- | --- | --- |
//! | requested | stale | send `ExecutionRequested` again |
//! | scheduling | stale (an executor died) | back to `requested` |
//! | scheduled | worker dead | back to `requested` |
//! | scheduled | stale | send `ExecutionScheduled` to its worker again |
//! | running | worker dead | `abandoned`, or `requested` again (next attempt) if the action is idempotent |
//! | canceling | worker dead | `cancelled` |
//! | canceling | stale | send `CancelRequested` again |
//!
//! Events whose rules were never evaluated (a lost `EventCreated`) are announced again.
//!
//! "Stale" means untouched for `stale_after`; a start-up pass in a process that owns the
//! whole deployment (embedded mode) treats everything as stale.

use std::collections::HashMap;
use std::sync::Arc;

use attune_bus::{Bus, Message, Queue};
use attune_domain::Id;
use attune_domain::execution::{Execution, ExecutionFilter};
use attune_domain::failure::FailureKind;
use attune_domain::page::PageRequest;
use attune_domain::status::{ExecutionStatus, WorkerStatus};
use attune_domain::worker::Worker;
use attune_services::lifecycle::{Ending, Lifecycle};
use attune_store::{Store, StoreResult};

use crate::config::ExecutorConfig;

/// Largest number of executions one pass looks at.
const MAX_PER_PASS: u32 = 10_000;

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
}

/// Re-drives non-terminal executions.
pub struct Reconciler {
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    config: ExecutorConfig,
}

impl Reconciler {
    /// A reconciler over `store` and `bus`.
    pub fn new(store: Arc<dyn Store>, bus: Arc<dyn Bus>, config: ExecutorConfig) -> Self {
        Self { store, bus, config }
    }

    /// One pass. `everything_stale` re-drives every non-terminal execution regardless of
    /// age: right only when no other executor can be working on them (embedded start-up).
    pub async fn pass(&self, everything_stale: bool) -> StoreResult<ReconcileReport> {
        let now = chrono::Utc::now();
        let mut report = ReconcileReport::default();
        let dead_before = now - chrono::Duration::from_std(self.config.dead_after).unwrap_or_default();
        report.workers_expired = self.store.expire_workers(dead_before).await?.len();
        let workers = self.workers().await?;
        let stale_before = now - chrono::Duration::from_std(self.config.stale_after).unwrap_or_default();
        for execution in self.unfinished().await? {
            let stale = everything_stale || execution.updated < stale_before;
            let alive = execution.worker.and_then(|id| workers.get(&id)).is_some_and(|w| {
                matches!(w.status, WorkerStatus::Active | WorkerStatus::Busy)
                    && w.last_heartbeat.is_some_and(|b| b >= dead_before)
            });
            self.redrive(&execution, stale, alive, &mut report).await?;
        }
        let unprocessed_before = if everything_stale { now } else { stale_before };
        for event in self.store.list_unprocessed_events(unprocessed_before, 1000).await? {
            self.hint(&Queue::Events, Message::EventCreated { event: event.id }, &mut report).await;
            report.events_resent += 1;
        }
        if report != ReconcileReport::default() {
            tracing::info!(?report, "reconciled");
        }
        Ok(report)
    }

    async fn redrive(
        &self,
        execution: &Execution,
        stale: bool,
        worker_alive: bool,
        report: &mut ReconcileReport,
    ) -> StoreResult<()> {
        use ExecutionStatus::*;
        let id = execution.id;
        match execution.status {
            Requested if stale => {
                self.hint(&Queue::Executor, Message::ExecutionRequested { execution: id }, report).await;
            }
            Scheduling if stale => self.requeue(id, Scheduling, report).await?,
            Scheduled if !worker_alive => self.requeue(id, Scheduled, report).await?,
            Scheduled if stale => {
                if let Some(worker) = execution.worker {
                    self.hint(&Queue::Worker(worker), Message::ExecutionScheduled { execution: id }, report).await;
                }
            }
            Running if !worker_alive => self.abandon(execution, report).await?,
            Canceling if !worker_alive => {
                let ending = Ending::failure(FailureKind::Cancelled, "cancelled; its worker stopped responding");
                if self.lifecycle().finish(id, &[Canceling], ending).await?.is_some() {
                    report.cancelled += 1;
                }
            }
            Canceling if stale => {
                if let Some(worker) = execution.worker {
                    self.hint(&Queue::Worker(worker), Message::CancelRequested { execution: id }, report).await;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Moves execution `id` from `from` back to `requested` and tells the executors again;
    /// nothing when it moved meanwhile.
    async fn requeue(&self, id: Id, from: ExecutionStatus, report: &mut ReconcileReport) -> StoreResult<()> {
        if self.lifecycle().release(id, from).await?.is_some() {
            report.requeued += 1;
            self.hint(&Queue::Executor, Message::ExecutionRequested { execution: id }, report).await;
        }
        Ok(())
    }

    /// A running execution whose worker died.
    async fn abandon(&self, execution: &Execution, report: &mut ReconcileReport) -> StoreResult<()> {
        let why = "the worker running this execution stopped responding";
        match self.lifecycle().abandon(execution, why).await? {
            Some(ExecutionStatus::Requested) => report.requeued += 1,
            Some(_) => report.abandoned += 1,
            None => {}
        }
        Ok(())
    }

    fn lifecycle(&self) -> Lifecycle<'_> {
        Lifecycle::new(self.store.as_ref(), self.bus.as_ref())
    }

    async fn workers(&self) -> StoreResult<HashMap<Id, Worker>> {
        let page = self.store.list_workers(None, PageRequest::new(1, PageRequest::MAX_PAGE_SIZE)).await?;
        Ok(page.items.into_iter().map(|w| (w.id, w)).collect())
    }

    /// Every non-terminal execution, oldest first.
    async fn unfinished(&self) -> StoreResult<Vec<Execution>> {
        use ExecutionStatus::*;
        let filter = ExecutionFilter {
            statuses: vec![Requested, Scheduling, Scheduled, Running, Canceling],
            ..ExecutionFilter::default()
        };
        let mut found = Vec::new();
        for page in 1..=MAX_PER_PASS / PageRequest::MAX_PAGE_SIZE {
            let batch = self.store.list_executions(&filter, PageRequest::new(page, PageRequest::MAX_PAGE_SIZE)).await?;
            let done = batch.items.len() < PageRequest::MAX_PAGE_SIZE as usize;
            found.extend(batch.items);
            if done {
                break;
            }
        }
        found.reverse();
        Ok(found)
    }

    async fn hint(&self, queue: &Queue, message: Message, report: &mut ReconcileReport) {
        match self.bus.publish(queue, &message).await {
            Ok(()) => report.hints_resent += 1,
            Err(error) => tracing::warn!(%error, ?message, "hint not published; next pass will try again"),
        }
    }
}
