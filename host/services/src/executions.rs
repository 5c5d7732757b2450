//! Executions as clients see them: requested through one path (API, rules and workflows
//! alike), secret parameters sealed at rest and masked in every answer, cancelled (with
//! everything they started) and re-run, and counted.

use std::collections::BTreeMap;

use attune_bus::{Message, Queue};
use attune_domain::execution::{Execution, ExecutionFilter, NewExecution, OutputLine};
use attune_domain::failure::FailureKind;
use attune_domain::page::{Page, PageRequest};
use attune_domain::status::{ExecutionStatus, RunnerType};
use attune_domain::{Id, Json, Timestamp};
use attune_params::ParamSchema;
use serde::Serialize;

use crate::lifecycle::{Ending, Lifecycle};
use crate::secret_params::{mask, seal, unseal};
use crate::{Platform, ServiceError, ServiceResult};

/// What starts an execution.
#[derive(Debug, Clone, Default)]
pub struct ExecutionRequest {
    /// The action to run.
    pub action_ref: String,
    /// Its parameters, unvalidated.
    pub parameters: Json,
    /// The identity asking, when a person or service account asks.
    pub executor: Option<Id>,
    /// The workflow execution this is a task of.
    pub parent: Option<Id>,
    /// The enforcement that asks, when a rule asks.
    pub enforcement: Option<Id>,
    /// The rule that asks.
    pub rule_ref: Option<String>,
    /// The trigger behind the rule.
    pub trigger_ref: Option<String>,
    /// Parameters to seal (and mask) besides those the action declares secret: those a
    /// rule's template filled with a secret.
    pub seal_also: Vec<String>,
    /// Request it this many seconds from now (`delayed` until then).
    pub delay_s: Option<u64>,
}

/// Longest delay an execution may be requested with: 30 days.
pub const MAX_DELAY_S: u64 = 30 * 86_400;

/// Validates the parameters against the action's schema (defaults applied), seals the
/// secret ones, records the execution as `requested` and tells the executors.
pub async fn request(platform: &Platform, request: ExecutionRequest) -> ServiceResult<ExecutionView> {
    let action = platform.store.get_action(&request.action_ref).await?;
    let new = prepare(platform, &action, request)?;
    let execution = crate::notify::create_execution(platform.store.as_ref(), platform.bus.as_ref(), &new).await?;
    announce(platform, &execution).await;
    Ok(masked(execution))
}

/// Tells the executors about a new execution (a delayed one is requested by the
/// reconciler once its time comes).
pub async fn announce(platform: &Platform, execution: &Execution) {
    if execution.status == ExecutionStatus::Requested {
        notify(platform, &Queue::Executor, Message::ExecutionRequested { execution: execution.id }).await;
    }
}

/// The execution `request` asks for, of `action`, not yet recorded: its parameters
/// validated against the action's schema (defaults applied) and the secret ones sealed,
/// with the action's snapshot.
pub fn prepare(
    platform: &Platform,
    action: &attune_domain::action::Action,
    request: ExecutionRequest,
) -> ServiceResult<NewExecution> {
    if request.delay_s.is_some_and(|delay| delay > MAX_DELAY_S) {
        return Err(ServiceError::field("delay_s", format!("must be at most {MAX_DELAY_S} seconds (30 days)")));
    }
    let schema = ParamSchema::parse(&action.param_schema)
        .map_err(|e| ServiceError::Internal(format!("stored schema of {} is invalid: {e}", action.r#ref)))?;
    let parameters = schema.validate(&request.parameters).map_err(|fields| ServiceError::Validation {
        message: format!(
            "invalid parameters for {}: {}",
            action.r#ref,
            fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        ),
        fields,
    })?;
    let mut sealed_names: Vec<String> = schema.secret_names().map(str::to_owned).collect();
    for name in request.seal_also {
        if !sealed_names.contains(&name) && parameters.get(&name).is_some() {
            sealed_names.push(name);
        }
    }
    let sealed = seal(&parameters, sealed_names.iter().map(String::as_str), &platform.cipher);
    let config = serde_json::to_value(action).map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(NewExecution {
        action_ref: action.r#ref.clone(),
        config,
        parent: request.parent,
        enforcement: request.enforcement,
        executor: request.executor,
        rule_ref: request.rule_ref,
        trigger_ref: request.trigger_ref,
        parameters: sealed,
        sealed_parameters: sealed_names,
        attempt: 1,
        run_after: request.delay_s.map(|s| chrono::Utc::now() + chrono::TimeDelta::seconds(s as i64)),
        retry_of: None,
        // The request, webhook post, event or workflow step being handled now.
        trace_parent: attune_telemetry::trace::current().map(String::from),
    })
}

/// One execution, secrets masked.
pub async fn get(platform: &Platform, id: Id) -> ServiceResult<ExecutionView> {
    Ok(masked(platform.store.get_execution(id).await?))
}

/// Executions, newest first, secrets masked.
pub async fn list(
    platform: &Platform,
    filter: &ExecutionFilter,
    page: PageRequest,
) -> ServiceResult<Page<ExecutionView>> {
    Ok(platform.store.list_executions(filter, page).await?.map(masked))
}

/// Cancels an execution and every execution it started (its children, theirs, and so on):
/// one that has not started ends `cancelled` at once; a running one goes to `canceling` and
/// its worker stops it. Children already ended are left as they are.
pub async fn cancel(platform: &Platform, id: Id) -> ServiceResult<ExecutionView> {
    let cancelled = cancel_one(platform, id).await?;
    let mut parents = vec![id];
    while let Some(parent) = parents.pop() {
        let filter = ExecutionFilter {
            parent: Some(parent),
            statuses: ExecutionStatus::ALL.iter().copied().filter(|s| !s.is_terminal()).collect(),
            ..ExecutionFilter::default()
        };
        for page in 1.. {
            let children =
                platform.store.list_executions(&filter, PageRequest::new(page, PageRequest::MAX_PAGE_SIZE)).await?;
            for child in &children.items {
                match cancel_one(platform, child.id).await {
                    // Ended meanwhile: nothing to stop.
                    Ok(_) | Err(ServiceError::Conflict(_)) => parents.push(child.id),
                    Err(other) => return Err(other),
                }
            }
            if children.items.len() < PageRequest::MAX_PAGE_SIZE as usize {
                break;
            }
        }
    }
    Ok(cancelled)
}

/// Cancels one execution, not its children.
async fn cancel_one(platform: &Platform, id: Id) -> ServiceResult<ExecutionView> {
    use ExecutionStatus::*;
    let lifecycle = Lifecycle::new(platform.store.as_ref(), platform.bus.as_ref());
    loop {
        let execution = platform.store.get_execution(id).await?;
        match execution.status {
            status if status.is_terminal() => {
                return Err(ServiceError::Conflict(format!("execution {id} already ended ({status})")));
            }
            Canceling => return Ok(masked(execution)),
            Pending => {
                let ending = Ending::failure(FailureKind::Cancelled, "cancelled while waiting for an answer");
                if let Some(cancelled) = lifecycle.finish(id, &[Pending], ending).await? {
                    crate::inquiries::withdraw(platform.store.as_ref(), platform.bus.as_ref(), id).await?;
                    return Ok(masked(cancelled));
                }
            }
            Delayed | Requested | Scheduling | Queued | Scheduled => {
                let ending = Ending::failure(FailureKind::Cancelled, "cancelled before it started");
                let unstarted = [Delayed, Requested, Scheduling, Queued, Scheduled];
                if let Some(cancelled) = lifecycle.finish(id, &unstarted, ending).await? {
                    return Ok(masked(cancelled));
                }
            }
            // A workflow runs on no worker: it ends now; its children are cancelled next.
            Running if execution.worker.is_none() => {
                let ending = Ending::failure(FailureKind::Cancelled, "cancelled while it ran");
                if let Some(cancelled) = lifecycle.finish(id, &[Running], ending).await? {
                    platform.store.close_workflow_execution(id, Cancelled).await?;
                    return Ok(masked(cancelled));
                }
            }
            Running => {
                if let Some(canceling) = lifecycle.request_cancel(id).await? {
                    if let Some(worker) = canceling.worker {
                        notify(platform, &Queue::Worker(worker), Message::CancelRequested { execution: id }).await;
                    }
                    return Ok(masked(canceling));
                }
            }
            // Every status is handled above; a new one must be handled here explicitly.
            other => return Err(ServiceError::Internal(format!("cannot cancel an execution in status {other}"))),
        }
        // The status changed under us (it started, or finished): look again.
    }
}

/// Runs an execution's action again as a new execution, with the same parameters except
/// those in `overrides` (an object; its values replace the original ones, checked against
/// the action's schema like any request).
pub async fn rerun(
    platform: &Platform,
    id: Id,
    executor: Option<Id>,
    overrides: Option<Json>,
) -> ServiceResult<ExecutionView> {
    let original = platform.store.get_execution(id).await?;
    request(platform, rerun_request(platform, &original, executor, overrides)?).await
}

/// The request that runs `original`'s action again with its parameters but `overrides`.
pub fn rerun_request(
    platform: &Platform,
    original: &Execution,
    executor: Option<Id>,
    overrides: Option<Json>,
) -> ServiceResult<ExecutionRequest> {
    let sealed: Vec<String> = original.sealed_names().into_iter().map(str::to_owned).collect();
    let mut parameters = unseal(&original.parameters, sealed.iter().map(String::as_str), &platform.cipher)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    match (overrides, parameters.as_object_mut()) {
        (None, _) => {}
        (Some(Json::Object(overrides)), Some(fields)) => fields.extend(overrides),
        (Some(Json::Object(overrides)), None) => parameters = Json::Object(overrides),
        (Some(_), _) => return Err(ServiceError::field("parameters", "must be an object")),
    }
    Ok(ExecutionRequest {
        action_ref: original.action_ref.clone(),
        parameters,
        executor,
        parent: original.parent,
        seal_also: sealed,
        ..ExecutionRequest::default()
    })
}

/// Output lines of an execution after line `after`, at most `limit`.
pub async fn output(
    platform: &Platform,
    id: Id,
    after: i64,
    limit: i64,
) -> ServiceResult<(ExecutionView, Vec<OutputLine>)> {
    let execution = platform.store.get_execution(id).await?;
    let lines = platform.store.list_output(id, after, limit).await?;
    Ok((masked(execution), lines))
}

/// An execution as clients see it: what ran, with what (secret parameters masked), how it
/// ended and what it cost — never the action snapshot it is run from, which is the
/// worker's business (and may hold secret defaults).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = Execution)]
pub struct ExecutionView {
    /// Unique id.
    pub id: Id,
    /// The action run (`pack.name`).
    pub action_ref: String,
    /// The runtime that runs it (`wasm`, `python`, `shell`, `node`, `workflow`...).
    #[schema(value_type = Option<String>)]
    pub runner_type: Option<RunnerType>,
    /// Where it is in its life.
    pub status: ExecutionStatus,
    /// Its parameters, secret ones as `********`.
    #[schema(value_type = Object)]
    pub parameters: Json,
    /// The action's result, or `{"error": {"kind", "message"}}`; once ended.
    #[schema(value_type = Option<Object>)]
    pub result: Option<Json>,
    /// What it used: WebAssembly `{fuel_consumed, peak_memory_bytes, wall_ms}`, native
    /// `{cpu_ms, peak_memory_bytes, wall_ms}`.
    #[schema(value_type = Option<Object>)]
    pub metering: Option<Json>,
    /// Which attempt this is (1, then 2... for a retry under a retry policy, or a run
    /// again after its worker died).
    pub attempt: i32,
    /// The failed attempt this one retries (retry policies).
    pub retry_of: Option<Id>,
    /// The worker it was assigned to.
    pub worker: Option<Id>,
    /// The identity that asked for it.
    pub executor: Option<Id>,
    /// The execution that started it.
    pub parent: Option<Id>,
    /// The rule that started it.
    pub rule_ref: Option<String>,
    /// The trigger behind that rule.
    pub trigger_ref: Option<String>,
    /// The rule's match of an event that started it.
    pub enforcement: Option<Id>,
    /// Requested at.
    pub created: Timestamp,
    /// Started at.
    pub started: Option<Timestamp>,
    /// Ended at.
    pub finished: Option<Timestamp>,
    /// Last changed at.
    pub updated: Timestamp,
    /// When a `delayed` execution is to be requested.
    pub run_after: Option<Timestamp>,
    /// The id of the trace it belongs to (32 hex digits), to look it up in a tracing
    /// backend; its native action received it in `TRACEPARENT`.
    pub trace_id: Option<String>,
}

/// The view of `execution`, its secret parameters masked.
pub fn masked(execution: Execution) -> ExecutionView {
    let sealed: Vec<String> = execution.sealed_names().into_iter().map(str::to_owned).collect();
    let parameters = mask(&execution.parameters, sealed.iter().map(String::as_str));
    let runner_type = execution.action().ok().map(|action| action.runner_type);
    ExecutionView {
        id: execution.id,
        action_ref: execution.action_ref,
        runner_type,
        status: execution.status,
        parameters,
        result: execution.result,
        metering: execution.metering,
        attempt: execution.attempt,
        retry_of: execution.retry_of,
        worker: execution.worker,
        executor: execution.executor,
        parent: execution.parent,
        rule_ref: execution.rule_ref,
        trigger_ref: execution.trigger_ref,
        enforcement: execution.enforcement,
        created: execution.created,
        started: execution.started,
        finished: execution.finished,
        updated: execution.updated,
        run_after: execution.run_after,
        trace_id: execution
            .trace_parent
            .as_deref()
            .and_then(attune_telemetry::trace::TraceParent::parse)
            .map(|parent| parent.trace_id().to_owned()),
    }
}

/// Publishes a hint. A lost hint is not an error: the store holds the state and the
/// reconciler re-drives it.
pub async fn notify(platform: &Platform, queue: &Queue, message: Message) {
    publish(platform.bus.as_ref(), queue, message).await
}

/// [`notify`] for callers that hold a bus rather than a platform.
pub async fn publish(bus: &dyn attune_bus::Bus, queue: &Queue, message: Message) {
    if let Err(error) = bus.publish(queue, &message).await {
        tracing::warn!(%error, ?message, "hint not published; the reconciler will pick the work up");
    }
}

/// Executions created in a window, counted.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ExecutionStats {
    /// Start of the window.
    pub since: Timestamp,
    /// Executions created since then.
    pub total: i64,
    /// How many are in each status now (statuses with none are left out).
    pub by_status: BTreeMap<ExecutionStatus, i64>,
    /// The same, per action, by ref.
    pub by_action: Vec<ActionStats>,
}

/// One action's executions in the window.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ActionStats {
    /// The action.
    pub action_ref: String,
    /// Its executions created in the window.
    pub total: i64,
    /// How many are in each status now.
    pub by_status: BTreeMap<ExecutionStatus, i64>,
}

/// Executions created at or after `since`, counted by status and by action.
pub async fn stats(platform: &Platform, since: Timestamp) -> ServiceResult<ExecutionStats> {
    let mut stats = ExecutionStats { since, total: 0, by_status: BTreeMap::new(), by_action: Vec::new() };
    for row in platform.store.count_executions(since).await? {
        stats.total += row.count;
        *stats.by_status.entry(row.status).or_default() += row.count;
        if stats.by_action.last().is_none_or(|last| last.action_ref != row.action_ref) {
            stats.by_action.push(ActionStats {
                action_ref: row.action_ref.clone(),
                total: 0,
                by_status: BTreeMap::new(),
            });
        }
        let action = stats.by_action.last_mut().expect("pushed above");
        action.total += row.count;
        *action.by_status.entry(row.status).or_default() += row.count;
    }
    Ok(stats)
}
