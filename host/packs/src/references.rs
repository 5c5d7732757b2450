//! Checks of refs that cross files or packs.
//!
//! A ref into the pack being registered must be declared by the pack itself (the stored copy
//! is about to be replaced); a ref into another pack must be registered already. Offline
//! (`attune pack build`, no store) refs into other packs cannot be resolved: they are
//! taken as they are, and checked when the pack is installed.

use std::collections::{BTreeMap, BTreeSet};

use attune_domain::Json;
use attune_params::ParamSchema;
use attune_store::{Store, StoreError, StoreResult};

use crate::components::field_errors;
use crate::{LoadedPack, Problem};

/// What a check needs to know about an action or trigger: its parameter schema (unknown
/// offline, for another pack's).
struct Target {
    param_schema: Option<Json>,
}

/// Resolves refs against the loaded pack first, then the store (when there is one).
struct Resolver<'a> {
    store: Option<&'a dyn Store>,
    loaded: &'a LoadedPack,
    actions: BTreeMap<&'a str, &'a Json>,
    triggers: BTreeMap<&'a str, &'a Json>,
}

impl<'a> Resolver<'a> {
    fn new(store: Option<&'a dyn Store>, loaded: &'a LoadedPack) -> Self {
        let bundle = &loaded.bundle;
        Self {
            store,
            loaded,
            actions: bundle.actions.iter().map(|a| (a.r#ref.as_str(), &a.param_schema)).collect(),
            triggers: bundle.triggers.iter().map(|t| (t.r#ref.as_str(), &t.param_schema)).collect(),
        }
    }

    fn is_own(&self, component_ref: &str) -> bool {
        component_ref.split_once('.').is_some_and(|(pack, _)| pack == self.loaded.pack_ref())
    }

    async fn action(&self, action_ref: &str) -> StoreResult<Option<Target>> {
        if let Some(schema) = self.actions.get(action_ref) {
            return Ok(Some(Target { param_schema: Some((*schema).clone()) }));
        }
        if self.is_own(action_ref) {
            return Ok(None);
        }
        let Some(store) = self.store else { return Ok(Some(Target { param_schema: None })) };
        match store.get_action(action_ref).await {
            Ok(action) => Ok(Some(Target { param_schema: Some(action.param_schema) })),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn trigger(&self, trigger_ref: &str) -> StoreResult<Option<Target>> {
        if let Some(schema) = self.triggers.get(trigger_ref) {
            return Ok(Some(Target { param_schema: Some((*schema).clone()) }));
        }
        if self.is_own(trigger_ref) {
            return Ok(None);
        }
        let Some(store) = self.store else { return Ok(Some(Target { param_schema: None })) };
        match store.get_trigger(trigger_ref).await {
            Ok(trigger) => Ok(Some(Target { param_schema: Some(trigger.param_schema) })),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Every problem with the pack's cross-references.
pub async fn check_references(store: &dyn Store, loaded: &LoadedPack) -> StoreResult<Vec<Problem>> {
    check(Some(store), loaded).await
}

/// Every problem with the pack's references that can be seen without a store: refs into the
/// pack itself (what it declares, and its parameters). Refs into other packs are left to the
/// check at installation.
pub async fn check_references_offline(loaded: &LoadedPack) -> Vec<Problem> {
    check(None, loaded).await.unwrap_or_default()
}

async fn check(store: Option<&dyn Store>, loaded: &LoadedPack) -> StoreResult<Vec<Problem>> {
    let resolver = Resolver::new(store, loaded);
    let bundle = &loaded.bundle;
    let mut problems = Vec::new();
    let mut problem = |kind: &'static str, component_ref: &str, message: String| {
        problems.push(Problem { file: loaded.file_of(kind, component_ref), message });
    };

    for rule in &bundle.rules {
        match resolver.trigger(&rule.trigger_ref).await? {
            None => problem("rule", &rule.r#ref, format!("trigger '{}' does not exist", rule.trigger_ref)),
            Some(Target { param_schema: None }) => {}
            Some(Target { param_schema: Some(schema) }) => {
                if let Err(message) = check_values("trigger_parameters", &schema, &rule.trigger_params) {
                    problem("rule", &rule.r#ref, message);
                }
            }
        }
        match resolver.action(&rule.action_ref).await? {
            None => problem("rule", &rule.r#ref, format!("action '{}' does not exist", rule.action_ref)),
            Some(Target { param_schema: None }) => {}
            Some(Target { param_schema: Some(schema) }) => {
                let unknown = unknown_names(&schema, rule.action_params.as_object().map(|m| m.keys()));
                if !unknown.is_empty() {
                    problem(
                        "rule",
                        &rule.r#ref,
                        format!("parameters: action '{}' has no parameter {}", rule.action_ref, unknown.join(", ")),
                    );
                }
            }
        }
    }
    for policy in &bundle.policies {
        match resolver.action(&policy.action_ref).await? {
            None => problem("policy", &policy.r#ref, format!("action '{}' does not exist", policy.action_ref)),
            Some(Target { param_schema: None }) => {}
            Some(Target { param_schema: Some(schema) }) => {
                let unknown = unknown_names(&schema, Some(policy.parameters.iter()));
                if !unknown.is_empty() {
                    problem(
                        "policy",
                        &policy.r#ref,
                        format!("parameters: action '{}' has no parameter {}", policy.action_ref, unknown.join(", ")),
                    );
                }
            }
        }
    }
    for sensor in &bundle.sensors {
        for trigger in &sensor.trigger_types {
            if resolver.trigger(trigger).await?.is_none() {
                problem("sensor", &sensor.r#ref, format!("trigger '{trigger}' does not exist"));
            }
        }
    }
    for workflow in &bundle.workflows {
        let tasks = workflow.definition["tasks"].as_object().cloned().unwrap_or_default();
        for (task, body) in &tasks {
            let Some(action_ref) = body.get("action").and_then(Json::as_str) else {
                continue;
            };
            if action_ref == workflow.r#ref {
                problem("action", &workflow.r#ref, format!("tasks.{task}: a workflow cannot run itself"));
            } else if resolver.action(action_ref).await?.is_none() {
                problem("action", &workflow.r#ref, format!("tasks.{task}: action '{action_ref}' does not exist"));
            }
        }
    }
    Ok(problems)
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

/// Validates concrete values against a flat parameter schema.
fn check_values(field: &str, schema: &Json, values: &Json) -> Result<(), String> {
    let schema = ParamSchema::parse(schema).map_err(|e| format!("{field}: {e}"))?;
    schema.validate(values).map(|_| ()).map_err(|errors| format!("{field}: {}", field_errors(&errors)))
}

/// Names in `given` that the flat schema does not declare, quoted.
fn unknown_names<'n>(schema: &Json, given: Option<impl Iterator<Item = &'n String>>) -> Vec<String> {
    let declared: BTreeSet<&str> =
        schema.as_object().map(|props| props.keys().map(String::as_str).collect()).unwrap_or_default();
    given
        .into_iter()
        .flatten()
        .filter(|name| !declared.contains(name.as_str()))
        .map(|name| format!("'{name}'"))
        .collect()
}
