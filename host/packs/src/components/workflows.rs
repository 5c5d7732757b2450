//! `workflows/<name>.yaml`: a workflow definition and the action that runs it.

use std::path::Path;

use attune_domain::action::NewAction;
use attune_domain::status::{OutputFormat, RunnerType};
use attune_domain::workflow::NewWorkflowDefinition;
use serde_json::{Value, json};

use super::{PackContext, param_schema};
use crate::manifest::WorkflowManifest;

/// Validates one workflow file; returns its definition and its action.
pub(crate) fn workflow(
    ctx: &PackContext<'_>,
    file: &Path,
    m: WorkflowManifest,
) -> Result<(NewWorkflowDefinition, NewAction), String> {
    let workflow_ref = ctx.component_ref(file, &m)?;
    param_schema("parameters", &m.parameters)?;
    if let Some(schema) = &m.output_schema {
        attune_params::check_json_schema(schema).map_err(|e| format!("output_schema: {e}"))?;
    }
    if m.timeout.is_some_and(|t| t <= 0) {
        return Err("timeout must be a positive number of seconds".into());
    }
    let vars = match m.vars {
        Value::Null => serde_json::Map::new(),
        Value::Object(vars) => vars,
        _ => return Err("vars must be a mapping".into()),
    };
    let graph = crate::workflow::graph(vars, &m.tasks, m.output)?;
    let label = m.label.unwrap_or_else(|| workflow_ref.split_once('.').map(|(_, n)| n.to_owned()).unwrap_or_default());
    let definition = NewWorkflowDefinition {
        r#ref: workflow_ref.clone(),
        label: label.clone(),
        description: m.description.clone(),
        version: m.version.unwrap_or_else(|| ctx.version.to_owned()),
        param_schema: m.parameters.clone(),
        output_schema: m.output_schema.clone(),
        // The typed graph, as the engine will read it back.
        definition: serde_json::to_value(&graph).map_err(|e| format!("cannot store the graph: {e}"))?,
        tags: m.tags,
        enabled: m.enabled.unwrap_or(true),
    };
    let action = NewAction {
        r#ref: workflow_ref,
        label,
        description: m.description,
        runner_type: RunnerType::Workflow,
        entry_point: None,
        param_schema: m.parameters,
        output_schema: m.output_schema,
        output_format: OutputFormat::Json,
        timeout_s: m.timeout,
        limits: json!({}),
        secrets: Vec::new(),
        allowed_hosts: Vec::new(),
        idempotent: false,
    };
    Ok((definition, action))
}
