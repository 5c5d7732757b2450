//! Recovery rules: one per kind of waiting execution.
//!
//! Each rule says which executions it looks at — an indexed store query, oldest first and
//! bounded per pass — and what it does with each. The reconciler runs every rule in turn,
//! so a new kind of waiting execution plugs in as one more rule without touching the others.
//!
//! | rule | status | condition | action |
//! | --- | --- | --- | --- |
//! | [`AwaitingExecutor`] | requested | stale | send `ExecutionRequested` again |
//! | | scheduling | stale (an executor died) | back to `requested` |
//! | [`OnGoneWorker`] | scheduled | worker gone | back to `requested` |
//! | | running | worker gone | `abandoned`, or `requested` again (next attempt) if the action is idempotent |
//! | | canceling | worker gone | `cancelled` |
//! | [`OnLiveWorker`] | scheduled | stale | send `ExecutionScheduled` to its worker again |
//! | | canceling | stale | send `CancelRequested` again |
//! | [`DueDelayed`] | delayed | its `run_after` has come | `requested`, and the executors told |
//! | [`QueuedByPolicy`] | queued | the head of its policy group | send `ExecutionRequested` (admitted if there is room) |
//! | [`AwaitingAnswer`] | pending | its inquiry was answered or closed, or timed out | ended with the answer, `timeout` or `cancelled` |
//! | [`UnretriedAttempt`] | failed, timeout | a retry policy owes it a retry, none exists, ended within the last hour | the retry created |
//! | [`ParentWaiting`] | any end | a workflow's child whose task run still waits for it (its finish unheard) | the finish hint sent again, until the workflow has taken it in |
//! | | running (a workflow) | stale, unpaused, nothing in flight — or its run ended but the execution did not | the workflow's next step taken |

use async_trait::async_trait;
use attune_bus::{Bus, Message, Queue};
use attune_domain::execution::{Execution, StaleQuery};
use attune_domain::failure::FailureKind;
use attune_domain::status::ExecutionStatus::{self, *};
use attune_domain::{Id, Timestamp};
use attune_services::lifecycle::{Ending, Lifecycle};
use attune_store::{Store, StoreResult};

use crate::reconciler::ReconcileReport;

/// What one reconciliation pass knows, shared by the rules.
pub struct Pass<'a> {
    pub(crate) platform: &'a attune_services::Platform,
    pub(crate) store: &'a dyn Store,
    pub(crate) bus: &'a dyn Bus,
    /// Executions untouched since before this are stale.
    pub(crate) stale_before: Timestamp,
    /// Workers alive now (recent heartbeat).
    pub(crate) live_workers: Vec<Id>,
    /// Executions each rule looks at, at most, per status.
    pub(crate) limit: u32,
    /// The time of the pass.
    pub(crate) now: Timestamp,
}

impl Pass<'_> {
    fn lifecycle(&self) -> Lifecycle<'_> {
        Lifecycle::new(self.store, self.bus)
    }

    /// The oldest executions in `status` matching the rest of `query`.
    async fn stale(&self, status: ExecutionStatus, gone_worker: bool) -> StoreResult<Vec<Execution>> {
        let query = StaleQuery {
            status,
            updated_before: (!gone_worker).then_some(self.stale_before),
            worker_not_in: gone_worker.then(|| self.live_workers.clone()),
            limit: self.limit,
        };
        self.store.list_stale_executions(&query).await
    }

    /// Back to `requested` from `from`, and the executors told; nothing when it moved.
    async fn requeue(&self, id: Id, from: ExecutionStatus, report: &mut ReconcileReport) -> StoreResult<()> {
        if self.lifecycle().release(id, from).await?.is_some() {
            report.requeued += 1;
            self.hint(&Queue::Executor, Message::ExecutionRequested { execution: id }, report).await;
        }
        Ok(())
    }

    async fn hint(&self, queue: &Queue, message: Message, report: &mut ReconcileReport) {
        match self.bus.publish(queue, &message).await {
            Ok(()) => report.hints_resent += 1,
            Err(error) => tracing::warn!(%error, ?message, "hint not published; next pass will try again"),
        }
    }
}

/// One kind of waiting execution and how to get it moving again.
#[async_trait]
pub trait Recovery: Send + Sync {
    /// The executions this rule would recover now, oldest first.
    async fn find(&self, pass: &Pass<'_>) -> StoreResult<Vec<Execution>>;

    /// Gets one of them moving. It may have moved since it was found: every change is
    /// conditional, so a stale view changes nothing.
    async fn recover(&self, pass: &Pass<'_>, execution: &Execution, report: &mut ReconcileReport) -> StoreResult<()>;
}

/// Work no executor is looking after: a lost `ExecutionRequested`, an executor that died
/// while scheduling.
pub struct AwaitingExecutor;

#[async_trait]
impl Recovery for AwaitingExecutor {
    async fn find(&self, pass: &Pass<'_>) -> StoreResult<Vec<Execution>> {
        let mut found = pass.stale(Requested, false).await?;
        found.extend(pass.stale(Scheduling, false).await?);
        Ok(found)
    }

    async fn recover(&self, pass: &Pass<'_>, execution: &Execution, report: &mut ReconcileReport) -> StoreResult<()> {
        match execution.status {
            Scheduling => pass.requeue(execution.id, Scheduling, report).await,
            _ => {
                pass.hint(&Queue::Executor, Message::ExecutionRequested { execution: execution.id }, report).await;
                Ok(())
            }
        }
    }
}

/// Work on a worker that is gone (no heartbeat for `dead_after`).
pub struct OnGoneWorker;

#[async_trait]
impl Recovery for OnGoneWorker {
    async fn find(&self, pass: &Pass<'_>) -> StoreResult<Vec<Execution>> {
        let mut found = Vec::new();
        for status in [Scheduled, Running, Canceling] {
            found.extend(pass.stale(status, true).await?);
        }
        Ok(found)
    }

    async fn recover(&self, pass: &Pass<'_>, execution: &Execution, report: &mut ReconcileReport) -> StoreResult<()> {
        let id = execution.id;
        match execution.status {
            Scheduled => pass.requeue(id, Scheduled, report).await?,
            Running => {
                let why = "the worker running this execution stopped responding";
                match pass.lifecycle().abandon(execution, why).await? {
                    Some(Requested) => report.requeued += 1,
                    Some(_) => report.abandoned += 1,
                    None => {}
                }
            }
            Canceling => {
                let ending = Ending::failure(FailureKind::Cancelled, "cancelled; its worker stopped responding");
                if pass.lifecycle().finish(id, &[Canceling], ending).await?.is_some() {
                    report.cancelled += 1;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Work on a live worker whose message may have been lost.
pub struct OnLiveWorker;

#[async_trait]
impl Recovery for OnLiveWorker {
    async fn find(&self, pass: &Pass<'_>) -> StoreResult<Vec<Execution>> {
        let mut found = Vec::new();
        for status in [Scheduled, Canceling] {
            found.extend(pass.stale(status, false).await?.into_iter().filter(|e| on_live(pass, e)));
        }
        Ok(found)
    }

    async fn recover(&self, pass: &Pass<'_>, execution: &Execution, report: &mut ReconcileReport) -> StoreResult<()> {
        let (Some(worker), id) = (execution.worker, execution.id) else { return Ok(()) };
        let message = match execution.status {
            Scheduled => Message::ExecutionScheduled { execution: id },
            Canceling => Message::CancelRequested { execution: id },
            _ => return Ok(()),
        };
        pass.hint(&Queue::Worker(worker), message, report).await;
        Ok(())
    }
}

fn on_live(pass: &Pass<'_>, execution: &Execution) -> bool {
    execution.worker.is_some_and(|worker| pass.live_workers.contains(&worker))
}

/// Delayed executions whose time has come (the delay survives restarts: it is in the store).
pub struct DueDelayed;

#[async_trait]
impl Recovery for DueDelayed {
    async fn find(&self, pass: &Pass<'_>) -> StoreResult<Vec<Execution>> {
        pass.store.list_due_executions(pass.now, pass.limit).await
    }

    async fn recover(&self, pass: &Pass<'_>, execution: &Execution, _: &mut ReconcileReport) -> StoreResult<()> {
        pass.lifecycle().resume(execution.id).await.map(drop)
    }
}

/// Executions a policy queued whose turn may have come without anyone noticing (the end
/// of the one ahead was never handled, a rate-limit wake-up lost to a restart): the head
/// of each group is offered to the executors again, which admit it if there is room.
pub struct QueuedByPolicy;

#[async_trait]
impl Recovery for QueuedByPolicy {
    async fn find(&self, pass: &Pass<'_>) -> StoreResult<Vec<Execution>> {
        let mut found = Vec::new();
        for (policy_ref, group_key) in pass.store.queued_groups(pass.limit).await? {
            for head in pass.store.queue_heads(&policy_ref, &group_key, 1).await? {
                found.push(pass.store.get_execution(head).await?);
            }
        }
        Ok(found)
    }

    async fn recover(&self, pass: &Pass<'_>, execution: &Execution, report: &mut ReconcileReport) -> StoreResult<()> {
        pass.hint(&Queue::Executor, Message::ExecutionRequested { execution: execution.id }, report).await;
        Ok(())
    }
}

/// Executions waiting for an answer that will not come or came unheard: an inquiry past
/// its timeout (the timeout fires after a restart too), or one answered or closed while
/// its execution was not told.
pub struct AwaitingAnswer;

#[async_trait]
impl Recovery for AwaitingAnswer {
    async fn find(&self, pass: &Pass<'_>) -> StoreResult<Vec<Execution>> {
        let mut found = Vec::new();
        for inquiry in pass.store.list_unsettled_inquiries(pass.now, pass.limit).await? {
            if let Some(execution) = inquiry.execution {
                found.push(pass.store.get_execution(execution).await?);
            }
        }
        Ok(found)
    }

    async fn recover(&self, pass: &Pass<'_>, execution: &Execution, report: &mut ReconcileReport) -> StoreResult<()> {
        if let Some(inquiry) = pass.store.inquiry_of_execution(execution.id).await?
            && attune_services::inquiries::settle(pass.store, pass.bus, &inquiry, pass.now).await?.is_some()
        {
            report.settled += 1;
        }
        Ok(())
    }
}

/// How far back an ended attempt may still get the retry it was owed: long enough for any
/// outage an operator would ride out, short enough that turning a retry policy on does not
/// rerun old history.
const RETRY_HORIZON: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// Failed attempts whose end was never handled (the finish hint lost): the retry their
/// action's retry policy owes them.
pub struct UnretriedAttempt;

#[async_trait]
impl Recovery for UnretriedAttempt {
    async fn find(&self, pass: &Pass<'_>) -> StoreResult<Vec<Execution>> {
        let page = attune_domain::page::PageRequest::new(1, attune_domain::page::PageRequest::MAX_PAGE_SIZE);
        let retried: Vec<String> = pass
            .store
            .list_policies(None, page)
            .await?
            .items
            .into_iter()
            .filter(|p| p.enabled && p.policy_type == attune_domain::status::PolicyType::Retry)
            .map(|p| p.action_ref)
            .collect();
        let ended = [Failed, Timeout];
        let after = pass.now - RETRY_HORIZON;
        pass.store.list_unretried_executions(&retried, &ended, after, pass.stale_before, pass.limit).await
    }

    async fn recover(&self, pass: &Pass<'_>, execution: &Execution, report: &mut ReconcileReport) -> StoreResult<()> {
        if crate::policies::retry(pass.store, pass.bus, execution).await?.is_some() {
            report.retried += 1;
        }
        Ok(())
    }
}

/// Workflows waiting for children whose end they never heard of, and workflows stalled
/// between steps (a crash after their child's end, or after their run ended but before
/// their execution did).
pub struct ParentWaiting;

#[async_trait]
impl Recovery for ParentWaiting {
    async fn find(&self, pass: &Pass<'_>) -> StoreResult<Vec<Execution>> {
        let mut found = pass.store.list_unheard_children(pass.stale_before, pass.limit).await?;
        // A workflow with a child to hear of steps on that child's hint.
        let hinted: Vec<Id> = found.iter().filter_map(|child| child.parent).collect();
        let stalled = pass.store.list_stalled_workflows(pass.stale_before, pass.limit).await?;
        found.extend(stalled.into_iter().filter(|workflow| !hinted.contains(&workflow.id)));
        Ok(found)
    }

    async fn recover(&self, pass: &Pass<'_>, execution: &Execution, report: &mut ReconcileReport) -> StoreResult<()> {
        if execution.status.is_terminal() {
            let message = Message::ExecutionFinished {
                execution: execution.id,
                status: execution.status,
                parent: execution.parent,
            };
            pass.hint(&Queue::Executor, message, report).await;
        } else {
            attune_services::workflows::advance(pass.platform, execution.id).await?;
            report.stepped += 1;
        }
        Ok(())
    }
}

/// Every rule, in the order a pass runs them.
pub fn rules() -> Vec<Box<dyn Recovery>> {
    vec![
        Box::new(DueDelayed),
        Box::new(AwaitingExecutor),
        Box::new(OnGoneWorker),
        Box::new(OnLiveWorker),
        Box::new(QueuedByPolicy),
        Box::new(AwaitingAnswer),
        Box::new(UnretriedAttempt),
        Box::new(ParentWaiting),
    ]
}
