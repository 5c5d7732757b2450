//! Running workflows: the driver around the engine (`attune-workflow`).
//!
//! - [`start`]: a workflow execution admitted by the executor: its run recorded (the graph
//!   as it is now), `running`, and its first step taken.
//! - [`advance`]: one step, written in one transaction over the revision it was computed
//!   from — retried from a fresh read when another executor wrote first — then the children
//!   it made are announced and, when the engine ended the run, the execution finished. A
//!   crash anywhere leaves either the old state (the step is computed again) or the new one
//!   (its hints are re-sent by the reconciler), so no task runs twice.
//! - [`pause`], [`resume`]: no task starts while paused; runs in flight go on.
//! - [`rerun_from`]: a new run of the same workflow that starts at a task, with the
//!   variables the original had published.
//! - [`view`]: the run's graph with each task's state, for the API, the CLI and the UI.

mod host;
mod view;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use attune_bus::Notice;
use attune_domain::Id;
use attune_domain::execution::Execution;
use attune_domain::failure::{Failure, FailureKind};
use attune_domain::graph::WorkflowGraph;
use attune_domain::status::{ExecutionStatus, RunnerType};
use attune_domain::workflow::{WorkflowExecution, WorkflowStep};
use attune_store::StoreResult;
use attune_workflow::{End, Finished, RunState, TaskStatus};
use serde_json::{Map, Value};

use crate::lifecycle::{Ending, Lifecycle};
use crate::notify::broadcast;
use crate::secret_params::{Redactor, seal, unseal};
use crate::{Platform, ServiceError, ServiceResult};

pub use view::{RunView, TaskRunView, TaskView, TransitionView, WorkflowDefinitionView, definition_view, view};

/// Steps one advance tries before leaving the rest to the next hint: each retry means
/// another executor wrote a step meanwhile, which it follows up itself.
const STEP_ATTEMPTS: usize = 8;

/// Starts workflow execution `execution` (admitted, `scheduling`): records its run, moves
/// it to `running` and takes the first step. A start repeated after a crash finds the run
/// recorded and goes on from there.
pub async fn start(platform: &Platform, execution: &Execution) -> StoreResult<()> {
    let lifecycle = Lifecycle::new(platform.store.as_ref(), platform.bus.as_ref());
    let graph = match platform.store.get_workflow_definition(&execution.action_ref).await {
        Ok(definition) => WorkflowGraph::parse(&definition.definition).map(|graph| (definition, graph)),
        Err(error) => Err(error.to_string()),
    };
    let (definition, graph) = match graph {
        Ok(found) => found,
        Err(message) => {
            let ending = Ending::failure(FailureKind::SetupFailed, format!("the workflow cannot start: {message}"));
            lifecycle.finish(execution.id, &[ExecutionStatus::Scheduling], ending).await?;
            return Ok(());
        }
    };
    let vars = Value::Object(graph.vars.clone());
    let graph = serde_json::to_value(&graph).unwrap_or_default();
    let state = RunState::default().to_value();
    platform.store.start_workflow_execution(execution.id, &definition.r#ref, &graph, &vars, &state).await?;
    if lifecycle.begin_workflow(execution.id).await?.is_none() {
        return Ok(()); // cancelled meanwhile, or another executor started it
    }
    advance(platform, execution.id).await
}

/// Workflows this process is stepping now (by store, then id), and whether another step
/// was asked for meanwhile.
static STEPPING: Mutex<BTreeMap<(usize, Id), bool>> = Mutex::new(BTreeMap::new());

/// Takes the next step of workflow execution `id`, if it has one to take.
///
/// Within one process, steps of one workflow do not race: asked while a step of it is
/// under way, `advance` leaves it to that one, which steps once more when done — taking in
/// together every child that ended meanwhile. (Across processes the revision check keeps
/// them apart.)
pub async fn advance(platform: &Platform, id: Id) -> StoreResult<()> {
    let key = process_key(platform, id);
    let Some(_stepping) = Stepping::begin(key) else { return Ok(()) };
    loop {
        step_racing(platform, id).await?;
        if !Stepping::asked_again(key) {
            return Ok(());
        }
    }
}

/// A workflow as this process's caches know it: by store (tests run several in one process)
/// and id.
fn process_key(platform: &Platform, id: Id) -> (usize, Id) {
    (Arc::as_ptr(&platform.store) as *const () as usize, id)
}

/// This process stepping one workflow; it stops being marked so when dropped (an error or a
/// panic included), so that the next hint steps it again.
struct Stepping((usize, Id));

impl Stepping {
    /// Marks `key` as being stepped here, unless it already is (then the step under way is
    /// asked to step again).
    fn begin(key: (usize, Id)) -> Option<Stepping> {
        let mut stepping = STEPPING.lock().expect("stepping lock");
        match stepping.get_mut(&key) {
            Some(again) => {
                *again = true;
                None
            }
            None => {
                stepping.insert(key, false);
                Some(Stepping(key))
            }
        }
    }

    /// Whether another step was asked for since the last look (and clears the ask).
    fn asked_again(key: (usize, Id)) -> bool {
        STEPPING.lock().expect("stepping lock").get_mut(&key).is_some_and(std::mem::take)
    }
}

impl Drop for Stepping {
    fn drop(&mut self) {
        STEPPING.lock().expect("stepping lock").remove(&self.0);
    }
}

/// One step, read again and retried while other processes write steps first.
async fn step_racing(platform: &Platform, id: Id) -> StoreResult<()> {
    for _ in 0..STEP_ATTEMPTS {
        if step_once(platform, id).await? {
            return Ok(());
        }
    }
    tracing::debug!(execution = id, "workflow stepped by others meanwhile; their hints carry it on");
    Ok(())
}

/// One try: `false` when another step was written first (read again and retry).
async fn step_once(platform: &Platform, id: Id) -> StoreResult<bool> {
    let store = platform.store.as_ref();
    let status = store.get_execution_status(id).await?;
    let run = match store.get_workflow_execution(id).await {
        Ok(run) => run,
        Err(attune_store::StoreError::NotFound { .. }) => return Ok(true), // not started yet
        Err(other) => return Err(other),
    };
    if status.is_terminal() {
        if run.status == ExecutionStatus::Running {
            store.close_workflow_execution(id, status).await?;
        }
        Fixed::forget(platform, id);
        return Ok(true);
    }
    if status != ExecutionStatus::Running {
        return Ok(true);
    }
    let fixed = Fixed::of(platform, id).await?;
    if run.status.is_terminal() {
        // The engine ended the run; the execution's end was not written (a crash).
        finish(platform, &fixed.execution, &run).await?;
        return Ok(true);
    }
    let (graph, state) = match parse_run(&run) {
        Ok(parsed) => parsed,
        Err(message) => {
            let ending = Ending::failure(FailureKind::InternalError, message);
            Lifecycle::new(store, platform.bus.as_ref()).finish(id, &[ExecutionStatus::Running], ending).await?;
            return Ok(true);
        }
    };
    let vars = open_vars(platform, &run, &state)?;
    let (finished, follows) = finished_runs(platform, run.id).await?;
    let finished = finished
        .into_iter()
        .filter_map(|f| {
            Some(Finished {
                run: f.run.id,
                task: f.run.task_name,
                round: f.run.round,
                index: f.run.task_index,
                child: f.run.execution?,
                status: f.status,
                result: f.result,
                retry_count: f.run.retry_count,
                max_retries: f.run.max_retries,
            })
        })
        .collect();
    let host = host::StepHost {
        platform,
        workflow: &fixed.execution,
        run: run.id,
        input: &fixed.input,
        secrets: &fixed.secrets,
        kv: host::PackKeys { platform, pack_ref: fixed.pack_ref.clone() },
        actions: Mutex::new(HashMap::new()),
    };
    let step = attune_workflow::step(&graph, state.clone(), vars, run.paused, finished, &host)
        .await
        .map_err(|e| attune_store::StoreError::Conflict(e.to_string()))?;
    if step.is_idle(&state) && follows.is_empty() {
        return Ok(true);
    }
    let (status, error_message) = match &step.end {
        None => (ExecutionStatus::Running, None),
        Some(End::Completed(_)) => (ExecutionStatus::Completed, None),
        Some(End::Failed { message, .. }) => (ExecutionStatus::Failed, Some(message.clone())),
    };
    let mut written_state = step.state.clone();
    if let Some(End::Completed(output)) = &step.end {
        written_state.output = Some(output.clone());
    }
    let write = WorkflowStep {
        workflow: run.id,
        execution: id,
        revision: run.revision,
        state: written_state.to_value(),
        variables: seal(
            &Value::Object(step.vars.clone()),
            step.state.sealed_vars.iter().map(String::as_str),
            &platform.cipher,
        ),
        status,
        error_message,
        paused: run.paused,
        pause_reason: run.pause_reason.clone(),
        current_tasks: step.state.tasks_in(TaskStatus::Running),
        completed_tasks: step.state.tasks_in(TaskStatus::Succeeded),
        failed_tasks: step.state.tasks_in(TaskStatus::Failed),
        new_runs: step.new_runs,
        changed_runs: step.changed_runs.into_iter().chain(follows).collect(),
    };
    let Some(children) = store.write_workflow_step(&write).await? else {
        // Another step was written first, or the workflow ended (cancelled): look again.
        return Ok(false);
    };
    for child in &children {
        broadcast(platform.bus.as_ref(), &Notice::execution_status(child)).await;
        crate::executions::announce(platform, child).await;
    }
    for (task, status) in &step.changed_tasks {
        let notice = Notice::WorkflowTask {
            execution: id,
            action_ref: fixed.execution.action_ref.clone(),
            task: task.clone(),
            status: task_status_name(*status).to_owned(),
        };
        broadcast(platform.bus.as_ref(), &notice).await;
    }
    if step.end.is_some() {
        let run = store.get_workflow_execution(id).await?;
        finish(platform, &fixed.execution, &run).await?;
        Fixed::forget(platform, id);
    }
    Ok(true)
}

/// What the steps of one workflow need of its execution that never changes — its
/// parameters in clear, their secret values, its pack — read once per process rather than
/// at every step (the parameters may hold every item of a large iteration).
struct Fixed {
    execution: Execution,
    input: Value,
    secrets: Vec<String>,
    pack_ref: String,
}

/// Workflows' [`Fixed`] parts, by store and id; cleared when it grows past
/// [`FIXED_KEPT`] (each is read again at its workflow's next step).
static FIXED: Mutex<BTreeMap<(usize, Id), Arc<Fixed>>> = Mutex::new(BTreeMap::new());
const FIXED_KEPT: usize = 4096;

impl Fixed {
    async fn of(platform: &Platform, id: Id) -> StoreResult<Arc<Fixed>> {
        let key = process_key(platform, id);
        if let Some(fixed) = FIXED.lock().expect("fixed lock").get(&key) {
            return Ok(fixed.clone());
        }
        let execution = platform.store.get_execution(id).await?;
        let conflict = |e: String| attune_store::StoreError::Conflict(e);
        let action = execution.action().map_err(|e| conflict(e.to_string()))?;
        let sealed: Vec<String> = execution.sealed_names().into_iter().map(str::to_owned).collect();
        let input = unseal(&execution.parameters, sealed.iter().map(String::as_str), &platform.cipher)
            .map_err(|e| conflict(e.to_string()))?;
        let secrets = Redactor::values_of(&input, sealed.iter().map(String::as_str));
        let fixed = Arc::new(Fixed { execution, input, secrets, pack_ref: action.pack_ref });
        let mut kept = FIXED.lock().expect("fixed lock");
        if kept.len() >= FIXED_KEPT {
            kept.clear();
        }
        kept.insert(key, fixed.clone());
        Ok(fixed)
    }

    fn forget(platform: &Platform, id: Id) {
        FIXED.lock().expect("fixed lock").remove(&process_key(platform, id));
    }
}

/// The runs of `run` whose child ended, but for those a retry policy retries: their run
/// follows the retry instead (it is still in flight), as the returned changes say.
async fn finished_runs(
    platform: &Platform,
    run: Id,
) -> StoreResult<(Vec<attune_store::FinishedRun>, Vec<attune_domain::workflow::TaskRunChange>)> {
    let mut finished = Vec::new();
    let mut follows = Vec::new();
    for ended in platform.store.list_finished_runs(run).await? {
        let retried = match (ended.status, ended.run.execution) {
            (ExecutionStatus::Completed | ExecutionStatus::Cancelled, _) | (_, None) => None,
            (_, Some(child)) => platform.store.get_retry_of(child).await?,
        };
        match retried {
            Some(retry) => follows.push(attune_domain::workflow::TaskRunChange {
                id: ended.run.id,
                status: ExecutionStatus::Running,
                child: None,
                follows: Some(retry.id),
                result: None,
                retry_count: ended.run.retry_count,
                next_retry_at: retry.run_after,
                timed_out: false,
            }),
            None => finished.push(ended),
        }
    }
    Ok((finished, follows))
}

/// Ends a workflow execution the way its run ended.
async fn finish(platform: &Platform, execution: &Execution, run: &WorkflowExecution) -> StoreResult<()> {
    let ending = match run.status {
        ExecutionStatus::Completed => {
            let output = RunState::parse(&run.state).ok().and_then(|state| state.output).unwrap_or_default();
            Ending { status: ExecutionStatus::Completed, result: output, metering: None }
        }
        _ => {
            let message = run.error_message.clone().unwrap_or_else(|| "the workflow failed".into());
            Ending::failed(Failure::new(FailureKind::TaskFailed, message))
        }
    };
    Lifecycle::new(platform.store.as_ref(), platform.bus.as_ref())
        .finish(execution.id, &[ExecutionStatus::Running], ending)
        .await
        .map(drop)
}

fn parse_run(run: &WorkflowExecution) -> Result<(WorkflowGraph, RunState), String> {
    let graph = WorkflowGraph::parse(&run.task_graph).map_err(|e| format!("the run's graph is unreadable: {e}"))?;
    Ok((graph, RunState::parse(&run.state)?))
}

/// The run's variables, sealed ones opened.
fn open_vars(platform: &Platform, run: &WorkflowExecution, state: &RunState) -> StoreResult<Map<String, Value>> {
    let open = unseal(&run.variables, state.sealed_vars.iter().map(String::as_str), &platform.cipher)
        .map_err(|e| attune_store::StoreError::Conflict(e.to_string()))?;
    Ok(match open {
        Value::Object(vars) => vars,
        _ => Map::new(),
    })
}

/// How a task status is named on the stream and in views.
pub fn task_status_name(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Waiting => "waiting",
        TaskStatus::Ready => "ready",
        TaskStatus::Running => "running",
        TaskStatus::Succeeded => "succeeded",
        TaskStatus::Failed => "failed",
    }
}

/// The running workflow execution `id` and its run, or why it has none.
async fn running(platform: &Platform, id: Id) -> ServiceResult<(Execution, WorkflowExecution)> {
    let execution = platform.store.get_execution(id).await?;
    if !execution.action().is_ok_and(|a| a.runner_type == RunnerType::Workflow) {
        return Err(ServiceError::field("id", format!("execution {id} is not a workflow")));
    }
    if execution.status != ExecutionStatus::Running {
        return Err(ServiceError::Conflict(format!("workflow execution {id} is {}, not running", execution.status)));
    }
    let run = platform.store.get_workflow_execution(id).await?;
    Ok((execution, run))
}

/// Pauses or resumes a run: the flag written as a step of its own.
async fn set_paused(platform: &Platform, id: Id, paused: bool, reason: Option<String>) -> ServiceResult<()> {
    for _ in 0..STEP_ATTEMPTS {
        let (_, run) = running(platform, id).await?;
        if run.paused == paused {
            return Ok(());
        }
        let write = WorkflowStep {
            workflow: run.id,
            execution: id,
            revision: run.revision,
            state: run.state,
            variables: run.variables,
            status: run.status,
            error_message: run.error_message,
            paused,
            pause_reason: reason.clone(),
            current_tasks: run.current_tasks,
            completed_tasks: run.completed_tasks,
            failed_tasks: run.failed_tasks,
            new_runs: Vec::new(),
            changed_runs: Vec::new(),
        };
        if platform.store.write_workflow_step(&write).await?.is_some() {
            return Ok(());
        }
    }
    Err(ServiceError::Conflict(format!("workflow execution {id} is changing too fast; try again")))
}

/// Pauses workflow execution `id`: no task starts until it is resumed; tasks running go on.
pub async fn pause(platform: &Platform, id: Id, reason: Option<String>) -> ServiceResult<RunView> {
    set_paused(platform, id, true, reason).await?;
    view(platform, id).await
}

/// Resumes a paused workflow execution: what waited starts now.
pub async fn resume(platform: &Platform, id: Id) -> ServiceResult<RunView> {
    set_paused(platform, id, false, None).await?;
    advance(platform, id).await?;
    view(platform, id).await
}

/// Runs workflow execution `id` again from task `task` (one that failed, or any other), as
/// a new execution with the same parameters but `overrides`: the variables the original
/// had published are kept, the tasks it completed are shown completed and not run again.
pub async fn rerun_from(
    platform: &Platform,
    id: Id,
    task: &str,
    executor: Option<Id>,
    overrides: Option<Value>,
) -> ServiceResult<crate::executions::ExecutionView> {
    let original = platform.store.get_execution(id).await?;
    if !original.action().is_ok_and(|a| a.runner_type == RunnerType::Workflow) {
        return Err(ServiceError::field("task", format!("execution {id} is not a workflow; re-run it without a task")));
    }
    if !original.status.is_terminal() {
        return Err(ServiceError::Conflict(format!("workflow execution {id} has not ended ({})", original.status)));
    }
    let run = platform.store.get_workflow_execution(id).await?;
    let (graph, state) = parse_run(&run).map_err(ServiceError::Internal)?;
    if !graph.tasks.contains_key(task) {
        return Err(ServiceError::field("task", format!("the workflow has no task '{task}'")));
    }
    let mut seeded =
        RunState { start_at: vec![task.to_owned()], sealed_vars: state.sealed_vars, ..RunState::default() };
    for (name, kept) in state.tasks {
        if kept.status == TaskStatus::Succeeded && name != task {
            seeded.tasks.insert(name, attune_workflow::TaskState { in_flight: 0, again: 0, ..kept });
        }
    }
    let action = platform.store.get_action(&original.action_ref).await?;
    let request = crate::executions::rerun_request(platform, &original, executor, overrides)?;
    let new = crate::executions::prepare(platform, &action, request)?;
    // Recorded with its seeded run before any executor hears of it.
    let execution = crate::notify::create_execution(platform.store.as_ref(), platform.bus.as_ref(), &new).await?;
    let graph = serde_json::to_value(&graph).unwrap_or_default();
    platform
        .store
        .start_workflow_execution(execution.id, &original.action_ref, &graph, &run.variables, &seeded.to_value())
        .await?;
    crate::executions::announce(platform, &execution).await;
    Ok(crate::executions::masked(execution))
}
