//! Policies at scheduling time: admission under concurrency and rate-limit policies, and
//! retries of failed attempts.
//!
//! Admission is the store's (one transaction per execution; see
//! `attune_store::AdmissionStore`); this module turns an action's policies into the checks
//! it decides on and acts on the answer. A retry is a new execution linked to the attempt
//! it repeats (`retry_of`, unique), numbered `attempt + 1`: the failed attempt keeps its
//! result, output and metering, and however often its end is handled, one retry exists.

use attune_bus::{Bus, Message, Queue};
use attune_domain::admission::{Admission, Check, Limit};
use attune_domain::execution::{Execution, NewExecution};
use attune_domain::failure::FailureKind;
use attune_domain::policy::{Policy, PolicyRule, RetryRule};
use attune_domain::status::ExecutionStatus;
use attune_domain::{Id, Timestamp};
use attune_services::lifecycle::{Ending, Lifecycle};
use attune_store::{Store, StoreError, StoreResult};

/// What admission decided for one execution.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// Admitted: it is `scheduling`, to be placed.
    Go(Box<Execution>),
    /// Queued behind others, or until `retry_at` for a full rate-limit window.
    Held {
        /// When a rate limit's window has room again.
        retry_at: Option<Timestamp>,
    },
    /// Ended by a `method: cancel` policy, or moved by someone else: nothing more to do.
    Done,
}

/// The checks the concurrency and rate-limit policies among `policies` make on `execution`.
pub fn checks(policies: &[Policy], execution: &Execution) -> Vec<Check> {
    let sealed = execution.sealed_names();
    policies
        .iter()
        .filter_map(|policy| {
            let (limit, method) = match policy.rule() {
                Ok(PolicyRule::Concurrency { threshold, method }) => (Limit::Concurrent(threshold), method),
                Ok(PolicyRule::RateLimit { threshold, window_s, method }) => {
                    (Limit::PerWindow { threshold, window_s }, method)
                }
                Ok(PolicyRule::Retry(_)) => return None,
                Err(problem) => {
                    tracing::error!(policy = %policy.r#ref, problem, "policy unreadable; not applied");
                    return None;
                }
            };
            let group_key = policy.group_key(&execution.parameters, &sealed);
            Some(Check { policy_ref: policy.r#ref.clone(), group_key, limit, method })
        })
        .collect()
}

/// Admits `execution` (`scheduling`, or `queued` from an earlier look) under its action's
/// policies.
pub async fn admit(store: &dyn Store, bus: &dyn Bus, execution: Execution) -> StoreResult<Gate> {
    let policies = store.action_policies(&execution.action_ref).await?;
    let checks = checks(&policies, &execution);
    // Nothing to ask unless a policy applies, or it waits in a queue (whose policy may be
    // gone: the store admits it then).
    if checks.is_empty() && execution.status == ExecutionStatus::Scheduling {
        return Ok(Gate::Go(Box::new(execution)));
    }
    let lifecycle = Lifecycle::new(store, bus);
    Ok(match lifecycle.admit(&execution, &checks).await? {
        Admission::Admitted(admitted) => Gate::Go(Box::new(admitted)),
        Admission::Queued { execution: queued, policy_ref, position, retry_at } => {
            tracing::debug!(execution = queued.id, policy = %policy_ref, position, "queued by policy");
            Gate::Held { retry_at }
        }
        Admission::Refused { policy_ref, limit } => {
            let message = match limit {
                Limit::Concurrent(threshold) => {
                    format!("cancelled by policy {policy_ref}: {threshold} already running (method: cancel)")
                }
                Limit::PerWindow { threshold, window_s } => format!(
                    "cancelled by policy {policy_ref}: {threshold} already ran in the last {window_s}s (method: cancel)"
                ),
            };
            let ending = Ending::failure(FailureKind::Cancelled, message);
            let from = [ExecutionStatus::Scheduling, ExecutionStatus::Queued];
            lifecycle.finish(execution.id, &from, ending).await?;
            Gate::Done
        }
        Admission::Moved => Gate::Done,
    })
}

/// The retry rule of `policies` that applies to an attempt that ended `status`, if any.
pub fn retry_rule(policies: &[Policy], status: ExecutionStatus, attempt: i32) -> Option<RetryRule> {
    policies.iter().find_map(|policy| match policy.rule() {
        Ok(PolicyRule::Retry(rule)) if rule.applies(status, attempt) => Some(rule),
        _ => None,
    })
}

/// Creates the retry an ended attempt is owed under its action's retry policy: the same
/// action snapshot, parameters and origin, attempt number one more, delayed by the rule's
/// backoff. `None` when no retry is owed or one exists already.
pub async fn retry(store: &dyn Store, bus: &dyn Bus, attempt: &Execution) -> StoreResult<Option<Execution>> {
    let policies = store.action_policies(&attempt.action_ref).await?;
    let Some(rule) = retry_rule(&policies, attempt.status, attempt.attempt) else { return Ok(None) };
    let next = attempt.attempt + 1;
    let delay = rule.delay_before(next);
    let new = NewExecution {
        action_ref: attempt.action_ref.clone(),
        config: attempt.config.clone(),
        parent: attempt.parent,
        enforcement: attempt.enforcement,
        executor: attempt.executor,
        rule_ref: attempt.rule_ref.clone(),
        trigger_ref: attempt.trigger_ref.clone(),
        parameters: attempt.parameters.clone(),
        sealed_parameters: attempt.sealed_parameters.clone(),
        attempt: next,
        run_after: (delay > 0).then(|| chrono::Utc::now() + chrono::TimeDelta::seconds(delay)),
        retry_of: Some(attempt.id),
        // A retry belongs to the trace of the attempt it repeats.
        trace_parent: attempt.trace_parent.clone(),
    };
    let created = match attune_services::notify::create_execution(store, bus, &new).await {
        Ok(created) => created,
        // Retried already (the end was handled twice).
        Err(StoreError::Conflict(_)) => return Ok(None),
        Err(other) => return Err(other),
    };
    tracing::info!(execution = created.id, retry_of = attempt.id, attempt = next, delay_s = delay, "retrying");
    if created.status == ExecutionStatus::Requested {
        let message = Message::ExecutionRequested { execution: created.id };
        if let Err(error) = bus.publish(&Queue::Executor, &message).await {
            tracing::warn!(%error, "hint not published; the reconciler will send it again");
        }
    }
    Ok(Some(created))
}

/// The executions queued in the groups `finished` counted in, heads first: each may be
/// admitted now that it has ended. Its concurrency slots are released first.
pub async fn released_heads(store: &dyn Store, finished: Id, per_group: u32) -> StoreResult<Vec<Vec<Id>>> {
    let mut heads = Vec::new();
    for (policy_ref, group_key) in store.release_admissions(finished).await? {
        heads.push(store.queue_heads(&policy_ref, &group_key, per_group).await?);
    }
    Ok(heads)
}
