//! Executions: one run of an action, and the output it produced.

use serde::{Deserialize, Serialize};

use crate::status::ExecutionStatus;
use crate::{Id, Json, Timestamp};

/// One run of an action. History: survives deletion of the action, rule and identity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Execution {
    /// Unique id.
    pub id: Id,
    /// The action (none once deleted).
    pub action: Option<Id>,
    /// The action's ref, kept for history.
    pub action_ref: String,
    /// Snapshot of the action definition it ran with.
    pub config: Json,
    /// The workflow execution it is a task of.
    pub parent: Option<Id>,
    /// The enforcement that created it, when rule-driven.
    pub enforcement: Option<Id>,
    /// The identity that started it, when started by hand.
    pub executor: Option<Id>,
    /// The rule that caused it, kept for history.
    pub rule_ref: Option<String>,
    /// The trigger that caused it, kept for history.
    pub trigger_ref: Option<String>,
    /// Where it is in its life.
    pub status: ExecutionStatus,
    /// Validated parameters (secret ones encrypted).
    pub parameters: Json,
    /// Names of the parameters stored sealed (encrypted): those the action declares
    /// secret, and those a rule's template filled with a value from an encrypted key.
    #[sqlx(json)]
    pub sealed_parameters: Vec<String>,
    /// The result, once terminal.
    pub result: Option<Json>,
    /// The worker it is assigned to.
    pub worker: Option<Id>,
    /// 1 for the first attempt.
    pub attempt: i32,
    /// WASM resource usage (`fuel_consumed`, `peak_memory_bytes`, `wall_ms`).
    pub metering: Option<Json>,
    /// When a worker started running it.
    pub started: Option<Timestamp>,
    /// When it reached a terminal status.
    pub finished: Option<Timestamp>,
    /// When a delayed execution is to be requested.
    pub run_after: Option<Timestamp>,
    /// The failed attempt this execution retries (a retry policy's linked attempt).
    pub retry_of: Option<Id>,
    /// The W3C trace context it was requested in (`00-<trace id>-<span id>-<flags>`),
    /// which every role handling it continues.
    pub trace_parent: Option<String>,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

impl Execution {
    /// The action as it was when the execution was requested (the snapshot it runs from,
    /// whatever happened to the action since).
    pub fn action(&self) -> Result<crate::action::Action, SnapshotError> {
        serde_json::from_value(self.config.clone()).map_err(|e| SnapshotError(e.to_string()))
    }

    /// The names of its sealed parameters: those recorded, and those its action snapshot
    /// declares secret (what executions stored before the record existed relied on).
    pub fn sealed_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.sealed_parameters.iter().map(String::as_str).collect();
        for name in crate::action::secret_parameters(&self.config["param_schema"]) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }
}

/// An execution's action snapshot cannot be read (written by an older version, or damaged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the execution's action snapshot is unreadable: {0}")]
pub struct SnapshotError(pub String);

/// An execution to create (status `requested`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewExecution {
    /// The action's ref (its id is looked up).
    pub action_ref: String,
    /// Action snapshot.
    pub config: Json,
    /// Parent workflow execution.
    pub parent: Option<Id>,
    /// Creating enforcement.
    pub enforcement: Option<Id>,
    /// Starting identity.
    pub executor: Option<Id>,
    /// Causing rule.
    pub rule_ref: Option<String>,
    /// Causing trigger.
    pub trigger_ref: Option<String>,
    /// Validated parameters (secret ones already encrypted).
    pub parameters: Json,
    /// Names of the parameters sealed in `parameters`.
    pub sealed_parameters: Vec<String>,
    /// Attempt number.
    pub attempt: i32,
    /// Request it only at this time (status `delayed` until then).
    pub run_after: Option<Timestamp>,
    /// The failed attempt it retries; at most one execution retries each.
    pub retry_of: Option<Id>,
    /// The W3C trace context it is requested in.
    pub trace_parent: Option<String>,
}

impl NewExecution {
    /// A request of `action_ref` (its snapshot `config`) with `parameters`, started by
    /// nobody in particular: no parent, rule, enforcement or executor, first attempt, now.
    pub fn of(action_ref: &str, config: Json, parameters: Json) -> Self {
        Self {
            action_ref: action_ref.to_owned(),
            config,
            parent: None,
            enforcement: None,
            executor: None,
            rule_ref: None,
            trigger_ref: None,
            parameters,
            sealed_parameters: Vec::new(),
            attempt: 1,
            run_after: None,
            retry_of: None,
            trace_parent: None,
        }
    }
}

/// Fields written together with a status change.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ExecutionPatch {
    /// Assign to this worker.
    pub worker: Option<Id>,
    /// Set the result.
    pub result: Option<Json>,
    /// Set the metering.
    pub metering: Option<Json>,
    /// Set the start time.
    pub started: Option<Timestamp>,
    /// Set the finish time.
    pub finished: Option<Timestamp>,
    /// Set the attempt number (when an execution is queued again).
    pub attempt: Option<i32>,
}

/// Filters for listing executions; all given ones must match.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ExecutionFilter {
    /// Any of these statuses.
    pub statuses: Vec<ExecutionStatus>,
    /// This action.
    pub action_ref: Option<String>,
    /// Children of this execution.
    pub parent: Option<Id>,
    /// Caused by this rule.
    pub rule_ref: Option<String>,
    /// Created at or after.
    pub since: Option<Timestamp>,
    /// Assigned to this worker.
    pub worker: Option<Id>,
    /// Created by this enforcement.
    pub enforcement: Option<Id>,
}

/// Executions that may need recovering: in one status, untouched for a while and/or on a
/// worker that is gone. Listed oldest first (by last change, then id), at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleQuery {
    /// In this status.
    pub status: ExecutionStatus,
    /// Last changed before this time.
    pub updated_before: Option<Timestamp>,
    /// Assigned to no worker, or to none of these (the live ones).
    pub worker_not_in: Option<Vec<Id>>,
    /// At most this many.
    pub limit: u32,
}

/// How many executions of one action are in one status (a row of the statistics).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct ExecutionCount {
    /// The action.
    pub action_ref: String,
    /// The status.
    pub status: ExecutionStatus,
    /// How many.
    pub count: i64,
}

/// One line of an execution's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OutputLine {
    /// Unique id.
    pub id: Id,
    /// The execution.
    pub execution: Id,
    /// Position in the execution's output, from 1.
    pub seq: i64,
    /// `stdout`, `stderr` or `log`.
    pub stream: String,
    /// The text, without line terminator.
    pub text: String,
    /// Created at.
    pub created: Timestamp,
}
