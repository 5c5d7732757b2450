//! One execution, from claim to recorded result.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use attune_domain::Id;
use attune_domain::execution::Execution;
use attune_domain::status::ExecutionStatus;
use attune_runtime_api::{ExecutionIo, Failure, FailureKind, Outcome, TerminalStatus};
use attune_services::lifecycle::Ending;
use attune_services::secret_params::Redactor;
use attune_telemetry::trace::{self, TraceParent};
use serde_json::json;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::guard::guarded;
use crate::output::store_output;
use crate::prepare::{Preparation, Prepared, prepare, safety_margin};
use crate::role::Shared;

/// Cancellation tokens of the executions running on this worker.
pub type Running = Arc<Mutex<HashMap<Id, CancellationToken>>>;

/// Claims execution `id` (`scheduled → running`) and runs it. Returns once its result is
/// recorded; `claimed` is called as soon as the claim is settled either way, so the caller
/// can acknowledge the message.
///
/// The execution's cancellation token is registered before the claim: a cancel can only
/// be requested once the execution is `running` (`running → canceling`), which is after
/// the claim, so the cancel message always finds the token and no read of the status
/// after the claim is needed.
///
/// The run is one span of the execution's trace: a child of `trace`, the context the
/// message was published in, or else of the one recorded on the execution.
pub async fn run_execution(shared: &Shared, id: Id, trace: Option<TraceParent>, claimed: impl FnOnce()) {
    let Some(cancel) = register(&shared.running, id) else {
        // A duplicate delivery: this worker already handles the execution.
        claimed();
        return;
    };
    let claim = shared.lifecycle().start(id, shared.worker_id).await;
    claimed();
    let execution = match claim {
        Ok(Some(execution)) => execution,
        Ok(None) => {
            // Cancelled, or already running elsewhere: not ours.
            shared.running.lock().expect("running lock").remove(&id);
            return;
        }
        Err(error) => {
            shared.running.lock().expect("running lock").remove(&id);
            tracing::error!(%error, execution = id, "cannot claim; the reconciler will send it again");
            return;
        }
    };

    let span = tracing::info_span!(
        "worker.execution",
        execution = id,
        action = %execution.action_ref,
        trace_id = tracing::field::Empty,
    );
    let parent = trace.or_else(|| execution.trace_parent.as_deref().and_then(TraceParent::parse));
    trace::continue_trace(&span, parent.as_ref());
    async {
        let (outcome, redactor) = execute(shared, &execution, cancel).await;
        shared.running.lock().expect("running lock").remove(&id);
        finish(shared, &execution, outcome, &redactor).await;
    }
    .instrument(span)
    .await;
}

/// A new cancellation token for execution `id`, or `None` when one is registered already
/// (another task of this worker has the execution).
fn register(running: &Running, id: Id) -> Option<CancellationToken> {
    let mut running = running.lock().expect("running lock");
    if running.contains_key(&id) {
        return None;
    }
    let token = CancellationToken::new();
    running.insert(id, token.clone());
    Some(token)
}

async fn execute(shared: &Shared, execution: &Execution, cancel: CancellationToken) -> (Outcome, Redactor) {
    let preparation = Preparation {
        store: &shared.store,
        cipher: &shared.cipher,
        tokens: &shared.tokens,
        registry: &shared.registry,
        config: &shared.config,
    };
    let Prepared { runtime, mut request, redactor } = match guarded(prepare(&preparation, execution)).await {
        Ok(Ok(prepared)) => prepared,
        Ok(Err(message)) => return (Outcome::failed(FailureKind::SetupFailed, message), Redactor::default()),
        Err(panic) => return (internal_error(execution, "preparing", &panic), Redactor::default()),
    };
    let limit = request.limits.timeout;
    let (sink, writer) = store_output(shared.store.clone(), shared.bus.clone(), execution.id, redactor.clone());
    let io = ExecutionIo { output: sink, cancel };
    // The action runs in a span of its own, whose context a native action continues.
    let span = tracing::info_span!("runtime.execute", trace_id = tracing::field::Empty);
    trace::continue_trace(&span, None);
    request.context.trace_parent = trace::of(&span).map(String::from);
    let running = tokio::time::timeout(safety_margin(limit), runtime.execute(request, io)).instrument(span);
    let outcome = match guarded(running).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(_)) => Outcome::failed(
            FailureKind::Timeout,
            format!("the runtime did not stop the action after its {}s limit", limit.as_secs()),
        ),
        Err(panic) => internal_error(execution, "running", &panic),
    };
    writer.finish().await;
    (outcome, redactor)
}

/// The outcome of an execution whose preparation or run panicked: logged in full here, and
/// told to its readers without the panic's text (which may quote internal state).
fn internal_error(execution: &Execution, step: &str, panic: &str) -> Outcome {
    tracing::error!(execution = execution.id, action = %execution.action_ref, panic, "a panic while {step} the action");
    Outcome::failed(
        FailureKind::InternalError,
        format!("the worker failed while {step} this action; the cause is in the worker's log"),
    )
}

/// A result that breaks the action's `output_schema` fails the execution (`invalid_output`,
/// naming each offending field, never its value): whoever reads the result — a rule, a
/// workflow, a person — may rely on its shape.
fn checked_output(execution: &Execution, mut outcome: Outcome) -> Outcome {
    if let Ok(value) = &outcome.result
        && let Some(schema) = execution.action().ok().and_then(|action| action.output_schema)
        && let Err(problems) = attune_params::check_output(&schema, value)
    {
        let listed: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect();
        let message = format!("the result does not match the action's output_schema: {}", listed.join("; "));
        outcome.result = Err(Failure::new(FailureKind::InvalidOutput, message));
    }
    outcome
}

/// Records the outcome, secrets masked: `running|canceling → completed|failed|timeout|cancelled`.
async fn finish(shared: &Shared, execution: &Execution, outcome: Outcome, redactor: &Redactor) {
    use ExecutionStatus::*;
    let mut outcome = checked_output(execution, outcome);
    let artifacts = std::mem::take(&mut outcome.artifacts);
    crate::artifacts::record(shared.store.as_ref(), shared.artifact_files.as_ref(), execution, artifacts, redactor)
        .await;
    if !outcome.denied_secrets.is_empty() {
        tracing::warn!(execution = execution.id, action = %execution.action_ref, secrets = ?outcome.denied_secrets,
            "the action asked for secrets it was not granted");
        for name in &outcome.denied_secrets {
            let entry = attune_domain::audit::NewAuditEntry {
                source: Some(format!("worker {}", shared.config.name)),
                action: "secret.refused".into(),
                resource_type: "key".into(),
                resource_ref: Some(name.clone()),
                outcome: attune_services::audit::REFUSED.into(),
                detail: Some(serde_json::json!({"execution": execution.id, "action": execution.action_ref})),
                ..Default::default()
            };
            attune_services::audit::append(shared.store.as_ref(), &entry).await;
        }
    }
    let status = match outcome.status() {
        TerminalStatus::Completed => Completed,
        TerminalStatus::Failed => Failed,
        TerminalStatus::Timeout => Timeout,
        TerminalStatus::Cancelled => Cancelled,
    };
    let mut result = outcome.result_document();
    if let (Some(code), Some(fields)) = (outcome.exit_code, result.as_object_mut())
        && outcome.result.is_err()
    {
        fields.insert("exit_code".into(), json!(code));
    }
    let ending = Ending { status, result: redactor.json(&result), metering: outcome.metering.map(|m| json!(m)) };
    match shared.lifecycle().finish(execution.id, &[Running, Canceling], ending).await {
        Ok(Some(_)) => tracing::debug!(execution = execution.id, %status, "finished"),
        Ok(None) => {
            tracing::warn!(execution = execution.id, "finished, but its status had already been settled elsewhere")
        }
        Err(error) => tracing::error!(%error, execution = execution.id, "result not recorded"),
    }
}
