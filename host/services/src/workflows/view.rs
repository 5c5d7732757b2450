//! What the API, the CLI and the UI show of a workflow: its graph (tasks, and edges with
//! their conditions) and, for a run, each task's state, attempts, child executions and
//! timings, and the variables — secret ones masked.

use std::collections::BTreeMap;

use attune_domain::graph::{Join, Task, WorkflowGraph};
use attune_domain::status::ExecutionStatus;
use attune_domain::workflow::{WorkflowDefinition, WorkflowTaskExecution};
use attune_domain::{Id, MASK, Timestamp};
use attune_workflow::{RunState, TaskState};
use serde::Serialize;
use serde_json::Value;

use super::{parse_run, task_status_name};
use crate::{Platform, ServiceError, ServiceResult};

/// A workflow run.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RunView {
    /// The workflow's execution.
    pub execution: Id,
    /// The workflow (its action's ref).
    pub workflow: String,
    /// The execution's status.
    pub status: ExecutionStatus,
    /// No task starts while paused.
    pub paused: bool,
    /// Why it was paused.
    pub pause_reason: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// Every task of the graph, with its state in this run.
    pub tasks: Vec<TaskView>,
    /// The workflow variables, secret ones as `********`.
    #[schema(value_type = Object)]
    pub variables: Value,
}

/// A task: where it sits in the graph and, in a run, how far it got.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    /// Its name.
    pub name: String,
    /// The action it runs (`core.ask` for an inquiry task).
    pub action: String,
    /// Whether it asks a person (an inquiry task).
    pub inquiry: bool,
    /// Whether it starts the workflow (no transition leads to it).
    pub start: bool,
    /// The barrier it waits at: `all`, or a number of inbound transitions.
    #[schema(value_type = Option<Object>)]
    pub join: Option<Value>,
    /// Whether it iterates over items.
    pub with_items: bool,
    /// Retries allowed after a failed run.
    pub retries: u32,
    /// Seconds it may take.
    pub timeout_s: Option<u64>,
    /// Its transitions, in the order they are evaluated.
    pub next: Vec<TransitionView>,
    /// In a run: `not_started`, `waiting` (a join), `ready`, `running`, `succeeded`,
    /// `failed`.
    pub state: Option<String>,
    /// In a run: how often it started.
    pub rounds: Option<i32>,
    /// In a run, for a task with items: how many, launched, ended, failed.
    #[schema(value_type = Option<Object>)]
    pub items: Option<Value>,
    /// When its last round started.
    pub started: Option<Timestamp>,
    /// When its last round ended.
    pub finished: Option<Timestamp>,
    /// In a run: every run of the task (one per item and round), in order.
    pub runs: Vec<TaskRunView>,
}

/// One edge out of a task.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TransitionView {
    /// The condition (a template); none fires always.
    pub when: Option<String>,
    /// The variables it publishes.
    pub publish: Vec<String>,
    /// The tasks it starts.
    pub to: Vec<String>,
}

/// One run of a task.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TaskRunView {
    /// The run.
    pub id: Id,
    /// Which round of the task.
    pub round: i32,
    /// The item's index, for a task with items.
    pub index: Option<i32>,
    /// The child execution of its latest attempt (none for an item not started yet).
    pub execution: Option<Id>,
    /// `requested` (an item waiting its turn), `running`, or how it ended.
    pub status: ExecutionStatus,
    /// Attempts made (1, then more after retries).
    pub attempts: i32,
    /// Started at.
    pub started: Option<Timestamp>,
    /// Ended at.
    pub finished: Option<Timestamp>,
}

/// A workflow definition with its graph.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WorkflowDefinitionView {
    /// Its ref (also its action's).
    #[serde(rename = "ref")]
    pub r#ref: String,
    /// Its pack.
    pub pack_ref: String,
    /// Display name.
    pub label: String,
    /// What it does.
    pub description: Option<String>,
    /// Version.
    pub version: String,
    /// Parameter schema.
    #[schema(value_type = Object)]
    pub parameters: Value,
    /// Output schema.
    #[schema(value_type = Option<Object>)]
    pub output_schema: Option<Value>,
    /// Initial variables.
    #[schema(value_type = Object)]
    pub vars: Value,
    /// The tasks.
    pub tasks: Vec<TaskView>,
    /// What it outputs (templates).
    #[schema(value_type = Object)]
    pub output: Value,
    /// Tags.
    pub tags: Vec<String>,
    /// Whether it can run.
    pub enabled: bool,
}

/// The view of a definition.
pub fn definition_view(definition: WorkflowDefinition) -> ServiceResult<WorkflowDefinitionView> {
    let graph = WorkflowGraph::parse(&definition.definition)
        .map_err(|e| ServiceError::Internal(format!("stored workflow {} is unreadable: {e}", definition.r#ref)))?;
    Ok(WorkflowDefinitionView {
        r#ref: definition.r#ref,
        pack_ref: definition.pack_ref,
        label: definition.label,
        description: definition.description,
        version: definition.version,
        parameters: definition.param_schema,
        output_schema: definition.output_schema,
        vars: Value::Object(graph.vars.clone()),
        tasks: tasks(&graph, None, &BTreeMap::new()),
        output: graph.output.clone(),
        tags: definition.tags,
        enabled: definition.enabled,
    })
}

/// The run of workflow execution `id`.
pub async fn view(platform: &Platform, id: Id) -> ServiceResult<RunView> {
    let execution = platform.store.get_execution(id).await?;
    let run = match platform.store.get_workflow_execution(id).await {
        Ok(run) => run,
        Err(attune_store::StoreError::NotFound { .. }) => {
            let is_workflow =
                execution.action().is_ok_and(|a| a.runner_type == attune_domain::status::RunnerType::Workflow);
            return Err(match is_workflow {
                true => ServiceError::Conflict(format!("workflow execution {id} has not started yet")),
                false => ServiceError::field("id", format!("execution {id} is not a workflow")),
            });
        }
        Err(other) => return Err(other.into()),
    };
    let (graph, state) = parse_run(&run).map_err(ServiceError::Internal)?;
    let mut runs: BTreeMap<String, Vec<WorkflowTaskExecution>> = BTreeMap::new();
    for task_run in platform.store.list_task_executions(run.id).await? {
        runs.entry(task_run.task_name.clone()).or_default().push(task_run);
    }
    let mut variables = run.variables.clone();
    if let Value::Object(vars) = &mut variables {
        for name in &state.sealed_vars {
            if let Some(value) = vars.get_mut(name) {
                *value = Value::String(MASK.into());
            }
        }
    }
    Ok(RunView {
        execution: id,
        workflow: execution.action_ref,
        status: execution.status,
        paused: run.paused,
        pause_reason: run.pause_reason,
        error: run.error_message,
        tasks: tasks(&graph, Some(&state), &runs),
        variables,
    })
}

fn tasks(
    graph: &WorkflowGraph,
    state: Option<&RunState>,
    runs: &BTreeMap<String, Vec<WorkflowTaskExecution>>,
) -> Vec<TaskView> {
    let starts = graph.start_tasks();
    graph
        .tasks
        .iter()
        .map(|(name, task)| {
            let progress = state.map(|s| s.tasks.get(name));
            task_view(name, task, starts.contains(&name.as_str()), progress, runs.get(name).map(Vec::as_slice))
        })
        .collect()
}

fn task_view(
    name: &str,
    task: &Task,
    start: bool,
    progress: Option<Option<&TaskState>>,
    runs: Option<&[WorkflowTaskExecution]>,
) -> TaskView {
    let state = progress.flatten();
    TaskView {
        name: name.to_owned(),
        action: task.action.clone().unwrap_or_else(|| attune_workflow::step::ASK_ACTION.to_owned()),
        inquiry: task.inquiry.is_some(),
        start,
        join: task.join.map(|join| match join {
            Join::All => Value::String("all".into()),
            Join::Count(n) => Value::from(n),
        }),
        with_items: task.with.is_some(),
        retries: task.retry.as_ref().map_or(0, |r| r.count),
        timeout_s: task.timeout,
        next: task
            .next
            .iter()
            .map(|t| TransitionView {
                when: t.when.clone(),
                publish: t.publish.keys().cloned().collect(),
                to: t.targets.clone(),
            })
            .collect(),
        state: progress.map(|p| p.map_or("not_started", |s| task_status_name(s.status)).to_owned()),
        rounds: state.map(|s| s.round),
        items: state.and_then(|s| s.items).map(|i| {
            serde_json::json!({"total": i.total, "launched": i.launched, "done": i.done, "failed": i.failed,
                               "concurrency": i.concurrency})
        }),
        started: state.and_then(|s| s.started),
        finished: state.and_then(|s| s.finished),
        runs: runs
            .unwrap_or_default()
            .iter()
            .map(|run| TaskRunView {
                id: run.id,
                round: run.round,
                index: run.task_index,
                execution: run.execution,
                status: run.status,
                attempts: if run.execution.is_some() { run.retry_count + 1 } else { 0 },
                started: run.started_at,
                finished: run.completed_at,
            })
            .collect(),
    }
}
