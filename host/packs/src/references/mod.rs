//! Checks of refs that cross files or packs.
//!
//! A ref into the pack being registered must be declared by the pack itself (the stored copy
//! is about to be replaced); a ref into another pack must be registered already. Offline
//! (`attune pack build`, no store) refs into other packs cannot be resolved: they are
//! taken as they are, and checked when the pack is installed. The lookups of registered
//! components are behind [`Catalog`], so that the checks themselves need no store: the
//! store's catalog (`stored`) comes with the `store` feature.

#[cfg(feature = "store")]
mod stored;

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

use attune_domain::Json;
use attune_params::ParamSchema;

use crate::components::field_errors;
use crate::{LoadedPack, Problem};

#[cfg(feature = "store")]
pub use stored::{check_references, check_rule};

/// What a check needs to know about an action or trigger: its parameter schema (unknown
/// offline, for another pack's).
pub(crate) struct Target {
    pub(crate) param_schema: Option<Json>,
}

/// Where refs into other packs are looked up: `Ok(None)` when nothing is registered under
/// the ref.
pub(crate) trait Catalog {
    /// What a lookup can fail with.
    type Error;
    /// The registered action `action_ref`.
    async fn action(&self, action_ref: &str) -> Result<Option<Target>, Self::Error>;
    /// The registered trigger `trigger_ref`.
    async fn trigger(&self, trigger_ref: &str) -> Result<Option<Target>, Self::Error>;
}

/// No store: every ref into another pack is taken to exist, its schema unknown.
struct Offline;

impl Catalog for Offline {
    type Error = Infallible;

    async fn action(&self, _: &str) -> Result<Option<Target>, Infallible> {
        Ok(Some(Target { param_schema: None }))
    }

    async fn trigger(&self, _: &str) -> Result<Option<Target>, Infallible> {
        Ok(Some(Target { param_schema: None }))
    }
}

/// Resolves refs against the loaded pack first, then the catalog.
struct Resolver<'a, C> {
    catalog: &'a C,
    loaded: &'a LoadedPack,
    actions: BTreeMap<&'a str, &'a Json>,
    triggers: BTreeMap<&'a str, &'a Json>,
}

impl<'a, C: Catalog> Resolver<'a, C> {
    fn new(catalog: &'a C, loaded: &'a LoadedPack) -> Self {
        let bundle = &loaded.bundle;
        Self {
            catalog,
            loaded,
            actions: bundle.actions.iter().map(|a| (a.r#ref.as_str(), &a.param_schema)).collect(),
            triggers: bundle.triggers.iter().map(|t| (t.r#ref.as_str(), &t.param_schema)).collect(),
        }
    }

    fn is_own(&self, component_ref: &str) -> bool {
        component_ref.split_once('.').is_some_and(|(pack, _)| pack == self.loaded.pack_ref())
    }

    async fn action(&self, action_ref: &str) -> Result<Option<Target>, C::Error> {
        if let Some(schema) = self.actions.get(action_ref) {
            return Ok(Some(Target { param_schema: Some((*schema).clone()) }));
        }
        if self.is_own(action_ref) {
            return Ok(None);
        }
        self.catalog.action(action_ref).await
    }

    async fn trigger(&self, trigger_ref: &str) -> Result<Option<Target>, C::Error> {
        if let Some(schema) = self.triggers.get(trigger_ref) {
            return Ok(Some(Target { param_schema: Some((*schema).clone()) }));
        }
        if self.is_own(trigger_ref) {
            return Ok(None);
        }
        self.catalog.trigger(trigger_ref).await
    }
}

/// Every problem with the pack's references that can be seen without a store: refs into the
/// pack itself (what it declares, and its parameters). Refs into other packs are left to the
/// check at installation.
pub async fn check_references_offline(loaded: &LoadedPack) -> Vec<Problem> {
    match check(&Offline, loaded).await {
        Ok(problems) => problems,
        Err(never) => match never {},
    }
}

/// Every problem with the pack's cross-references, refs into other packs looked up in
/// `catalog`.
pub(crate) async fn check<C: Catalog>(catalog: &C, loaded: &LoadedPack) -> Result<Vec<Problem>, C::Error> {
    let resolver = Resolver::new(catalog, loaded);
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

/// Validates concrete values against a flat parameter schema.
pub(crate) fn check_values(field: &str, schema: &Json, values: &Json) -> Result<(), String> {
    let schema = ParamSchema::parse(schema).map_err(|e| format!("{field}: {e}"))?;
    schema.validate(values).map(|_| ()).map_err(|errors| format!("{field}: {}", field_errors(&errors)))
}

/// Names in `given` that the flat schema does not declare, quoted.
pub(crate) fn unknown_names<'n>(schema: &Json, given: Option<impl Iterator<Item = &'n String>>) -> Vec<String> {
    let declared: BTreeSet<&str> =
        schema.as_object().map(|props| props.keys().map(String::as_str).collect()).unwrap_or_default();
    given
        .into_iter()
        .flatten()
        .filter(|name| !declared.contains(name.as_str()))
        .map(|name| format!("'{name}'"))
        .collect()
}
