//! The store as the [`Catalog`] of registered components, and the checks that need it.

use attune_store::{Store, StoreError, StoreResult};

use super::{Catalog, Target, check, check_values, unknown_names};
use crate::{LoadedPack, Problem};

/// Components registered in a store.
struct Registered<'a>(&'a dyn Store);

impl Catalog for Registered<'_> {
    type Error = StoreError;

    async fn action(&self, action_ref: &str) -> StoreResult<Option<Target>> {
        match self.0.get_action(action_ref).await {
            Ok(action) => Ok(Some(Target { param_schema: Some(action.param_schema) })),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn trigger(&self, trigger_ref: &str) -> StoreResult<Option<Target>> {
        match self.0.get_trigger(trigger_ref).await {
            Ok(trigger) => Ok(Some(Target { param_schema: Some(trigger.param_schema) })),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Every problem with the pack's cross-references, against what `store` holds.
pub async fn check_references(store: &dyn Store, loaded: &LoadedPack) -> StoreResult<Vec<Problem>> {
    check(&Registered(store), loaded).await
}

/// Every problem with a rule created or changed outside a pack (through the API): its ref,
/// its criteria, and its trigger and action, which must be registered.
pub async fn check_rule(store: &dyn Store, rule: &attune_domain::rule::NewRule) -> StoreResult<Vec<String>> {
    let mut problems = Vec::new();
    if let Err(e) = attune_domain::refs::ComponentRef::parse(&rule.r#ref) {
        problems.push(format!("ref: {e}"));
    }
    if let Err(e) = crate::components::check_criteria(&rule.criteria) {
        problems.push(e);
    }
    for (field, value) in [("trigger_parameters", &rule.trigger_params), ("parameters", &rule.action_params)] {
        if !value.is_object() {
            problems.push(format!("{field} must be a mapping"));
        }
    }
    match store.get_trigger(&rule.trigger_ref).await {
        Ok(trigger) => {
            if let Err(message) = check_values("trigger_parameters", &trigger.param_schema, &rule.trigger_params) {
                problems.push(message);
            }
        }
        Err(StoreError::NotFound { .. }) => problems.push(format!("trigger: '{}' does not exist", rule.trigger_ref)),
        Err(e) => return Err(e),
    }
    match store.get_action(&rule.action_ref).await {
        Ok(action) => {
            let unknown = unknown_names(&action.param_schema, rule.action_params.as_object().map(|m| m.keys()));
            if !unknown.is_empty() {
                problems.push(format!(
                    "parameters: action '{}' has no parameter {}",
                    rule.action_ref,
                    unknown.join(", ")
                ));
            }
        }
        Err(StoreError::NotFound { .. }) => problems.push(format!("action: '{}' does not exist", rule.action_ref)),
        Err(e) => return Err(e),
    }
    Ok(problems)
}
