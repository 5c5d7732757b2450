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

/// The state of one running workflow, persisted after each transition.
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
    /// The resolved task graph.
    pub task_graph: Json,
    /// Where it is in its life.
    pub status: ExecutionStatus,
    /// Why it failed.
    pub error_message: Option<String>,
    /// Paused by a user.
    pub paused: bool,
    /// Why it was paused.
    pub pause_reason: Option<String>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// One run of one workflow task (one item, for `with` iterations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct WorkflowTaskExecution {
    /// Unique id.
    pub id: Id,
    /// The workflow run.
    pub workflow_execution: Id,
    /// The child execution running the task's action.
    pub execution: Option<Id>,
    /// The task's name in the graph.
    pub task_name: String,
    /// Item index, for iterations.
    pub task_index: Option<i32>,
    /// Batch number, for iterations.
    pub task_batch: Option<i32>,
    /// Where it is in its life.
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
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A task run to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewWorkflowTaskExecution {
    /// The workflow run.
    pub workflow_execution: Id,
    /// The child execution.
    pub execution: Option<Id>,
    /// Task name.
    pub task_name: String,
    /// Item index.
    pub task_index: Option<i32>,
    /// Batch number.
    pub task_batch: Option<i32>,
    /// Initial status.
    pub status: ExecutionStatus,
    /// Retries allowed.
    pub max_retries: i32,
    /// Per-task timeout.
    pub timeout_seconds: Option<i32>,
}
