//! `triggers/`, `sensors/` and `rules/`: what fires, what watches, what reacts.

use std::path::Path;

use attune_domain::refs::ComponentRef;
use attune_domain::rule::{CRITERIA_OPERATORS, NewRule};
use attune_domain::status::RunnerType;
use attune_domain::trigger::{NewSensor, NewTrigger};
use serde_json::Value;

use super::{PackContext, field_errors, param_schema};
use crate::manifest::{RuleManifest, SensorManifest, TriggerManifest};

fn name_of(component_ref: &str) -> String {
    component_ref.split_once('.').map(|(_, n)| n.to_owned()).unwrap_or_default()
}

/// Validates one trigger file.
pub(crate) fn trigger(ctx: &PackContext<'_>, file: &Path, m: TriggerManifest) -> Result<NewTrigger, String> {
    let trigger_ref = ctx.component_ref(file, &m)?;
    param_schema("parameters", &m.parameters)?;
    attune_params::check_json_schema(&m.payload_schema).map_err(|e| format!("payload_schema: {e}"))?;
    Ok(NewTrigger {
        label: m.label.unwrap_or_else(|| name_of(&trigger_ref)),
        r#ref: trigger_ref,
        description: m.description,
        enabled: m.enabled.unwrap_or(true),
        param_schema: m.parameters,
        payload_schema: m.payload_schema,
    })
}

/// Validates one sensor file.
pub(crate) fn sensor(ctx: &PackContext<'_>, file: &Path, m: SensorManifest) -> Result<NewSensor, String> {
    let sensor_ref = ctx.component_ref(file, &m)?;
    match (m.runner_type, &m.entry_point) {
        (RunnerType::Workflow, _) => return Err("a sensor cannot be a workflow".into()),
        (RunnerType::Inquiry, _) => return Err("a sensor cannot be an inquiry".into()),
        (RunnerType::Builtin, _) => {}
        (_, None) => return Err("entry_point is required".into()),
        (_, Some(entry_point)) => {
            ctx.entry_point_file("sensors", entry_point)?;
        }
    }
    if m.trigger_types.is_empty() {
        return Err("trigger_types must name at least one trigger".into());
    }
    for trigger in &m.trigger_types {
        let parsed = ComponentRef::parse(trigger).map_err(|e| format!("trigger_types: {e}"))?;
        // Built-in sensors are the server's timers, configured by the pack: they fire core's
        // timer triggers. Sensors running the pack's own code fire only the pack's triggers.
        if m.runner_type != RunnerType::Builtin && parsed.pack() != ctx.pack_ref {
            return Err(format!(
                "trigger_types: '{trigger}' belongs to pack '{}'; a sensor may only fire its own pack's triggers",
                parsed.pack()
            ));
        }
    }
    if m.poll_interval.is_some_and(|s| s <= 0) {
        return Err("poll_interval must be a positive number of seconds".into());
    }
    let schema = param_schema("parameters", &m.parameters)?;
    let config = schema.validate(&m.config).map_err(|errors| format!("config: {}", field_errors(&errors)))?;
    Ok(NewSensor {
        label: m.label.unwrap_or_else(|| name_of(&sensor_ref)),
        r#ref: sensor_ref,
        description: m.description,
        runner_type: m.runner_type,
        entry_point: m.entry_point,
        trigger_types: m.trigger_types,
        param_schema: m.parameters,
        config,
        poll_interval_s: m.poll_interval,
        enabled: m.enabled.unwrap_or(true),
    })
}

/// Validates one rule file (references to other components are checked later).
pub(crate) fn rule(ctx: &PackContext<'_>, file: &Path, m: RuleManifest) -> Result<NewRule, String> {
    let rule_ref = ctx.component_ref(file, &m)?;
    ComponentRef::parse(&m.trigger).map_err(|e| format!("trigger: {e}"))?;
    ComponentRef::parse(&m.action).map_err(|e| format!("action: {e}"))?;
    let trigger_params = object_or_empty("trigger_parameters", m.trigger_parameters)?;
    let action_params = object_or_empty("parameters", m.parameters)?;
    crate::workflow::check_templates("parameters", &action_params)?;
    let criteria = object_or_empty("criteria", m.criteria)?;
    check_criteria(&criteria)?;
    Ok(NewRule {
        label: m.label.unwrap_or_else(|| name_of(&rule_ref)),
        r#ref: rule_ref,
        description: m.description,
        trigger_ref: m.trigger,
        trigger_params,
        criteria,
        action_ref: m.action,
        action_params,
        enabled: m.enabled.unwrap_or(true),
        author: None,
    })
}

/// A mapping, or an empty one when absent.
pub(crate) fn object_or_empty(field: &str, value: Value) -> Result<Value, String> {
    match value {
        Value::Null => Ok(Value::Object(Default::default())),
        Value::Object(_) => Ok(value),
        other => Err(format!("{field} must be a mapping, not {other}")),
    }
}

/// Criteria are `path: {type: <operator>, pattern: ...}`.
pub fn check_criteria(criteria: &Value) -> Result<(), String> {
    let Value::Object(entries) = criteria else {
        return Err("criteria must be a mapping of path to {type, pattern}".into());
    };
    for (path, criterion) in entries {
        let Some(fields) = criterion.as_object() else {
            return Err(format!("criteria.{path} must be a mapping with 'type' and 'pattern'"));
        };
        let operator = fields
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("criteria.{path}: 'type' is required (one of {})", CRITERIA_OPERATORS.join(", ")))?;
        if !CRITERIA_OPERATORS.contains(&operator) {
            return Err(format!(
                "criteria.{path}: unknown operator '{operator}' (one of {})",
                CRITERIA_OPERATORS.join(", ")
            ));
        }
        if let Some(unknown) = fields.keys().find(|k| !matches!(k.as_str(), "type" | "pattern" | "condition")) {
            return Err(format!("criteria.{path}: unknown key '{unknown}'"));
        }
        let needs_pattern = !matches!(operator, "exists" | "nexists");
        if needs_pattern && !fields.contains_key("pattern") {
            return Err(format!("criteria.{path}: operator '{operator}' needs a 'pattern'"));
        }
    }
    Ok(())
}
