//! Workflow definitions (the graph) and the persisted state of running workflows.

use serde::{Deserialize, Serialize};

use crate::status::ExecutionStatus;
use crate::{Id, Json, Timestamp};

/// A registered workflow graph. Each has an action of `runner_type: workflow` with the same
/// ref.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct WorkflowDefinition {
    /// Unique id.
    pub id: Id,
    /// Unique ref, `pack.name`.
    #[sqlx(rename = "ref")]
    pub r#ref: String,
    /// Owning pack.
    pub pack: Id,
    /// Owning pack's ref.
    pub pack_ref: String,
    /// Display name.
    pub label: String,
    /// What it does.
    pub description: Option<String>,
    /// Version of the definition.
    pub version: String,
    /// Parameter schema (as for actions).
    pub param_schema: Json,
    /// JSON schema of the output.
    pub output_schema: Option<Json>,
    /// The graph: `vars`, `tasks`, `output`.
    pub definition: Json,
    /// Free-form tags.
    #[sqlx(json)]
    pub tags: Vec<String>,
    /// Disabled workflows cannot start.
    pub enabled: bool,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A workflow as declared in a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewWorkflowDefinition {
    /// Unique ref.
    pub r#ref: String,
    /// Display name.
    pub label: String,
    /// What it does.
    pub description: Option<String>,
    /// Version.
    pub version: String,
    /// Parameter schema.
    pub param_schema: Json,
    /// Output schema.
    pub output_schema: Option<Json>,
    /// The graph.
    pub definition: Json,
    /// Tags.
    pub tags: Vec<String>,
    /// Whether it can start.
    pub enabled: bool,
}

/// The state of one running workflow, persisted after each step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct WorkflowExecution {
    /// Unique id.
    pub id: Id,
    /// The workflow's own execution.
    pub execution: Id,
    /// The definition it runs (none once deleted).
    pub workflow_def: Option<Id>,
    /// Tasks running now.
    #[sqlx(json)]
    pub current_tasks: Vec<String>,
    /// Tasks that completed.
    #[sqlx(json)]
    pub completed_tasks: Vec<String>,
    /// Tasks that failed.
    #[sqlx(json)]
    pub failed_tasks: Vec<String>,
    /// Tasks skipped.
    #[sqlx(json)]
    pub skipped_tasks: Vec<String>,
    /// Workflow variables (`vars` and published values).
    pub variables: Json,
    /// The graph it runs, as it was when it started (later edits do not change a run).
    pub task_graph: Json,
    /// `running` until the engine has decided how it ends.
    pub status: ExecutionStatus,
    /// Why it failed.
    pub error_message: Option<String>,
    /// Paused by a user: no task starts until resumed.
    pub paused: bool,
    /// Why it was paused.
    pub pause_reason: Option<String>,
    /// The engine's state: each task's progress (the engine's own format).
    pub state: Json,
    /// Steps written so far; a step is written only over the revision it was computed from.
    pub revision: i64,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// One run of one workflow task: one item of one round (a task may run again, on a loop).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct WorkflowTaskExecution {
    /// Unique id.
    pub id: Id,
    /// The workflow run.
    pub workflow_execution: Id,
    /// The child execution running the task's action (the latest attempt's).
    pub execution: Option<Id>,
    /// The task's name in the graph.
    pub task_name: String,
    /// Item index, for iterations.
    pub task_index: Option<i32>,
    /// Unused; kept for history.
    pub task_batch: Option<i32>,
    /// `requested` (an item not started yet), `running` (its child is in flight), then how
    /// its child ended.
    pub status: ExecutionStatus,
    /// Started at.
    pub started_at: Option<Timestamp>,
    /// Finished at.
    pub completed_at: Option<Timestamp>,
    /// Duration in milliseconds.
    pub duration_ms: Option<i64>,
    /// The task's result.
    pub result: Option<Json>,
    /// The task's error.
    pub error: Option<Json>,
    /// Retries done.
    pub retry_count: i32,
    /// Retries allowed.
    pub max_retries: i32,
    /// When the next retry is due.
    pub next_retry_at: Option<Timestamp>,
    /// Per-task timeout.
    pub timeout_seconds: Option<i32>,
    /// Whether it timed out.
    pub timed_out: bool,
    /// Which start of the task this run belongs to, from 1.
    pub round: i32,
    /// The item, for iterations.
    pub item: Option<Json>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A task run to record, with the child execution that runs it (none for an item that
/// waits its turn, or a run that failed before a child could be made).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTaskRun {
    /// Task name.
    pub task_name: String,
    /// Which start of the task.
    pub round: i32,
    /// Item index, for iterations.
    pub task_index: Option<i32>,
    /// The item.
    pub item: Option<Json>,
    /// `requested`, `running` (with `child`) or an ended status.
    pub status: ExecutionStatus,
    /// The child to create.
    pub child: Option<crate::execution::NewExecution>,
    /// Set when it ended already.
    pub result: Option<Json>,
    /// Retries allowed.
    pub max_retries: i32,
    /// Per-task timeout.
    pub timeout_seconds: Option<i32>,
}

/// A change to a recorded task run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRunChange {
    /// The run.
    pub id: Id,
    /// Its new status.
    pub status: ExecutionStatus,
    /// A new child to create and run it (a retry, or a waiting item's turn).
    pub child: Option<crate::execution::NewExecution>,
    /// An execution that runs it from now on: a retry policy's next attempt of its child.
    pub follows: Option<Id>,
    /// Its result, once ended.
    pub result: Option<Json>,
    /// Retries done.
    pub retry_count: i32,
    /// When a retry is due.
    pub next_retry_at: Option<Timestamp>,
    /// Whether its child ran out of time.
    pub timed_out: bool,
}

/// One step of a workflow run, written in one transaction: the run's new state and the
/// task runs it records, with their children. Written only while the workflow's execution
/// is `running` and the run still at `revision`; otherwise nothing is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowStep {
    /// The workflow run.
    pub workflow: Id,
    /// Its execution.
    pub execution: Id,
    /// The revision the step was computed from.
    pub revision: i64,
    /// The engine's new state.
    pub state: Json,
    /// The workflow variables.
    pub variables: Json,
    /// `running`, or how the engine decided it ends.
    pub status: ExecutionStatus,
    /// Why it failed.
    pub error_message: Option<String>,
    /// Paused.
    pub paused: bool,
    /// Why.
    pub pause_reason: Option<String>,
    /// Summaries: tasks running, completed, failed.
    pub current_tasks: Vec<String>,
    /// Tasks that completed.
    pub completed_tasks: Vec<String>,
    /// Tasks that failed.
    pub failed_tasks: Vec<String>,
    /// Task runs to record.
    pub new_runs: Vec<NewTaskRun>,
    /// Recorded runs to change.
    pub changed_runs: Vec<TaskRunChange>,
}
