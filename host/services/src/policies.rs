//! Policies managed through the API: the same checks as policies from pack files.

use attune_domain::admission::ActionQueue;
use attune_domain::page::{Page, PageRequest};
use attune_domain::policy::{NewPolicy, Policy};
use attune_domain::status::PolicyType;
use serde_json::Value;

use crate::{Platform, ServiceError, ServiceResult};

/// Reads a policy from a request body in the pack file format, stored under `policy_ref`.
pub fn parse(policy_ref: &str, body: &Value) -> ServiceResult<NewPolicy> {
    attune_packs::policy_from_json(policy_ref, body).map_err(|problem| {
        let (field, message) = problem.split_once(": ").unwrap_or(("", &problem));
        let field = if field.contains(' ') { "" } else { field };
        ServiceError::Validation {
            message: format!("invalid policy {policy_ref}: {problem}"),
            fields: vec![attune_params::FieldError { field: field.to_owned(), message: message.to_owned() }],
        }
    })
}

/// Creates a policy in an existing pack (the pack part of its ref).
pub async fn create(platform: &Platform, policy: NewPolicy) -> ServiceResult<Policy> {
    check(platform, &policy).await?;
    Ok(platform.store.create_policy(&policy).await?)
}

/// Replaces a policy's definition; its ref stays.
pub async fn update(platform: &Platform, policy_ref: &str, policy: NewPolicy) -> ServiceResult<Policy> {
    platform.store.get_policy(policy_ref).await?;
    check(platform, &policy).await?;
    Ok(platform.store.update_policy(policy_ref, &policy).await?)
}

/// Deletes a policy. Executions it held back are admitted by the policies left at the
/// executor's next look at its queues.
pub async fn delete(platform: &Platform, policy_ref: &str) -> ServiceResult<()> {
    Ok(platform.store.delete_policy(policy_ref).await?)
}

/// One policy.
pub async fn get(platform: &Platform, policy_ref: &str) -> ServiceResult<Policy> {
    Ok(platform.store.get_policy(policy_ref).await?)
}

/// Policies, ordered by ref; `action_ref` narrows to one action's.
pub async fn list(platform: &Platform, action_ref: Option<&str>, page: PageRequest) -> ServiceResult<Page<Policy>> {
    Ok(platform.store.list_policies(action_ref, page).await?)
}

/// An action's queue: executions under way, and those its policies hold back.
pub async fn queue(platform: &Platform, action_ref: &str) -> ServiceResult<ActionQueue> {
    platform.store.get_action(action_ref).await?;
    Ok(platform.store.action_queue(action_ref).await?)
}

/// The checks a pack registration makes across files: the action exists and declares the
/// grouping parameters.
async fn check(platform: &Platform, policy: &NewPolicy) -> ServiceResult<()> {
    let action = match platform.store.get_action(&policy.action_ref).await {
        Ok(action) => action,
        Err(attune_store::StoreError::NotFound { .. }) => {
            return Err(ServiceError::field("action", format!("action '{}' does not exist", policy.action_ref)));
        }
        Err(other) => return Err(other.into()),
    };
    let declared = action.param_schema.as_object();
    if let Some(unknown) = policy.parameters.iter().find(|p| !declared.is_some_and(|d| d.contains_key(*p))) {
        return Err(ServiceError::field(
            "parameters",
            format!("action '{}' has no parameter {unknown}", policy.action_ref),
        ));
    }
    if policy.policy_type == PolicyType::Retry && action.runner_type == attune_domain::status::RunnerType::Inquiry {
        return Err(ServiceError::field("type", "an inquiry is not retried; give it a longer timeout_s instead"));
    }
    Ok(())
}
