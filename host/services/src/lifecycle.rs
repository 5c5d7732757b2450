//! Every execution status change, in one place.
//!
//! The executor, the worker, the reconciler and the API move executions only through
//! [`Lifecycle`]: each operation (schedule, admit or queue, assign, release, start, wait for
//! an answer, cancel, finish, abandon, requeue, resume) is a conditional update in the store from the statuses it may apply to, checked
//! against the domain's transition table ([`attune_domain::lifecycle::TRANSITIONS`]) and
//! announced to live views. An execution ends only through [`Lifecycle::finish`], which
//! writes the terminal status, its result and `finished`, and sends the finish hint the
//! executor (and, later, a waiting parent) acts on. Failures are typed
//! ([`attune_domain::failure::Failure`]); nobody builds result JSON by hand.
//!
//! Hints other than the finish hint (telling an executor or a worker there is work) stay
//! with the callers, which know where the work should go.

use attune_bus::{Bus, Message, Queue};
use attune_domain::Id;
use attune_domain::admission::{Admission, Check};
use attune_domain::execution::{Execution, ExecutionPatch};
use attune_domain::failure::{Failure, FailureKind};
use attune_domain::lifecycle::allowed;
use attune_domain::status::ExecutionStatus::{self, *};
use attune_store::{Store, StoreError, StoreResult};
use serde_json::Value;

use crate::executions::publish;
use crate::notify::broadcast;

/// How an execution ends: its terminal status and what it leaves behind.
#[derive(Debug, Clone, PartialEq)]
pub struct Ending {
    /// A terminal status.
    pub status: ExecutionStatus,
    /// The result document: the action's value, or `{"error": {"kind", "message"}}`.
    pub result: Value,
    /// What the execution used, when it ran.
    pub metering: Option<Value>,
}

impl Ending {
    /// Ends with `failure` (its kind decides the status).
    pub fn failed(failure: Failure) -> Self {
        Self { status: failure.kind.status(), result: failure.result_document(), metering: None }
    }

    /// Ends with a failure of `kind`.
    pub fn failure(kind: FailureKind, message: impl Into<String>) -> Self {
        Self::failed(Failure::new(kind, message))
    }
}

/// The one way to change an execution's status.
#[derive(Clone, Copy)]
pub struct Lifecycle<'a> {
    store: &'a dyn Store,
    bus: &'a dyn Bus,
}

impl<'a> Lifecycle<'a> {
    /// Changes made in `store`, announced and hinted on `bus`.
    pub fn new(store: &'a dyn Store, bus: &'a dyn Bus) -> Self {
        Self { store, bus }
    }

    /// `delayed → requested`: its time has come; the executors are told.
    pub async fn resume(&self, id: Id) -> StoreResult<Option<Execution>> {
        let moved = self.transition(id, &[Delayed], Requested, &ExecutionPatch::default()).await?;
        if moved.is_some() {
            publish(self.bus, &Queue::Executor, Message::ExecutionRequested { execution: id }).await;
        }
        Ok(moved)
    }

    /// `requested → scheduling`: an executor takes the execution.
    pub async fn begin_scheduling(&self, id: Id) -> StoreResult<Option<Execution>> {
        self.transition(id, &[Requested], Scheduling, &ExecutionPatch::default()).await
    }

    /// `scheduling | queued` under the policies' `checks`, in one store transaction: stays
    /// (or becomes) `scheduling` when admitted, becomes or stays `queued` when held back;
    /// a refusal changes nothing (the caller ends it). `execution` is the caller's view:
    /// nothing happens unless it is still in that status (`Moved`).
    pub async fn admit(&self, execution: &Execution, checks: &[Check]) -> StoreResult<Admission> {
        #[expect(clippy::disallowed_methods, reason = "the one place that moves executions")]
        let admission = self.store.admit_execution(execution.id, execution.status, checks).await?;
        if let Admission::Admitted(now) | Admission::Queued { execution: now, .. } = &admission
            && now.status != execution.status
        {
            crate::observe::execution(now);
            broadcast(self.bus, &attune_bus::Notice::execution_status(now)).await;
        }
        Ok(admission)
    }

    /// `scheduling → pending`: its question is asked; it waits for the answer, holding no
    /// worker.
    pub async fn wait_for_answer(&self, id: Id) -> StoreResult<Option<Execution>> {
        self.transition(id, &[Scheduling], Pending, &ExecutionPatch::default()).await
    }

    /// `scheduling → running` for a workflow: the executor runs its graph, no worker.
    pub async fn begin_workflow(&self, id: Id) -> StoreResult<Option<Execution>> {
        let patch = ExecutionPatch { started: Some(chrono::Utc::now()), ..ExecutionPatch::default() };
        self.transition(id, &[Scheduling], Running, &patch).await
    }

    /// `requested → scheduled` on `worker`, for an execution no policy governs: taken and
    /// placed in one write.
    pub async fn place(&self, id: Id, worker: Id) -> StoreResult<Option<Execution>> {
        let patch = ExecutionPatch { worker: Some(worker), ..ExecutionPatch::default() };
        self.transition(id, &[Requested], Scheduled, &patch).await
    }

    /// `scheduling → scheduled` on `worker`.
    pub async fn assign(&self, id: Id, worker: Id) -> StoreResult<Option<Execution>> {
        let patch = ExecutionPatch { worker: Some(worker), ..ExecutionPatch::default() };
        self.transition(id, &[Scheduling], Scheduled, &patch).await
    }

    /// `scheduling | scheduled → requested`: back to waiting for an executor (no live worker
    /// yet, a stalled executor, a worker that died before starting it).
    pub async fn release(&self, id: Id, from: ExecutionStatus) -> StoreResult<Option<Execution>> {
        self.transition(id, &[from], Requested, &ExecutionPatch::default()).await
    }

    /// `scheduled → running` on `worker`, now.
    pub async fn start(&self, id: Id, worker: Id) -> StoreResult<Option<Execution>> {
        let patch =
            ExecutionPatch { worker: Some(worker), started: Some(chrono::Utc::now()), ..ExecutionPatch::default() };
        self.transition(id, &[Scheduled], Running, &patch).await
    }

    /// `running → canceling`: its worker is to stop it.
    pub async fn request_cancel(&self, id: Id) -> StoreResult<Option<Execution>> {
        self.transition(id, &[Running], Canceling, &ExecutionPatch::default()).await
    }

    /// `running → requested` for another attempt (an idempotent action whose worker died).
    pub async fn requeue_attempt(&self, execution: &Execution) -> StoreResult<Option<Execution>> {
        let patch = ExecutionPatch { attempt: Some(execution.attempt + 1), ..ExecutionPatch::default() };
        let moved = self.transition(execution.id, &[Running], Requested, &patch).await?;
        if moved.is_some() {
            publish(self.bus, &Queue::Executor, Message::ExecutionRequested { execution: execution.id }).await;
        }
        Ok(moved)
    }

    /// Ends the execution, from one of `from`: the terminal status, result and metering
    /// with `finished` set to now, then the finish hint. `None` when it was in none of
    /// `from` (it moved meanwhile) and nothing changed.
    pub async fn finish(&self, id: Id, from: &[ExecutionStatus], ending: Ending) -> StoreResult<Option<Execution>> {
        if !ending.status.is_terminal() {
            return Err(StoreError::Conflict(format!("{} is not a status an execution ends in", ending.status)));
        }
        let patch = ExecutionPatch {
            result: Some(ending.result),
            metering: ending.metering,
            finished: Some(chrono::Utc::now()),
            ..ExecutionPatch::default()
        };
        let ended = self.transition(id, from, ending.status, &patch).await?;
        if let Some(execution) = &ended {
            let message = Message::ExecutionFinished { execution: id, status: ending.status, parent: execution.parent };
            publish(self.bus, &Queue::Executor, message).await;
        }
        Ok(ended)
    }

    /// A running execution whose worker is gone: queued again (the next attempt) when its
    /// action is declared idempotent, `abandoned` otherwise, since nobody knows how far it
    /// got. Returns the status it moved to, or `None` when it was no longer running.
    pub async fn abandon(&self, execution: &Execution, why: &str) -> StoreResult<Option<ExecutionStatus>> {
        if execution.action().is_ok_and(|action| action.idempotent) {
            if self.requeue_attempt(execution).await?.is_none() {
                return Ok(None);
            }
            tracing::warn!(execution = execution.id, why, "running an idempotent action again");
            return Ok(Some(Requested));
        }
        let message = format!("{why}; it may or may not have finished its work");
        let ending = Ending::failure(FailureKind::Abandoned, message);
        if self.finish(execution.id, &[Running], ending).await?.is_none() {
            return Ok(None);
        }
        tracing::warn!(execution = execution.id, why, "abandoned");
        Ok(Some(Abandoned))
    }

    /// The conditional update, refused outright when the table does not allow it.
    async fn transition(
        &self,
        id: Id,
        from: &[ExecutionStatus],
        to: ExecutionStatus,
        patch: &ExecutionPatch,
    ) -> StoreResult<Option<Execution>> {
        if let Some(from) = from.iter().find(|from| !allowed(**from, to)) {
            return Err(StoreError::Conflict(format!("an execution cannot go from {from} to {to}")));
        }
        #[expect(clippy::disallowed_methods, reason = "the one place that moves executions")]
        let moved = self.store.transition_execution(id, from, to, patch).await?;
        if let Some(execution) = &moved {
            crate::observe::execution(execution);
            broadcast(self.bus, &attune_bus::Notice::execution_status(execution)).await;
        }
        Ok(moved)
    }
}

#[cfg(test)]
mod tests {
    use attune_bus::MemoryBus;
    use attune_domain::lifecycle::TRANSITIONS;
    use attune_domain::worker::NewWorker;
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::test_support::{new_execution, store};

    /// One operation on one of the test's executions.
    #[derive(Debug, Clone)]
    enum Op {
        BeginScheduling,
        Assign,
        Release(ExecutionStatus),
        Start,
        RequestCancel,
        Finish(Vec<ExecutionStatus>, FailureKind),
        Complete(Vec<ExecutionStatus>),
        Abandon,
        RequeueAttempt,
    }

    fn status() -> impl Strategy<Value = ExecutionStatus> {
        proptest::sample::select(ExecutionStatus::ALL.to_vec())
    }

    fn kind() -> impl Strategy<Value = FailureKind> {
        proptest::sample::select(vec![
            FailureKind::Cancelled,
            FailureKind::Timeout,
            FailureKind::Abandoned,
            FailureKind::Unschedulable,
            FailureKind::Trap,
        ])
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::BeginScheduling),
            Just(Op::Assign),
            status().prop_map(Op::Release),
            Just(Op::Start),
            Just(Op::RequestCancel),
            (proptest::collection::vec(status(), 1..4), kind()).prop_map(|(from, kind)| Op::Finish(from, kind)),
            proptest::collection::vec(status(), 1..4).prop_map(Op::Complete),
            Just(Op::Abandon),
            Just(Op::RequeueAttempt),
        ]
    }

    async fn apply(lifecycle: &Lifecycle<'_>, execution: &Execution, worker: Id, op: &Op) -> StoreResult<()> {
        let id = execution.id;
        match op {
            Op::BeginScheduling => lifecycle.begin_scheduling(id).await.map(drop),
            Op::Assign => lifecycle.assign(id, worker).await.map(drop),
            Op::Release(from) => lifecycle.release(id, *from).await.map(drop),
            Op::Start => lifecycle.start(id, worker).await.map(drop),
            Op::RequestCancel => lifecycle.request_cancel(id).await.map(drop),
            Op::Finish(from, kind) => lifecycle.finish(id, from, Ending::failure(*kind, "test")).await.map(drop),
            Op::Complete(from) => {
                let ending = Ending { status: Completed, result: json!({"ok": true}), metering: None };
                lifecycle.finish(id, from, ending).await.map(drop)
            }
            Op::Abandon => lifecycle.abandon(execution, "test").await.map(drop),
            Op::RequeueAttempt => lifecycle.requeue_attempt(execution).await.map(drop),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Whatever the callers ask, in whatever order, an execution only ever makes the
        /// moves the table lists; a refused move changes nothing.
        #[test]
        fn random_operations_never_leave_the_table(ops in proptest::collection::vec((0..2usize, op()), 1..40)) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let (_dir, store) = store().await;
                let bus = MemoryBus::new();
                let lifecycle = Lifecycle::new(store.as_ref(), &bus);
                let worker = store
                    .register_worker(&NewWorker::local("w", &["shell"]))
                    .await
                    .unwrap()
                    .id;
                let mut ids = Vec::new();
                for _ in 0..2 {
                    ids.push(crate::notify::create_execution(store.as_ref(), &bus, &new_execution()).await.unwrap().id);
                }
                for (which, op) in ops {
                    let before = store.get_execution(ids[which]).await.unwrap();
                    let applied = apply(&lifecycle, &before, worker, &op).await;
                    let after = store.get_execution(ids[which]).await.unwrap();
                    match applied {
                        Ok(()) if after.status != before.status => {
                            assert!(
                                TRANSITIONS.contains(&(before.status, after.status)),
                                "{op:?} moved {} to {}",
                                before.status,
                                after.status
                            );
                            assert_eq!(after.status.is_terminal(), after.finished.is_some(), "{op:?}");
                        }
                        Ok(()) => {}
                        Err(StoreError::Conflict(message)) => {
                            assert!(message.contains("cannot go from"), "{message}");
                            assert_eq!(after.status, before.status, "a refused move changes nothing");
                        }
                        Err(other) => panic!("{op:?}: {other}"),
                    }
                }
            });
        }
    }

    #[tokio::test]
    async fn finishing_writes_the_result_and_sends_the_finish_hint() {
        let (_dir, store) = store().await;
        let bus = MemoryBus::new();
        let mut hints = bus.consume(&Queue::Executor).await.unwrap();
        let lifecycle = Lifecycle::new(store.as_ref(), &bus);
        let execution = crate::notify::create_execution(store.as_ref(), &bus, &new_execution()).await.unwrap();
        let ending = Ending::failure(FailureKind::Cancelled, "cancelled before it started");
        let ended = lifecycle.finish(execution.id, &[Requested], ending).await.unwrap().unwrap();
        assert_eq!(ended.status, Cancelled);
        assert_eq!(ended.result.unwrap()["error"]["kind"], "cancelled");
        assert!(ended.finished.is_some());
        let delivery = hints.next().await.unwrap();
        assert_eq!(
            delivery.message,
            Message::ExecutionFinished { execution: execution.id, status: Cancelled, parent: None }
        );

        let refused = lifecycle.finish(execution.id, &[Cancelled], Ending::failure(FailureKind::Trap, "x")).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "a terminal execution never moves: {refused:?}");
    }
}
