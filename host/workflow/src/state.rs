//! The engine's state of one workflow run, persisted (as JSON) with every step.
//!
//! It holds only what the next step needs and what the run's view shows: each task's
//! status, its round, the runs it has in flight and, for a `with` task, counters — never
//! the items or their results, which live in the task runs.

use std::collections::BTreeMap;

use attune_domain::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The state of one run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunState {
    /// Whether the first step has started the start tasks.
    #[serde(default)]
    pub begun: bool,
    /// Where the run starts, when not at the graph's start tasks (a re-run from a task).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub start_at: Vec<String>,
    /// The tasks reached so far, by name.
    #[serde(default)]
    pub tasks: BTreeMap<String, TaskState>,
    /// The unhandled failure that ends the run once nothing is in flight: no task starts
    /// after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<TaskFailure>,
    /// The rendered output, once the run completed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// Workflow variables whose value came from a secret (stored sealed, shown masked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sealed_vars: Vec<String>,
}

/// Why a run fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskFailure {
    /// The task.
    pub task: String,
    /// What went wrong.
    pub message: String,
}

/// Where a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// A join: some of its inbound transitions have arrived, not enough yet.
    #[default]
    Waiting,
    /// To start (at the next step that may start tasks: not paused, not failing).
    Ready,
    /// Runs in flight.
    Running,
    /// Its last round succeeded.
    Succeeded,
    /// Its last round failed.
    Failed,
}

/// One task's progress.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TaskState {
    /// Where it is.
    pub status: TaskStatus,
    /// Rounds started (a task on a loop runs again), from 1.
    #[serde(default)]
    pub round: i32,
    /// Inbound transitions that arrived (joins).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub arrivals: u32,
    /// Rounds asked for while it was running: started once it ends.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub again: u32,
    /// Runs of this round whose child is in flight.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub in_flight: u32,
    /// A single run's end, taken in and waiting to be acted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<RunEnd>,
    /// A `with` task's items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Items>,
    /// When its round started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<Timestamp>,
    /// When its round ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<Timestamp>,
}

/// How a single run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunEnd {
    /// Whether it completed.
    pub succeeded: bool,
    /// Its result (the error document when it failed).
    pub result: Value,
}

/// A `with` task's progress through its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Items {
    /// How many.
    pub total: u32,
    /// Launched so far (always the lowest indexes first).
    pub launched: u32,
    /// Ended.
    pub done: u32,
    /// Ended unsuccessfully.
    pub failed: u32,
    /// Most in flight at once.
    pub concurrency: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl RunState {
    /// The state stored as `value` (an empty object for a run not begun).
    pub fn parse(value: &Value) -> Result<Self, String> {
        serde_json::from_value(value.clone()).map_err(|e| format!("unreadable workflow state: {e}"))
    }

    /// The state to store.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// Names of the tasks in `status`.
    pub fn tasks_in(&self, status: TaskStatus) -> Vec<String> {
        self.tasks.iter().filter(|(_, t)| t.status == status).map(|(name, _)| name.clone()).collect()
    }
}
