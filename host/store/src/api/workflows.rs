//! Persisted workflow runs: the engine's state and the task runs, written one step at a
//! time so that a restart resumes where the last written step left off.

use async_trait::async_trait;
use attune_domain::execution::Execution;
use attune_domain::status::ExecutionStatus;
use attune_domain::workflow::{WorkflowExecution, WorkflowStep, WorkflowTaskExecution};
use attune_domain::{Id, Json, Timestamp};

use crate::StoreResult;

/// A task run whose child execution has ended, with how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct FinishedRun {
    /// The run (still `running`: the engine has not taken the end in yet).
    pub run: WorkflowTaskExecution,
    /// The child's terminal status.
    pub status: ExecutionStatus,
    /// The child's result.
    pub result: Option<Json>,
}

/// An item's outcome, for a `with` task's result list.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemOutcome {
    /// Its index.
    pub index: i32,
    /// Its run's status.
    pub status: ExecutionStatus,
    /// Its result.
    pub result: Option<Json>,
}

/// The state of running workflows.
#[async_trait]
pub trait WorkflowStore: Send + Sync {
    /// Starts tracking the run of workflow execution `execution` (of `workflow_ref`) with
    /// the engine's initial `state` — or returns the run already tracked (a start repeated
    /// after a crash, or a re-run that seeded its state).
    async fn start_workflow_execution(
        &self,
        execution: Id,
        workflow_ref: &str,
        graph: &Json,
        variables: &Json,
        state: &Json,
    ) -> StoreResult<WorkflowExecution>;
    /// The workflow run of an execution.
    async fn get_workflow_execution(&self, execution: Id) -> StoreResult<WorkflowExecution>;
    /// Writes one step in one transaction: the run's state, the task runs recorded or
    /// changed and the children they create. Nothing is written, and `None` returned, when
    /// the workflow's execution is no longer `running` or the run has moved past
    /// `step.revision`; otherwise the children created.
    async fn write_workflow_step(&self, step: &WorkflowStep) -> StoreResult<Option<Vec<Execution>>>;
    /// Marks a run whose execution ended outside the engine (cancelled) as ended `status`.
    async fn close_workflow_execution(&self, execution: Id, status: ExecutionStatus) -> StoreResult<()>;

    /// The task runs of a workflow run, in creation order.
    async fn list_task_executions(&self, workflow_execution: Id) -> StoreResult<Vec<WorkflowTaskExecution>>;
    /// The `running` task runs of a workflow run whose child has ended.
    async fn list_finished_runs(&self, workflow_execution: Id) -> StoreResult<Vec<FinishedRun>>;
    /// Items of one round of a task not started yet from index `from`, lowest index first,
    /// at most `limit`.
    async fn list_waiting_items(
        &self,
        workflow_execution: Id,
        task: &str,
        round: i32,
        from: i32,
        limit: u32,
    ) -> StoreResult<Vec<WorkflowTaskExecution>>;
    /// The outcome of every item of one round of a task, by index.
    async fn list_item_outcomes(&self, workflow_execution: Id, task: &str, round: i32)
    -> StoreResult<Vec<ItemOutcome>>;

    /// Children that ended before `before` while their task run is still `running` (their
    /// finish went unheard), oldest first, at most `limit`.
    async fn list_unheard_children(&self, before: Timestamp, limit: u32) -> StoreResult<Vec<Execution>>;
    /// Running, unpaused workflow executions whose run was last written before `before` and
    /// that wait for nothing (no child in flight) — or whose engine decided how they end
    /// while their execution still runs: oldest first, at most `limit`.
    async fn list_stalled_workflows(&self, before: Timestamp, limit: u32) -> StoreResult<Vec<Execution>>;
}
